import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../server/web/app.ts';
import { loadTls } from '../../server/web/tls/load-tls.ts';
import { createSandbox, type Sandbox } from './sandbox.ts';

export interface TestApp {
  app: FastifyInstance;
  sandbox: Sandbox;
  close(): Promise<void>;
}

// Builds the app over a fresh sandbox, without listening (use app.inject or app.listen).
export async function createTestApp(flags: string[] = []): Promise<TestApp> {
  const sandbox = await createSandbox(flags);
  const tls = await loadTls(sandbox.config.tls);
  const app = await buildApp(sandbox.config, { tls });
  await app.ready();
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
  const jar = new Map(previous.split('; ').filter(Boolean).map((pair) => pair.split('=') as [string, string]));
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
export async function logIn(app: FastifyInstance, login: string, password: string, next?: string):
  Promise<{ cookie: string; response: LightMyRequestResponse }> {
  const page = await app.inject({ method: 'GET', url: '/login/' });
  let cookie = getCookieHeader(page);
  const response = await app.inject({
    method: 'POST',
    url: '/login/',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ login, password, _csrf: getPageCsrfToken(page.body), ...(next ? { next } : {}) }).toString(),
  });
  cookie = getCookieHeader(response, cookie);
  return { cookie, response };
}
