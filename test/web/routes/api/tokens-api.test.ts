import { copyFile, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, getCookieHeader, openApiSession, callApi, type TestApp } from '../../../helpers/test-app.ts';
import { testPasswords } from '../../../helpers/sandbox.ts';
import { ApiTokenStore } from '../../../../server/core/auth/api-token-store.ts';
import { EventBus } from '../../../../server/core/events/event-bus.ts';

// Issue 15: remote use without the form: POST /api/v1/session, and API tokens (Bearer).
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp(['--tokens-max-per-account', '3']);
});
afterAll(() => t.close());

const bearer = (token: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
  t.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });

const makeToken = async (login: keyof typeof testPasswords, name: string) => {
  const session = await openApiSession(t.app, login, testPasswords[login]);
  const answer = await callApi(t.app, session, 'POST', '/api/v1/tokens', { name });
  expect(answer.statusCode, answer.body).toBe(201);
  return { session, ...(answer.json() as { id: string; token: string; name: string }) };
};

describe('POST /api/v1/session', () => {
  it('logs in with JSON and no CSRF token: the cookie and the token its changes need', async () => {
    const answer = await t.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { login: 'admin', password: testPasswords.admin },
    });
    expect(answer.statusCode, answer.body).toBe(200);
    const body = answer.json();
    expect(body).toMatchObject({ login: 'admin', fullName: 'Demo Administrator', isAdmin: true });
    const cookie = getCookieHeader(answer);
    expect(cookie).toContain('__Host-licorn-session=');
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie } });
    expect(me.json()).toMatchObject({ login: 'admin', csrfToken: body.csrfToken });
  });

  it('answers a wrong password as the form does, then 429 past the throttle', async () => {
    const wrong = () =>
      t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { login: 'blefevre', password: 'nope' } });
    const first = await wrong();
    expect(first.statusCode).toBe(401);
    expect(first.json()).toEqual({
      code: 'permission-denied',
      field: 'password',
      message: 'Login or password incorrect.',
      messageKey: 'web.login.failed',
    });
    expect(first.headers['set-cookie']).toBeUndefined();
    for (let i = 1; i < 5; i++) expect((await wrong()).statusCode).toBe(401);
    const throttled = await wrong();
    expect(throttled.statusCode).toBe(429);
    expect(throttled.headers['retry-after']).toMatch(/^\d+$/);
    expect(throttled.json()).toMatchObject({ code: 'busy', field: 'password', messageKey: 'web.login.tooMany' });
    expect(throttled.json().message).toMatch(/^Too many failed logins; try again in \d+ min\.$/);
  });

  it("says its refusals in the reader's language, as the form does", async () => {
    const payload = { login: 'nobody-fr', password: 'nope' };
    const headers = { 'accept-language': 'fr' };
    const refused = await t.app.inject({ method: 'POST', url: '/api/v1/session', headers, payload });
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ message: 'Identifiant ou mot de passe incorrect.' });
    for (let i = 1; i < 5; i++) await t.app.inject({ method: 'POST', url: '/api/v1/session', headers, payload });
    const throttled = await t.app.inject({ method: 'POST', url: '/api/v1/session', headers, payload });
    expect(throttled.statusCode).toBe(429);
    expect(throttled.json().message).toMatch(/^Trop de connexions échouées\s; réessayez dans \d+\u00a0min\.$/);
  });

  it('takes JSON only: a form post (what another site can send) is refused', async () => {
    const answer = await t.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `login=admin&password=${testPasswords.admin}`,
    });
    expect(answer.statusCode).toBe(415);
  });
});

