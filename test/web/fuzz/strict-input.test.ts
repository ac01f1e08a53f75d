import { describe, expect, it } from 'vitest';
import { useApiTestApp } from '../../helpers/test-app.ts';

const api = useApiTestApp();
const { call, digestEtc } = api;

// Sends a raw body (not re-encoded by inject) as the admin, with the CSRF token.
const sendRaw = (method: 'POST' | 'PATCH' | 'PUT', url: string, payload: string, contentType = 'application/json') =>
  api.t.app.inject({
    method,
    url,
    payload,
    headers: { cookie: api.admin.cookie, 'x-csrf-token': api.admin.csrf, 'content-type': contentType },
  });

const versionOf = async (login: string): Promise<string> =>
  (await call(api.admin, 'GET', `/api/v1/accounts/${login}`)).json().version;
const manyRoles = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`g${i}`, 'member']));

// Issue 11, item 10: JSON bodies are taken as sent; a value of the wrong type is refused
// naming its field, never coerced into something the sender did not write.
describe('strict request bodies', () => {
  it('refuses {"login":["x"],"fullName":12345} instead of creating x', async () => {
    const before = await digestEtc();
    const response = await call(api.admin, 'POST', '/api/v1/accounts', { login: ['x'], fullName: 12345 });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'invalid-argument', field: 'login' });
    expect((await call(api.admin, 'GET', '/api/v1/accounts/x')).statusCode).toBe(404);
    expect(await digestEtc()).toBe(before);
  });

  it('takes JSON only on the API: a form or text body gets 415 naming the content type, writing nothing', async () => {
    const before = await digestEtc();
    for (const type of ['application/x-www-form-urlencoded', 'text/plain']) {
      const response = await sendRaw('POST', '/api/v1/accounts', 'login=formmade', type);
      expect(response.statusCode).toBe(415);
      expect(response.json()).toMatchObject({ field: 'content-type' });
    }
    expect((await call(api.admin, 'GET', '/api/v1/accounts/formmade')).statusCode).toBe(404);
    expect(await digestEtc()).toBe(before);
  });

  it('names the field of every kind of refusal, nested ones by their path', async () => {
    const version = await versionOf('dnguyen');
    const cases: [string, string, object, string][] = [
      ['POST', '/api/v1/accounts', { login: 'typed', fullName: 12345 }, 'fullName'],
      ['POST', '/api/v1/accounts', { login: 'typed', uid: '4242' }, 'uid'],
      ['POST', '/api/v1/accounts', { login: 'typed', uid: 4242.5 }, 'uid'],
      ['POST', '/api/v1/accounts', { login: 'typed', createHome: 'false' }, 'createHome'],
      ['POST', '/api/v1/accounts', { login: 'typed', system: 0 }, 'system'],
      ['POST', '/api/v1/accounts', { login: 'typed', password: false }, 'password'],
      ['POST', '/api/v1/accounts', { login: 'typed', groups: 'developers' }, 'groups'],
      ['POST', '/api/v1/accounts', { login: 'typed', groups: ['developers', 7] }, 'groups.1'],
      ['POST', '/api/v1/accounts', { login: 'typed', roles: { developers: 'boss' } }, 'roles.developers'],
      ['POST', '/api/v1/accounts', { login: 'typed', roles: { developers: ['member'] } }, 'roles.developers'],
      ['POST', '/api/v1/accounts', { login: 'typed', roles: manyRoles }, 'roles'],
      ['POST', '/api/v1/accounts', { login: 'typed', fullName: 'x'.repeat(5000) }, 'fullName'],
      ['POST', '/api/v1/accounts', { login: 'typed', groups: Array.from({ length: 1001 }, () => 'g') }, 'groups'],
      ['POST', '/api/v1/accounts', { login: 'typed', roles: { ['g'.repeat(65)]: 'member' } }, 'roles'],
      ['POST', '/api/v1/accounts', { login: 'typed', uid: -1 }, 'uid'],
      ['POST', '/api/v1/accounts', { login: 'typed', uid: 2 ** 32 }, 'uid'],
      ['POST', '/api/v1/accounts', { login: 'typed', nickname: 'Typo' }, 'nickname'],
      ['POST', '/api/v1/accounts', { login: null }, 'login'],
      ['PATCH', '/api/v1/accounts/dnguyen', { version, locked: 'true' }, 'locked'],
      ['PATCH', '/api/v1/accounts/dnguyen', { version, expiry: '20000' }, 'expiry'],
      ['PATCH', '/api/v1/accounts/dnguyen', { version, expiry: 1e308 }, 'expiry'],
      ['PATCH', '/api/v1/accounts/dnguyen', { version: 12 }, 'version'],
      ['POST', '/api/v1/accounts/bulk', { action: 'lock', logins: ['ok', 'fine', 'good', ['dnguyen']] }, 'logins.3'],
      ['POST', '/api/v1/accounts/bulk', { action: 'lock', logins: 'dnguyen' }, 'logins'],
      ['POST', '/api/v1/accounts/bulk', { action: 'explode', logins: ['dnguyen'] }, 'action'],
      ['POST', '/api/v1/accounts/import', { csv: 'login\nx\n', mapping: { login: 3 } }, 'mapping.login'],
      ['POST', '/api/v1/accounts/import', { csv: 'login\nx\n', dryRun: 'yes' }, 'dryRun'],
      ['POST', '/api/v1/accounts/import', { csv: 'login\nx\n', progress: '../../etc' }, 'progress'],
      ['POST', '/api/v1/groups', { name: 'typedgroup', gid: '12345' }, 'gid'],
      ['POST', '/api/v1/groups', { name: 'typedgroup', system: 'true' }, 'system'],
      ['PATCH', '/api/v1/groups/developers', { version: 'v', permissive: 1 }, 'permissive'],
      ['PUT', '/api/v1/groups/developers/roles/dnguyen', { role: 1 }, 'role'],
      ['PUT', '/api/v1/groups/developers/roles/dnguyen', {}, 'role'],
    ];
    const before = await digestEtc();
    for (const [method, url, payload, field] of cases) {
      const response = await call(api.admin, method as 'POST', url, payload);
      const what = `${method} ${url} ${JSON.stringify(payload).slice(0, 100)}`;
      expect(response.statusCode, what).toBe(400);
      expect(response.json(), what).toMatchObject({ code: 'invalid-argument', field, message: expect.any(String) });
    }
    expect(await digestEtc()).toBe(before);
  });

  it('names the body itself when it is not an object, not JSON, or carries a prototype key', async () => {
    const bodies = [
      '[]',
      '"login"',
      '12',
      'null',
      '{"login":',
      '{"login":"protokey","__proto__":{"isAdmin":true}}',
      '{"login":"protokey","constructor":{"prototype":{"isAdmin":true}}}',
    ];
    for (const body of bodies) {
      const response = await sendRaw('POST', '/api/v1/accounts', body);
      expect(response.statusCode, body).toBe(400);
      expect(response.json(), body).toMatchObject({ code: 'invalid-argument', field: 'body' });
    }
    const media = await sendRaw('POST', '/api/v1/accounts', '<login>x</login>', 'application/xml');
    expect(media.statusCode).toBe(415);
    expect(media.json()).toMatchObject({ field: 'content-type' });
  });

  it('refuses a form field sent twice rather than picking one', async () => {
    const form = `fullName=A&fullName=B&shell=%2Fbin%2Fbash&_csrf=${api.admin.csrf}`;
    const response = await sendRaw('POST', '/me/profile', form, 'application/x-www-form-urlencoded');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ field: 'fullName' });
  });

  it('still reads querystrings as text made into the declared types', async () => {
    const list = await call(api.admin, 'GET', '/api/v1/accounts?system=false');
    expect(list.statusCode).toBe(200);
    expect(list.json().accounts.some((account: { system: boolean }) => account.system)).toBe(false);
    const bad = await call(api.admin, 'GET', '/api/v1/accounts?system=maybe');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ field: 'system' });
    const badRange = await call(api.admin, 'GET', '/api/v1/status/history?range=1y');
    expect(badRange.json()).toMatchObject({ field: 'range' });
    const badHome = await call(api.admin, 'DELETE', '/api/v1/accounts/dnguyen?home=elsewhere');
    expect(badHome.statusCode).toBe(400);
    expect(badHome.json()).toMatchObject({ field: 'home' });
  });
});
