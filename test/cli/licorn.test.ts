import { chmod, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { startLicornd, useLicorndDirectory } from '../helpers/licornd-process.ts';
import { getLicornCommand, runLicorn, type LicornOptions, type RunAs } from '../helpers/licorn-command.ts';
import { startTmux, waitForScreen } from '../helpers/tmux.ts';
import { waitUntil } from '../helpers/wait-until.ts';
import { HttpsClient } from '../helpers/https-client.ts';

// `licorn` as shipped (bin/licorn.js → dist/cli/licorn.js) against a sandbox licornd through
// its local socket: root is an admin by its uid, a sandbox account's uid (setpriv) is that
// account. Every verb, the API's JSON, the exit statuses 0, 1 and 2.
const daemonDir = useLicorndDirectory('licorn-cli-');
let socket = '';
let root = '';
let member: RunAs = null;
let url = '';
let adminPassword = '';

beforeAll(async () => {
  // The test's directory is 0700: an account's uid must reach the socket inside it.
  await chmod(daemonDir.dir(), 0o755);
  const daemon = startLicornd(daemonDir.base());
  url = await daemon.listening();
  adminPassword = /log in as "admin" with password "([^"]+)"/.exec(daemon.output())![1]!;
  root = join(daemonDir.dir(), 'demo');
  socket = join(daemonDir.dir(), 'licornd.sock');
  await waitUntil(() => existsSync(socket), 'the local socket');
  const passwd = await readFile(join(root, 'etc/passwd'), 'utf8');
  const [, , uid, gid] = passwd
    .split('\n')
    .find((line) => line.startsWith('dnguyen:'))!
    .split(':');
  member = { uid: Number(uid), gid: Number(gid) };
});

const licorn = (args: string[], options: LicornOptions = {}) => runLicorn(socket, args, options);
const readPasswd = () => readFile(join(root, 'etc/passwd'), 'utf8');

describe('the command line', () => {
  it('has --help on every verb (exit 0), and a command line it cannot understand exits 2', async () => {
    const verbs = [
      [],
      ['get'],
      ['get', 'users'],
      ['get', 'groups'],
      ['get', 'volumes'],
      ['get', 'status'],
      ['get', 'events'],
      ['get', 'inside'],
      ['add', 'user'],
      ['add', 'group'],
      ['mod', 'user'],
      ['mod', 'group'],
      ['del', 'user'],
      ['del', 'group'],
    ];
    const helps = await Promise.all(verbs.map((verb) => licorn([...verb, '--help'])));
    helps.forEach((help, index) => {
      expect(help.code, verbs[index]!.join(' ')).toBe(0);
      expect(help.stdout).toMatch(/^Usage: licorn/);
    });
    expect((await licorn(['add', 'user', '--help'])).stdout).toContain('--password-stdin');
    expect((await licorn(['del', 'user', '--help'])).stdout).toContain('--end-processes');
    const misuses = [
      ['frobnicate'],
      ['get'],
      ['get', 'users', '--nope'],
      ['add', 'user'],
      ['mod', 'user', 'dnguyen', '--expiry', '2026-02-30'],
      ['mod', 'user', 'dnguyen'],
      ['mod', 'user', 'dnguyen', '--lock', '--unlock'],
      ['del', 'user', 'dnguyen', '--home', 'burn'],
      ['add', 'user', 'someone', '--uid', '0x10'],
      ['--url', 'http://localhost:3356', 'get', 'users'],
    ];
    const results = await Promise.all(misuses.map((args) => licorn(args)));
    results.forEach((result, index) => {
      expect(result.code, misuses[index]!.join(' ')).toBe(2);
      expect(result.stderr).not.toBe('');
    });
    // Nothing was changed by any of them.
    expect(await readPasswd()).not.toMatch(/^someone:/m);
  });

  it('says so when no daemon answers (exit 1)', async () => {
    const result = await runLicorn(join(daemonDir.dir(), 'none.sock'), ['get', 'users']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Cannot reach licornd at .*none\.sock: no such socket/);
  });
});

