import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { encodeUrlComponent, type AppRoute } from '../../helpers/app-routes.ts';
import { hostileKey, hostileRawBody, hostileString } from './hostile-values.ts';
import { getBodySchema, getHostileBody } from './route-bodies.ts';

// Who sends a case: mostly an admin (who gets furthest), sometimes a plain member.
export type FuzzIdentity = 'admin' | 'member';

// One request of the fuzz: who, which route, its parameters, querystring and body.
export interface FuzzCase {
  identity: FuzzIdentity;
  route: AppRoute;
  params: Record<string, string>;
  query: string;
  body: { kind: 'json'; value: unknown } | { kind: 'raw'; payload: string; contentType: string } | null;
}

// Parameter values: accounts and groups of every kind (restricted, system, admin, standard),
// and names that are traps. `admin` and `dnguyen` are the fuzz's own sessions: left alone.
const paramValue = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'fuzztarget',
      'root',
      'news',
      'nobody',
      'daemon',
      'blefevre',
      'ndupont',
      'developers',
      'admins',
      'licorn-wmi',
      'users',
      'rsp-developers',
      'gst-support',
      'acl',
      'nogroup',
      '-',
      '-rows',
    ),
  },
  { weight: 1, arbitrary: hostileString.filter((value) => value !== '' && value !== 'admin' && value !== 'dnguyen') },
);

const identity = fc.constantFrom<FuzzIdentity>('admin', 'admin', 'admin', 'admin', 'admin', 'member');

const getParams = (route: AppRoute) =>
  fc.record(Object.fromEntries([...route.path.matchAll(/:([A-Za-z]+)/g)].map(([, name]) => [name!, paramValue])));

const asJson = (value: unknown) => ({ kind: 'json' as const, value });

const deleteQuery = fc.constantFrom('', '?home=archive', '?home=remove', '?home=keep', '?home=../etc', '?home=');

// The body of a route that takes one: mostly JSON built from its schema, sometimes raw text.
function getBody(app: FastifyInstance, route: AppRoute): fc.Arbitrary<FuzzCase['body']> {
  if (route.method === 'DELETE') return fc.oneof(fc.constant(null), getHostileBody(null).map(asJson));
  return fc.oneof(
    { weight: 6, arbitrary: getHostileBody(getBodySchema(app, route)).map(asJson) },
    { weight: 1, arbitrary: hostileRawBody.map((raw) => ({ kind: 'raw' as const, ...raw })) },
  );
}

// Cases for the routes that change things: hostile bodies (and, for DELETE, querystrings).
export function getBodyCase(app: FastifyInstance, routes: AppRoute[]): fc.Arbitrary<FuzzCase> {
  return fc.constantFrom(...routes).chain((route) =>
    fc.record({
      identity,
      route: fc.constant(route),
      params: getParams(route),
      query: route.method === 'DELETE' ? deleteQuery : fc.constant(''),
      body: getBody(app, route),
    }),
  );
}

const queryKey = fc.oneof(
  fc.constantFrom(
    'system',
    'home',
    'q',
    'sort',
    'order',
    'page',
    'metric',
    'range',
    'next',
    'saved',
    'filter',
    'before',
    'limit',
  ),
  hostileKey,
);
const queryString = fc.array(fc.tuple(queryKey, hostileString), { maxLength: 3 }).map((pairs) => {
  if (pairs.length === 0) return '';
  return `?${pairs.map(([key, value]) => `${encodeUrlComponent(key)}=${encodeUrlComponent(value)}`).join('&')}`;
});

// Cases for the other routes: hostile parameters and querystrings.
export function getQueryCase(routes: AppRoute[]): fc.Arbitrary<FuzzCase> {
  return fc.constantFrom(...routes).chain((route) =>
    fc.record({
      identity,
      route: fc.constant(route),
      params: getParams(route),
      query: queryString,
      body: fc.constant(null),
    }),
  );
}
