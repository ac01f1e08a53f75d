import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { callApi, createTestApp, openApiSession, type ApiSession, type TestApp } from '../../helpers/test-app.ts';
import { TestSocket } from '../../helpers/ws-client.ts';
import { testPasswords } from '../../helpers/sandbox.ts';

// Issue 11, item 4: a session's rights follow the account files, whoever changes them
// (the API, another admin, a tool in a shell), at once, for requests and for sockets.
const run = promisify(execFile);
let t: TestApp;
let host = '';
const sockets: TestSocket[] = [];

beforeAll(async () => {
  t = await createTestApp();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const address = t.app.server.address();
  host = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  sockets.forEach((socket) => socket.close());
  await t.close();
});

const accounts = () => t.app.core.accounts;
const newAccount = (who: ApiSession, login: string) =>
  callApi(t.app, who, 'POST', '/api/v1/accounts', { login, password: null, createHome: false });
const whoAmI = (who: ApiSession) =>
  t.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: who.cookie } });

async function follow(who: ApiSession, topics: string[]): Promise<TestSocket> {
  const socket = new TestSocket(`wss://${host}/ws`, { cookie: who.cookie, origin: `https://${host}` });
  sockets.push(socket);
  await socket.opened();
  socket.send({ subscribe: topics });
  return socket;
}

// dnguyen (a plain member in the demo) made an admin through licorn-wmi, logged in.
async function promoteAndLogIn(): Promise<ApiSession> {
  if (!accounts().getAccount('dnguyen')!.groups.includes('licorn-wmi'))
    await accounts().addMember('licorn-wmi', 'dnguyen');
  const session = await openApiSession(t.app, 'dnguyen', testPasswords.dnguyen);
  expect((await whoAmI(session)).json().isAdmin).toBe(true);
  return session;
}

// Replaces a whole line of an account file as an editor in a shell would.
async function editLine(file: string, start: string, change: (line: string) => string): Promise<void> {
  const path = join(t.sandbox.root, 'etc', file);
  const text = await readFile(path, 'utf8');
  await writeFile(
    path,
    text
      .split('\n')
      .map((line) => (line.startsWith(start) ? change(line) : line))
      .join('\n'),
  );
}

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  const end = Date.now() + 5000;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a session demoted from the admin groups', () => {
  let admin: ApiSession;
  beforeEach(async () => {
    admin = await openApiSession(t.app, 'admin', testPasswords.admin);
  });

  it('stops creating accounts and stops receiving account rows at once (through the core)', async () => {
    const demoted = await promoteAndLogIn();
    expect((await newAccount(demoted, 'madebyadmin')).statusCode).toBe(201);
    const socket = await follow(demoted, ['accounts']);
    await socket.waitFor(() => socket.messages.find((m) => m.target === 'accounts-counts'), 'the accounts snapshot');
    const dashboard = await follow(admin, ['sessions']);
    await dashboard.waitFor(() => dashboard.messages.find((m) => m.target === 'sessions'), 'the sessions snapshot');

    await accounts().removeMember('licorn-wmi', 'dnguyen');
    const refused = await newAccount(demoted, 'madeafter');
    expect(refused.statusCode).toBe(403);
    expect(accounts().getAccount('madeafter')).toBeNull();
    const me = (await whoAmI(demoted)).json();
    expect(me).toMatchObject({ login: 'dnguyen', isAdmin: false });
    // Admins watching who is logged in see the row lose its "admin" badge.
    const row = await dashboard.waitFor(
      () => dashboard.messages.find((m) => m.action === 'replace' && m.html?.includes('dnguyen')),
      'the row',
    );
    expect(row.html).not.toContain('badge');
    // The socket is closed: the page reconnects as what it now is.
    await socket.waitFor(() => socket.closeCode === 4401, 'the socket closed');
    const received = socket.messages.length;
    await callApi(t.app, admin, 'PATCH', '/api/v1/accounts/madebyadmin', {
      version: accounts().getAccount('madebyadmin')!.version,
      fullName: 'After The Demotion',
    });
    expect(socket.messages.slice(received)).toEqual([]);
    // A new socket of the same session may no longer follow accounts.
    const again = await follow(demoted, ['accounts']);
    await again.waitFor(() => again.messages.find((m) => m.action === 'notify'), 'the refusal');
    expect(again.frames.join('')).not.toContain('account-row');
    await accounts().deleteAccount('madebyadmin', 'keep');
  });

  it('is downgraded when the group file is edited in a shell', async () => {
    const demoted = await promoteAndLogIn();
    await editLine('group', 'licorn-wmi:', (line) => line.replace(/dnguyen,?/, '').replace(/,$/, ''));
    await editLine('gshadow', 'licorn-wmi:', (line) => line.replace(/dnguyen,?/, '').replace(/,$/, ''));
    await waitFor(async () => !accounts().getAccount('dnguyen')!.groups.includes('licorn-wmi'), 'the watcher');
    expect((await newAccount(demoted, 'madeaftershell')).statusCode).toBe(403);
    expect((await whoAmI(demoted)).json().isAdmin).toBe(false);
  });
});

