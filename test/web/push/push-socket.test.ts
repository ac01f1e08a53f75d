import { execFile } from 'node:child_process';
import { connect as connectTls } from 'node:tls';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { getPageCsrfToken, logIn } from '../../helpers/test-app.ts';
import { testPasswords } from '../../helpers/sandbox.ts';
import { useSocketTestApp } from '../../helpers/ws-client.ts';

const server = useSocketTestApp();
const connect = (cookie: string, headers?: Record<string, string>) => server.connect(cookie, headers);

describe('the push channel over real HTTPS/WSS', () => {
  it('refuses a socket without a session, before the upgrade', async () => {
    await expect(connect('').opened()).rejects.toThrow('refused: 401');
  });

  it('answers 404 to an upgrade on any other URL and closes the connection', async () => {
    // Only the sockets' routes carry @fastify/websocket (plugins/websockets.ts): an upgrade of
    // a page must not be left open outside its care, nor reach the page's handler.
    const { cookie } = await logIn(server.t.app, 'admin', testPasswords.admin);
    const paths = ['/login/', '/accounts/', '/no-such-page', '/wsx', '/ws/', '/terminal/ws/short', '/terminal/ws/x/y'];
    for (const path of paths) {
      const [host, port] = server.host.split(':');
      const socket = connectTls({ host, port: Number(port), rejectUnauthorized: false });
      let answer = '';
      socket.on('data', (chunk: Buffer) => {
        answer += chunk.toString('latin1');
      });
      const closed = new Promise<void>((resolve, reject) => {
        socket.on('close', () => resolve());
        socket.on('error', reject);
      });
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: ${server.host}\r\nOrigin: ${server.origin}\r\nCookie: ${cookie}\r\n` +
          'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n' +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      );
      await closed;
      expect(answer.split('\r\n')[0], path).toBe('HTTP/1.1 404 Not Found');
    }
  });

  it('refuses a foreign or missing Origin, before the upgrade', async () => {
    const { cookie } = await logIn(server.t.app, 'admin', testPasswords.admin);
    await expect(connect(cookie, { origin: 'https://evil.example' }).opened()).rejects.toThrow('refused: 403');
    await expect(connect(cookie, { origin: `http://${server.host}` }).opened()).rejects.toThrow('refused: 403');
    await expect(connect(cookie, {}).opened()).rejects.toThrow('refused: 403');
  });

  it('lists as connected the sessions with a page open, the others as last seen, live', async () => {
    const { cookie } = await logIn(server.t.app, 'admin', testPasswords.admin);
    const watcher = connect(cookie);
    await watcher.opened();
    watcher.send({ subscribe: ['sessions'] });
    const snapshot = await watcher.waitFor(
      () => watcher.messages.find((m) => m.action === 'update' && m.target === 'sessions'),
      'the snapshot',
    );
    expect(snapshot.html).toContain('<span class="login">admin</span>');
    expect(snapshot.html).toContain('connected now');

    // A login whose browser has no page open (closed, or never loaded one) is not "connected".
    const other = await logIn(server.t.app, 'blefevre', testPasswords.blefevre);
    const fresh = connect(cookie);
    await fresh.opened();
    fresh.send({ subscribe: ['sessions'] });
    const lists = await fresh.waitFor(
      () =>
        fresh.messages.some((m) => m.target === 'sessions') &&
        fresh.messages.find((m) => m.action === 'update' && m.target === 'sessions-away'),
      'both lists',
    );
    const connected = fresh.messages.find((m) => m.action === 'update' && m.target === 'sessions')!;
    expect(connected.html).not.toContain('blefevre');
    expect(lists.html).toMatch(/blefevre[\s\S]*last seen <time/);
    fresh.close();

    // Its page opens: the row moves to the connected list.
    const page = connect(other.cookie);
    await page.opened();
    const added = await watcher.waitFor(
      () => watcher.messages.find((m) => m.action === 'append' && m.html?.includes('blefevre')),
      'the row moved to the connected list',
    );
    expect(added.target).toBe('sessions');
    expect(added.html).toContain('connected now');
    const rowId = /<tr id="(session-[0-9a-f]+)"/.exec(added.html!)![1]!;
    const moved = watcher.messages.indexOf(added);
    expect(watcher.messages[moved - 1]).toEqual({ action: 'remove', target: rowId });

    // The pushed row is byte-identical to the row the dashboard renders.
    const dashboard = await server.t.app.inject({ method: 'GET', url: '/', headers: { cookie } });
    const rowInPage = new RegExp(`<tr id="${rowId}"[\\s\\S]*?</tr>\\n?`).exec(dashboard.body)![0];
    expect(added.html).toBe(rowInPage);

    // Its last page closes: a moment later (not at once: a click to another page reconnects),
    // it is "last seen".
    page.close();
    const away = await watcher.waitFor(
      () => watcher.messages.find((m) => m.action === 'prepend' && m.html?.includes('blefevre')),
      'the row moved to the last-seen list',
    );
    expect(away.target).toBe('sessions-away');
    expect(away.html).toContain('last seen <time');

    const otherPage = await server.t.app.inject({ method: 'GET', url: '/me/', headers: { cookie: other.cookie } });
    await server.t.app.inject({
      method: 'POST',
      url: '/logout/',
      headers: { cookie: other.cookie, 'x-csrf-token': getPageCsrfToken(otherPage.body) },
    });
    await watcher.waitFor(
      () =>
        watcher.messages.find(
          (m) =>
            m.action === 'remove' && m.target === rowId && watcher.messages.indexOf(m) > watcher.messages.indexOf(away),
        ),
      'the row removal',
    );
  });

  it('closes the sockets of a session that logs out', async () => {
    const { cookie } = await logIn(server.t.app, 'admin', testPasswords.admin);
    const socket = connect(cookie);
    await socket.opened();
    const page = await server.t.app.inject({ method: 'GET', url: '/', headers: { cookie } });
    await server.t.app.inject({
      method: 'POST',
      url: '/logout/',
      headers: { cookie, 'x-csrf-token': getPageCsrfToken(page.body) },
    });
    await socket.waitFor(() => socket.closeCode === 4401, 'close code 4401');
  });

  it('never lets a non-admin follow who is logged in', async () => {
    const admin = connect((await logIn(server.t.app, 'admin', testPasswords.admin)).cookie);
    const member = connect((await logIn(server.t.app, 'dnguyen', testPasswords.dnguyen)).cookie);
    await Promise.all([admin.opened(), member.opened()]);
    admin.send({ subscribe: ['sessions'] });
    member.send({ subscribe: ['sessions'] });
    const notice = await member.waitFor(() => member.messages.find((m) => m.action === 'notify'), 'a refusal notice');
    expect(notice.html).toContain('Cannot follow');
    await admin.waitFor(() => admin.messages.find((m) => m.action === 'update'), 'the admin snapshot');
    // Another admin logs in and opens a page: once the admin's socket has the row, the member's was passed over.
    await logIn(server.t.app, 'hroussel', 'wrong-password');
    connect((await logIn(server.t.app, 'blefevre', testPasswords.blefevre)).cookie);
    await admin.waitFor(
      () => admin.messages.find((m) => m.action === 'append' && m.html?.includes('blefevre')),
      'the new row',
    );
    expect(member.messages.filter((m) => m.action !== 'notify')).toEqual([]);
    expect(JSON.stringify(member.messages)).not.toContain('blefevre');
  });

  it('updates the dashboard counts live when useradd adds an account in a shell', async () => {
    const { cookie } = await logIn(server.t.app, 'admin', testPasswords.admin);
    const socket = connect(cookie);
    await socket.opened();
    socket.send({ subscribe: ['accounts-summary'] });
    const first = await socket.waitFor(
      () => socket.messages.find((m) => m.target === 'accounts-summary'),
      'the counts',
    );
    expect(first.html).toContain('<dt>Accounts</dt><dd>40</dd>');
    await promisify(execFile)('useradd', ['--prefix', server.t.sandbox.root, '-M', 'fromtheshell']);
    const update = await socket.waitFor(
      () => socket.messages.find((m) => m.action === 'replace' && m.html?.includes('<dd>41</dd>')),
      'the new count',
    );
    expect(update.target).toBe('accounts-summary');
  });

  it('closes a socket that sends a frame that is not JSON, and keeps serving the others', async () => {
    const { cookie } = await logIn(server.t.app, 'admin', testPasswords.admin);
    const bad = connect(cookie);
    const good = connect(cookie);
    await Promise.all([bad.opened(), good.opened()]);
    bad.send('this is not json');
    await bad.waitFor(() => bad.closeCode === 1007, 'close code 1007');
    good.send({ subscribe: ['sessions'] });
    await good.waitFor(() => good.messages.find((m) => m.action === 'update'), 'a snapshot on the healthy socket');
  });
});
