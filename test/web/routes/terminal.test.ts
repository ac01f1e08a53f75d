import { readdir, readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, getPageCsrfToken, openApiSession, callApi, type ApiSession } from '../../helpers/test-app.ts';
import type { TestApp } from '../../helpers/test-app.ts';
import { testPasswords } from '../../helpers/sandbox.ts';
import { TerminalClient } from '../../helpers/terminal-client.ts';
import { isProcessAlive } from '../../../server/core/terminal/session-processes.ts';

// Who a sandbox's shells run as: the account's own host uid when the daemon is root (a
// uid from 0x7ffe0000 in no passwd), else the daemon's user.
const isRoot = process.getuid?.() === 0;
const expectedAccount = isRoot ? 'its own uid' : userInfo().username;

let t: TestApp;
let host = '';
let admin: ApiSession;
const clients: TerminalClient[] = [];

async function waitUntil(check: () => Promise<boolean> | boolean, what: string, deadlineMs = 10_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function openTerminal(who: ApiSession, size = { cols: 80, rows: 24 }) {
  const answer = await callApi(t.app, who, 'POST', '/api/v1/terminals', size);
  expect(answer.statusCode, answer.body).toBe(201);
  const info = answer.json() as { id: string; runsAs: string; description: string };
  const pid = t.app.terminals.get(info.id, getPublicId(who))!.pid;
  return { ...info, pid };
}

function getPublicId(who: ApiSession): string {
  const session = t.app.sessions.list().find((candidate) => who.cookie.includes(candidate.id));
  return session!.publicId;
}

function connect(id: string, who: ApiSession, headers: Record<string, string> = { origin: `https://${host}` }) {
  const client = new TerminalClient(`wss://${host}/terminal/ws/${id}`, { cookie: who.cookie, ...headers });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  t = await createTestApp(['--terminal-max-per-account', '3', '--terminal-keep', '60']);
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const address = t.app.server.address();
  host = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  admin = await openApiSession(t.app, 'admin', testPasswords.admin);
});

// Each test starts with no terminal open (a failed one leaves none behind).
afterEach(() => t.app.terminals.close());

afterAll(async () => {
  clients.forEach((client) => client.close());
  await t.close();
});

