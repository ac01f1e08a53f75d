import { request } from 'node:https';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoRoot } from '../../../server/core/demo/create-demo-root.ts';
import { killAllLicornd, startLicornd, type LicorndProcess } from '../../helpers/licornd-process.ts';
import { testPasswords } from '../../helpers/sandbox.ts';

// Issue 11, item 9: a daemon restart logs nobody out. A real licornd, stopped and started.
let dir: string;
let root: string;
let args: string[];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'licorn-restart-'));
  root = join(dir, 'root');
  await createDemoRoot(root, { passwords: testPasswords });
  await writeFile(join(dir, 'licorn.conf'), 'auth.fail_delay = 0.2\n');
  args = ['--config', join(dir, 'licorn.conf'), '--root', root, '--tls-dir', join(dir, 'certs'), '--port', '0'];
});
afterAll(async () => {
  killAllLicornd();
  await rm(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  body: string;
  cookies: string[];
}

interface CallOptions {
  method?: string;
  cookie?: string;
  form?: Record<string, string>;
}

function call(url: string, options: CallOptions = {}): Promise<Answer> {
  const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.cookie) headers.cookie = options.cookie;
    if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
    request(url, { method: options.method ?? 'GET', headers, rejectUnauthorized: false }, (response) => {
      let text = '';
      response.on('data', (chunk) => {
        text += chunk;
      });
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          body: text,
          cookies: (response.headers['set-cookie'] ?? []).map((line) => line.split(';')[0]!),
        }),
      );
    })
      .on('error', reject)
      .end(body);
  });
}

// Logs in through the form; returns the session cookie ("name=value").
async function logIn(url: string, login: string, password: string): Promise<string> {
  const form = await call(`${url}/login/`);
  const csrf = /name="csrf-token" content="([^"]+)"/.exec(form.body)![1]!;
  const cookie = form.cookies.join('; ');
  const answer = await call(`${url}/login/`, { method: 'POST', cookie, form: { login, password, _csrf: csrf } });
  expect(answer.status).toBe(303);
  return answer.cookies.find((cookie) => cookie.startsWith('__Host-licorn-session='))!;
}

async function stop(daemon: LicorndProcess): Promise<void> {
  daemon.child.kill('SIGTERM');
  expect((await daemon.exited()).code).toBe(0);
}

describe('sessions across a restart', () => {
  it('keeps the session (cookie, CSRF token) in a 0600 file without raw ids; logouts and locks stay', async () => {
    const first = startLicornd(args);
    const firstUrl = await first.listening();
    const admin = await logIn(firstUrl, 'admin', testPasswords.admin);
    const member = await logIn(firstUrl, 'dnguyen', testPasswords.dnguyen);
    const loggedOut = await logIn(firstUrl, 'blefevre', testPasswords.blefevre);
    const before = JSON.parse((await call(`${firstUrl}/api/v1/session`, { cookie: admin })).body) as {
      csrfToken: string;
    };
    const { csrfToken } = JSON.parse((await call(`${firstUrl}/api/v1/session`, { cookie: loggedOut })).body) as {
      csrfToken: string;
    };
    const logout = await call(`${firstUrl}/logout/`, { method: 'POST', cookie: loggedOut, form: { _csrf: csrfToken } });
    expect(logout.status).toBe(303);
    await stop(first);

    const file = join(dir, 'sessions.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const text = await readFile(file, 'utf8');
    for (const cookie of [admin, member, loggedOut]) expect(text).not.toContain(cookie.split('=')[1]);
    // Nor a password hash (yescrypt, SHA-512).
    expect(text).not.toMatch(/\$y\$|\$6\$/);
    // While the daemon is down, dnguyen is locked in the files.
    const shadow = join(root, 'etc/shadow');
    await writeFile(shadow, (await readFile(shadow, 'utf8')).replace(/^dnguyen:/m, 'dnguyen:!'));

    const second = startLicornd(args);
    const url = await second.listening();
    const me = await call(`${url}/api/v1/session`, { cookie: admin });
    expect(me.status).toBe(200);
    expect(JSON.parse(me.body)).toMatchObject({ login: 'admin', isAdmin: true, csrfToken: before.csrfToken });
    expect((await call(`${url}/accounts/`, { cookie: admin })).status).toBe(200);
    expect((await call(`${url}/api/v1/session`, { cookie: loggedOut })).status).toBe(401);
    expect((await call(`${url}/api/v1/session`, { cookie: member })).status).toBe(401);
    await stop(second);
    expect(await readFile(file, 'utf8')).not.toContain('"dnguyen"');
  });
});
