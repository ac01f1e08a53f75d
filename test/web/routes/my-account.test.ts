import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, getPageCsrfToken, logIn, type TestApp } from '../../helpers/test-app.ts';
import { testPasswords } from '../../helpers/sandbox.ts';
import { getTagsOnOneLine } from '../../helpers/one-line-tags.ts';

let t: TestApp;
let cookie: string;
let token: string;
beforeAll(async () => {
  t = await createTestApp();
  cookie = (await logIn(t.app, 'dnguyen', testPasswords.dnguyen)).cookie;
  token = getPageCsrfToken((await t.app.inject({ method: 'GET', url: '/me/', headers: { cookie } })).body);
});
afterAll(() => t.close());

const post = (url: string, fields: Record<string, string>, withToken = true) =>
  t.app.inject({
    method: 'POST',
    url,
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    payload: new URLSearchParams({ ...fields, ...(withToken ? { _csrf: token } : {}) }).toString(),
  });
const passwdLine = async () =>
  (await readFile(join(t.sandbox.root, 'etc/passwd'), 'utf8')).split('\n').find((l) => l.startsWith('dnguyen:'))!;
const etc = async () =>
  Promise.all(['passwd', 'shadow'].map((name) => readFile(join(t.sandbox.root, 'etc', name), 'utf8')));

describe('"My account" for a non-admin', () => {
  it('shows the account with forms for the profile and the password', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/me/', headers: { cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('value="David Nguyen"');
    expect(getTagsOnOneLine(page.body)).toMatch(/<option value="\/bin\/bash" selected>/);
    expect(page.body).toContain('action="/me/password"');
  });

  it('changes the full name and shell in passwd', async () => {
    const response = await post('/me/profile', { fullName: 'David Nguyễn', shell: '/usr/bin/zsh' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/me/?saved=profile');
    expect(await passwdLine()).toBe('dnguyen:x:1004:100:David Nguyễn,,,:/home/dnguyen:/usr/bin/zsh');
    const page = await t.app.inject({ method: 'GET', url: '/me/?saved=profile', headers: { cookie } });
    expect(page.body).toContain('Your profile was saved.');
  });

  it('refuses a bad shell or full name next to the field, keeping what was typed and every file', async () => {
    const before = await etc();
    const shell = await post('/me/profile', { fullName: 'Keep Me', shell: '/bin/nope' });
    expect(shell.statusCode).toBe(400);
    expect(shell.body).toContain('Invalid shell &quot;/bin/nope&quot;: valid shells are');
    expect(shell.body).toContain('value="Keep Me"');
    const name = await post('/me/profile', { fullName: 'Evil:Name', shell: '/bin/bash' });
    expect(name.statusCode).toBe(400);
    expect(name.body).toMatch(/id="fullName-error">Invalid full name/);
    expect(await etc()).toEqual(before);
  });

  it('needs the current password, two equal new ones and a good password', async () => {
    const before = await etc();
    const wrong = await post('/me/password', {
      currentPassword: 'nope',
      newPassword: 'New-pass-123',
      confirmPassword: 'New-pass-123',
    });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.body).toMatch(/id="currentPassword-error">The current password is not right/);
    const differ = await post('/me/password', {
      currentPassword: testPasswords.dnguyen,
      newPassword: 'New-pass-123',
      confirmPassword: 'New-pass-124',
    });
    expect(differ.body).toMatch(/id="confirmPassword-error">The two new passwords differ/);
    const weak = await post('/me/password', {
      currentPassword: testPasswords.dnguyen,
      newPassword: 'dnguyen',
      confirmPassword: 'dnguyen',
    });
    expect(weak.body).toMatch(/id="password-error">The password must have at least 8 characters/);
    expect(await etc()).toEqual(before);

    // Another browser of the same account, open before the change.
    const elsewhere = (await logIn(t.app, 'dnguyen', testPasswords.dnguyen)).cookie;
    expect((await t.app.inject({ method: 'GET', url: '/me/', headers: { cookie: elsewhere } })).statusCode).toBe(200);
    const done = await post('/me/password', {
      currentPassword: testPasswords.dnguyen,
      newPassword: 'New-pass-123',
      confirmPassword: 'New-pass-123',
    });
    expect(done.statusCode).toBe(303);
    // The session that changed it goes on; the other one ended (issue 11, item 4).
    const after = await t.app.inject({ method: 'GET', url: '/me/?saved=password', headers: { cookie } });
    expect(after.body).toContain('Your password was changed.');
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: elsewhere } })).statusCode,
    ).toBe(401);
    expect((await logIn(t.app, 'dnguyen', 'New-pass-123')).response.statusCode).toBe(303);
    expect((await logIn(t.app, 'dnguyen', testPasswords.dnguyen)).response.statusCode).toBe(401);
  });

  it('changes nothing without the CSRF token', async () => {
    const before = await etc();
    const response = await post('/me/profile', { fullName: 'Forged', shell: '/bin/bash' }, false);
    expect(response.statusCode).toBe(403);
    expect(await etc()).toEqual(before);
  });
});

describe('"My account"\'s current-password check', () => {
  let own: TestApp;
  afterAll(() => own?.close());

  it("counts with the login form's failures: a session cannot guess its account's password", async () => {
    own = await createTestApp(['--auth-max-failures-per-account', '3']);
    const member = (await logIn(own.app, 'dnguyen', testPasswords.dnguyen)).cookie;
    const csrf = getPageCsrfToken(
      (await own.app.inject({ method: 'GET', url: '/me/', headers: { cookie: member } })).body,
    );
    const change = (currentPassword: string) =>
      own.app.inject({
        method: 'POST',
        url: '/me/password',
        headers: { cookie: member, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        payload: new URLSearchParams({
          currentPassword,
          newPassword: 'Guess-pass-1234',
          confirmPassword: 'Guess-pass-1234',
          _csrf: csrf,
        }).toString(),
      });
    const guesses = await Promise.all(Array.from({ length: 12 }, (_, i) => change(`guess-${i}`)));
    expect(guesses.filter((response) => response.body.includes('The current password is not right'))).toHaveLength(3);
    expect(guesses.filter((response) => response.body.includes('Too many wrong passwords'))).toHaveLength(9);
    const shadow = await readFile(join(own.sandbox.root, 'etc/shadow'), 'utf8');
    // Even the right password now waits for the window to pass, here and at the login form.
    const right = await change(testPasswords.dnguyen);
    expect(right.body).toContain('Too many wrong passwords');
    expect(await readFile(join(own.sandbox.root, 'etc/shadow'), 'utf8')).toBe(shadow);
    expect((await logIn(own.app, 'dnguyen', testPasswords.dnguyen)).response.statusCode).toBe(429);
  });
});