describe('a session whose account changes', () => {
  it('ends when the account is locked, and its socket closes', async () => {
    const session = await promoteAndLogIn();
    const socket = await follow(session, ['accounts']);
    await socket.waitFor(() => socket.messages.length > 0, 'a snapshot');
    await accounts().setLocked('dnguyen', true);
    expect((await whoAmI(session)).statusCode).toBe(401);
    await socket.waitFor(() => socket.closeCode === 4401, 'the socket closed');
    await accounts().setLocked('dnguyen', false);
    // Unlocking does not bring the session back.
    expect((await whoAmI(session)).statusCode).toBe(401);
  });

  it('ends when the account is locked in a shell (usermod -L)', async () => {
    const session = await promoteAndLogIn();
    await run('usermod', ['--prefix', t.sandbox.root, '-L', 'dnguyen']);
    await waitFor(async () => accounts().getAccount('dnguyen')!.locked, 'the watcher');
    expect((await whoAmI(session)).statusCode).toBe(401);
    await run('usermod', ['--prefix', t.sandbox.root, '-U', 'dnguyen']);
    await waitFor(async () => !accounts().getAccount('dnguyen')!.locked, 'the watcher');
  });

  it('ends when the account expires', async () => {
    const session = await promoteAndLogIn();
    await accounts().setExpiry('dnguyen', Math.floor(Date.now() / 86_400_000) - 1);
    expect((await whoAmI(session)).statusCode).toBe(401);
    expect((await newAccount(session, 'madeexpired')).statusCode).toBe(401);
    await accounts().setExpiry('dnguyen', null);
  });

  it('ends, every one of them, when someone else sets the password', async () => {
    const first = await promoteAndLogIn();
    const second = await openApiSession(t.app, 'dnguyen', testPasswords.dnguyen);
    await accounts().setPassword('dnguyen', 'Other-pass-5678');
    expect((await whoAmI(first)).statusCode).toBe(401);
    expect((await whoAmI(second)).statusCode).toBe(401);
    await accounts().setPassword('dnguyen', testPasswords.dnguyen);
  });

  it('ends when the password is set in a shell (usermod -p), even to the same password', async () => {
    const session = await promoteAndLogIn();
    const { stdout: hash } = await run('perl', [
      '-e',
      'print crypt($ARGV[0], q($6$shellsalt$))',
      testPasswords.dnguyen,
    ]);
    await run('usermod', ['--prefix', t.sandbox.root, '-p', hash, 'dnguyen']);
    await waitFor(async () => (await whoAmI(session)).statusCode === 401, 'the session to end');
    // The password still works: only the session ended.
    expect((await whoAmI(await openApiSession(t.app, 'dnguyen', testPasswords.dnguyen))).statusCode).toBe(200);
  });

  it('ends when the account is deleted, and a new account of the same name does not inherit it', async () => {
    await accounts().createAccount({
      login: 'shortlived',
      password: 'Short-lived-123',
      createHome: false,
      groups: ['licorn-wmi'],
    });
    const session = await openApiSession(t.app, 'shortlived', 'Short-lived-123');
    expect((await whoAmI(session)).json().isAdmin).toBe(true);
    await accounts().deleteAccount('shortlived', 'keep');
    await accounts().createAccount({
      login: 'shortlived',
      password: 'Short-lived-123',
      createHome: false,
      groups: ['licorn-wmi'],
    });
    expect((await whoAmI(session)).statusCode).toBe(401);
    expect((await newAccount(session, 'madebyghost')).statusCode).toBe(401);
    await accounts().deleteAccount('shortlived', 'keep');
  });
});
