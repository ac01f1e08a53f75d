// The rules of the pages, the login and session routes, the caller's own routes, the push
// socket, the terminal, tokens, status and events: what each caller gets from each.
import { request, probe, adminPage, adminApi, ownApi, ownForm, type Probe } from './probes.ts';

export const pageAndSessionRules: Record<string, Probe[]> = {
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
};
