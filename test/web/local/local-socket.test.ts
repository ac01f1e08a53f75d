import type { ChildProcess } from 'node:child_process';
import { chmod, lstat, mkdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLicornd, useLicorndDirectory, type LicorndProcess } from '../../helpers/licornd-process.ts';
import { HttpsClient } from '../../helpers/https-client.ts';
import { requestLocal, startLocalClientAs } from '../../helpers/local-socket-client.ts';
import { stopProcesses } from '../../helpers/uid-process.ts';
import { TestSocket } from '../../helpers/ws-client.ts';
import { run } from '../../helpers/accounts-sandbox.ts';

// Issue 15: the daemon serves its app on a Unix socket too, each caller known by SO_PEERCRED.
const { dir: getDir, base } = useLicorndDirectory('licornd-local-');
const isRoot = process.getuid?.() === 0;
const started: ChildProcess[] = [];
let daemon: LicorndProcess;
let url = '';
let socketPath = '';
let adminPassword = '';
// Sandbox accounts of the demo (server/core/demo): dnguyen is not an admin, adurand is.
const users = 100;
const dnguyen = { uid: 1004, gid: users };
const noAccount = { uid: 4242, gid: users };

beforeAll(async () => {
  daemon = startLicornd(base());
  url = await daemon.listening();
  adminPassword = /with password "([^"]+)"/.exec(daemon.output())![1]!;
  socketPath = join(getDir(), 'licornd.sock');
  // The uids the tests play must reach the socket (mkdtemp made the directory 0700).
  await chmod(getDir(), 0o755);
}, 30_000);

afterAll(() => stopProcesses(started));

