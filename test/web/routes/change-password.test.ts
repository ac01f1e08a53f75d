import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getShadowDay } from '../../../server/core/auth/get-login-refusal.ts';
import { loginFailedMessage } from '../../../server/web/routes/login.ts';
import { createTestApp, getCookieHeader, getPageCsrfToken, logIn, type TestApp } from '../../helpers/test-app.ts';
import { testPasswords } from '../../helpers/sandbox.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const formHeaders = (cookie: string) => ({ cookie, 'content-type': 'application/x-www-form-urlencoded' });

// Rewrites an account's shadow ageing fields as `chage` would (a new file renamed over the
// old one), then waits, with a deadline, until the core has read it.
async function setAgeing(login: string, fields: { lastChange: number; maxDays: number; inactiveDays?: number }) {
  const file = join(t.sandbox.root, 'etc/shadow');
  const lines = (await readFile(file, 'utf8')).split('\n').map((line) => {
    const parts = line.split(':');
    if (parts[0] !== login) return line;
    parts[2] = String(fields.lastChange);
    parts[4] = String(fields.maxDays);
    parts[6] = fields.inactiveDays === undefined ? '' : String(fields.inactiveDays);
    return parts.join(':');
  });
  await writeFile(`${file}.edit`, lines.join('\n'), { mode: 0o640 });
  await rename(`${file}.edit`, file);
  const end = Date.now() + 5000;
  while (t.app.core.accounts.getShadowEntry(login)?.lastChange !== fields.lastChange) {
    if (Date.now() > end) throw new Error(`the core did not read the new shadow entry of ${login}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// Posts the change form as the browser would, with the page's CSRF token (and dnguyen's
// current password unless `fields` says otherwise).
async function postChange(cookie: string, fields: Record<string, string>) {
  const page = await t.app.inject({ method: 'GET', url: '/login/password', headers: { cookie } });
  return t.app.inject({
    method: 'POST',
    url: '/login/password',
    headers: formHeaders(cookie),
    payload: new URLSearchParams({
      currentPassword: testPasswords.dnguyen,
      ...fields,
      _csrf: getPageCsrfToken(page.body),
    }).toString(),
  });
}

describe('a password that must be changed at login', () => {
  it('logs in to the change page, which does nothing else until the password is changed', async () => {
    await t.app.core.accounts.forcePasswordChange('dnguyen'); // as `passwd -e`
    // A wrong password still gets the one refusal, and no way to the change page.
    const wrong = await logIn(t.app, 'dnguyen', 'not the password', '/me/');
    expect(wrong.response.statusCode).toBe(401);
    expect(wrong.response.body).toContain(loginFailedMessage);
    const anonymous = await t.app.inject({ method: 'GET', url: '/login/password', headers: { cookie: wrong.cookie } });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toMatch(/^\/login\/\?next=/);

    const { cookie, response } = await logIn(t.app, 'dnguyen', testPasswords.dnguyen, '/me/');
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/login/password?next=%2Fme%2F');
    const page = await t.app.inject({ method: 'GET', url: '/login/password?next=%2Fme%2F', headers: { cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Change your password');
    expect(page.body).toContain('name="confirmPassword"');

    // Every other page leads back here; the API and the socket are refused.
    for (const url of ['/', '/me/', '/accounts/']) {
      const other = await t.app.inject({ method: 'GET', url, headers: { cookie, accept: 'text/html' } });
      expect(other.statusCode, url).toBe(303);
      expect(other.headers.location, url).toBe(`/login/password?next=${encodeURIComponent(url)}`);
    }
    const csrf = getPageCsrfToken(page.body);
    for (const [method, url] of [
      ['GET', '/api/v1/session'],
      ['GET', '/ws'],
      ['POST', '/me/profile'],
    ] as const) {
      const payload = method === 'POST' ? { payload: { fullName: 'x', shell: '/bin/sh' } } : {};
      const other = await t.app.inject({ method, url, headers: { cookie, 'x-csrf-token': csrf }, ...payload });
      expect(other.statusCode, url).toBe(403);
      expect(other.json(), url).toMatchObject({ code: 'permission-denied', field: 'password' });
    }

    // The same policy as "My account", each problem next to its field; the current password
    // is asked again, as `login` does for an expired password.
    const wrongCurrent = await postChange(cookie, {
      currentPassword: 'Not-the-pass-1',
      newPassword: 'New-pass-5678',
      confirmPassword: 'New-pass-5678',
    });
    expect(wrongCurrent.statusCode).toBe(403);
    expect(wrongCurrent.body).toContain('The current password is not right');
    expect(page.body).toContain('name="currentPassword"');
    const differ = await postChange(cookie, {
      newPassword: 'New-pass-5678',
      confirmPassword: 'New-pass-5679',
      next: '/me/',
    });
    expect(differ.statusCode).toBe(400);
    expect(differ.body).toContain('The two new passwords differ');
    const weak = await postChange(cookie, { newPassword: 'short', confirmPassword: 'short', next: '/me/' });
    expect(weak.statusCode).toBe(400);
    expect(weak.body).toContain('at least 8 characters');
    const same = await postChange(cookie, {
      newPassword: testPasswords.dnguyen,
      confirmPassword: testPasswords.dnguyen,
    });
    expect(same.statusCode).toBe(400);
    expect(same.body).toContain('must differ from the current one');

    const changed = await postChange(cookie, {
      newPassword: 'New-pass-5678',
      confirmPassword: 'New-pass-5678',
      next: '/me/',
    });
    expect(changed.statusCode).toBe(303);
    expect(changed.headers.location).toBe('/me/');
    expect(t.app.core.accounts.getShadowEntry('dnguyen')?.lastChange).toBe(getShadowDay());
    expect((await t.app.inject({ method: 'GET', url: '/me/', headers: { cookie } })).statusCode).toBe(200);
    // The page has done its job: it now sends the account on.
    const after = await t.app.inject({ method: 'GET', url: '/login/password', headers: { cookie } });
    expect(after.statusCode).toBe(303);
    expect(after.headers.location).toBe('/');

    const again = await logIn(t.app, 'dnguyen', 'New-pass-5678', '/me/');
    expect(again.response.headers.location).toBe('/me/');
  });

  it('sends a password past its maximum age to the change page, and lets the session log out', async () => {
    await setAgeing('blefevre', { lastChange: getShadowDay() - 100, maxDays: 90 });
    const { cookie, response } = await logIn(t.app, 'blefevre', testPasswords.blefevre);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/login/password');
    const page = await t.app.inject({ method: 'GET', url: '/login/password', headers: { cookie } });
    const out = await t.app.inject({
      method: 'POST',
      url: '/logout/',
      headers: formHeaders(cookie),
      payload: new URLSearchParams({ _csrf: getPageCsrfToken(page.body) }).toString(),
    });
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/login/');
    const cleared = getCookieHeader(out, cookie);
    const gone = await t.app.inject({ method: 'GET', url: '/login/password', headers: { cookie: cleared } });
    expect(gone.headers.location).toMatch(/^\/login\/\?next=/);
  });

  it('still refuses a password past its age and its inactivity period, and locked or expired accounts', async () => {
    await t.app.core.accounts.setPassword('hroussel', 'Hugo-pass-1234');
    await setAgeing('hroussel', { lastChange: getShadowDay() - 100, maxDays: 90, inactiveDays: 5 });
    const refused = [
      ['hroussel', 'Hugo-pass-1234'],
      ['ndupont', testPasswords.ndupont],
      ['qrousseau', testPasswords.qrousseau],
    ];
    for (const [login, password] of refused) {
      const { response } = await logIn(t.app, login!, password!);
      expect(response.statusCode, login).toBe(401);
      expect(response.body).toContain(loginFailedMessage);
    }
  });
});
