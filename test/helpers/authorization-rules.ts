// Licorn's permission rules (REFERENCE.md, README's API section) as the expected answer of
// every route to every kind of caller. The authorization matrix test walks the app's routes
// and fails on a route missing here, so a new route has to be placed under the rules.

// Who calls: as logged in, and what happened to the account since (after login).
export const identities = [
  'anonymous',
  'member',
  'wmi',
  'admins',
  'demoted',
  'locked',
  'deleted',
  'loggedOut',
] as const;
export type Identity = (typeof identities)[number];

// What the account files say the caller is now: that is what rights follow.
export type Standing = 'none' | 'member' | 'wmi' | 'admins';
export const standingOf: Record<Identity, Standing> = {
  anonymous: 'none',
  member: 'member',
  wmi: 'wmi',
  admins: 'admins',
  demoted: 'member', // was in licorn-wmi at login, removed from it since
  locked: 'none',
  deleted: 'none',
  loggedOut: 'none', // their session must be over
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

const byStanding =
  (statuses: Record<Standing, number | number[]>) =>
  (identity: Identity): number[] =>
    [statuses[standingOf[identity]]].flat();

const request = (method: ProbeRequest['method'], url: string, payload?: object): ProbeRequest => ({
  method,
  url,
  ...(payload ? { payload } : {}),
});

// A request everyone may send once logged in, or with the statuses given.
const probe = (name: string, built: ProbeRequest, statuses: Record<Standing, number | number[]>): Probe => ({
  name,
  target: 'none',
  build: () => built,
  expect: byStanding(statuses),
});

// An admin page: the login form for no session (302), 403 for other accounts.
const adminPage = (url: string): Probe =>
  probe('page', request('GET', url), { none: 302, member: 403, wmi: 200, admins: 200 });
// An admin API route: 401 without a session, 403 for other accounts.
const adminApi = (built: ProbeRequest, name = 'api'): Probe =>
  probe(name, built, { none: 401, member: 403, wmi: 200, admins: 200 });
// A route of every logged-in account.
const ownApi = (url: string): Probe =>
  probe('own', request('GET', url), { none: 401, member: 200, wmi: 200, admins: 200 });
const ownForm = (name: string, build: Probe['build']): Probe => ({
  name,
  target: 'none',
  build,
  expect: byStanding({ none: 401, member: 303, wmi: 303, admins: 303 }),
});

// Who may make a change to a target: licorn-wmi and admins (staff), admins only, nobody.
type Allowed = 'staff' | 'admins' | 'nobody';

// A change aimed at a target: 401 without a session, 403 to plain accounts, `ok` to those
// allowed and 403 to the others.
const onTarget = (name: string, target: TargetKind, build: Probe['build'], ok: number, allowed: Allowed): Probe => ({
  name,
  target,
  build,
  expect: byStanding({
    none: 401,
    member: 403,
    wmi: allowed === 'staff' ? ok : 403,
    admins: allowed === 'nobody' ? 403 : ok,
  }),
});

// Staff touch standard accounts; only admins touch admin and system accounts; nobody
// touches restricted ones.
const accountTargets: [TargetKind, Allowed][] = [
  ['standard', 'staff'],
  ['admin', 'admins'],
  ['system', 'admins'],
  ['restricted', 'nobody'],
];
const forEachAccountTarget = (ok: number, build: Probe['build']): Probe[] =>
  accountTargets.map(([kind, allowed]) => onTarget(kind, kind, build, ok, allowed));

const accountUrl = (context: CellContext) => `/api/v1/accounts/${context.target}`;
const accountVersion = (context: CellContext) => context.getVersion('account', context.target);

// Every route's probes, by `METHOD path` as the app registers it.
export const routeRules: Record<string, Probe[]> = {
  // Public: the same answer to everyone, session or not.
  'GET /static/*': [
    probe('public', request('GET', '/static/none.js'), { none: 404, member: 404, wmi: 404, admins: 404 }),
  ],
  'GET /': [probe('dashboard', request('GET', '/'), { none: 302, member: 302, wmi: 200, admins: 200 })],
  'GET /status/': [adminPage('/status/')],
  'GET /audit/': [adminPage('/audit/')],
  'GET /accounts/': [adminPage('/accounts/')],
  'GET /accounts/-/rows': [adminPage('/accounts/-/rows')],
  'GET /accounts/-/import': [adminPage('/accounts/-/import')],
  'GET /accounts/:login': [adminPage('/accounts/dnguyen')],
  // Revoking another account's API token (issue 15): admins (a made-up id is nobody's: 404).
  'POST /accounts/:login/tokens/:id/revoke': [
    probe('revoke', request('POST', '/accounts/dnguyen/tokens/0123456789abcdef/revoke', {}), {
      none: 401,
      member: 403,
      wmi: 404,
      admins: 404,
    }),
  ],
  'GET /groups/': [adminPage('/groups/')],
  'GET /groups/:name': [adminPage('/groups/developers')],
  'GET /me/': [probe('own page', request('GET', '/me/'), { none: 302, member: 200, wmi: 200, admins: 200 })],
  'GET /login/': [probe('form', request('GET', '/login/'), { none: 200, member: 303, wmi: 303, admins: 303 })],
  'POST /login/': [
    {
      name: 'own password',
      target: 'none',
      build: (context) =>
        request('POST', '/login/', { login: context.login ?? context.rowMember, password: context.password }),
      // A locked or deleted account cannot log in; everyone else can, again.
      expect: (identity) => (identity === 'locked' || identity === 'deleted' ? [401] : [303]),
    },
  ],
  // The change page of a login whose password must be changed first: any other caller is sent
  // on (to the login form without a session, else to `next`), or refused for a stale token.
  'GET /login/password': [
    probe('change page', request('GET', '/login/password'), { none: 303, member: 303, wmi: 303, admins: 303 }),
  ],
  'POST /login/password': [
    probe(
      'change page',
      request('POST', '/login/password', {
        currentPassword: 'Matrix-old-1234',
        newPassword: 'Matrix-new-1234',
        confirmPassword: 'Matrix-new-1234',
      }),
      { none: [303, 403], member: 303, wmi: 303, admins: 303 },
    ),
  ],
  // Without a session there is nothing to end: sent home, or refused for its stale token.
  'POST /logout/': [
    probe('logout', request('POST', '/logout/', {}), { none: [303, 403], member: 303, wmi: 303, admins: 303 }),
  ],
  'POST /me/tokens': [
    probe('make', request('POST', '/me/tokens', { name: 'matrix' }), { none: 401, member: 200, wmi: 200, admins: 200 }),
  ],
  'POST /me/tokens/:id/delete': [
    probe('delete', request('POST', '/me/tokens/0123456789abcdef/delete', {}), {
      none: 401,
      member: 404,
      wmi: 404,
      admins: 404,
    }),
  ],
  'POST /me/profile': [
    ownForm('own profile', () => request('POST', '/me/profile', { fullName: 'Matrix Name', shell: '/bin/bash' })),
  ],
  // Every logged-in account chooses its own pages' language.
  'POST /me/language': [ownForm('own language', () => request('POST', '/me/language', { language: 'fr' }))],
  'POST /me/password': [
    ownForm('own password', (context) =>
      request('POST', '/me/password', {
        currentPassword: context.password,
        newPassword: 'Matrix-new-1234',
        confirmPassword: 'Matrix-new-1234',
      }),
    ),
  ],
  'GET /ws': [
    probe('socket', { method: 'GET', url: '/ws', socket: true }, { none: 401, member: 101, wmi: 101, admins: 101 }),
  ],
  // The terminal (terminal.allow = "admins", the default): admins only, and a terminal is
  // found only by the session that opened it (any other id: 404, before the upgrade).
  'GET /terminal/': [adminPage('/terminal/')],
  'GET /terminal/ws/:id': [
    probe(
      'socket',
      { method: 'GET', url: '/terminal/ws/AAAAAAAAAAAAAAAAAAAAAA', socket: true },
      { none: 401, member: 403, wmi: 404, admins: 404 },
    ),
  ],
  'GET /api/v1/terminals': [adminApi(request('GET', '/api/v1/terminals'))],
  'POST /api/v1/terminals': [
    probe('open', request('POST', '/api/v1/terminals', { cols: 80, rows: 24 }), {
      none: 401,
      member: 403,
      wmi: 201,
      admins: 201,
    }),
  ],
  // Only the session's own terminals: a plain account has none to close.
  'DELETE /api/v1/terminals/:id': [
    probe('close', request('DELETE', '/api/v1/terminals/AAAAAAAAAAAAAAAAAAAAAA'), {
      none: 401,
      member: 404,
      wmi: 404,
      admins: 404,
    }),
  ],
  'GET /api/v1/openapi.json': [ownApi('/api/v1/openapi.json')],
  'GET /api/v1/session': [ownApi('/api/v1/session')],
  // The API's login (issue 15): as the form, a locked or deleted account cannot.
  'POST /api/v1/session': [
    {
      name: 'own password',
      target: 'none',
      build: (context) =>
        request('POST', '/api/v1/session', { login: context.login ?? context.rowMember, password: context.password }),
      expect: (identity) => (identity === 'locked' || identity === 'deleted' ? [401] : [200]),
    },
  ],
  // API tokens: every account its own (a made-up id is nobody's: 404).
  'GET /api/v1/tokens': [ownApi('/api/v1/tokens')],
  'POST /api/v1/tokens': [
    probe('make', request('POST', '/api/v1/tokens', { name: 'matrix' }), {
      none: 401,
      member: 201,
      wmi: 201,
      admins: 201,
    }),
  ],
  'DELETE /api/v1/tokens/:id': [
    probe('delete', request('DELETE', '/api/v1/tokens/0123456789abcdef'), {
      none: 401,
      member: 404,
      wmi: 404,
      admins: 404,
    }),
  ],
  // Any account's API tokens: admins list and revoke them.
  'GET /api/v1/accounts/:login/tokens': [adminApi(request('GET', '/api/v1/accounts/dnguyen/tokens'))],
  'DELETE /api/v1/accounts/:login/tokens/:id': [
    probe('revoke', request('DELETE', '/api/v1/accounts/dnguyen/tokens/0123456789abcdef'), {
      none: 401,
      member: 403,
      wmi: 404,
      admins: 404,
    }),
  ],
  'GET /api/v1/sessions': [adminApi(request('GET', '/api/v1/sessions'))],
  'GET /api/v1/system': [adminApi(request('GET', '/api/v1/system'))],
  'GET /api/v1/status': [adminApi(request('GET', '/api/v1/status'))],
  'GET /api/v1/status/history': [adminApi(request('GET', '/api/v1/status/history'))],
  // The events monitor. The stream is probed with a bad filter: for an admin it would follow
  // events until the client closes (streaming: test/web/routes/api/events-api.test.ts).
  'GET /events/': [adminPage('/events/?filter=accounts%5Estatus')],
  'GET /events/earlier': [adminPage('/events/earlier?before=5')],
  'GET /api/v1/events': [adminApi(request('GET', '/api/v1/events?filter=accounts%5Estatus&limit=5'))],
  'GET /api/v1/events/stream': [
    probe('bad filter', request('GET', '/api/v1/events/stream?filter=nope'), {
      none: 401,
      member: 403,
      wmi: 400,
      admins: 400,
    }),
  ],
  'GET /api/v1/accounts': [adminApi(request('GET', '/api/v1/accounts'))],
  'GET /api/v1/accounts/-/suggestions': [adminApi(request('GET', '/api/v1/accounts/-/suggestions?q=lef'))],
  'GET /api/v1/accounts/export': [adminApi(request('GET', '/api/v1/accounts/export'))],
  'GET /api/v1/accounts/:login': [
    adminApi(request('GET', '/api/v1/accounts/dnguyen')),
    // Every account sees its own (`licorn get user SELF`).
    {
      name: 'own account',
      target: 'self',
      build: (context) => request('GET', accountUrl(context)),
      expect: byStanding({ none: 401, member: 200, wmi: 200, admins: 200 }),
    },
  ],
  // What deleting would do to the home (read only: the refusal, if any, is in the plan).
  'GET /api/v1/accounts/:login/deletion-plan': [adminApi(request('GET', '/api/v1/accounts/dnguyen/deletion-plan'))],
  'GET /api/v1/groups': [adminApi(request('GET', '/api/v1/groups'))],
  'GET /api/v1/groups/:name': [adminApi(request('GET', '/api/v1/groups/developers'))],
  'POST /api/v1/accounts/validate': [adminApi(request('POST', '/api/v1/accounts/validate', { login: 'matrixvalid' }))],
  'POST /api/v1/accounts/import': [
    adminApi(request('POST', '/api/v1/accounts/import', { csv: 'login\nmatrixdry\n', dryRun: true }), 'dry run'),
    // A row into an admin group is a problem of that row for licorn-wmi: nothing imported.
    {
      name: 'row into sudo',
      target: 'none',
      build: (context) =>
        request('POST', '/api/v1/accounts/import', {
          csv: `login,groups\n${context.target},sudo\n`,
          createHomes: false,
        }),
      expect: byStanding({ none: 401, member: 403, wmi: 400, admins: 200 }),
    },
  ],
  'POST /api/v1/accounts': [
    onTarget(
      'standard',
      'none',
      (context) => request('POST', '/api/v1/accounts', { login: context.target, password: null }),
      201,
      'staff',
    ),
    onTarget(
      'into admins',
      'none',
      (context) => request('POST', '/api/v1/accounts', { login: context.target, password: null, groups: ['admins'] }),
      201,
      'admins',
    ),
    onTarget(
      'system',
      'none',
      (context) => request('POST', '/api/v1/accounts', { login: context.target, password: null, system: true }),
      201,
      'admins',
    ),
    // The primary group is one of the account's groups; admin, restricted and system groups
    // are for admins only.
    onTarget(
      'primary admins',
      'none',
      (context) =>
        request('POST', '/api/v1/accounts', { login: context.target, password: null, primaryGroup: 'admins' }),
      201,
      'admins',
    ),
    onTarget(
      'into sudo',
      'none',
      (context) => request('POST', '/api/v1/accounts', { login: context.target, password: null, groups: ['sudo'] }),
      201,
      'admins',
    ),
    onTarget(
      'into restricted',
      'none',
      (context) => request('POST', '/api/v1/accounts', { login: context.target, password: null, groups: ['shadow'] }),
      201,
      'admins',
    ),
  ],
  'PATCH /api/v1/accounts/:login': [
    ...forEachAccountTarget(200, (context) =>
      request('PATCH', accountUrl(context), { version: accountVersion(context), fullName: 'Matrix Changed' }),
    ),
    onTarget(
      'into licorn-wmi',
      'standard',
      (context) => request('PATCH', accountUrl(context), { version: accountVersion(context), groups: ['licorn-wmi'] }),
      200,
      'admins',
    ),
    onTarget(
      'primary admins',
      'standard',
      (context) => request('PATCH', accountUrl(context), { version: accountVersion(context), primaryGroup: 'admins' }),
      200,
      'admins',
    ),
    // Nobody locks or deletes their own account.
    onTarget(
      'lock self',
      'self',
      (context) => request('PATCH', accountUrl(context), { version: accountVersion(context), locked: true }),
      200,
      'nobody',
    ),
  ],
  'DELETE /api/v1/accounts/:login': [
    ...forEachAccountTarget(200, (context) => request('DELETE', `${accountUrl(context)}?home=keep`)),
    onTarget('self', 'self', (context) => request('DELETE', `${accountUrl(context)}?home=keep`), 200, 'nobody'),
  ],
  'POST /api/v1/accounts/bulk': forEachAccountTarget(200, (context) =>
    request('POST', '/api/v1/accounts/bulk', { action: 'lock', logins: [context.target] }),
  ),
  'PUT /api/v1/groups/:name/roles/:login': [
    ...forEachAccountTarget(200, (context) =>
      request('PUT', `/api/v1/groups/developers/roles/${context.target}`, { role: 'member' }),
    ),
    // Only admins add anyone to admins.
    onTarget(
      'into admins',
      'standard',
      (context) => request('PUT', `/api/v1/groups/admins/roles/${context.target}`, { role: 'member' }),
      200,
      'admins',
    ),
    onTarget(
      'into sudo',
      'standard',
      (context) => request('PUT', `/api/v1/groups/sudo/roles/${context.target}`, { role: 'member' }),
      200,
      'admins',
    ),
    onTarget(
      'into restricted',
      'standard',
      (context) => request('PUT', `/api/v1/groups/disk/roles/${context.target}`, { role: 'member' }),
      200,
      'admins',
    ),
  ],
  'POST /api/v1/groups': [
    onTarget(
      'standard',
      'none',
      (context) => request('POST', '/api/v1/groups', { name: context.target }),
      201,
      'staff',
    ),
    onTarget(
      'system',
      'none',
      (context) => request('POST', '/api/v1/groups', { name: context.target, system: true }),
      201,
      'admins',
    ),
    // A restricted GID could then never be renamed or deleted here.
    onTarget(
      'restricted gid',
      'none',
      (context) => request('POST', '/api/v1/groups', { name: context.target, system: true, gid: 299 }),
      201,
      'nobody',
    ),
  ],
  'PATCH /api/v1/groups/:name': [
    onTarget(
      'standard',
      'group',
      (context) =>
        request('PATCH', `/api/v1/groups/${context.target}`, {
          version: context.getVersion('group', context.target),
          description: 'Matrix',
        }),
      200,
      'staff',
    ),
    onTarget(
      'system',
      'none',
      (context) =>
        request('PATCH', '/api/v1/groups/systemd-network', {
          version: context.getVersion('group', 'systemd-network'),
          description: 'Matrix',
        }),
      200,
      'admins',
    ),
    onTarget(
      'restricted',
      'none',
      (context) =>
        request('PATCH', '/api/v1/groups/news', {
          version: context.getVersion('group', 'news'),
          description: 'Matrix',
        }),
      200,
      'nobody',
    ),
    // Nobody renames or deletes the administrators' groups through the interface.
    onTarget(
      'rename admins',
      'none',
      (context) =>
        request('PATCH', '/api/v1/groups/admins', {
          version: context.getVersion('group', 'admins'),
          newName: context.target,
        }),
      200,
      'nobody',
    ),
  ],
  // A share's repair: staff start it (202); cancelling when none runs is 404 to them only.
  'POST /api/v1/groups/:name/share/repair': [
    onTarget(
      'standard',
      'group',
      (context) => request('POST', `/api/v1/groups/${context.target}/share/repair`, {}),
      202,
      'staff',
    ),
  ],
  'DELETE /api/v1/groups/:name/share/repair': [
    onTarget(
      'none running',
      'group',
      (context) => request('DELETE', `/api/v1/groups/${context.target}/share/repair`),
      404,
      'staff',
    ),
  ],
  'DELETE /api/v1/groups/:name': [
    onTarget('standard', 'group', (context) => request('DELETE', `/api/v1/groups/${context.target}`), 200, 'staff'),
    onTarget('admins', 'none', () => request('DELETE', '/api/v1/groups/admins'), 200, 'nobody'),
  ],
  // Volumes: admins and licorn-wmi read and act; a volume that does not exist is 404 to them
  // only (rights are checked first). Acting on real devices: test/web/routes/api/volumes-api.test.ts.
  'GET /volumes/': [adminPage('/volumes/')],
  'GET /api/v1/volumes': [adminApi(request('GET', '/api/v1/volumes'))],
  'GET /api/v1/volumes/:name': [
    probe('none such', request('GET', '/api/v1/volumes/nonesuch9'), { none: 401, member: 403, wmi: 404, admins: 404 }),
  ],
  'POST /api/v1/volumes/:name/mount': [
    probe('none such', request('POST', '/api/v1/volumes/nonesuch9/mount', {}), {
      none: 401,
      member: 403,
      wmi: 404,
      admins: 404,
    }),
  ],
  'POST /api/v1/volumes/:name/unmount': [
    probe('none such', request('POST', '/api/v1/volumes/nonesuch9/unmount', { force: true }), {
      none: 401,
      member: 403,
      wmi: 404,
      admins: 404,
    }),
  ],
  'POST /api/v1/volumes/:name/eject': [
    probe('none such', request('POST', '/api/v1/volumes/nonesuch9/eject', {}), {
      none: 401,
      member: 403,
      wmi: 404,
      admins: 404,
    }),
  ],
  'PATCH /api/v1/volumes/:name': [
    probe('none such', request('PATCH', '/api/v1/volumes/nonesuch9', { reserved: true }), {
      none: 401,
      member: 403,
      wmi: 404,
      admins: 404,
    }),
  ],
};
