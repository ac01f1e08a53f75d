import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, logIn, type TestApp } from '../helpers/test-app.ts';
import { testPasswords } from '../helpers/sandbox.ts';
import { getSecurityHeaders } from '../../server/web/plugins/security-headers.ts';

let t: TestApp;
let adminCookie: string;
let memberCookie: string;
beforeAll(async () => {
  t = await createTestApp();
  adminCookie = (await logIn(t.app, 'admin', testPasswords.admin)).cookie;
  memberCookie = (await logIn(t.app, 'dnguyen', testPasswords.dnguyen)).cookie;
});
afterAll(() => t.close());

describe('pages and roles', () => {
  it('shows admins the dashboard: the machine and who is logged in', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/', headers: { cookie: adminCookie } });
    expect(page.statusCode).toBe(200);
    for (const label of ['Host name', 'Distribution', 'Kernel', 'Processors', 'Memory', 'Uptime'])
      expect(page.body).toContain(label);
    // The viewer's own page is about to connect: it is "connected now"; dnguyen, with no page
    // open, is "last seen".
    const connected = /<tbody id="sessions">([\s\S]*?)<\/tbody>/.exec(page.body)![1]!;
    const away = /<tbody id="sessions-away"[^>]*>([\s\S]*?)<\/tbody>/.exec(page.body)![1]!;
    expect(connected).toMatch(
      new RegExp(
        String.raw`<tr id="session-[0-9a-f]{16}" class="session-row">\s*` +
          String.raw`<td data-label="Login"[^>]*><span class="login">admin<\/span>`,
      ),
    );
    expect(connected).toContain('connected now');
    expect(connected).not.toContain('dnguyen');
    expect(away).toMatch(/<span class="login">dnguyen<\/span>[\s\S]*last seen <time datetime="/);
    expect(page.body).toContain('data-topics="sessions accounts-summary status/cpu"');
    expect(page.body).toMatch(/<section id="accounts-summary"[\s\S]*<dt>Accounts<\/dt><dd>40<\/dd>/);
    expect(page.body).toContain('href="/me/"');
  });

  it('sends a non-admin to "My account" and shows only their own account', async () => {
    const root = await t.app.inject({ method: 'GET', url: '/', headers: { cookie: memberCookie } });
    expect(root.statusCode).toBe(302);
    expect(root.headers.location).toBe('/me/');
    const me = await t.app.inject({ method: 'GET', url: '/me/', headers: { cookie: memberCookie } });
    expect(me.statusCode).toBe(200);
    expect(me.body).toContain('David Nguyen');
    expect(me.body).toContain('developers');
    expect(me.body).not.toContain('>Dashboard<');
  });

  it('answers 403 to a non-admin on admin routes, as a page and as JSON', async () => {
    const api = await t.app.inject({ method: 'GET', url: '/api/v1/sessions', headers: { cookie: memberCookie } });
    expect(api.statusCode).toBe(403);
    expect(api.json()).toMatchObject({
      code: 'permission-denied',
      message: expect.stringContaining('for administrators'),
    });
    const page = await t.app.inject({
      method: 'GET',
      url: '/api/v1/system',
      headers: { cookie: memberCookie, accept: 'text/html' },
    });
    expect(page.statusCode).toBe(403);
    const admin = await t.app.inject({ method: 'GET', url: '/api/v1/sessions', headers: { cookie: adminCookie } });
    expect(admin.statusCode).toBe(200);
    expect(admin.json().map((session: { login: string }) => session.login)).toEqual(['admin', 'dnguyen']);
  });

  it('sends security headers on every answer', async () => {
    for (const url of ['/login/', '/', '/nowhere']) {
      const response = await t.app.inject({ method: 'GET', url, headers: { cookie: adminCookie } });
      const csp = String(response.headers['content-security-policy']);
      // Scripts and styles fall back to default-src: from this server only, none inline.
      expect(csp).toMatch(/^default-src 'self';/);
      expect(csp).not.toMatch(/(script|style)-src/);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      // Said by frame-ancestors to every browser but Internet Explorer.
      expect(response.headers['x-frame-options']).toBeUndefined();
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['referrer-policy']).toBe('no-referrer');
      expect(response.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    }
  });

  // Every header helmet sets, with its value, on each kind of answer: a page, a redirect, a
  // 404, an API refusal, a form refused without its CSRF token, a static file (which keeps its
  // own cache-control), a WebSocket upgrade refused for its foreign Origin.
  it('sends every helmet header, unchanged, on pages, redirects, errors and static files', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/login/' });
    const style = /href="(\/static\/main-style-[A-Z0-9]+\.css)"/.exec(page.body)![1]!;
    const json = { accept: 'application/json' };
    const answers = [
      page,
      await t.app.inject({ method: 'GET', url: '/', headers: { cookie: adminCookie } }),
      await t.app.inject({ method: 'GET', url: '/' }),
      await t.app.inject({ method: 'GET', url: '/nowhere', headers: { cookie: adminCookie } }),
      await t.app.inject({ method: 'GET', url: '/api/v1/sessions', headers: json }),
      await t.app.inject({ method: 'POST', url: '/logout/', headers: { cookie: adminCookie } }),
      await t.app.inject({
        method: 'GET',
        url: '/ws',
        headers: {
          cookie: adminCookie,
          origin: 'https://elsewhere.example',
          connection: 'upgrade',
          upgrade: 'websocket',
        },
      }),
      await t.app.inject({ method: 'GET', url: style }),
    ];
    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200, 302, 404, 401, 403, 403, 200]);
    const expected = Object.entries(getSecurityHeaders());
    expect(expected.map(([name]) => name)).toEqual(
      expect.arrayContaining(['content-security-policy', 'strict-transport-security', 'cross-origin-opener-policy']),
    );
    for (const answer of answers) {
      for (const [name, value] of expected)
        expect([answer.statusCode, name, answer.headers[name]]).toEqual([answer.statusCode, name, value]);
    }
    expect(answers.slice(0, -1).map((answer) => answer.headers['cache-control'])).toEqual(Array(7).fill('no-store'));
  });

  it('renders pages with no inline script or style', async () => {
    for (const [url, cookie] of [
      ['/login/', ''],
      ['/', adminCookie],
      ['/me/', memberCookie],
    ] as const) {
      const { body } = await t.app.inject({ method: 'GET', url, headers: { cookie } });
      expect(body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(body).not.toMatch(/\sstyle=|<style/);
    }
  });

  it('serves the bundle under hashed names with a year-long immutable cache', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/login/' });
    const script = /<script src="(\/static\/main-[A-Z0-9]+\.js)"/.exec(page.body)![1]!;
    const style = /<link rel="stylesheet" href="(\/static\/main-style-[A-Z0-9]+\.css)"/.exec(page.body)![1]!;
    for (const url of [script, style]) {
      const asset = await t.app.inject({ method: 'GET', url });
      expect(asset.statusCode).toBe(200);
      expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    }
    expect((await t.app.inject({ method: 'GET', url: '/static/manifest.json' })).statusCode).toBe(404);
  });

  it('serves the builds list, rewritten by each build under the same name, to be revalidated every time', async () => {
    const builds = await t.app.inject({ method: 'GET', url: '/static/builds.json' });
    expect(builds.statusCode).toBe(200);
    expect(builds.headers['cache-control']).toBe('no-cache');
    expect(JSON.parse(builds.body)).toBeInstanceOf(Array);
  });

  it('answers 404 with a page for a logged-in browser', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/nowhere',
      headers: { cookie: adminCookie, accept: 'text/html' },
    });
    expect(response.statusCode).toBe(404);
    expect(response.body).toContain('No page at /nowhere');
  });
});
