import fc from 'fast-check';
import type { HTTPMethods, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changingMethods, encodeUrlComponent, fillRoutePath, getAppRoutes, type AppRoute } from '../../helpers/app-routes.ts';
import { testPasswords } from '../../helpers/sandbox.ts';
import { createTestApp, openApiSession, type ApiSession, type TestApp } from '../../helpers/test-app.ts';
import { diffTrees, snapshotTree, type TreeSnapshot } from '../../helpers/tree-snapshot.ts';
import { hostileKey, hostileRawBody, hostileString } from './hostile-values.ts';
import { getBodySchema, getHostileBody, pageFormSchemas } from './route-bodies.ts';

// How many requests the fuzz sends: bodies to every changing route, querystrings and
// parameters to every other. A fixed seed keeps a failure reproducible.
const bodyCases = 1200;
const queryCases = 200;
const seed = 20261201;

// Parameter values: accounts and groups of every kind (restricted, system, admin, standard),
// and names that are traps. `admin` and `dnguyen` are the fuzz's own sessions: left alone.
const paramValue = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('fuzztarget', 'root', 'news', 'nobody', 'daemon', 'blefevre', 'ndupont', 'developers', 'admins', 'licorn-wmi',
    'users', 'rsp-developers', 'gst-support', 'acl', 'nogroup', '-', '-rows') },
  { weight: 1, arbitrary: hostileString.filter((value) => value.length > 0 && value !== 'admin' && value !== 'dnguyen') },
);

interface FuzzCase {
  identity: 'admin' | 'member';
  route: AppRoute;
  params: Record<string, string>;
  query: string;
  body: { kind: 'json'; value: unknown } | { kind: 'raw'; payload: string; contentType: string } | null;
}

// What went wrong with one request, for the report at the end.
interface Violation {
  request: string;
  problem: string;
}

