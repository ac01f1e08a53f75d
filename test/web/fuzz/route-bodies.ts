import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import type { AppRoute } from '../../helpers/app-routes.ts';
import { hostileKey, hostileValue } from './hostile-values.ts';

interface Schema {
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  minimum?: number;
  maximum?: number;
  pattern?: string;
}

// The forms of the pages (not described by OpenAPI, which covers /api/ only): what a browser
// sends. A page route that takes a body and is missing here fails the fuzz test.
export const pageFormSchemas: Record<string, Schema> = {
  'POST /login/': {
    type: 'object',
    required: ['login', 'password'],
    properties: { login: {}, password: {}, next: {}, _csrf: {} },
  },
  'POST /logout/': { type: 'object', properties: { _csrf: {} } },
  'POST /me/profile': {
    type: 'object',
    required: ['fullName', 'shell'],
    properties: { fullName: {}, shell: {}, _csrf: {} },
  },
  'POST /login/password': {
    type: 'object',
    required: ['currentPassword', 'newPassword', 'confirmPassword'],
    properties: { currentPassword: {}, newPassword: {}, confirmPassword: {}, username: {}, next: {}, _csrf: {} },
  },
  'POST /me/language': { type: 'object', required: ['language'], properties: { language: {}, _csrf: {} } },
  'POST /me/tokens': { type: 'object', required: ['name'], properties: { name: {}, _csrf: {} } },
  'POST /me/tokens/:id/delete': { type: 'object', properties: { _csrf: {} } },
  'POST /accounts/:login/tokens/:id/revoke': { type: 'object', properties: { _csrf: {} } },
  'POST /me/password': {
    type: 'object',
    required: ['currentPassword', 'newPassword', 'confirmPassword'],
    properties: { currentPassword: {}, newPassword: {}, confirmPassword: {}, username: {}, _csrf: {} },
  },
};

// Plausible values by field name, so that a "valid-looking" body gets past the schema and
// reaches the core's own checks.
const plausible: Record<string, fc.Arbitrary<unknown>> = {
  login: fc.oneof(
    fc.constantFrom('fuzzone', 'root', 'news', 'fuzztarget', 'blefevre'),
    fc.stringMatching(/^fz[a-z0-9]{1,8}$/),
  ),
  newLogin: fc.constantFrom('fuzzrenamed', 'root', 'fuzztarget'),
  name: fc.constantFrom('fuzzgroup', 'developers', 'admins', 'users'),
  newName: fc.constantFrom('fuzzgroup2', 'admins', 'users'),
  group: fc.constantFrom('developers', 'support', 'admins', 'fuzzgroup'),
  primaryGroup: fc.constantFrom('users', 'developers', 'admins', 'root'),
  groups: fc.array(fc.constantFrom('developers', 'support', 'users', 'admins', 'licorn-wmi'), { maxLength: 3 }),
  logins: fc.array(fc.constantFrom('fuzztarget', 'fuzzone', 'root', 'news', 'nobody'), { minLength: 1, maxLength: 3 }),
  fullName: fc.constantFrom('Fuzz Person', 'Zoë Fuzz', ''),
  shell: fc.constantFrom('/bin/bash', '/bin/sh', '/usr/sbin/nologin'),
  home: fc.constantFrom(
    '/home/fuzzhome',
    '/home/fuzzone',
    '/etc',
    '/home/groups/developers',
    '/home/archives',
    '/home/dnguyen',
  ),
  password: fc.constantFrom('Fuzz-pass-1234', null),
  currentPassword: fc.constantFrom('wrong-pass-1234'),
  newPassword: fc.constantFrom('Fuzz-pass-1234'),
  confirmPassword: fc.constantFrom('Fuzz-pass-1234'),
  next: fc.constantFrom('/', '/accounts/', '//evil.example'),
  csv: fc.constantFrom('login,fullName\nfuzzcsv,Fuzz Csv\n', 'login,home\nfuzzcsvhome,/etc\n', 'login\n'),
  progress: fc.constantFrom('fuzzprogress01'),
  description: fc.constantFrom('A fuzz group', ''),
  // "current" is replaced by the target's version when sent (see api-fuzz.test.ts).
  version: fc.constantFrom('stale-version', 'current', 'current'),
  uid: fc.integer({ min: 0, max: 70_000 }),
  gid: fc.integer({ min: 0, max: 70_000 }),
  expiry: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 40_000 })),
  // Volumes: a forced unmount and the reserved marker (the volume is in the URL).
  force: fc.boolean(),
  reserved: fc.boolean(),
};

