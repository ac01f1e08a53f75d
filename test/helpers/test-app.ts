import { afterAll, beforeAll } from 'vitest';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../server/web/app.ts';
import { loadTls } from '../../server/web/tls/load-tls.ts';
import { createSandbox, testPasswords, type Sandbox } from './sandbox.ts';
import type { AuditEntry } from '../../server/core/audit/audit-log.ts';

export interface TestApp {
  app: FastifyInstance;
  sandbox: Sandbox;
  close(): Promise<void>;
}

// Builds the app over a fresh sandbox, without listening (use app.inject or app.listen).
// `prepare` changes the sandbox's files before the daemon reads them (as a package install
// or a shell would have left them).
export async function createTestApp(
  flags: string[] = [],
  prepare?: (sandbox: Sandbox) => Promise<void>,
): Promise<TestApp> {
  const sandbox = await createSandbox(flags);
  await prepare?.(sandbox);
  const tls = await loadTls(sandbox.config.tls);
  const app = await buildApp(sandbox.config, { tls });
  await app.ready();
  // licornd starts without waiting on the devices; the tests want them read.
  await app.core.volumes.whenRead();
  return {
    app,
    sandbox,
    async close() {
      await app.close();
      await sandbox.remove();
    },
  };
}

// The cookies a response sets, as one Cookie header value.
export function getCookieHeader(response: LightMyRequestResponse, previous = ''): string {
  const jar = new Map(
    previous
      .split('; ')
      .filter(Boolean)
      .map((pair) => pair.split('=') as [string, string]),
  );
  for (const cookie of response.cookies) {
    if (cookie.value === '' || cookie.maxAge === 0) jar.delete(cookie.name);
    else jar.set(cookie.name, cookie.value);
  }
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
}

// The CSRF token a page embeds.
export function getPageCsrfToken(html: string): string {
  const match = /<meta name="csrf-token" content="([^"]*)">/.exec(html);
  if (!match) throw new Error('no csrf-token meta in the page');
  return match[1]!;
}

// Logs in through the form as a browser would; returns the session cookie header and the
// login POST's response.
export async function logIn(
  app: FastifyInstance,
  login: string,
  password: string,
  next?: string,
): Promise<{ cookie: string; response: LightMyRequestResponse }> {
  const page = await app.inject({ method: 'GET', url: '/login/' });
  let cookie = getCookieHeader(page);
  const response = await app.inject({
    method: 'POST',
    url: '/login/',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({
      login,
      password,
      _csrf: getPageCsrfToken(page.body),
      ...(next ? { next } : {}),
    }).toString(),
  });
  cookie = getCookieHeader(response, cookie);
  return { cookie, response };
}

// What an API client holds after logging in: the session cookie and the session's CSRF token.
export interface ApiSession {
  cookie: string;
  csrf: string;
}

export async function openApiSession(app: FastifyInstance, login: string, password: string): Promise<ApiSession> {
  const { cookie } = await logIn(app, login, password);
  const me = await app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie } });
  return { cookie, csrf: me.json().csrfToken as string };
}

// Calls the API as `who`, with the CSRF token.
export function callApi(
  app: FastifyInstance,
  who: ApiSession,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT',
  url: string,
  payload?: object,
) {
  return app.inject({
    method,
    url,
    headers: { cookie: who.cookie, 'x-csrf-token': who.csrf },
    ...(payload ? { payload } : {}),
  });
}

// A digest of the four account files under `root`, to prove a refusal changed no byte.
export async function digestAccountFiles(root: string): Promise<string> {
  const hash = createHash('sha256');
  for (const name of ['passwd', 'shadow', 'group', 'gshadow']) hash.update(await readFile(join(root, 'etc', name)));
  return hash.digest('hex');
}

// For an API test file: builds the app before its tests (closed after), logs in `admin` and
// the plain member `dnguyen`, and calls the API as any session.
export function useApiTestApp() {
  const api = {
    t: undefined as unknown as TestApp,
    admin: undefined as unknown as ApiSession,
    member: undefined as unknown as ApiSession,
    session: (login: keyof typeof testPasswords) => openApiSession(api.t.app, login, testPasswords[login]),
    call: (who: ApiSession, method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT', url: string, payload?: object) =>
      callApi(api.t.app, who, method, url, payload),
    digestEtc: () => digestAccountFiles(api.t.sandbox.root),
    // The audit file's entries, oldest first.
    auditEntries: async (): Promise<AuditEntry[]> =>
      (await readFile(api.t.sandbox.config.auditFile, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as AuditEntry),
  };
  beforeAll(async () => {
    api.t = await createTestApp();
    api.admin = await api.session('admin');
    api.member = await api.session('dnguyen');
  });
  afterAll(() => api.t.close());
  return api;
}

// For a page test file: builds the app before its tests (closed after), logs in `admin` and
// the plain member `dnguyen`, and GETs pages as either (admin by default) or anonymously ('').
export interface PageTestApp {
  t: TestApp;
  admin: string;
  member: string;
  get(url: string, cookie?: string): Promise<LightMyRequestResponse>;
}

export function usePageTestApp(): PageTestApp {
  const pages: PageTestApp = {
    t: undefined as unknown as TestApp,
    admin: '',
    member: '',
    get: (url: string, cookie = pages.admin) =>
      pages.t.app.inject({ method: 'GET', url, headers: { cookie, accept: 'text/html' } }),
  };
  beforeAll(async () => {
    pages.t = await createTestApp();
    pages.admin = (await logIn(pages.t.app, 'admin', testPasswords.admin)).cookie;
    pages.member = (await logIn(pages.t.app, 'dnguyen', testPasswords.dnguyen)).cookie;
  });
  afterAll(() => pages.t.close());
  return pages;
}
