import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changingMethods, encodeUrlComponent, fillRoutePath, getAppRoutes } from '../../helpers/app-routes.ts';
import { testPasswords } from '../../helpers/sandbox.ts';
import { createTestApp, openApiSession, type ApiSession, type TestApp } from '../../helpers/test-app.ts';
import { diffTrees, snapshotTree, type TreeSnapshot } from '../../helpers/tree-snapshot.ts';
import { getBodyCase, getQueryCase, type FuzzCase, type FuzzIdentity } from './fuzz-cases.ts';
import { getBodySchema, pageFormSchemas } from './route-bodies.ts';

// How many requests the fuzz sends: bodies to every changing route, querystrings and
// parameters to every other. A fixed seed keeps a failure reproducible.
const bodyCases = 1200;
const queryCases = 200;
const seed = 20261201;

const logins: Record<FuzzIdentity, 'admin' | 'dnguyen'> = { admin: 'admin', member: 'dnguyen' };

// What a JSON refusal must carry: a code, a message and the field at fault.
function isNamedRefusal(body: { code?: unknown; message?: unknown; field?: unknown }): boolean {
  return (
    typeof body.code === 'string' &&
    typeof body.message === 'string' &&
    typeof body.field === 'string' &&
    body.field !== ''
  );
}

// The answer of a streaming route: its body when it refused, nothing when it follows.
async function readStreamed(response: LightMyRequestResponse): Promise<LightMyRequestResponse> {
  if (response.statusCode === 200) {
    (response.raw.res as unknown as { destroy(): void }).destroy();
    return { ...response, body: '', payload: '', json: () => null } as LightMyRequestResponse;
  }
  let body = '';
  for await (const chunk of response.stream()) body += String(chunk);
  return { ...response, body, payload: body, json: () => JSON.parse(body) } as LightMyRequestResponse;
}