describe('fuzzing every route with hostile input', () => {
  let t: TestApp;
  const sessions: Record<FuzzCase['identity'], ApiSession> = {} as never;
  const logins = { admin: 'admin', member: 'dnguyen' } as const;
  const openSession = async (identity: FuzzCase['identity']) => {
    sessions[identity] = await openApiSession(t.app, logins[identity], testPasswords[logins[identity]]);
  };

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.core.accounts.createAccount({ login: 'fuzztarget', fullName: 'Fuzz Target', password: 'Fuzz-target-1234' });
    await openSession('admin');
    await openSession('member');
  });
  afterAll(() => t.close());

  // Sends one case; a `version` of "current" becomes the target's real one, so that
  // valid-looking changes get past the version check and reach the core.
  const send = async (fuzzCase: FuzzCase): Promise<{ response: LightMyRequestResponse; label: string }> => {
    const session = sessions[fuzzCase.identity];
    const url = fillRoutePath(fuzzCase.route.path, fuzzCase.params) + fuzzCase.query;
    const headers: Record<string, string> = { cookie: session.cookie, 'x-csrf-token': session.csrf };
    let payload: string | undefined;
    if (fuzzCase.body?.kind === 'json') {
      let value = fuzzCase.body.value;
      if (value && typeof value === 'object' && (value as { version?: unknown }).version === 'current') {
        const kind = fuzzCase.route.path.startsWith('/api/v1/groups') ? 'groups' : 'accounts';
        const current = await t.app.inject({ method: 'GET', url: `/api/v1/${kind}/${encodeUrlComponent(Object.values(fuzzCase.params)[0] ?? '')}`, headers });
        value = { ...value, version: current.statusCode === 200 ? current.json().version : 'none' };
      }
      payload = JSON.stringify(value);
      headers['content-type'] = 'application/json';
    } else if (fuzzCase.body?.kind === 'raw') {
      payload = fuzzCase.body.payload;
      headers['content-type'] = fuzzCase.body.contentType;
    }
    // Failed logins are counted per address: the fuzz's own logins come from another one.
    const response = await t.app.inject({ method: fuzzCase.route.method as HTTPMethods, url, headers, remoteAddress: '192.0.2.66', ...(payload !== undefined ? { payload } : {}) });
    const label = `${fuzzCase.identity} ${fuzzCase.route.method} ${url.slice(0, 120)} ${(payload ?? '').slice(0, 160)}`;
    return { response, label };
  };

  it('never answers 5xx, names the field of every refusal, and a refusal changes no byte of the sandbox', async () => {
    const routes = getAppRoutes(t.app);
    const bodyRoutes = routes.filter((route) => changingMethods.has(route.method));
    const otherRoutes = routes.filter((route) => !changingMethods.has(route.method));
    // Every route that takes a body has a known shape (OpenAPI or a page form): a new one
    // without either fails here rather than be fuzzed blind.
    for (const route of bodyRoutes.filter((route) => route.method !== 'DELETE')) {
      expect(getBodySchema(t.app, route), `${route.method} ${route.path} has no body schema in OpenAPI or pageFormSchemas`).not.toBeNull();
    }
    expect(Object.keys(pageFormSchemas).every((key) => routes.some((route) => `${route.method} ${route.path}` === key))).toBe(true);

    const paramsOf = (route: AppRoute) => fc.record(Object.fromEntries([...route.path.matchAll(/:([A-Za-z]+)/g)].map(([, name]) => [name!, paramValue])));
    const identity = fc.constantFrom<FuzzCase['identity']>('admin', 'admin', 'admin', 'admin', 'admin', 'member');
    const bodyCase = fc.constantFrom(...bodyRoutes).chain((route) => fc.record({
      identity,
      route: fc.constant(route),
      params: paramsOf(route),
      query: route.method === 'DELETE' ? fc.constantFrom('', '?home=archive', '?home=remove', '?home=keep', '?home=../etc', '?home=') : fc.constant(''),
      body: route.method === 'DELETE' ? fc.oneof(fc.constant(null), getHostileBody(null).map((value) => ({ kind: 'json' as const, value })))
        : fc.oneof(
          { weight: 6, arbitrary: getHostileBody(getBodySchema(t.app, route)).map((value) => ({ kind: 'json' as const, value })) },
          { weight: 1, arbitrary: hostileRawBody.map((raw) => ({ kind: 'raw' as const, ...raw })) },
        ),
    }));
    const queryCase = fc.constantFrom(...otherRoutes).chain((route) => fc.record({
      identity,
      route: fc.constant(route),
      params: paramsOf(route),
      query: fc.array(fc.tuple(fc.oneof(fc.constantFrom('system', 'home', 'q', 'sort', 'order', 'page', 'metric', 'range', 'next', 'saved'), hostileKey), hostileString), { maxLength: 3 })
        .map((pairs) => (pairs.length > 0 ? `?${pairs.map(([key, value]) => `${encodeUrlComponent(key)}=${encodeUrlComponent(value)}`).join('&')}` : '')),
      body: fc.constant(null),
    }));
    const cases: FuzzCase[] = [...fc.sample(bodyCase, { numRuns: bodyCases, seed }), ...fc.sample(queryCase, { numRuns: queryCases, seed: seed + 1 })];
    expect(new Set(cases.map((fuzzCase) => `${fuzzCase.route.method} ${fuzzCase.route.path}`)).size).toBe(routes.length);

    const violations: Violation[] = [];
    const counts = { refused: 0, accepted: 0 };
    let tree: TreeSnapshot = await snapshotTree(t.sandbox.root);
    for (const fuzzCase of cases) {
      const { response, label } = await send(fuzzCase);
      const status = response.statusCode;
      if (status >= 500) violations.push({ request: label, problem: `answered ${status}: ${response.body.slice(0, 300)}` });
      const isJson = (response.headers['content-type'] ?? '').toString().startsWith('application/json');
      if (status >= 400 && status < 500 && isJson) {
        const body = response.json() as { code?: unknown; message?: unknown; field?: unknown };
        if (typeof body.code !== 'string' || typeof body.message !== 'string' || typeof body.field !== 'string' || body.field === '') {
          violations.push({ request: label, problem: `refusal ${status} without code, message and field: ${response.body.slice(0, 300)}` });
        }
      }
      const after = await snapshotTree(t.sandbox.root);
      if (status >= 400) {
        counts.refused++;
        const changes = diffTrees(tree, after);
        if (changes.length > 0) violations.push({ request: label, problem: `refused with ${status} (${response.body.slice(0, 200)}) yet changed: ${changes.slice(0, 8).join('; ')}` });
      } else {
        counts.accepted++;
        // A success may end the fuzz's own session (logging out): open it again.
        const check = await t.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: sessions[fuzzCase.identity].cookie } });
        if (check.statusCode !== 200) await openSession(fuzzCase.identity);
      }
      tree = after;
    }
    expect(counts.refused).toBeGreaterThan(cases.length / 2);
    expect(violations.map((violation) => `${violation.request}\n    → ${violation.problem}`)).toEqual([]);
  }, 240_000);
});
