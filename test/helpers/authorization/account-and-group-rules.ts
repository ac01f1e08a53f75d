// The rules of the accounts and groups API: who may read, create, change and delete which
// account or group (by its kind: standard, admin, system, restricted) and its share.
import {
  request,
  adminApi,
  byStanding,
  onTarget,
  forEachAccountTarget,
  accountUrl,
  accountVersion,
  type Probe,
} from './probes.ts';

export const accountAndGroupRules: Record<string, Probe[]> = {
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
};
