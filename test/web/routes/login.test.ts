import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { loginFailedMessage } from '../../../server/web/routes/login.ts';
import { createTestApp, getCookieHeader, getPageCsrfToken, logIn, type TestApp } from '../../helpers/test-app.ts';
import { testPasswords } from '../../helpers/sandbox.ts';
import { forgedNextPaths, nextPiece } from '../../helpers/forged-next.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp(['--auth-max-failures-per-account', '3']);
});
afterAll(() => t.close());

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const formHeaders = (cookie: string) => ({ cookie, 'content-type': 'application/x-www-form-urlencoded' });

describe('login', () => {
  it('sends an anonymous page request to the login form with next', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/me/?tab=1' });
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe('/login/?next=%2Fme%2F%3Ftab%3D1');
  });

  it('answers 401 JSON to an anonymous API request', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/session' });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 'permission-denied', field: 'session' });
  });

  it('logs an admin in with a fresh, locked-down session cookie and goes to next', async () => {
    const { cookie, response } = await logIn(t.app, 'admin', testPasswords.admin, '/me/');
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/me/');
    const setCookie = String(response.headers['set-cookie']);
    expect(setCookie).toMatch(/__Host-licorn-session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toMatch(/Secure/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const dashboard = await t.app.inject({ method: 'GET', url: '/', headers: { cookie } });
    expect(dashboard.statusCode).toBe(200);
    expect(dashboard.body).toContain('Logged in to this interface');
  });

  it('gives a new session id at every login', async () => {
    const first = await logIn(t.app, 'admin', testPasswords.admin);
    const second = await logIn(t.app, 'admin', testPasswords.admin);
    expect(first.cookie).not.toBe(second.cookie);
  });

  it('never follows a forged next outside the site', async () => {
    for (const next of forgedNextPaths.slice(0, 3)) {
      const { response } = await logIn(t.app, 'admin', testPasswords.admin, next);
      expect(response.headers.location).toBe('/');
    }
  });

  it('answers the same message for a wrong password and an unknown account', async () => {
    const wrong = await logIn(t.app, 'blefevre', 'not the password');
    const unknown = await logIn(t.app, 'no-such-person', 'not the password');
    expect(wrong.response.statusCode).toBe(401);
    expect(unknown.response.statusCode).toBe(401);
    for (const { response } of [wrong, unknown]) {
      expect(response.body).toContain(loginFailedMessage);
      expect(response.cookies.find((cookie) => cookie.name === '__Host-licorn-session')).toBeUndefined();
    }
    // The form keeps the login typed, never the password.
    expect(wrong.response.body).toContain('value="blefevre"');
    expect(wrong.response.body).not.toContain('not the password');
  });

  it('refuses a locked account and an expired one with that same message', async () => {
    for (const login of ['ndupont', 'qrousseau'] as const) {
      const { response } = await logIn(t.app, login, testPasswords[login]);
      expect(response.statusCode).toBe(401);
      expect(response.body).toContain(loginFailedMessage);
    }
  });

  it('throttles an account after repeated failures, known or not', async () => {
    for (const login of ['hroussel', 'ghost-account']) {
      for (let i = 0; i < 3; i += 1) expect((await logIn(t.app, login, 'bad')).response.statusCode).toBe(401);
      const refused = await logIn(t.app, login, 'bad');
      expect(refused.response.statusCode).toBe(429);
      expect(refused.response.headers['retry-after']).toBeDefined();
      expect(refused.response.body).toContain('Too many failed logins');
    }
  });

  it("says a refused login in the visitor's language, as the API does", async () => {
    const french = { 'accept-language': 'fr' };
    const page = await t.app.inject({ method: 'GET', url: '/login/', headers: french });
    const post = () =>
      t.app.inject({
        method: 'POST',
        url: '/login/',
        headers: { ...french, cookie: getCookieHeader(page), 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          login: 'ghost-fr',
          password: 'bad',
          _csrf: getPageCsrfToken(page.body),
        }).toString(),
      });
    const wrong = await post();
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('Identifiant ou mot de passe incorrect.');
    for (let i = 0; i < 2; i += 1) await post();
    const refused = await post();
    expect(refused.statusCode).toBe(429);
    expect(refused.body).toMatch(/Trop de connexions échouées\s; réessayez dans \d+\u00a0min\./);
  });

  it('gives each visitor of the form a token of their own, the one of their cookie', async () => {
    const tokenOf = (body: string) =>
      [...body.matchAll(/(?:content|value)="([A-Za-z0-9_-]{43})"/g)].map((match) => match[1]);
    const first = await t.app.inject({ method: 'GET', url: '/login/' });
    const second = await t.app.inject({ method: 'GET', url: '/login/' });
    const cookieToken = (page: typeof first) => getCookieHeader(page).match(/__Host-licorn-csrf=([^;]+)/)![1];
    expect(tokenOf(first.body)).toEqual([cookieToken(first), cookieToken(first)]);
    expect(tokenOf(second.body)).toEqual([cookieToken(second), cookieToken(second)]);
    expect(cookieToken(first)).not.toBe(cookieToken(second));
    // A returning visitor keeps the token of their cookie, and is sent no new one.
    const again = await t.app.inject({ method: 'GET', url: '/login/', headers: { cookie: getCookieHeader(first) } });
    expect(tokenOf(again.body)).toEqual([cookieToken(first), cookieToken(first)]);
    expect(again.headers['set-cookie']).toBeUndefined();
    // The form with another next is the same page around another hidden field.
    const withNext = await t.app.inject({
      method: 'GET',
      url: '/login/?next=%2Fme%2F',
      headers: { cookie: getCookieHeader(first) },
    });
    expect(withNext.body.replace('value="/me/"', 'value="/"')).toBe(again.body);
  });

  it('refuses a login without the CSRF token and opens no session', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/login/' });
    const cookie = getCookieHeader(page);
    for (const _csrf of [undefined, 'forged-token-forged-token-forged-token-xxxx']) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/login/',
        headers: { ...formHeaders(cookie), accept: 'text/html' },
        payload: form({ login: 'admin', password: testPasswords.admin, ...(_csrf ? { _csrf } : {}) }),
      });
      expect(response.statusCode).toBe(403);
      expect(response.body).toContain('Missing or invalid CSRF token');
      expect(response.cookies.find((c) => c.name === '__Host-licorn-session')).toBeUndefined();
    }
  });

  it('logs out: the session is gone and its cookie cleared', async () => {
    const { cookie } = await logIn(t.app, 'admin', testPasswords.admin);
    const page = await t.app.inject({ method: 'GET', url: '/', headers: { cookie } });
    const out = await t.app.inject({
      method: 'POST',
      url: '/logout/',
      headers: formHeaders(cookie),
      payload: form({ _csrf: getPageCsrfToken(page.body) }),
    });
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/login/');
    expect(String(out.headers['set-cookie'])).toMatch(/__Host-licorn-session=;/);
    expect((await t.app.inject({ method: 'GET', url: '/', headers: { cookie } })).statusCode).toBe(302);
  });

  it('treats an unknown or expired session cookie as logged out, and clears it', async () => {
    const cookie = '__Host-licorn-session=' + 'A'.repeat(43);
    const page = await t.app.inject({ method: 'GET', url: '/', headers: { cookie } });
    expect(page.statusCode).toBe(302);
    expect(page.headers.location).toBe('/login/?next=%2F');
    expect(String(page.headers['set-cookie'])).toMatch(/__Host-licorn-session=;.*Expires=Thu, 01 Jan 1970/);
    const api = await t.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie } });
    expect(api.statusCode).toBe(401);
    expect(api.json().message).toBe('Not logged in, or the session has ended');
  });

  it('refuses logout without a CSRF token, keeping the session', async () => {
    const { cookie } = await logIn(t.app, 'admin', testPasswords.admin);
    const out = await t.app.inject({
      method: 'POST',
      url: '/logout/',
      headers: formHeaders(cookie),
      payload: form({}),
    });
    expect(out.statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/', headers: { cookie } })).statusCode).toBe(200);
  });

  it('refuses an oversized body with 413 and keeps serving', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/login/',
      headers: formHeaders(''),
      payload: form({ login: 'x', password: 'y'.repeat(70_000) }),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ code: 'invalid-argument' });
    expect((await t.app.inject({ method: 'GET', url: '/login/' })).statusCode).toBe(200);
  });

  it('never writes the sandbox files when logging in', async () => {
    const before = await readFile(join(t.sandbox.root, 'etc/shadow'), 'utf8');
    await logIn(t.app, 'admin', testPasswords.admin);
    await logIn(t.app, 'admin', 'bad');
    expect(await readFile(join(t.sandbox.root, 'etc/shadow'), 'utf8')).toBe(before);
  });

  it('never sends the browser off-site through next, in any spelling of //host', async () => {
    const { cookie, response } = await logIn(t.app, 'admin', testPasswords.admin, '/.//evil.example');
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/');
    for (const next of forgedNextPaths) {
      // Already logged in, the form sends the browser straight on to next.
      const page = await t.app.inject({
        method: 'GET',
        url: `/login/?next=${encodeURIComponent(next)}`,
        headers: { cookie },
      });
      expect(page.statusCode, next).toBe(303);
      expect(page.headers.location, next).toBe('/');
    }
    // Generated paths: whatever the Location, a browser resolves it on this site.
    await fc.assert(
      fc.asyncProperty(fc.array(nextPiece, { minLength: 1, maxLength: 8 }), async (pieces) => {
        const next = '/' + pieces.join('');
        const page = await t.app.inject({
          method: 'GET',
          url: `/login/?next=${encodeURIComponent(next)}`,
          headers: { cookie },
        });
        const location = String(page.headers.location);
        expect(location).toMatch(/^\/(?![/\\])/);
        expect(new URL(location, 'https://wmi.example/x/y').origin).toBe('https://wmi.example');
      }),
      { numRuns: 300 },
    );
  });

  it('sends a forged next of a login POST home', async () => {
    for (const next of forgedNextPaths.slice(4, 8)) {
      const { response } = await logIn(t.app, 'admin', testPasswords.admin, next);
      expect(response.headers.location, next).toBe('/');
    }
  });

  it('refuses a NUL byte, a huge password or an odd login like a wrong password: 401, delayed, counted', async () => {
    const remoteAddress = '192.0.2.10';
    const page = await t.app.inject({ method: 'GET', url: '/login/' });
    const cookie = getCookieHeader(page);
    const post = (login: string, password: string) =>
      t.app.inject({
        method: 'POST',
        url: '/login/',
        remoteAddress,
        headers: formHeaders(cookie),
        payload: form({ login, password, _csrf: getPageCsrfToken(page.body) }),
      });
    const inputs = [
      ['admin', `${testPasswords.admin}\0`],
      ['admin', `\0${testPasswords.admin}`],
      ['admin', 'x'.repeat(5000)],
      ['admin'.repeat(100), 'x'],
    ];
    for (const [login, password] of inputs) {
      const started = Date.now();
      const response = await post(login!, password!);
      expect(response.statusCode).toBe(401);
      expect(response.body).toContain(loginFailedMessage);
      // The fail delay (0.2 s in the tests) was waited, as for any wrong password.
      expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    }
    // Three failures counted for admin (the limit here): the right password is refused now.
    const refused = await post('admin', testPasswords.admin);
    expect(refused.statusCode).toBe(429);
  });

  it('checks no more passwords than the limit in a concurrent burst; a right one in it gets no session', async () => {
    const auth = t.app.core.auth;
    const authenticate = auth.authenticate;
    let checked = 0;
    auth.authenticate = (...args) => {
      checked += 1;
      return authenticate.apply(auth, args);
    };
    try {
      const page = await t.app.inject({ method: 'GET', url: '/login/' });
      const cookie = getCookieHeader(page);
      const burst = (login: string, remoteAddress: string, rightAt: number) =>
        Promise.all(
          Array.from({ length: 150 }, (_, index) =>
            t.app.inject({
              method: 'POST',
              url: '/login/',
              remoteAddress,
              headers: formHeaders(cookie),
              payload: form({
                login,
                password: index === rightAt ? testPasswords.dnguyen : `wrong-${index}`,
                _csrf: getPageCsrfToken(page.body),
              }),
            }),
          ),
        );
      const count = (responses: LightMyRequestResponse[], status: number) =>
        responses.filter((response) => response.statusCode === status).length;

      const first = await burst('dnguyen', '198.51.100.1', 100);
      expect(checked).toBe(3); // --auth-max-failures-per-account 3
      expect(count(first, 401)).toBe(3);
      expect(count(first, 429)).toBe(147);
      expect(first.some((response) => response.cookies.some((c) => c.name === '__Host-licorn-session'))).toBe(false);

      // One address spraying names: the address limit (20) holds too.
      checked = 0;
      const names = await Promise.all(
        Array.from({ length: 150 }, (_, index) =>
          t.app.inject({
            method: 'POST',
            url: '/login/',
            remoteAddress: '198.51.100.2',
            headers: formHeaders(cookie),
            payload: form({ login: `spray${index}`, password: 'wrong', _csrf: getPageCsrfToken(page.body) }),
          }),
        ),
      );
      expect(checked).toBe(20);
      expect(count(names, 401)).toBe(20);
    } finally {
      auth.authenticate = authenticate;
    }
  });

  it('releases the attempt of a right password: logins that succeed never use up the limit', async () => {
    // In flight, an attempt counts as a failure: two at once stay under the limit of three.
    const together = await Promise.all([0, 1].map(() => logIn(t.app, 'blefevre', testPasswords.blefevre)));
    expect(together.map(({ response }) => response.statusCode)).toEqual([303, 303]);
    for (let i = 0; i < 5; i += 1)
      expect((await logIn(t.app, 'blefevre', testPasswords.blefevre)).response.statusCode).toBe(303);
  });

  it('tells browsers and proxies to keep no copy of the login form, pages, the API and exports', async () => {
    const { cookie } = await logIn(t.app, 'admin', testPasswords.admin);
    const urls = [
      '/login/',
      '/login/?next=%2Fme%2F',
      '/',
      '/me/',
      '/accounts/',
      '/api/v1/session',
      '/api/v1/accounts/export',
      '/no-such-page',
    ];
    for (const url of urls) {
      const response = await t.app.inject({ method: 'GET', url, headers: { cookie } });
      expect(response.headers['cache-control'], url).toBe('no-store');
    }
    const anonymous = await t.app.inject({ method: 'GET', url: '/login/' });
    expect(anonymous.headers['cache-control']).toBe('no-store');
    const bundle = /src="(\/static\/[^"]+\.js)"/.exec(anonymous.body)![1]!;
    const cached = await t.app.inject({ method: 'GET', url: bundle });
    expect(cached.statusCode).toBe(200);
    expect(cached.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });
});