// A value that satisfies `schema` (roughly: enough to pass Fastify's check most times).
function getValidValue(schema: Schema, key: string): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const known = plausible[key];
  if (known) return known;
  const type = Array.isArray(schema.type) ? schema.type.find((name) => name !== 'null') : schema.type;
  if (type === 'boolean') return fc.boolean();
  if (type === 'integer') {
    return fc.integer({ min: schema.minimum ?? 0, max: Math.min(schema.maximum ?? 100_000, 100_000) });
  }
  if (type === 'array') return fc.array(getValidValue(schema.items ?? {}, key), { maxLength: 3 });
  if (type === 'object' && typeof schema.additionalProperties === 'object') {
    const groups = fc.constantFrom('developers', 'support', 'admins');
    return fc.dictionary(groups, getValidValue(schema.additionalProperties, ''), { maxKeys: 2 });
  }
  if (type === 'object') return getValidBody(schema);
  return fc.constantFrom('fuzz', 'fuzzvalue');
}

// A body that looks like what the route expects: its required fields and some others.
function getValidBody(schema: Schema): fc.Arbitrary<Record<string, unknown>> {
  const properties = Object.entries(schema.properties ?? {}).filter(([key]) => key !== '_csrf');
  const required = new Set(schema.required ?? []);
  const values = Object.fromEntries(properties.map(([key, value]) => [key, getValidValue(value, key)]));
  const requiredKeys = properties.map(([key]) => key).filter((key) => required.has(key));
  // Many fields at once, or the required ones and one other (a change as a form sends it).
  const many = fc.record(values, { requiredKeys });
  if (properties.length === 0) return many;
  const few = fc
    .constantFrom(...properties.map(([key]) => key))
    .chain((key) =>
      fc.record(Object.fromEntries(Object.entries(values).filter(([name]) => name === key || required.has(name)))),
    );
  return fc.oneof(many, few);
}

// The body schema of a route: from the app's OpenAPI description, or the page's form.
export function getBodySchema(app: FastifyInstance, route: AppRoute): Schema | null {
  type Operation = { requestBody?: { content: Record<string, { schema: Schema }> } };
  const openapi = app.swagger() as { paths: Record<string, Record<string, Operation>> };
  const operation = openapi.paths[route.path.replace(/:([A-Za-z]+)/g, '{$1}')]?.[route.method.toLowerCase()];
  const fromApi = operation?.requestBody?.content['application/json']?.schema;
  return fromApi ?? pageFormSchemas[`${route.method} ${route.path}`] ?? null;
}

// A character slipped into one text field of a valid-looking body: the classic way past a
// check that looked at the value before it was cut, joined or written into a file.
const injected = fc.constantFrom('\u0000', '\n', '\r\n', ':', ',', '\u007f', '\u001b', '/../', '\ud800');
function injectCharacter(body: Record<string, unknown>, bad: string, at: number): Record<string, unknown> {
  const keys = Object.keys(body).filter((key) => typeof body[key] === 'string');
  if (keys.length === 0) return { ...body, [bad]: bad };
  const key = keys[at % keys.length]!;
  const value = body[key] as string;
  const index = at % (value.length + 1);
  return { ...body, [key]: value.slice(0, index) + bad + value.slice(index) };
}

// Hostile bodies for one route: a hostile value where the object should be, an object of
// hostile keys and values, or a valid-looking body with one field broken (a wrong value, a
// character slipped in), missing or added.
export function getHostileBody(schema: Schema | null): fc.Arbitrary<unknown> {
  const keys = Object.keys(schema?.properties ?? {});
  const anyKey = keys.length > 0 ? fc.oneof(fc.constantFrom(...keys), hostileKey) : hostileKey;
  const valid: fc.Arbitrary<Record<string, unknown>> = schema ? getValidBody(schema) : fc.constant({});
  return fc.oneof(
    { weight: 1, arbitrary: hostileValue },
    { weight: 2, arbitrary: fc.dictionary(anyKey, hostileValue, { maxKeys: 5 }) },
    {
      weight: 5,
      arbitrary: fc.tuple(valid, anyKey, hostileValue).map(([body, key, value]) => ({ ...body, [key]: value })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(valid, fc.constantFrom(...(keys.length > 0 ? keys : ['x']))).map(([body, key]) => {
        const { [key]: _dropped, ...rest } = body;
        return rest;
      }),
    },
    {
      weight: 3,
      arbitrary: fc.tuple(valid, injected, fc.nat()).map(([body, bad, at]) => injectCharacter(body, bad, at)),
    },
    { weight: 2, arbitrary: valid },
  );
}
