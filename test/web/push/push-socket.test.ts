import { execFile } from 'node:child_process';
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

  it('refuses a foreign or missing Origin, before the upgrade', async () => {
    const { cookie } = await logIn(server.t.app, 'admin', testPasswords.admin);
    await expect(connect(cookie, { origin: 'https://evil.example' }).opened()).rejects.toThrow('refused: 403');
    await expect(connect(cookie, { origin: `http://${server.host}` }).opened()).rejects.toThrow('refused: 403');
    await expect(connect(cookie, {}).opened()).rejects.toThrow('refused: 403');
  });

  it('syncs the sessions topic on subscribe, pushes logins and logouts live', async () => {
    const { cookie } = await logIn(server.t.app, 'admin', testPasswords.admin);
    const watcher = connect(cookie);
    await watcher.opened();
    watcher.send({ subscribe: ['sessions'] });
    const snapshot = await watcher.waitFor(
      () => watcher.messages.find((m) => m.action === 'update' && m.target === 'sessions'),
      'the snapshot',
    );
    expect(snapshot.html).toContain('<span class="login">admin</span>');

    const other = await logIn(server.t.app, 'blefevre', testPasswords.blefevre);
    const added = await watcher.waitFor(
      () => watcher.messages.find((m) => m.action === 'append' && m.html?.includes('blefevre')),
      'the new row',
    );
    expect(added.target).toBe('sessions');

    // The pushed row is byte-identical to the row the dashboard renders.
    const page = await server.t.app.inject({ method: 'GET', url: '/', headers: { cookie } });
    const rowId = /<tr id="(session-[0-9a-f]+)"/.exec(added.html!)![1]!;
    const rowInPage = new RegExp(`<tr id="${rowId}"[\\s\\S]*?</tr>\\n?`).exec(page.body)![0];
    expect(added.html).toBe(rowInPage);

    const otherPage = await server.t.app.inject({ method: 'GET', url: '/', headers: { cookie: other.cookie } });
    await server.t.app.inject({
      method: 'POST',
      url: '/logout/',
      headers: { cookie: other.cookie, 'x-csrf-token': getPageCsrfToken(otherPage.body) },
    });
    await watcher.waitFor(
      () => watcher.messages.find((m) => m.action === 'remove' && m.target === rowId),
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
    // Another admin logs in: once the admin's socket has the row, the member's was passed over.
    await logIn(server.t.app, 'hroussel', 'wrong-password');
    await logIn(server.t.app, 'blefevre', testPasswords.blefevre);
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