describe('a terminal over real HTTPS/WSS', () => {
  it(`runs a shell as ${expectedAccount} in a scratch directory, and says so`, async () => {
    const { id, runsAs, description, pid } = await openTerminal(admin);
    const uid = isRoot ? runsAs.replace(/^uid /, '') : String(process.getuid?.());
    if (isRoot) expect(Number(uid)).toBeGreaterThanOrEqual(0x7ffe0000);
    else expect(runsAs).toBe(expectedAccount);
    expect(description).toContain('sandbox');
    const client = connect(id, admin);
    await client.opened();
    client.type('echo $((6*7)); id -u; pwd; env | grep -c LICORN\r');
    await client.waitFor(() => /\r42\r\n/.test(client.output), '42');
    await client.waitFor(() => client.output.includes(`42\r\n${uid}\r\n`), 'the account');
    // In its scratch directory, with nothing of the daemon's environment.
    await client.waitFor(() => /licorn-terminal-[A-Za-z0-9]+(\/home)?\r\n0\r\n/.test(client.output), 'pwd and env');
    // No descriptor beyond 0–2 reaches the shell: neither the daemon's own (its listening
    // socket, clients, inotify, epoll, files: Node opens them close-on-exec) nor one its
    // launcher left open (this test's fd 251, a pipe as the red team found).
    client.type('ls /proc/$$/fd | grep -vcx -e 0 -e 1 -e 2 -e 255; echo fds-checked\r');
    await client.waitFor(() => /\r(\d+)\r\nfds-checked/.test(client.output), 'the descriptors');
    expect(/\r(\d+)\r\nfds-checked/.exec(client.output)![1]).toBe('0');
    // Resizes in a burst: applied at most every 100 ms, the last one wins.
    for (let cols = 60; cols <= 120; cols += 1) client.resize(cols, 40);
    const sizes: string[] = [];
    for (let asked = 0; sizes.at(-1) !== '40 120' && asked < 50; asked += 1) {
      client.output = '';
      client.type('stty size\r');
      await client.waitFor(() => /\r(\d+ \d+)\r\n/.test(client.output), 'stty size');
      sizes.push(/\r(\d+ \d+)\r\n/.exec(client.output)![1]!);
    }
    expect(sizes.at(-1)).toBe('40 120');
    // Never a size between the first and the last (each was applied or skipped whole).
    expect(sizes.every((size) => size === '24 80' || size === '40 60' || size === '40 120')).toBe(true);
    expect(await isProcessAlive(pid)).toBe(true);
    // Opened and closed are audited, the keystrokes are not.
    await callApi(t.app, admin, 'DELETE', `/api/v1/terminals/${id}`);
    await waitUntil(async () => !(await isProcessAlive(pid)), 'the shell to end');
    const audit = await readFile(t.app.core.audit.file, 'utf8');
    expect(audit).toContain('"action":"terminal-opened"');
    expect(audit).toContain('"action":"terminal-closed"');
    expect(audit).not.toContain('6*7');
  });

  it('keeps the shell when the socket drops, and redraws it on reattach', async () => {
    const { id } = await openTerminal(admin);
    const first = connect(id, admin);
    await first.opened();
    first.type('echo before-drop; sleep 1; echo done-$((40+2))\r');
    await first.waitFor(() => first.output.includes('\rbefore-drop'), 'the first line');
    first.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = connect(id, admin);
    await second.opened();
    // What happened while away is there: in the redraw, or just after it.
    await second.waitFor(() => (second.redraw + second.output).includes('done-42'), 'done');
    expect(second.redraw).toContain('before-drop');
  });

  // Red team LOW 6: a screen of truecolour cells redrew as one 3.2 MB frame, outside flow control.
  it('redraws a large screen in pieces, under flow control', async () => {
    const { id } = await openTerminal(admin, { cols: 200, rows: 50 });
    const first = connect(id, admin);
    await first.opened();
    const paint =
      `perl -e 'for $l (1..300){ for $c (1..200){ ` +
      'printf "\\e[38;2;%d;%d;1m\\e[48;2;1;%d;%dmX", $c, $l, $c, $l } ' +
      'print "\\e[0m\\r\\n" } print "pain"."ted\\n"\'\r';
    first.type(paint);
    await first.waitFor(() => first.output.includes('painted'), 'the painting', 30_000);
    first.close();
    await waitUntil(() => first.closeCode !== null, 'the first page to close');
    const second = new TerminalClient(`wss://${host}/terminal/ws/${id}`, {
      cookie: admin.cookie,
      origin: `https://${host}`,
    });
    clients.push(second);
    second.acknowledge = false;
    await second.opened();
    await second.waitFor(() => second.redraw.length > 0 && second.received > 200 * 1024, 'the redraw and more');
    // The redraw frame is a piece; the rest stops at the high-water mark until acknowledged.
    expect(Buffer.byteLength(second.redraw)).toBeLessThanOrEqual(64 * 1024);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(second.received).toBeLessThanOrEqual(256 * 1024 + 64 * 1024);
    second.acknowledge = true;
    second.sendAcknowledge(second.received);
    await second.waitFor(() => second.output.includes('painted'), 'the end of the redraw', 30_000);
  });

  it('refuses another Origin, another session, a text frame and a frame over 4 KiB', async () => {
    const { id } = await openTerminal(admin);
    await expect(connect(id, admin, { origin: 'https://evil.example' }).opened()).rejects.toThrow('refused: 403');
    const other = await openApiSession(t.app, 'blefevre', testPasswords.blefevre);
    await expect(connect(id, other).opened()).rejects.toThrow('refused: 404');
    const text = connect(id, admin);
    await text.opened();
    text.socket.send('echo hi\r');
    await text.waitFor(() => text.closeCode !== null, 'the close');
    expect(text.closeCode).toBe(1003);
    const big = connect(id, admin);
    await big.opened();
    big.type('x'.repeat(5000));
    await big.waitFor(() => big.closeCode !== null, 'the close');
    expect(big.closeCode).toBe(1009);
    // Opening needs the CSRF token.
    const noToken = await t.app.inject({
      method: 'POST',
      url: '/api/v1/terminals',
      headers: { cookie: admin.cookie },
      payload: { cols: 80, rows: 24 },
    });
    expect(noToken.statusCode).toBe(403);
    await callApi(t.app, admin, 'DELETE', `/api/v1/terminals/${id}`);
  });

  it('holds at most terminal.max_per_account terminals per account', async () => {
    const opened = [await openTerminal(admin), await openTerminal(admin), await openTerminal(admin)];
    const refused = await callApi(t.app, admin, 'POST', '/api/v1/terminals', { cols: 80, rows: 24 });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toContain('terminal.max_per_account = 3');
    for (const { id } of opened) await callApi(t.app, admin, 'DELETE', `/api/v1/terminals/${id}`);
  });

  it("describes a terminal in its reader's language, and in English in the audit", async () => {
    const french = { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'accept-language': 'fr' };
    const size = { cols: 80, rows: 24 };
    const opened = await t.app.inject({ method: 'POST', url: '/api/v1/terminals', headers: french, payload: size });
    expect(opened.statusCode, opened.body).toBe(201);
    const { id, description } = opened.json() as { id: string; description: string };
    expect(description).toMatch(/^bac à sable\u00a0: les comptes ne sont pas réels, ce shell tourne donc sous /);
    const listed = await t.app.inject({ method: 'GET', url: '/api/v1/terminals', headers: french });
    expect(listed.json()).toContainEqual(expect.objectContaining({ id, description }));
    const english = (await callApi(t.app, admin, 'GET', '/api/v1/terminals')).json() as { id: string }[];
    const sandbox = expect.stringMatching(/^sandbox: the accounts are not real, so this shell runs as /);
    expect(english).toContainEqual(expect.objectContaining({ id, description: sandbox }));
    const { pid } = t.app.terminals.get(id, getPublicId(admin))!;
    expect(await readFile(t.app.core.audit.file, 'utf8')).toContain(`pid ${pid}: sandbox: the accounts are not real`);
    await callApi(t.app, admin, 'DELETE', `/api/v1/terminals/${id}`);
  });

  it('refuses a non-admin with the default setting (403), page and API', async () => {
    const member = await openApiSession(t.app, 'dnguyen', testPasswords.dnguyen);
    const page = await t.app.inject({ method: 'GET', url: '/terminal/', headers: { cookie: member.cookie } });
    expect(page.statusCode).toBe(403);
    const api = await callApi(t.app, member, 'POST', '/api/v1/terminals', { cols: 80, rows: 24 });
    expect(api.statusCode).toBe(403);
    expect(api.json().message).toContain('terminal.allow = "admins"');
  });

  // Red team MEDIUM 3: as root, every account's terminals were the same `nobody`, and a
  // setsid() survivor planted a .bash_profile in the next terminal's directory.
  it.runIf(isRoot)("keeps nothing of a terminal past its end, and one account out of another's", async () => {
    const other = await openApiSession(t.app, 'blefevre', testPasswords.blefevre);
    const mine = await openTerminal(admin);
    const theirs = await openTerminal(other);
    expect(mine.runsAs).not.toBe(theirs.runsAs);
    const marker = String(7000 + Math.floor(Math.random() * 999));
    const client = connect(mine.id, admin);
    await client.opened();
    client.type(`setsid sh -c 'exec sleep ${marker}' & stat -c 'home-%a-%u' $HOME; echo dir-$HOME-e''nd\r`);
    await client.waitFor(() => /dir-(\S+)-end/.test(client.output.replace(/\r\n/g, '')), 'the home');
    const home = /dir-(\S+)-end/.exec(client.output.replace(/\r\n/g, ''))![1]!;
    expect(client.output).toContain(`home-700-${mine.runsAs.replace('uid ', '')}`);
    const survivor = async () => {
      for (const entry of await readdir('/proc')) {
        const line = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
        if (line === `sleep\0${marker}\0`) return true;
      }
      return false;
    };
    await waitUntil(survivor, 'the setsid sleep to start');
    // Another account's shell can neither list nor write the first one's home.
    const intruder = connect(theirs.id, other);
    await intruder.opened();
    intruder.type(`ls ${home} 2>&1 | grep -c denied; touch ${home}/.bash_profile 2>&1 | grep -c denied\r`);
    await intruder.waitFor(() => /\r1\r\n1\r\n/.test(intruder.output), 'two refusals');
    // The terminal's end takes everything it started with it.
    await callApi(t.app, admin, 'DELETE', `/api/v1/terminals/${mine.id}`);
    await waitUntil(async () => !(await survivor()), 'the setsid sleep to be killed');
  });

  // Red team MEDIUM 2: floods of acknowledgements, resizes or 1-byte keystrokes were never
  // limited (other pages stalled; queued pty writes grew the daemon by 100s of MB).
  it('closes a socket sending tiny frames in a flood (4429), of any kind', async () => {
    const { id } = await openTerminal(admin);
    const acks = connect(id, admin);
    await acks.opened();
    for (let i = 0; i < 3000 && acks.closeCode === null; i += 1) acks.sendAcknowledge(0);
    await acks.waitFor(() => acks.closeCode !== null, 'the close');
    expect(acks.closeCode).toBe(4429);
    const resizes = connect(id, admin);
    await resizes.opened();
    for (let i = 0; i < 3000 && resizes.closeCode === null; i += 1) resizes.resize(80, 24);
    await resizes.waitFor(() => resizes.closeCode !== null, 'the close');
    expect(resizes.closeCode).toBe(4429);
    const keys = connect(id, admin);
    await keys.opened();
    keys.type('stty -echo; echo rea""dy; cat >/dev/null\r');
    await keys.waitFor(() => keys.output.includes('ready'), 'cat');
    for (let i = 0; i < 5000 && keys.closeCode === null; i += 1) keys.type(' ');
    await keys.waitFor(() => keys.closeCode !== null, 'the close');
    expect(keys.closeCode).toBe(4429);
  });

  it('kills the shell at logout', async () => {
    const session = await openApiSession(t.app, 'blefevre', testPasswords.blefevre);
    const { pid } = await openTerminal(session);
    expect(await isProcessAlive(pid)).toBe(true);
    const page = await t.app.inject({ method: 'GET', url: '/me/', headers: { cookie: session.cookie } });
    await t.app.inject({
      method: 'POST',
      url: '/logout/',
      headers: { cookie: session.cookie, 'x-csrf-token': getPageCsrfToken(page.body) },
    });
    await waitUntil(async () => !(await isProcessAlive(pid)), 'the shell to be killed');
  });

  it('kills the shell of an admin demoted meanwhile, and its socket', async () => {
    const session = await openApiSession(t.app, 'blefevre', testPasswords.blefevre);
    const { id, pid } = await openTerminal(session);
    const client = connect(id, session);
    await client.opened();
    await t.app.core.accounts.removeMember('admins', 'blefevre');
    await waitUntil(async () => !(await isProcessAlive(pid)), 'the shell to be killed');
    await client.waitFor(() => client.closeCode !== null, 'the socket to close');
    await t.app.core.accounts.addMember('admins', 'blefevre');
  });

  it('kills the shell of an account whose shell becomes nologin', async () => {
    const session = await openApiSession(t.app, 'blefevre', testPasswords.blefevre);
    const { pid } = await openTerminal(session);
    await t.app.core.accounts.modifyAccount('blefevre', { shell: '/usr/sbin/nologin' });
    await waitUntil(async () => !(await isProcessAlive(pid)), 'the shell to be killed');
    const refused = await callApi(t.app, session, 'POST', '/api/v1/terminals', { cols: 80, rows: 24 });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().message).toContain('nologin');
    await t.app.core.accounts.modifyAccount('blefevre', { shell: '/bin/bash' });
  });

  it('pauses the shell while the page does not acknowledge, and resumes when it does', async () => {
    const { id } = await openTerminal(admin);
    const client = connect(id, admin);
    client.acknowledge = false;
    await client.opened();
    client.type('yes\r');
    await client.waitFor(() => client.received > 200_000, 'some output');
    // Paused: what arrives stops under the high-water mark plus a read or two.
    let before = -1;
    await waitUntil(async () => {
      const now = client.received;
      const settled = now === before;
      before = now;
      if (!settled) await new Promise((resolve) => setTimeout(resolve, 300));
      return settled;
    }, 'the output to stop');
    expect(client.received).toBeLessThan(256 * 1024 + 4 * 65536);
    client.sendAcknowledge(client.received);
    await client.waitFor(() => client.received > before + 100_000, 'the output to resume');
    client.type('\x03');
    await callApi(t.app, admin, 'DELETE', `/api/v1/terminals/${id}`);
  });

  it('passes `yes | head -c 50000000` with the daemon memory bounded', async () => {
    const { id } = await openTerminal(admin);
    const client = connect(id, admin);
    await client.opened();
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 50);
    client.type('yes | head -c 50000000; echo finished-$((6*7))\r');
    try {
      await client.waitFor(() => client.output.includes('finished-42'), 'the end of the output', 120_000);
    } finally {
      clearInterval(sampler);
    }
    expect(client.received).toBeGreaterThan(50_000_000);
    // Without flow control, the daemon would hold what the client has not read yet.
    expect(rssPeak - rssBefore).toBeLessThan(64 * 1024 * 1024);
    await callApi(t.app, admin, 'DELETE', `/api/v1/terminals/${id}`);
  }, 180_000);

  it('throttles opening and closing in a loop (429), refusals aside', async () => {
    // 16 at once (or twice terminal.max_per_account), then one every 2 s.
    let refusal = null;
    for (let opened = 0; opened < 40 && !refusal; opened += 1) {
      const answer = await callApi(t.app, admin, 'POST', '/api/v1/terminals', { cols: 80, rows: 24 });
      if (answer.statusCode === 201) await callApi(t.app, admin, 'DELETE', `/api/v1/terminals/${answer.json().id}`);
      else refusal = answer;
    }
    expect(refusal?.statusCode).toBe(429);
    expect(refusal?.headers['retry-after']).toMatch(/^\d+$/);
    expect(refusal?.json()).toMatchObject({ code: 'busy', field: 'terminal' });
    expect(refusal?.json().message).toMatch(/^Account "admin" opened terminals too fast: try again in \d+ s$/);
    // Said as every refusal is, by the one error handler: its key beside the words.
    expect(refusal?.json().messageKey).toBe('web.terminals.tooFast');
    // Said in the reader's language (the bucket is still empty: the same refusal).
    const headers = { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'accept-language': 'fr' };
    const payload = { cols: 80, rows: 24 };
    const french = await t.app.inject({ method: 'POST', url: '/api/v1/terminals', headers, payload });
    expect(french.statusCode).toBe(429);
    expect(french.json().message).toMatch(
      /^Le compte «\sadmin\s» a ouvert des terminaux trop vite\s: réessayez dans \d+\ss$/,
    );
  });
});
