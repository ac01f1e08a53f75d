import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { getAppRoutes, type AppRoute } from '../helpers/app-routes.ts';
import { identities, routeRules, standingOf, type CellContext, type Identity, type Probe, type TargetKind } from '../helpers/authorization-rules.ts';
import { appendRestrictedAccounts, createPreparedTestApp } from '../helpers/prepared-test-app.ts';
import { getCookieHeader, getPageCsrfToken, openApiSession, type TestApp } from '../helpers/test-app.ts';
import { TestSocket } from '../helpers/ws-client.ts';

const password = 'Matrix-pass-1234';

// The groups each identity's account is in when it logs in (what happens after: below).
const groupsAtLogin: Record<Exclude<Identity, 'anonymous'>, string[]> = {
  member: [], wmi: ['licorn-wmi'], admins: ['admins'], demoted: ['licorn-wmi'], locked: ['admins'], deleted: ['admins'], loggedOut: ['admins'],
};

// What a caller holds: its login, the session cookie (with the login form's CSRF cookie) and token.
interface Caller {
  identity: Identity;
  login: string | null;
  cookie: string;
  csrf: string;
}

interface Cell {
  route: string;
  probe: Probe;
  identity: Identity;
  target: string;
}

// Issue 11: every route × every kind of caller, against Licorn's rules. Each route is a row
// with its own fresh accounts (one per identity), and each cell its own fresh target.
describe('the authorization matrix', () => {
  let t: TestApp;
  let host = '';
  let restricted: string[] = [];
  let routes: AppRoute[] = [];

  beforeAll(async () => {
    t = await createPreparedTestApp(async (sandbox) => {
      restricted = await appendRestrictedAccounts(sandbox.root, 'mxr', 80);
      // Some 250 accounts log in here: the cheapest yescrypt keeps that to seconds (the
      // matrix is about who may do what, not about hashing).
      const defs = join(sandbox.root, 'etc/login.defs');
      await writeFile(defs, (await readFile(defs, 'utf8')).replace(/^YESCRYPT_COST_FACTOR.*$/m, 'YESCRYPT_COST_FACTOR 1'));
    });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const address = t.app.server.address();
    host = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    routes = getAppRoutes(t.app);
  });
  afterAll(() => t.close());

  it('has a rule for every route the app serves, and no rule for a route it does not', () => {
    const keys = routes.map((route) => `${route.method} ${route.path}`);
    expect(keys.filter((key) => !routeRules[key])).toEqual([]);
    expect(Object.keys(routeRules).filter((key) => !keys.includes(key))).toEqual([]);
  });

  // Logs in as a browser does, then makes happen what the identity's name says.
  const getCaller = async (identity: Identity, login: string): Promise<Caller> => {
    if (identity === 'anonymous') {
      const page = await t.app.inject({ method: 'GET', url: '/login/' });
      return { identity, login: null, cookie: getCookieHeader(page), csrf: getPageCsrfToken(page.body) };
    }
    const session = await openApiSession(t.app, login, password);
    const { accounts } = t.app.core;
    if (identity === 'demoted') await accounts.removeMember('licorn-wmi', login);
    if (identity === 'locked') await accounts.modifyAccount(login, { locked: true });
    if (identity === 'deleted') await accounts.deleteAccount(login, 'keep');
    if (identity === 'loggedOut') {
      const out = await t.app.inject({ method: 'POST', url: '/logout/', headers: { cookie: session.cookie, 'x-csrf-token': session.csrf } });
      expect(out.statusCode).toBe(303);
    }
    return { identity, login, cookie: session.cookie, csrf: session.csrf };
  };

  // The login form is posted as a browser would: with the token of the form it was shown
  // (the anonymous one when there is no session any more).
  const getFormToken = async (caller: Caller): Promise<{ cookie: string; csrf: string }> => {
    const page = await t.app.inject({ method: 'GET', url: '/login/', headers: { cookie: caller.cookie } });
    if (page.statusCode !== 200) return caller;
    return { cookie: getCookieHeader(page, caller.cookie), csrf: getPageCsrfToken(page.body) };
  };

  const openSocket = async (caller: Caller): Promise<{ status: number; detail: string }> => {
    const socket = new TestSocket(`wss://${host}/ws`, { cookie: caller.cookie, origin: `https://${host}` });
    try {
      await socket.opened();
      return { status: 101, detail: 'opened' };
    } catch (error) {
      const status = /refused: (\d+)/.exec(String(error))?.[1];
      return { status: status ? Number(status) : 0, detail: String(error) };
    } finally {
      socket.close();
    }
  };

  const send = async (cell: Cell, caller: Caller, context: CellContext): Promise<{ status: number; detail: string; response?: LightMyRequestResponse }> => {
    const request = cell.probe.build(context);
    if (request.socket) return openSocket(caller);
    const { cookie, csrf } = request.url === '/login/' && request.method === 'POST' ? await getFormToken(caller) : caller;
    const response = await t.app.inject({
      method: request.method, url: request.url, headers: { cookie, 'x-csrf-token': csrf }, ...(request.payload ? { payload: request.payload } : {}),
    });
    const detail = response.statusCode >= 300 && response.statusCode < 400 ? `→ ${response.headers.location}` : response.body.slice(0, 160);
    return { status: response.statusCode, detail, response };
  };

  it('answers every route as Licorn\'s rules say, to every kind of caller', async () => {
    const { accounts } = t.app.core;
    let serial = 0;
    const freshName = () => `mt${serial++}`;
    const rows = routes.map((route, row) => ({ key: `${route.method} ${route.path}`, row }));

    // Every cell's target, made before the first request (one transaction for the accounts).
    const cells: Cell[] = [];
    const toCreate: Parameters<typeof accounts.createAccounts>[0] = [];
    const groupsToCreate: string[] = [];
    const logins = (row: number) => Object.fromEntries(identities.map((identity, index) => [identity, `mx${row}i${index}`])) as Record<Identity, string>;
    for (const { key, row } of rows) {
      for (const [identity, login] of Object.entries(logins(row)) as [Identity, string][]) {
        if (identity !== 'anonymous') toCreate.push({ login, password, groups: groupsAtLogin[identity], createHome: false });
      }
      for (const probe of routeRules[key] ?? []) {
        for (const identity of identities) {
          const kind: TargetKind = probe.target;
          let target = kind === 'restricted' ? restricted.shift()! : kind === 'self' ? logins(row)[identity] : freshName();
          if (kind === 'self' && identity === 'anonymous') target = logins(row).member;
          if (kind === 'standard') toCreate.push({ login: target, password: null, createHome: false });
          if (kind === 'admin') toCreate.push({ login: target, password: null, groups: ['admins'], createHome: false });
          if (kind === 'system') toCreate.push({ login: target, password: null, system: true, createHome: false });
          if (kind === 'group') groupsToCreate.push(target);
          expect(target, `${key} ${probe.name}: not enough restricted accounts`).toBeDefined();
          cells.push({ route: key, probe, identity, target });
        }
      }
    }
    await accounts.createAccounts(toCreate);
    for (const name of groupsToCreate) await accounts.createGroup({ name });

    const failures: string[] = [];
    for (const { key, row } of rows) {
      const callers = new Map<Identity, Caller>();
      for (const identity of identities) callers.set(identity, await getCaller(identity, logins(row)[identity]));
      for (const cell of cells.filter((candidate) => candidate.route === key)) {
        const caller = callers.get(cell.identity)!;
        const context: CellContext = {
          login: caller.login, password, rowMember: logins(row).member, target: cell.target,
          getVersion: (kind, name) => (kind === 'account' ? accounts.getAccount(name)?.version : accounts.getGroup(name)?.version) ?? 'gone',
        };
        const expected = cell.probe.expect(cell.identity);
        const got = await send(cell, caller, context);
        let ok = expected.includes(got.status);
        // No session on a page: the login form, coming back to the page after.
        if (ok && got.status === 302 && standingOf[cell.identity] === 'none') ok = String(got.response?.headers.location).startsWith('/login/?next=');
        if (ok && key === 'GET /api/v1/session' && got.status === 200) ok = got.response?.json().login === caller.login;
        if (!ok) failures.push(`${key} [${cell.probe.name} ${cell.target}] × ${cell.identity}: got ${got.status}, expected ${expected.join(' or ')} (${got.detail})`);
      }
    }
    expect(cells.length).toBeGreaterThan(routes.length * identities.length - 1);
    expect(failures).toEqual([]);
  }, 600_000);
});
