import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { getAppRoutes, type AppRoute } from '../helpers/app-routes.ts';
import {
  identities,
  routeRules,
  standingOf,
  type CellContext,
  type Identity,
  type Probe,
} from '../helpers/authorization-rules.ts';
import { appendRestrictedAccounts, createPreparedTestApp } from '../helpers/prepared-test-app.ts';
import { getCookieHeader, getPageCsrfToken, openApiSession, type TestApp } from '../helpers/test-app.ts';
import { TestSocket } from '../helpers/ws-client.ts';
import type { CreateAccountInput } from '../../server/core/accounts/accounts-service.ts';

const password = 'Matrix-pass-1234';

// The groups each identity's account is in when it logs in (what happens after: getCaller).
const groupsAtLogin: Record<Exclude<Identity, 'anonymous'>, string[]> = {
  member: [],
  wmi: ['licorn-wmi'],
  admins: ['admins'],
  demoted: ['licorn-wmi'],
  locked: ['admins'],
  deleted: ['admins'],
  loggedOut: ['admins'],
};

// What a caller holds: its login, its cookies (session, login form's CSRF) and CSRF token.
interface Caller {
  login: string | null;
  cookie: string;
  csrf: string;
}

// One cell of the matrix: a route's probe, sent by one identity, at its own target.
interface Cell {
  route: string;
  row: number;
  probe: Probe;
  identity: Identity;
  target: string;
}

interface Outcome {
  status: number;
  detail: string;
  response?: LightMyRequestResponse;
}