describe.skipIf(!isRoot && process.env.CI !== 'true')('the local socket (needs root for setpriv)', () => {
  it('is a socket of mode 0666 beside the sandbox, announced at start', async () => {
    const stats = await lstat(socketPath);
    expect(stats.isSocket()).toBe(true);
    expect(stats.mode & 0o7777).toBe(0o666);
    expect(daemon.output()).toContain(`licornd: local socket ${socketPath}`);
  });

  it('knows root as an admin, who writes without a CSRF token, audited as local:uid=0,pid=N', async () => {
    const me = await requestLocal(socketPath, 'GET', '/api/v1/session');
    expect(me.json()).toMatchObject({ login: 'root', isAdmin: true });
    expect((await requestLocal(socketPath, 'GET', '/api/v1/accounts')).status).toBe(200);
    const created = await requestLocal(socketPath, 'POST', '/api/v1/accounts', {
      body: { login: 'madelocally', fullName: 'Made Locally' },
    });
    expect(created.status, created.body).toBe(201);
    const audit = await readFile(join(getDir(), 'log/audit.log'), 'utf8');
    const line = audit.split('\n').find((entry) => entry.includes('"target":"madelocally"'));
    expect(JSON.parse(line!)).toMatchObject({
      login: 'root',
      address: `local:uid=0,pid=${process.pid}`,
      action: 'account-create',
      outcome: 'done',
    });
  });

  it('still demands the CSRF token on the HTTPS port', async () => {
    const client = new HttpsClient(url);
    await client.logIn('admin', adminPassword);
    const body = JSON.stringify({ login: 'madeoverhttps', fullName: 'No Token' });
    const answer = await client.fetch('/api/v1/accounts', { method: 'POST', body, type: 'application/json' });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toMatchObject({ field: '_csrf' });
    client.close();
  });

  it('refuses a request with an Origin header (a browser behind a proxy)', async () => {
    const answer = await requestLocal(socketPath, 'POST', '/api/v1/accounts', {
      body: { login: 'madebybrowser', fullName: 'Browser' },
      headers: { origin: 'https://evil.example' },
    });
    expect(answer.status).toBe(403);
    expect(answer.json()).toMatchObject({ field: 'origin' });
    expect((await requestLocal(socketPath, 'GET', '/api/v1/accounts/madebybrowser')).status).toBe(404);
  });

  it('gives another uid its own account, 403 on admin routes, demoted and locked live', async () => {
    const client = startLocalClientAs(dnguyen, socketPath, started);
    expect((await client.send('GET', '/api/v1/session')).json()).toMatchObject({ login: 'dnguyen', isAdmin: false });
    const refused = await client.send('GET', '/api/v1/accounts');
    expect(refused.status).toBe(403);
    expect(refused.json().message).toContain('"dnguyen" may not open /api/v1/accounts');
    // Promoted by root, on the same connection: an admin at its next request.
    const role = (r: string) =>
      requestLocal(socketPath, 'PUT', '/api/v1/groups/licorn-wmi/roles/dnguyen', { body: { role: r } });
    expect((await role('member')).status).toBe(200);
    expect((await client.send('GET', '/api/v1/accounts')).status).toBe(200);
    expect((await role('none')).status).toBe(200);
    expect((await client.send('GET', '/api/v1/accounts')).status).toBe(403);
    expect((await client.send('GET', '/api/v1/session')).json()).toMatchObject({ isAdmin: false });
    // Locked: refused at once, naming why; unlocked: back.
    const lock = async (locked: boolean) => {
      const { version } = (await requestLocal(socketPath, 'GET', '/api/v1/accounts/dnguyen')).json();
      const answer = await requestLocal(socketPath, 'PATCH', '/api/v1/accounts/dnguyen', { body: { version, locked } });
      expect(answer.status, answer.body).toBe(200);
    };
    await lock(true);
    const locked = await client.send('GET', '/api/v1/session');
    expect(locked.status).toBe(401);
    expect(locked.json().message).toBe('Account "dnguyen" (uid 1004) is locked');
    await lock(false);
    expect((await client.send('GET', '/api/v1/session')).status).toBe(200);
    client.stop();
  });

  it('refuses an account whose password must be changed, as HTTPS does, on its connection (MEDIUM 5)', async () => {
    const client = startLocalClientAs(dnguyen, socketPath, started);
    expect((await client.send('GET', '/api/v1/session')).status).toBe(200);
    const patch = async (changes: Record<string, unknown>) => {
      const { version } = (await requestLocal(socketPath, 'GET', '/api/v1/accounts/dnguyen')).json();
      const answer = await requestLocal(socketPath, 'PATCH', '/api/v1/accounts/dnguyen', {
        body: { version, ...changes },
      });
      expect(answer.status, answer.body).toBe(200);
    };
    await patch({ forcePasswordChange: true });
    const forced = await client.send('GET', '/api/v1/session');
    expect(forced.status).toBe(403);
    expect(forced.json().message).toBe('Account "dnguyen" must change its password first, at /login/password');
    expect((await client.send('GET', '/api/v1/groups')).status).toBe(403);
    // Changed (here by root): the connection goes on.
    await patch({ password: 'Changed-local-1234' });
    expect((await client.send('GET', '/api/v1/session')).status).toBe(200);
    client.stop();
    // Root is never held back.
    expect((await requestLocal(socketPath, 'GET', '/api/v1/session')).json()).toMatchObject({ login: 'root' });
  });

  it('makes no API token (a uid would mint a remote credential without its password), takes no Bearer', async () => {
    const client = startLocalClientAs(dnguyen, socketPath, started);
    const refused = await client.send('POST', '/api/v1/tokens', { name: 'from the socket' });
    expect(refused.status).toBe(403);
    expect(refused.json().message).toContain('from a session opened with a password');
    client.stop();
    const bearer = await requestLocal(socketPath, 'GET', '/api/v1/session', {
      headers: { authorization: `Bearer licorn_${'A'.repeat(43)}` },
    });
    expect(bearer.status).toBe(403);
    expect(bearer.json()).toMatchObject({ field: 'authorization' });
  });

  it('refuses a uid that no account has, naming it', async () => {
    const client = startLocalClientAs(noAccount, socketPath, started);
    const answer = await client.send('GET', '/api/v1/session');
    expect(answer.status).toBe(401);
    expect(answer.json().message).toContain('uid 4242 has no account on this machine');
    client.stop();
  });

  it("answers in the terminal's language (Accept-Language) over root's choice, used without it", async () => {
    const chosen = await requestLocal(socketPath, 'POST', '/me/language', { body: { language: 'fr' } });
    expect(chosen.status, chosen.body).toBe(303);
    try {
      const ask = (headers: Record<string, string>) =>
        requestLocal(socketPath, 'GET', '/api/v1/accounts/nosuchlogin', { headers }).then((answer) => answer.json());
      // LANG=en_US.UTF-8 at the terminal: English, though root chose French on My account.
      expect((await ask({ 'accept-language': 'en' })).message).toBe('No account named "nosuchlogin"');
      expect((await ask({})).message).toBe('Aucun compte nommé «\u00a0nosuchlogin\u00a0»');
      expect((await ask({ 'accept-language': 'fr' })).message).toBe('Aucun compte nommé «\u00a0nosuchlogin\u00a0»');
    } finally {
      await requestLocal(socketPath, 'POST', '/me/language', { body: { language: 'browser' } });
    }
  });

  it('carries the push channel without an Origin, and lists its caller among the sessions', async () => {
    const socket = new TestSocket(`ws+unix://${socketPath}:/ws`, {});
    await socket.opened();
    socket.send({ subscribe: ['sessions'] });
    const list = await socket.waitFor(
      () => socket.messages.find((m) => m.target === 'sessions' && m.html?.includes('local:uid=0')),
      'the sessions list with this connection',
    );
    expect(list.html).toContain(`local:uid=0,pid=${process.pid}`);
    socket.close();
  });
});