describe('get', () => {
  it("prints the API's JSON with --json, system accounts with -a, and a plain table without", async () => {
    const users = await licorn(['get', 'users', '--json']);
    expect(users.code).toBe(0);
    const { accounts } = JSON.parse(users.stdout) as { accounts: { login: string; system: boolean }[] };
    expect(accounts.map((account) => account.login)).toContain('dnguyen');
    expect(accounts.some((account) => account.system)).toBe(false);
    const all = JSON.parse((await licorn(['get', 'users', '-a', '--json'])).stdout) as typeof users & {
      accounts: { system: boolean }[];
    };
    expect(all.accounts.some((account) => account.system)).toBe(true);

    const one = await licorn(['get', 'user', 'dnguyen', '--json']);
    expect(JSON.parse(one.stdout)).toMatchObject({ login: 'dnguyen', fullName: 'David Nguyen' });
    const table = await licorn(['get', 'users']);
    expect(table.stdout.split('\n')[0]).toMatch(/^Login +Full name +UID/);
    expect(table.stdout).toMatch(/^dnguyen +David Nguyen +\d+/m);
    expect(table.stdout).not.toContain('\u001b[');
  });

  it('shows groups with their roles, and volumes', async () => {
    const { groups } = JSON.parse((await licorn(['get', 'groups', '--json'])).stdout) as {
      groups: { name: string; members: string[] }[];
    };
    expect(groups.find((group) => group.name === 'developers')?.members).toContain('dnguyen');
    const record = await licorn(['get', 'group', 'developers']);
    expect(record.stdout).toMatch(/^Responsibles: +blefevre$/m);
    const volumes = await licorn(['get', 'volumes', '-a', '--json']);
    expect(volumes.code).toBe(0);
    expect(Array.isArray(JSON.parse(volumes.stdout).volumes)).toBe(true);
  });

  it('names what the daemon refuses (exit 1): an unknown account, its field', async () => {
    const missing = await licorn(['get', 'user', 'nobodyhere']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('licorn: No account named "nobodyhere" (field: login)\n');
  });

  it("says the daemon's refusals in the terminal's language (LANG, LC_MESSAGES, LC_ALL)", async () => {
    const french = await licorn(['get', 'user', 'nobodyhere'], { env: { LANG: 'fr_FR.UTF-8' } });
    expect(french.code).toBe(1);
    expect(french.stderr).toBe('licorn: Aucun compte nommé «\u00a0nobodyhere\u00a0» (field: login)\n');
    // LC_ALL wins over LANG, and C is English.
    const c = await licorn(['get', 'user', 'nobodyhere'], { env: { LANG: 'fr_FR.UTF-8', LC_ALL: 'C' } });
    expect(c.stderr).toBe('licorn: No account named "nobodyhere" (field: login)\n');
    // A refusal of the core with words nested in it.
    const name = await licorn(['add', 'user', 'Jean', '--no-password'], { env: { LC_MESSAGES: 'fr_CA.UTF-8' } });
    expect(name.code).toBe(1);
    expect(name.stderr).toContain(
      '«\u00a0Jean\u00a0» n’est pas valable pour l’identifiant (il contient des majuscules)',
    );
  });
});

describe('add, mod, del', () => {
  it('refuse a password on standard input longer than 4096 bytes (exit 2), the account unchanged', async () => {
    const before = await readFile(join(root, 'etc/shadow'), 'utf8');
    const long = await licorn(['mod', 'user', 'dnguyen', '--password-stdin'], { input: `${'x'.repeat(5000)}\n` });
    expect(long.code).toBe(2);
    expect(long.stderr).toBe('licorn: the password on standard input is longer than 4096 bytes\n');
    expect(await readFile(join(root, 'etc/shadow'), 'utf8')).toBe(before);
  });

  it('change accounts with the same rules, messages and audit as the browser', async () => {
    const added = await licorn(
      ['add', 'user', 'clibob', '--full-name', 'Bob Cli', '--groups', 'developers', '--password-stdin', '--json'],
      { input: 'Bob-pass-2345!\n' },
    );
    expect(added.code, added.stderr).toBe(0);
    const created = JSON.parse(added.stdout) as {
      account: { login: string; groups: string[] };
      generatedPassword: unknown;
    };
    expect(created.account).toMatchObject({ login: 'clibob', groups: ['developers'] });
    expect(created.generatedPassword ?? null).toBeNull();
    expect(await readPasswd()).toMatch(/^clibob:x:\d+:\d+:Bob Cli,/m);

    const again = await licorn(['add', 'user', 'clibob']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/clibob.*\(field: login\)\n$/);
    const badShell = await licorn(['mod', 'user', 'clibob', '--shell', '/bin/nope']);
    expect(badShell.code).toBe(1);
    expect(badShell.stderr).toMatch(/^licorn: Invalid shell "\/bin\/nope".*\(field: shell\)\n$/);

    const changed = await licorn(['mod', 'user', 'clibob', '--shell', '/bin/sh', '--lock', '--json']);
    expect(changed.code, changed.stderr).toBe(0);
    expect(JSON.parse(changed.stdout)).toMatchObject({ shell: '/bin/sh', locked: true });

    const audit = (await readFile(join(daemonDir.dir(), 'log/audit.log'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { action: string; target: string; outcome: string; detail?: string });
    expect(audit.filter((entry) => entry.target === 'clibob').map((entry) => [entry.action, entry.outcome])).toEqual([
      ['account-create', 'done'],
      ['account-create', 'refused'],
      ['account-modify', 'refused'],
      ['account-modify', 'done'],
    ]);

    const deleted = await licorn(['del', 'user', 'clibob', '--keep-home', '--json']);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(JSON.parse(deleted.stdout).home.action).toBe('keep');
    expect(await readPasswd()).not.toMatch(/^clibob:/m);
    await stat(join(root, 'home/clibob'));
  });

  it('change groups and their roles', async () => {
    const added = await licorn(['add', 'group', 'cligroup', '--description', 'Made on the command line', '--json']);
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ name: 'cligroup', description: 'Made on the command line' });
    const roles = await licorn([
      'mod',
      'group',
      'cligroup',
      '--member',
      'dnguyen',
      '--responsible',
      'blefevre',
      '--json',
    ]);
    expect(roles.code, roles.stderr).toBe(0);
    expect(JSON.parse(roles.stdout)).toMatchObject({ members: ['dnguyen'], responsibles: ['blefevre'] });
    const renamed = await licorn(['mod', 'group', 'cligroup', '--new-name', 'cligroup2', '--permissive']);
    expect(renamed.code, renamed.stderr).toBe(0);
    expect(renamed.stdout).toMatch(/^Name: +cligroup2$/m);
    expect((await licorn(['del', 'group', 'cligroup'])).code).toBe(1);
    const deleted = await licorn(['del', 'group', 'cligroup2']);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toMatch(/^Deleted group cligroup2/);
  });

  it("refuse, even to root, to delete or rename the groups the interface never deletes (core's reason)", async () => {
    const made = await licorn(['add', 'group', 'clisys', '--system']);
    expect(made.code, made.stderr).toBe(0);
    const groupFile = () => readFile(join(root, 'etc/group'), 'utf8');
    const before = await groupFile();
    const cases: [string, RegExp][] = [
      ['admins', /^licorn: The group "admins" is protected and cannot be deleted: its members administer the machine/],
      ['users', /^licorn: The group "users" is protected and cannot be deleted/],
      ['rsp-developers', /^licorn: The group "rsp-developers" holds the responsibles of the group developers/],
      ['clisys', /^licorn: The group "clisys" is a system group \(GID \d+\), which packages and services rely on/],
    ];
    for (const [name, message] of cases) {
      const refused = await licorn(['del', 'group', name]);
      expect(refused.code, name).toBe(1);
      expect(refused.stderr, name).toMatch(message);
      expect(refused.stderr, name).toMatch(/\(field: name\)\n$/);
    }
    // Nor renames them: the same groups, the core's words for a rename.
    const renames: [string, RegExp][] = [
      ['acl', /^licorn: The group "acl" is protected and cannot be renamed: it owns every group's shared directory/],
      ['rsp-developers', /^licorn: The group "rsp-developers" holds the responsibles of the group developers: rename/],
      ['clisys', /^licorn: The group "clisys" is a system group \(GID \d+\), .* it is never renamed through/],
    ];
    for (const [name, message] of renames) {
      const refused = await licorn(['mod', 'group', name, '--new-name', `zz${name}`]);
      expect(refused.code, name).toBe(1);
      expect(refused.stderr, name).toMatch(message);
      expect(refused.stderr, name).toMatch(/\(field: name\)\n$/);
    }
    expect(await groupFile()).toBe(before);
  });
});

describe('an account that is not an admin', () => {
  it('is refused the admin verbs and sees its own account', async () => {
    const own = await licorn(['get', 'user', 'dnguyen', '--json'], { as: member });
    expect(own.code, own.stderr).toBe(0);
    expect(JSON.parse(own.stdout).login).toBe('dnguyen');
    const refused = [
      ['get', 'users'],
      ['get', 'user', 'admin'],
      ['get', 'groups'],
      ['get', 'status'],
      ['add', 'user', 'sneaky'],
      ['mod', 'user', 'dnguyen', '--groups', 'admins'],
      ['del', 'user', 'admin'],
    ];
    const results = await Promise.all(refused.map((args) => licorn(args, { as: member })));
    results.forEach((result, index) => {
      expect(result.code, refused[index]!.join(' ')).toBe(1);
      expect(result.stderr).toMatch(/^licorn: .*dnguyen/);
    });
    expect(await readPasswd()).not.toMatch(/^sneaky:/m);
    expect(await readPasswd()).toMatch(/^admin:/m);
  });
});

describe('a remote daemon (--url)', () => {
  const remote = () => ['--url', url, '--ca', join(daemonDir.dir(), 'certs/licorn.crt')];

  it('is reached with a token from LICORN_TOKEN, its certificate trusted with --ca only', async () => {
    const client = new HttpsClient(url);
    try {
      const session = await client.fetch('/api/v1/session', {
        method: 'POST',
        type: 'application/json',
        body: JSON.stringify({ login: 'admin', password: adminPassword }),
      });
      expect(session.status, session.body).toBe(200);
      const { csrfToken } = JSON.parse(session.body) as { csrfToken: string };
      const made = await client.fetch('/api/v1/tokens', {
        method: 'POST',
        type: 'application/json',
        headers: { 'x-csrf-token': csrfToken },
        body: JSON.stringify({ name: 'licorn test' }),
      });
      expect(made.status, made.body).toBe(201);
      const { token } = JSON.parse(made.body) as { token: string };
      const env = { LICORN_TOKEN: token };
      const users = await licorn([...remote(), 'get', 'users', '--json'], { env });
      expect(users.code, users.stderr).toBe(0);
      expect((JSON.parse(users.stdout) as { accounts: { login: string }[] }).accounts.length).toBeGreaterThan(30);
      const added = await licorn([...remote(), 'add', 'user', 'remotebob', '--no-password', '--json'], { env });
      expect(added.code, added.stderr).toBe(0);
      expect(await readPasswd()).toMatch(/^remotebob:/m);
      const untrusted = await licorn(['--url', url, 'get', 'users'], { env });
      expect(untrusted.code).toBe(1);
      expect(untrusted.stderr).toMatch(/^licorn: Cannot reach licornd at https:\/\/127\.0\.0\.1:\d+: .*certificate/);
      const wrongToken = await licorn([...remote(), 'get', 'users'], { env: { LICORN_TOKEN: 'licorn_nope' } });
      expect(wrongToken.code).toBe(1);
    } finally {
      client.close();
    }
  });

  it('asks a login and a password on the terminal, the password never shown', async () => {
    const command = getLicornCommand(socket, [...remote(), 'get', 'user', 'admin', '--json']);
    const terminal = await startTmux(`licorn-test-login-${process.pid}`, command);
    try {
      await waitForScreen(
        terminal,
        (screen) => /Login on https:\/\/127\.0\.0\.1:\d+:\s*$/m.test(screen),
        'the login prompt',
      );
      await terminal.sendKeys('admin', 'Enter');
      await waitForScreen(terminal, (screen) => /^Password:\s*$/m.test(screen), 'the password prompt');
      await terminal.sendKeys('-l', adminPassword);
      await terminal.sendKeys('Enter');
      const screen = await waitForScreen(terminal, (text) => text.includes('EXITED:'), 'the answer');
      expect(screen).toContain('EXITED:0');
      expect(screen).toContain('"login":"admin"');
      expect(screen).not.toContain(adminPassword);
    } finally {
      await terminal.stop();
    }
  });

  it("says the daemon's refusal of a wrong password (exit 1)", async () => {
    const command = getLicornCommand(socket, [...remote(), 'get', 'users']);
    const terminal = await startTmux(`licorn-test-badlogin-${process.pid}`, command);
    try {
      await waitForScreen(terminal, (screen) => screen.includes('Login on'), 'the login prompt');
      await terminal.sendKeys('admin', 'Enter');
      await waitForScreen(terminal, (screen) => /^Password:\s*$/m.test(screen), 'the password prompt');
      await terminal.sendKeys('-l', 'not-the-password');
      await terminal.sendKeys('Enter');
      const screen = await waitForScreen(terminal, (text) => text.includes('EXITED:'), 'the refusal');
      expect(screen).toContain('licorn: Login or password incorrect. (field: password)');
      expect(screen).toContain('EXITED:1');
    } finally {
      await terminal.stop();
    }
  });
});