// The accounts of one row (route): one per identity, fresh.
const getRowLogins = (row: number): Record<Identity, string> =>
  Object.fromEntries(identities.map((identity, index) => [identity, `mx${row}i${index}`])) as Record<Identity, string>;

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
      const cheap = (await readFile(defs, 'utf8')).replace(/^YESCRYPT_COST_FACTOR.*$/m, 'YESCRYPT_COST_FACTOR 1');
      await writeFile(defs, cheap);
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

  // Every cell with its target, and the accounts and groups to make before the first request.
  const planCells = () => {
    let serial = 0;
    const cells: Cell[] = [];
    const accounts: CreateAccountInput[] = [];
    const groups: string[] = [];
    routes.forEach((route, row) => {
      const logins = getRowLogins(row);
      for (const identity of identities) {
        if (identity === 'anonymous') continue;
        accounts.push({ login: logins[identity], password, groups: groupsAtLogin[identity], createHome: false });
      }
      for (const probe of routeRules[`${route.method} ${route.path}`] ?? []) {
        for (const identity of identities) {
          const kind = probe.target;
          let target =
            kind === 'restricted' ? restricted.shift() : kind === 'self' ? logins[identity] : `mt${serial++}`;
          if (target === undefined) throw new Error('not enough restricted accounts for the matrix');
          if (kind === 'self' && identity === 'anonymous') target = logins.member;
          if (kind === 'standard') accounts.push({ login: target, password: null, createHome: false });
          if (kind === 'admin') accounts.push({ login: target, password: null, groups: ['admins'], createHome: false });
          if (kind === 'system') accounts.push({ login: target, password: null, system: true, createHome: false });
          if (kind === 'group') groups.push(target);
          cells.push({ route: `${route.method} ${route.path}`, row, probe, identity, target });
        }
      }
    });
    return { cells, accounts, groups };
  };

  // Logs in as a browser does, then makes happen what the identity's name says.
  const getCaller = async (identity: Identity, login: string): Promise<Caller> => {
    if (identity === 'anonymous') {
      const page = await t.app.inject({ method: 'GET', url: '/login/' });
      return { login: null, cookie: getCookieHeader(page), csrf: getPageCsrfToken(page.body) };
    }
    const { cookie, csrf } = await openApiSession(t.app, login, password);
    const { accounts } = t.app.core;
    if (identity === 'demoted') await accounts.removeMember('licorn-wmi', login);
    if (identity === 'locked') await accounts.modifyAccount(login, { locked: true });
    if (identity === 'deleted') await accounts.deleteAccount(login, 'keep');
    if (identity === 'loggedOut') {
      const out = await t.app.inject({ method: 'POST', url: '/logout/', headers: { cookie, 'x-csrf-token': csrf } });
      expect(out.statusCode).toBe(303);
    }
    return { login, cookie, csrf };
  };

  // The login form is posted as a browser would: with the token of the form it was shown
  // (the anonymous one when there is no session any more).
  const getFormToken = async (caller: Caller): Promise<{ cookie: string; csrf: string }> => {
    const page = await t.app.inject({ method: 'GET', url: '/login/', headers: { cookie: caller.cookie } });
    if (page.statusCode !== 200) return caller;
    return { cookie: getCookieHeader(page, caller.cookie), csrf: getPageCsrfToken(page.body) };
  };

  // Opens the push channel for real: 101 when it opens, else the refused upgrade's status.
  const openSocket = async (caller: Caller, url: string): Promise<Outcome> => {
    const socket = new TestSocket(`wss://${host}${url}`, { cookie: caller.cookie, origin: `https://${host}` });
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

  const send = async (cell: Cell, caller: Caller, context: CellContext): Promise<Outcome> => {
    const request = cell.probe.build(context);
    if (request.socket) return openSocket(caller, request.url);
    const isLogin = request.url === '/login/' && request.method === 'POST';
    const { cookie, csrf } = isLogin ? await getFormToken(caller) : caller;
    const response = await t.app.inject({
      method: request.method,
      url: request.url,
      headers: { cookie, 'x-csrf-token': csrf },
      ...(request.payload ? { payload: request.payload } : {}),
    });
    const isRedirect = response.statusCode >= 300 && response.statusCode < 400;
    const detail = isRedirect ? `→ ${response.headers.location}` : response.body.slice(0, 160);
    return { status: response.statusCode, detail, response };
  };

  // Whether a cell got what the rules say: the status, and for a page without a session the
  // login form with the way back; for the own session, its own login.
  const isExpected = (cell: Cell, caller: Caller, got: Outcome): boolean => {
    if (!cell.probe.expect(cell.identity).includes(got.status)) return false;
    if (got.status === 302 && standingOf[cell.identity] === 'none') {
      return String(got.response?.headers.location).startsWith('/login/?next=');
    }
    if (cell.route === 'GET /api/v1/session' && got.status === 200) return got.response?.json().login === caller.login;
    return true;
  };

  it("answers every route as Licorn's rules say, to every kind of caller", async () => {
    const { accounts } = t.app.core;
    const plan = planCells();
    await accounts.createAccounts(plan.accounts);
    for (const name of plan.groups) await accounts.createGroup({ name });
    const getVersion: CellContext['getVersion'] = (kind, name) =>
      (kind === 'account' ? accounts.getAccount(name)?.version : accounts.getGroup(name)?.version) ?? 'gone';

    const failures: string[] = [];
    for (let row = 0; row < routes.length; row++) {
      const logins = getRowLogins(row);
      const callers = new Map<Identity, Caller>();
      for (const identity of identities) callers.set(identity, await getCaller(identity, logins[identity]));
      for (const cell of plan.cells.filter((candidate) => candidate.row === row)) {
        const caller = callers.get(cell.identity)!;
        const context: CellContext = {
          login: caller.login,
          password,
          rowMember: logins.member,
          target: cell.target,
          getVersion,
        };
        const got = await send(cell, caller, context);
        if (isExpected(cell, caller, got)) continue;
        const expected = cell.probe.expect(cell.identity).join(' or ');
        const where = `${cell.route} [${cell.probe.name} ${cell.target}] × ${cell.identity}`;
        failures.push(`${where}: got ${got.status}, expected ${expected} (${got.detail})`);
      }
    }
    expect(plan.cells.length).toBeGreaterThanOrEqual(routes.length * identities.length);
    expect(failures).toEqual([]);
  }, 600_000);
});