describe('API tokens', () => {
  it('are made once, kept hashed in a 0600 file, and act as the account without CSRF', async () => {
    const { token, id, session } = await makeToken('admin', 'backup script');
    expect(token).toMatch(/^licorn_[A-Za-z0-9_-]{43}$/);
    const listed = (await callApi(t.app, session, 'GET', '/api/v1/tokens')).json();
    expect(listed).toEqual([{ id, name: 'backup script', created: expect.any(String), lastUsed: null }]);
    const file = t.app.config.tokens.storeFile;
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).not.toContain(token.slice(7));

    expect((await bearer(token, 'GET', '/api/v1/session')).json()).toMatchObject({ login: 'admin', isAdmin: true });
    const created = await bearer(token, 'POST', '/api/v1/accounts', { login: 'bytoken', fullName: 'By Token' });
    expect(created.statusCode, created.body).toBe(201);
    const audit = await readFile(t.app.config.auditFile, 'utf8');
    expect(audit).toContain('"action":"token-create"');
    expect(audit).toMatch(/"login":"admin","address":"[^"]+","action":"account-create","target":"bytoken"/);
    expect((await callApi(t.app, session, 'GET', '/api/v1/tokens')).json()[0].lastUsed).not.toBeNull();
  });

  it('never combine with a cookie, never make tokens, and an unknown one is 401', async () => {
    const { token, session } = await makeToken('admin', 'no cookie');
    const both = await t.app.inject({
      method: 'GET',
      url: '/api/v1/session',
      headers: { authorization: `Bearer ${token}`, cookie: session.cookie },
    });
    expect(both.statusCode).toBe(403);
    expect(both.json().field).toBe('authorization');
    const heir = await bearer(token, 'POST', '/api/v1/tokens', { name: 'heir' });
    expect(heir.statusCode).toBe(403);
    expect(heir.json().message).toContain('from a session opened with a password');
    const unknown = await bearer(`licorn_${'A'.repeat(43)}`, 'GET', '/api/v1/session');
    expect(unknown.statusCode).toBe(401);
    expect((await bearer('licorn_x', 'GET', '/api/v1/session')).statusCode).toBe(401);
    const basic = await t.app.inject({
      method: 'GET',
      url: '/api/v1/session',
      headers: { authorization: 'Basic eDp5' },
    });
    expect(basic.statusCode).toBe(401);
  });

  it("follow the account's rights at once: demoted; locked or deleted revokes them for good", async () => {
    const { accounts } = t.app.core;
    const wmi = { login: 'tokenwmi', password: 'Token-pass-1234', groups: ['licorn-wmi'], createHome: false };
    await accounts.createAccount(wmi);
    const session = await openApiSession(t.app, 'tokenwmi', 'Token-pass-1234');
    const { token } = (await callApi(t.app, session, 'POST', '/api/v1/tokens', { name: 'wmi' })).json();
    expect((await bearer(token, 'GET', '/api/v1/accounts')).statusCode).toBe(200);
    await accounts.removeMember('licorn-wmi', 'tokenwmi');
    expect((await bearer(token, 'GET', '/api/v1/accounts')).statusCode).toBe(403);
    expect((await bearer(token, 'GET', '/api/v1/session')).statusCode).toBe(200);
    // Red team's MEDIUM 3: a lock ends the token, and an unlock does not bring it back.
    await accounts.modifyAccount('tokenwmi', { locked: true });
    const locked = await bearer(token, 'GET', '/api/v1/session');
    expect(locked.statusCode).toBe(401);
    expect(locked.json().message).toBe('Unknown or revoked API token');
    await accounts.modifyAccount('tokenwmi', { locked: false });
    expect((await bearer(token, 'GET', '/api/v1/session')).statusCode).toBe(401);
    expect(t.app.apiTokens.list('tokenwmi')).toEqual([]);
    const again = await openApiSession(t.app, 'tokenwmi', 'Token-pass-1234');
    const second = (await callApi(t.app, again, 'POST', '/api/v1/tokens', { name: 'wmi 2' })).json();
    await accounts.deleteAccount('tokenwmi', 'keep');
    expect((await bearer(second.token, 'GET', '/api/v1/session')).statusCode).toBe(401);
    expect(t.app.apiTokens.list('tokenwmi')).toEqual([]);
    // A new account of the same login does not inherit the old one's token.
    await accounts.createAccount({ login: 'tokenwmi', password: 'Token-pass-1234', createHome: false });
    expect((await bearer(second.token, 'GET', '/api/v1/session')).statusCode).toBe(401);
  });

  it('end with a new password, whoever sets it, and with a forced change', async () => {
    const { accounts } = t.app.core;
    await accounts.createAccount({ login: 'tokenpass', password: 'Token-pass-1234', createHome: false });
    const make = async (password: string) => {
      const session = await openApiSession(t.app, 'tokenpass', password);
      return (await callApi(t.app, session, 'POST', '/api/v1/tokens', { name: 'pass' })).json().token as string;
    };
    const first = await make('Token-pass-1234');
    expect((await bearer(first, 'GET', '/api/v1/session')).statusCode).toBe(200);
    // An admin resets a compromised password: the token goes with the browser sessions.
    await accounts.setPassword('tokenpass', 'Token-reset-5678');
    expect((await bearer(first, 'GET', '/api/v1/session')).statusCode).toBe(401);
    const second = await make('Token-reset-5678');
    await accounts.forcePasswordChange('tokenpass');
    expect((await bearer(second, 'GET', '/api/v1/accounts')).statusCode).toBe(401);
    expect(t.app.apiTokens.list('tokenpass')).toEqual([]);
  });

  it('of an account deleted and made again while the daemon was stopped are dropped at load', async () => {
    const { accounts } = t.app.core;
    await accounts.createAccount({ login: 'tokenback', password: 'Token-pass-1234', createHome: false });
    const uid = accounts.getAccount('tokenback')!.uid;
    const session = await openApiSession(t.app, 'tokenback', 'Token-pass-1234');
    expect((await callApi(t.app, session, 'POST', '/api/v1/tokens', { name: 'old' })).statusCode).toBe(201);
    // The file as the stopped daemon left it.
    const saved = join(t.sandbox.dir, 'tokens-before.json');
    await copyFile(t.app.config.tokens.storeFile, saved);
    await accounts.deleteAccount('tokenback', 'keep');
    await accounts.createAccount({ login: 'tokenback', uid, password: 'Token-pass-1234', createHome: false });
    const restarted = new ApiTokenStore({
      file: saved,
      maxPerAccount: 3,
      events: new EventBus(),
      rights: t.app.core.auth,
    });
    await restarted.load();
    expect(restarted.list('tokenback')).toEqual([]);
    expect(restarted.list('admin').length).toBeGreaterThan(0);
    await restarted.close();
  });

  it("are listed and revoked by admins (API and the account's page), audited", async () => {
    const mine = await makeToken('dnguyen', 'seen by admins');
    const admin = await openApiSession(t.app, 'admin', testPasswords.admin);
    const listed = await callApi(t.app, admin, 'GET', '/api/v1/accounts/dnguyen/tokens');
    expect(listed.json()).toContainEqual(expect.objectContaining({ id: mine.id, name: 'seen by admins' }));
    const member = await callApi(t.app, mine.session, 'GET', '/api/v1/accounts/admin/tokens');
    expect(member.statusCode).toBe(403);
    const revoked = await callApi(t.app, admin, 'DELETE', `/api/v1/accounts/dnguyen/tokens/${mine.id}`);
    expect(revoked.statusCode).toBe(204);
    expect((await bearer(mine.token, 'GET', '/api/v1/session')).statusCode).toBe(401);
    const audit = await readFile(t.app.config.auditFile, 'utf8');
    expect(audit).toMatch(/"login":"admin","address":"[^"]+","action":"token-revoke","target":"dnguyen"/);

    const other = await makeToken('dnguyen', 'revoked from the page');
    const page = await t.app.inject({ method: 'GET', url: '/accounts/dnguyen', headers: { cookie: admin.cookie } });
    expect(page.body).toContain('revoked from the page');
    expect(page.body).toContain(`/accounts/dnguyen/tokens/${other.id}/revoke`);
    const posted = await t.app.inject({
      method: 'POST',
      url: `/accounts/dnguyen/tokens/${other.id}/revoke`,
      headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: admin.csrf }).toString(),
    });
    expect(posted.statusCode).toBe(303);
    expect((await bearer(other.token, 'GET', '/api/v1/session')).statusCode).toBe(401);
  });

  it('open the API only: never a page or a form (red team LOW 12)', async () => {
    const { token } = await makeToken('dnguyen', 'api only');
    for (const url of ['/', '/me/', '/accounts/']) {
      const page = await bearer(token, 'GET', url);
      expect(page.statusCode, url).toBe(401);
      expect(page.body).not.toContain('csrf');
    }
    const form = await t.app.inject({
      method: 'POST',
      url: '/me/profile',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'fullName=By+Token&shell=%2Fbin%2Fbash',
    });
    expect(form.statusCode).toBe(401);
    expect((await bearer(token, 'GET', '/api/v1/session')).statusCode).toBe(200);
  });

  it('are deleted by their account only, and work no more', async () => {
    const mine = await makeToken('dnguyen', 'to delete');
    const other = await openApiSession(t.app, 'admin', testPasswords.admin);
    expect((await callApi(t.app, other, 'DELETE', `/api/v1/tokens/${mine.id}`)).statusCode).toBe(404);
    expect((await bearer(mine.token, 'GET', '/api/v1/session')).statusCode).toBe(200);
    // With itself: a token may revoke itself.
    expect((await bearer(mine.token, 'DELETE', `/api/v1/tokens/${mine.id}`)).statusCode).toBe(204);
    expect((await bearer(mine.token, 'GET', '/api/v1/session')).statusCode).toBe(401);
  });

  it('are limited per account (tokens.max_per_account)', async () => {
    await t.app.core.accounts.createAccount({ login: 'tokenlimit', password: 'Limit-pass-1234', createHome: false });
    const who = await openApiSession(t.app, 'tokenlimit', 'Limit-pass-1234');
    for (let i = 0; i < 3; i++) {
      expect((await callApi(t.app, who, 'POST', '/api/v1/tokens', { name: `n${i}` })).statusCode).toBe(201);
    }
    const refused = await callApi(t.app, who, 'POST', '/api/v1/tokens', { name: 'one too many' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toContain('already holds 3 API tokens');
  });

  it('are made and deleted on "My account", the secret shown once', async () => {
    const session = await openApiSession(t.app, 'admin', testPasswords.admin);
    const form = { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' };
    const made = await t.app.inject({
      method: 'POST',
      url: '/me/tokens',
      headers: form,
      payload: new URLSearchParams({ name: 'from the page', _csrf: session.csrf }).toString(),
    });
    expect(made.statusCode).toBe(200);
    const secret = /<code class="mono" id="new-token"[^>]*>(licorn_[A-Za-z0-9_-]{43})<\/code>/.exec(made.body)?.[1];
    expect(secret).toBeDefined();
    const page = await t.app.inject({ method: 'GET', url: '/me/', headers: { cookie: session.cookie } });
    expect(page.body).toContain('from the page');
    expect(page.body).not.toContain(secret);
    const id = t.app.apiTokens.list('admin').find((token) => token.name === 'from the page')!.id;
    const deleted = await t.app.inject({
      method: 'POST',
      url: `/me/tokens/${id}/delete`,
      headers: form,
      payload: new URLSearchParams({ _csrf: session.csrf }).toString(),
    });
    expect(deleted.statusCode).toBe(303);
    expect((await bearer(secret!, 'GET', '/api/v1/session')).statusCode).toBe(401);
  });
});