describe('fuzzing every route with hostile input', () => {
  let t: TestApp;
  const sessions = {} as Record<FuzzIdentity, ApiSession>;
  let sent = 0;
  const openSession = async (identity: FuzzIdentity) => {
    sessions[identity] = await openApiSession(t.app, logins[identity], testPasswords[logins[identity]]);
    // A fuzz that lost its session would only meet 401s: make sure it did not.
    expect(sessions[identity].csrf, `logging ${logins[identity]} in again`).toEqual(expect.any(String));
  };

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.core.accounts.createAccount({ login: 'fuzztarget', fullName: 'Fuzz Target', password: null });
    await openSession('admin');
    await openSession('member');
  });
  afterAll(() => t.close());

  // A `version` of "current" becomes the target's real one, so that valid-looking changes
  // get past the version check and reach the core.
  const getJsonPayload = async (fuzzCase: FuzzCase, value: unknown, headers: Record<string, string>) => {
    const isCurrent = !!value && typeof value === 'object' && (value as { version?: unknown }).version === 'current';
    if (!isCurrent) return JSON.stringify(value);
    const kind = fuzzCase.route.path.startsWith('/api/v1/groups') ? 'groups' : 'accounts';
    const target = encodeUrlComponent(Object.values(fuzzCase.params)[0] ?? '');
    const current = await t.app.inject({ method: 'GET', url: `/api/v1/${kind}/${target}`, headers });
    return JSON.stringify({ ...value, version: current.statusCode === 200 ? current.json().version : 'none' });
  };

  const send = async (fuzzCase: FuzzCase): Promise<{ response: LightMyRequestResponse; label: string }> => {
    const session = sessions[fuzzCase.identity];
    const url = fillRoutePath(fuzzCase.route.path, fuzzCase.params) + fuzzCase.query;
    const headers: Record<string, string> = { cookie: session.cookie, 'x-csrf-token': session.csrf };
    let payload: string | undefined;
    if (fuzzCase.body?.kind === 'json') {
      payload = await getJsonPayload(fuzzCase, fuzzCase.body.value, headers);
      headers['content-type'] = 'application/json';
    } else if (fuzzCase.body?.kind === 'raw') {
      payload = fuzzCase.body.payload;
      headers['content-type'] = fuzzCase.body.contentType;
    }
    // Failed logins are counted per address: the fuzz's own logins come from other ones,
    // and spread over many so that the password check stays in reach.
    // A live stream (events) never ends by itself: its answer is read as a stream, and the
    // client goes away once the head says it follows.
    const streaming = fuzzCase.route.path.endsWith('/stream');
    const injected = await t.app.inject({
      method: fuzzCase.route.method,
      url,
      headers,
      remoteAddress: `192.0.2.${1 + (sent++ % 250)}`,
      ...(payload !== undefined ? { payload } : {}),
      ...(streaming ? { payloadAsStream: true } : {}),
    });
    const response = streaming ? await readStreamed(injected) : injected;
    const label = `${fuzzCase.identity} ${fuzzCase.route.method} ${url.slice(0, 120)} ${(payload ?? '').slice(0, 160)}`;
    return { response, label };
  };

  it('never answers 5xx, names the field of every refusal, and a refusal changes no byte of the sandbox', async () => {
    const routes = getAppRoutes(t.app);
    const bodyRoutes = routes.filter((route) => changingMethods.has(route.method));
    // Every route that takes a body has a known shape (OpenAPI or a page form): a new one
    // without either fails here rather than be fuzzed blind.
    for (const route of bodyRoutes.filter((candidate) => candidate.method !== 'DELETE')) {
      expect(getBodySchema(t.app, route), `no body schema for ${route.method} ${route.path}`).not.toBeNull();
    }
    const routeKeys = routes.map((route) => `${route.method} ${route.path}`);
    expect(Object.keys(pageFormSchemas).filter((key) => !routeKeys.includes(key))).toEqual([]);

    const otherRoutes = routes.filter((route) => !changingMethods.has(route.method));
    // Every route at least once (a random draw may miss one as routes are added), then at random.
    const cases = [
      ...bodyRoutes.flatMap((route) => fc.sample(getBodyCase(t.app, [route]), { numRuns: 1, seed })),
      ...otherRoutes.flatMap((route) => fc.sample(getQueryCase([route]), { numRuns: 1, seed })),
      ...fc.sample(getBodyCase(t.app, bodyRoutes), { numRuns: bodyCases, seed }),
      ...fc.sample(getQueryCase(otherRoutes), { numRuns: queryCases, seed: seed + 1 }),
    ];

    const violations: string[] = [];
    let refused = 0;
    let tree: TreeSnapshot = await snapshotTree(t.sandbox.root);
    for (const fuzzCase of cases) {
      const { response, label } = await send(fuzzCase);
      const status = response.statusCode;
      const body = response.body.slice(0, 300);
      if (status >= 500) violations.push(`${label}\n  → answered ${status}: ${body}`);
      const isJson = String(response.headers['content-type'] ?? '').startsWith('application/json');
      if (status >= 400 && status < 500 && isJson && !isNamedRefusal(response.json())) {
        violations.push(`${label}\n  → refusal ${status} without code, message and field: ${body}`);
      }
      const after = await snapshotTree(t.sandbox.root);
      if (status >= 400) {
        refused++;
        const changes = diffTrees(tree, after);
        if (changes.length > 0) {
          const changed = changes.slice(0, 8).join('; ');
          violations.push(`${label}\n  → refused with ${status} (${body}) yet changed: ${changed}`);
        }
      } else {
        // A success may end the fuzz's own session (logging out): open it again.
        const { cookie } = sessions[fuzzCase.identity];
        const check = await t.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie } });
        if (check.statusCode !== 200) await openSession(fuzzCase.identity);
      }
      tree = after;
    }
    expect(refused).toBeGreaterThan(cases.length / 2);
    expect(violations).toEqual([]);
  }, 240_000);
});