describe.skipIf(!isRoot && process.env.CI !== 'true')('the socket file', () => {
  it('replaces a stale socket, refuses a live one and a symbolic link, and is removed at stop', async () => {
    const dir = join(getDir(), 'file-cases');
    await mkdir(dir, { mode: 0o755 });
    const path = join(dir, 'licornd.sock');
    const args = (root: string) => [...base(), '--root', join(dir, root), '--cli-socket', path];
    // A socket file left by a killed daemon: nobody listens there.
    await run('python3', ['-c', `import socket; socket.socket(socket.AF_UNIX).bind(${JSON.stringify(path)})`]);
    expect((await lstat(path)).isSocket()).toBe(true);
    const first = startLicornd(args('a'));
    await first.listening();
    expect((await requestLocal(path, 'GET', '/api/v1/session')).json()).toMatchObject({ login: 'root' });
    // A second daemon on the same path is refused; the first still answers.
    const second = startLicornd(args('b'));
    const refused = await second.exited();
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`Cannot serve the socket ${path}: another process listens on it`);
    expect((await requestLocal(path, 'GET', '/api/v1/session')).status).toBe(200);
    first.child.kill('SIGTERM');
    expect((await first.exited()).code).toBe(0);
    await expect(lstat(path)).rejects.toMatchObject({ code: 'ENOENT' });

    // A symbolic link is never followed (nor removed): the daemon refuses to start.
    const target = join(dir, 'elsewhere');
    await writeFile(target, 'kept\n');
    await symlink(target, path);
    const third = startLicornd(args('c'));
    const linked = await third.exited();
    expect(linked.code).toBe(1);
    expect(linked.stderr).toContain(`Cannot serve the socket ${path}: it is a symbolic link`);
    expect(await readlink(path)).toBe(target);
    expect(await readFile(target, 'utf8')).toBe('kept\n');
  }, 60_000);

  it('refuses a directory others may write to', async () => {
    const dir = join(getDir(), 'open-dir');
    await mkdir(dir);
    await chmod(dir, 0o1777);
    const daemon = startLicornd([...base(), '--root', join(getDir(), 'd'), '--cli-socket', join(dir, 's.sock')]);
    const exited = await daemon.exited();
    expect(exited.code).toBe(1);
    expect(exited.stderr).toContain(`${dir} is writable by others (mode 1777)`);
  }, 30_000);
});
