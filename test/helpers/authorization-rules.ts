// Licorn's permission rules (REFERENCE.md, README's API section) as the expected answer of
// every route to every kind of caller. The authorization matrix test walks the app's routes
// and fails on a route missing here, so a new route has to be placed under the rules.

// Who calls: as logged in, and what happened to the account since (after login).
export const identities = ['anonymous', 'member', 'wmi', 'admins', 'demoted', 'locked', 'deleted', 'loggedOut'] as const;
export type Identity = (typeof identities)[number];

// What the account files say the caller is now: that is what rights follow.
export type Standing = 'none' | 'member' | 'wmi' | 'admins';
export const standingOf: Record<Identity, Standing> = {
  anonymous: 'none', member: 'member', wmi: 'wmi', admins: 'admins',
  demoted: 'member', // was in licorn-wmi at login, removed from it since
  locked: 'none', deleted: 'none', loggedOut: 'none', // their session must be over
};

// What a request is aimed at, made fresh for each cell so that no cell disturbs another:
// a standard account, one in `admins`, a system account (UID 300–999), a restricted one
// (UID < 300: never touched), the caller's own account, or a standard group.
export type TargetKind = 'standard' | 'admin' | 'system' | 'restricted' | 'self' | 'group' | 'none';

// One cell's context: the caller's login and password, the row's plain member (whose
// password the anonymous caller logs in with), the target's name (fresh and unused when
// the kind is 'none'), and the current version of an account or group (a stale one is 409).
export interface CellContext {
  login: string | null;
  password: string;
  rowMember: string;
  target: string;
  getVersion(kind: 'account' | 'group', name: string): string;
}

export interface ProbeRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  payload?: object;
  // The request opens the push channel (a real WebSocket): 101 when it opens.
  socket?: boolean;
}

// One request tried by every identity, with the status each must get.
export interface Probe {
  name: string;
  target: TargetKind;
  build(context: CellContext): ProbeRequest;
  expect(identity: Identity): number[];
}

const byStanding = (statuses: Record<Standing, number | number[]>) => (identity: Identity): number[] =>
  [statuses[standingOf[identity]]].flat();

// An admin page: the login form for no session (302), 403 for other accounts.
const adminPage = (url: string): Probe => ({
  name: 'page', target: 'none', build: () => ({ method: 'GET', url }), expect: byStanding({ none: 302, member: 403, wmi: 200, admins: 200 }),
});
// An admin API route: 401 without a session, 403 for other accounts.
const adminApi = (request: Omit<ProbeRequest, 'url'> & { url: string }, ok = 200, name = 'api'): Probe => ({
  name, target: 'none', build: () => request, expect: byStanding({ none: 401, member: 403, wmi: ok, admins: ok }),
});
// A route of every logged-in account.
const ownApi = (url: string): Probe => ({
  name: 'own', target: 'none', build: () => ({ method: 'GET', url }), expect: byStanding({ none: 401, member: 200, wmi: 200, admins: 200 }),
});

// A change aimed at an account (or a group): allowed to licorn-wmi and admins on standard
// targets, to admins only on admin and system ones, to nobody on restricted ones and on
// oneself (delete, lock).
const onTarget = (name: string, target: TargetKind, build: Probe['build'], ok: number, wmi: boolean, admins: boolean): Probe => ({
  name, target, build, expect: byStanding({ none: 401, member: 403, wmi: wmi ? ok : 403, admins: admins ? ok : 403 }),
});
const accountTargets: [TargetKind, boolean, boolean][] = [
  ['standard', true, true], ['admin', false, true], ['system', false, true], ['restricted', false, false],
];

const accountPatch = (context: CellContext): ProbeRequest =>
  ({ method: 'PATCH', url: `/api/v1/accounts/${context.target}`, payload: { version: context.getVersion('account', context.target), fullName: 'Matrix Changed' } });

