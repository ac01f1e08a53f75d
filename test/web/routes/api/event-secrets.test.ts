import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testPasswords } from '../../../helpers/sandbox.ts';
import { logIn, useApiTestApp } from '../../../helpers/test-app.ts';

// What the events monitor shows admins must never hold a secret: walks the operations whose
// events or audit entries are nearest to one (passwords set, refused, changed; logins,
// failed and not; sessions) and looks for every secret involved in the whole journal.
describe('the events journal holds no secret', () => {
  const api = useApiTestApp();

  it('has no password, hash, session id or CSRF token after logins and password changes', async () => {
    const sessionCookies: string[] = [];
    const secrets = ['Secret-pass-9876', 'Other-pass-5432', 'short1', testPasswords.admin, testPasswords.dnguyen];
    const create = await api.call(api.admin, 'POST', '/api/v1/accounts', {
      login: 'evsecret',
      fullName: 'Ev Secret',
      password: secrets[0],
    });
    expect(create.statusCode).toBe(201);
    const refused = await api.call(api.admin, 'POST', '/api/v1/accounts', { login: 'evweak', password: secrets[2] });
    expect(refused.statusCode).toBe(400);
    const version = (await api.call(api.admin, 'GET', '/api/v1/accounts/evsecret')).json().version as string;
    const changed = await api.call(api.admin, 'PATCH', '/api/v1/accounts/evsecret', { version, password: secrets[1] });
    expect(changed.statusCode).toBe(200);
    const generated = await api.call(api.admin, 'POST', '/api/v1/accounts', { login: 'evgenerated' });
    secrets.push(generated.json().generatedPassword as string);
    const failed = await logIn(api.t.app, 'evsecret', 'Wrong-pass-1111');
    expect(failed.response.headers.location ?? '').not.toBe('/');
    const own = await logIn(api.t.app, 'evsecret', secrets[1]!);
    sessionCookies.push(own.cookie);

    const shadow = await readFile(join(api.t.sandbox.root, 'etc/shadow'), 'utf8');
    const hashes = shadow
      .split('\n')
      .map((line) => line.split(':')[1] ?? '')
      .filter((hash) => hash.startsWith('$'));
    const sessionIds = [api.admin.cookie, api.member.cookie, ...sessionCookies].flatMap((cookie) =>
      cookie.split('; ').map((pair) => decodeURIComponent(pair.split('=')[1]!)),
    );
    const tokens = [api.admin.csrf, api.member.csrf];

    const journal = JSON.stringify(api.t.app.core.journal.list({ matches: () => true } as never, { limit: 100_000 }));
    expect(journal).toContain('evsecret');
    expect(journal).toContain('audit-recorded');
    for (const secret of [...secrets, ...hashes, ...sessionIds, ...tokens, 'Wrong-pass-1111']) {
      expect(secret.length).toBeGreaterThan(5);
      expect(journal, 'a secret in the journal').not.toContain(secret);
    }
    expect(journal).not.toMatch(/\$y\$|\$6\$|\$2[aby]\$/);
  });
});