// Every route's probes, by `METHOD path` as the app registers it.
export const routeRules: Record<string, Probe[]> = {
  'GET /static/*': [{ name: 'public', target: 'none', build: () => ({ method: 'GET', url: '/static/no-such-file.js' }), expect: () => [404] }],
  'GET /': [{ name: 'dashboard', target: 'none', build: () => ({ method: 'GET', url: '/' }), expect: byStanding({ none: 302, member: 302, wmi: 200, admins: 200 }) }],
  'GET /status/': [adminPage('/status/')],
  'GET /audit/': [adminPage('/audit/')],
  'GET /accounts/': [adminPage('/accounts/')],
  'GET /accounts/-/rows': [adminPage('/accounts/-/rows')],
  'GET /accounts/-/import': [adminPage('/accounts/-/import')],
  'GET /accounts/:login': [adminPage('/accounts/dnguyen')],
  'GET /groups/': [adminPage('/groups/')],
  'GET /groups/:name': [adminPage('/groups/developers')],
  'GET /me/': [{ name: 'own page', target: 'none', build: () => ({ method: 'GET', url: '/me/' }), expect: byStanding({ none: 302, member: 200, wmi: 200, admins: 200 }) }],
  'GET /login/': [{ name: 'form', target: 'none', build: () => ({ method: 'GET', url: '/login/' }), expect: byStanding({ none: 200, member: 303, wmi: 303, admins: 303 }) }],
  'POST /login/': [{
    name: 'own password', target: 'none',
    build: (context) => ({ method: 'POST', url: '/login/', payload: { login: context.login ?? context.rowMember, password: context.password } }),
    // A locked or deleted account cannot log in; everyone else can, again.
    expect: (identity) => (identity === 'locked' || identity === 'deleted' ? [401] : [303]),
  }],
  'POST /logout/': [{
    name: 'logout', target: 'none', build: () => ({ method: 'POST', url: '/logout/', payload: {} }),
    // Without a session there is nothing to end: sent home, or refused for its stale token.
    expect: byStanding({ none: [303, 403], member: 303, wmi: 303, admins: 303 }),
  }],
  'POST /me/profile': [{
    name: 'own profile', target: 'none', build: () => ({ method: 'POST', url: '/me/profile', payload: { fullName: 'Matrix Name', shell: '/bin/bash' } }),
    expect: byStanding({ none: 401, member: 303, wmi: 303, admins: 303 }),
  }],
  'POST /me/password': [{
    name: 'own password', target: 'none',
    build: (context) => ({ method: 'POST', url: '/me/password', payload: { currentPassword: context.password, newPassword: 'Matrix-new-1234', confirmPassword: 'Matrix-new-1234' } }),
    expect: byStanding({ none: 401, member: 303, wmi: 303, admins: 303 }),
  }],
  'GET /ws': [{ name: 'socket', target: 'none', build: () => ({ method: 'GET', url: '/ws', socket: true }), expect: byStanding({ none: 401, member: 101, wmi: 101, admins: 101 }) }],
  'GET /api/v1/openapi.json': [ownApi('/api/v1/openapi.json')],
  'GET /api/v1/session': [ownApi('/api/v1/session')],
  'GET /api/v1/sessions': [adminApi({ method: 'GET', url: '/api/v1/sessions' })],
  'GET /api/v1/system': [adminApi({ method: 'GET', url: '/api/v1/system' })],
  'GET /api/v1/status': [adminApi({ method: 'GET', url: '/api/v1/status' })],
  'GET /api/v1/status/history': [adminApi({ method: 'GET', url: '/api/v1/status/history' })],
  'GET /api/v1/accounts': [adminApi({ method: 'GET', url: '/api/v1/accounts' })],
  'GET /api/v1/accounts/export': [adminApi({ method: 'GET', url: '/api/v1/accounts/export' })],
  'GET /api/v1/accounts/:login': [adminApi({ method: 'GET', url: '/api/v1/accounts/dnguyen' })],
  'GET /api/v1/groups': [adminApi({ method: 'GET', url: '/api/v1/groups' })],
  'GET /api/v1/groups/:name': [adminApi({ method: 'GET', url: '/api/v1/groups/developers' })],
  'POST /api/v1/accounts/validate': [adminApi({ method: 'POST', url: '/api/v1/accounts/validate', payload: { login: 'matrixvalid' } })],
  'POST /api/v1/accounts/import': [adminApi({ method: 'POST', url: '/api/v1/accounts/import', payload: { csv: 'login\nmatrixdry\n', dryRun: true } }, 200, 'dry run')],
  'POST /api/v1/accounts': [
    onTarget('standard', 'none', (context) => ({ method: 'POST', url: '/api/v1/accounts', payload: { login: context.target, password: null } }), 201, true, true),
    onTarget('into admins', 'none', (context) => ({ method: 'POST', url: '/api/v1/accounts', payload: { login: context.target, password: null, groups: ['admins'] } }), 201, false, true),
    onTarget('system', 'none', (context) => ({ method: 'POST', url: '/api/v1/accounts', payload: { login: context.target, password: null, system: true } }), 201, false, true),
  ],
  'PATCH /api/v1/accounts/:login': [
    ...accountTargets.map(([kind, wmi, admins]) => onTarget(kind, kind, accountPatch, 200, wmi, admins)),
    onTarget('lock self', 'self', (context) => ({ method: 'PATCH', url: `/api/v1/accounts/${context.target}`, payload: { version: context.getVersion('account', context.target), locked: true } }), 200, false, false),
  ],
  'DELETE /api/v1/accounts/:login': [
    ...accountTargets.map(([kind, wmi, admins]) => onTarget(kind, kind, (context) => ({ method: 'DELETE', url: `/api/v1/accounts/${context.target}?home=keep` }), 200, wmi, admins)),
    onTarget('self', 'self', (context) => ({ method: 'DELETE', url: `/api/v1/accounts/${context.target}?home=keep` }), 200, false, false),
  ],
  'POST /api/v1/accounts/bulk': accountTargets.map(([kind, wmi, admins]) =>
    onTarget(kind, kind, (context) => ({ method: 'POST', url: '/api/v1/accounts/bulk', payload: { action: 'lock', logins: [context.target] } }), 200, wmi, admins)),
  'PUT /api/v1/groups/:name/roles/:login': [
    ...accountTargets.map(([kind, wmi, admins]) =>
      onTarget(kind, kind, (context) => ({ method: 'PUT', url: `/api/v1/groups/developers/roles/${context.target}`, payload: { role: 'member' } }), 200, wmi, admins)),
    onTarget('into admins', 'standard', (context) => ({ method: 'PUT', url: `/api/v1/groups/admins/roles/${context.target}`, payload: { role: 'member' } }), 200, false, true),
  ],
  'POST /api/v1/groups': [onTarget('standard', 'none', (context) => ({ method: 'POST', url: '/api/v1/groups', payload: { name: context.target } }), 201, true, true)],
  'PATCH /api/v1/groups/:name': [
    onTarget('standard', 'group', (context) => ({ method: 'PATCH', url: `/api/v1/groups/${context.target}`, payload: { version: context.getVersion('group', context.target), description: 'Matrix' } }), 200, true, true),
    // Nobody renames or deletes the administrators' groups through the interface.
    onTarget('rename admins', 'none', (context) => ({ method: 'PATCH', url: '/api/v1/groups/admins', payload: { version: context.getVersion('group', 'admins'), newName: context.target } }), 200, false, false),
  ],
  'DELETE /api/v1/groups/:name': [
    onTarget('standard', 'group', (context) => ({ method: 'DELETE', url: `/api/v1/groups/${context.target}` }), 200, true, true),
    onTarget('admins', 'none', () => ({ method: 'DELETE', url: '/api/v1/groups/admins' }), 200, false, false),
  ],
};
