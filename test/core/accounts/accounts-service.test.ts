import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsSandbox, run, type AccountsSandbox } from '../../helpers/accounts-sandbox.ts';

let s: AccountsSandbox;
beforeAll(async () => {
  s = await createAccountsSandbox();
});
afterAll(() => s.remove());

const perlVerifies = async (password: string, hash: string) =>
  (await run('perl', ['-e', 'print crypt($ARGV[0], $ARGV[1]) eq $ARGV[1] ? "yes" : "no"', password, hash])).stdout ===
  'yes';
const shadowHash = async (login: string) =>
  (await readFile(join(s.root, 'etc/shadow'), 'utf8'))
    .split('\n')
    .find((line) => line.startsWith(`${login}:`))!
    .split(':')[1]!;

describe('AccountsService on real files, with shadow-utils as peers', () => {
  it('creates an account that pwck/grpck accept and usermod/userdel handle', async () => {
    const { account, generatedPassword } = await s.service.createAccount({
      login: 'newbie',
      fullName: 'Nouvel Arrivé',
      groups: ['developers'],
    });
    expect(account).toMatchObject({
      login: 'newbie',
      fullName: 'Nouvel Arrivé',
      primaryGroup: 'users',
      groups: ['developers'],
      home: '/home/newbie',
      shell: '/bin/bash',
      locked: false,
    });
    expect(account.uid).toBeGreaterThanOrEqual(1000);
    expect(generatedPassword).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(await perlVerifies(generatedPassword!, await shadowHash('newbie'))).toBe(true);
    await run('pwck', ['-r', '-q', '-R', s.root]);
    await run('grpck', ['-r', '-q', '-R', s.root]);

    const home = join(s.root, 'home/newbie');
    expect((await stat(home)).mode & 0o777).toBe(0o700);
    expect(await readdir(home)).toEqual(expect.arrayContaining(['.bashrc', '.profile']));

    await run('usermod', ['--prefix', s.root, '-c', 'Changed By Usermod', 'newbie']);
    await s.waitForEvent(
      (e) => e.name === 'account-changed' && (e.data as { login: string }).login === 'newbie',
      'the usermod change',
    );
    expect(s.service.getAccount('newbie')!.fullName).toBe('Changed By Usermod');
    await run('userdel', ['--prefix', s.root, 'newbie']);
    await s.waitForEvent(
      (e) => e.name === 'account-removed' && (e.data as { login: string }).login === 'newbie',
      'the userdel removal',
    );
    expect(s.service.getAccount('newbie')).toBeNull();
  });

  it('reports accounts and groups made by useradd and groupadd as events, once', async () => {
    await run('groupadd', ['--prefix', s.root, 'shellgroup']);
    await run('useradd', ['--prefix', s.root, '-M', '-c', 'From A Shell', '-G', 'shellgroup', 'fromshell']);
    await s.waitForEvent(
      (e) => e.name === 'account-added' && (e.data as { login: string }).login === 'fromshell',
      'account-added',
    );
    await s.waitForEvent(
      (e) => e.name === 'group-added' && (e.data as { name: string }).name === 'shellgroup',
      'group-added',
    );
    expect(s.service.getAccount('fromshell')).toMatchObject({ fullName: 'From A Shell', groups: ['shellgroup'] });
    await run('usermod', ['--prefix', s.root, '-aG', 'support', 'fromshell']);
    const change = await s.waitForEvent(
      (e) => e.name === 'group-members-changed' && (e.data as { name: string }).name === 'support',
      'members changed',
    );
    expect(change).toMatchObject({ facility: 'groups', data: { name: 'support', added: ['fromshell'], removed: [] } });
  });

  it('reports its own writes exactly once', async () => {
    const before = s.events.length;
    await s.service.createAccount({ login: 'once', password: 'Once-upon-1', createHome: false });
    // A marker change from outside: once its event is in, the watcher has also processed
    // (and found nothing new in) the notifications of our own write.
    await run('groupadd', ['--prefix', s.root, 'marker-once']);
    await s.waitForEvent(
      (e) => e.name === 'group-added' && (e.data as { name: string }).name === 'marker-once',
      'the marker',
    );
    const added = s.events.slice(before).filter((e) => e.name === 'account-added');
    expect(added.map((e) => (e.data as { login: string }).login)).toEqual(['once']);
  });

  it('locks, unlocks, sets passwords perl verifies, forces a change and sets the expiry', async () => {
    await s.service.createAccount({ login: 'lifecycle', password: 'First-pass-1', createHome: false });
    await s.service.setLocked('lifecycle', true);
    expect(await shadowHash('lifecycle')).toMatch(/^!\$y\$/);
    expect(s.service.getAccount('lifecycle')!.locked).toBe(true);
    await s.service.setLocked('lifecycle', false);
    expect(s.service.getAccount('lifecycle')!.locked).toBe(false);
    await s.service.setPassword('lifecycle', 'Second-pass-2');
    expect(await perlVerifies('Second-pass-2', await shadowHash('lifecycle'))).toBe(true);
    await s.service.forcePasswordChange('lifecycle');
    await s.service.setExpiry('lifecycle', 21000);
    const line = (await readFile(join(s.root, 'etc/shadow'), 'utf8'))
      .split('\n')
      .find((l) => l.startsWith('lifecycle:'))!;
    expect(line.split(':')[2]).toBe('0');
    expect(line.split(':')[7]).toBe('21000');
    // chage, a shadow-utils peer, reads what we wrote.
    const { stdout } = await run('chage', ['-R', s.root, '-l', 'lifecycle'], { env: { ...process.env, LC_ALL: 'C' } });
    expect(stdout).toMatch(/Password expires\s*:\s*password must be changed/);
  });

  it('modifies UID, primary group and groups as usermod does, re-owning the home', async () => {
    const { writeFile, lchown } = await import('node:fs/promises');
    const { account } = await s.service.createAccount({ login: 'mover', password: null, groups: ['support'] });
    const home = join(s.root, 'home/mover');
    // A file of another owner inside the home keeps its owner, as with usermod.
    await writeFile(join(home, 'foreign'), '');
    await lchown(join(home, 'foreign'), 0, 0);
    const developers = s.service.getGroup('developers')!;
    const changed = await s.service.modifyAccount('mover', {
      uid: 4321,
      primaryGroup: 'developers',
      groups: ['admins'],
      shell: '/bin/sh',
    });
    expect(changed).toMatchObject({
      uid: 4321,
      gid: developers.gid,
      primaryGroup: 'developers',
      groups: ['admins'],
      shell: '/bin/sh',
    });
    expect(s.service.getGroup('support')!.members).not.toContain('mover');
    expect((await stat(home)).uid).toBe(4321);
    expect(await stat(join(home, '.bashrc'))).toMatchObject({ uid: 4321, gid: developers.gid });
    expect(await stat(join(home, 'foreign'))).toMatchObject({ uid: 0, gid: 0 });
    expect(account.uid).not.toBe(4321);
    await run('pwck', ['-r', '-q', '-R', s.root]);
    await run('grpck', ['-r', '-q', '-R', s.root]);
    // usermod, the peer, reads back what we wrote.
    const { stdout } = await run('grep', ['^mover:', join(s.root, 'etc/passwd')]);
    expect(stdout.trim()).toBe(`mover:x:4321:${developers.gid}::/home/mover:/bin/sh`);
    // Only an event after usermod counts: our own change above emitted one for mover too.
    const seen = s.events.length;
    await run('usermod', ['--prefix', s.root, '-u', '4322', 'mover']);
    await s.waitForEvent(
      (e) =>
        s.events.indexOf(e) >= seen && e.name === 'account-changed' && (e.data as { login: string }).login === 'mover',
      'the usermod -u change',
    );
    expect(s.service.getAccount('mover')!.uid).toBe(4322);
  });

  it("refuses a UID out of the kind's range or taken, and a missing group, changing nothing", async () => {
    const before = await s.digestEtc();
    await expect(s.service.modifyAccount('dnguyen', { uid: 42 })).rejects.toMatchObject({
      code: 'invalid-argument',
      field: 'uid',
      message: expect.stringContaining('standard accounts'),
    });
    const taken = s.service.getAccount('adurand')!.uid;
    await expect(s.service.modifyAccount('dnguyen', { uid: taken })).rejects.toMatchObject({
      code: 'already-exists',
      field: 'uid',
    });
    await expect(s.service.modifyAccount('dnguyen', { primaryGroup: 'nope' })).rejects.toMatchObject({
      code: 'not-found',
      field: 'primaryGroup',
    });
    await expect(s.service.modifyAccount('dnguyen', { groups: ['support', 'nope'] })).rejects.toMatchObject({
      field: 'groups',
    });
    await expect(s.service.modifyAccount('dnguyen', { expiry: -5 })).rejects.toMatchObject({ field: 'expiry' });
    expect(await s.digestEtc()).toBe(before);
  });

  it('modifies many accounts in one transaction, or none when a row is refused', async () => {
    const logins = ['bulkmod1', 'bulkmod2', 'bulkmod3'];
    await s.service.createAccounts(logins.map((login) => ({ login, password: 'Bulk-mod-pass-1', createHome: false })));
    const before = await s.digestEtc();
    await expect(
      s.service.modifyAccounts([
        { login: 'bulkmod1', locked: true },
        { login: 'bulkmod2', shell: '/bin/nope' },
      ]),
    ).rejects.toMatchObject({ field: 'accounts.1.shell', message: expect.stringContaining('Row 2') });
    expect(await s.digestEtc()).toBe(before);
    const changed = await s.service.modifyAccounts(
      logins.map((login) => ({ login, locked: true, expiry: 22000, fullName: `Bulk ${login}` })),
    );
    expect(changed.map((a) => [a.locked, a.fullName])).toEqual(logins.map((login) => [true, `Bulk ${login}`]));
    const shadow = await readFile(join(s.root, 'etc/shadow'), 'utf8');
    for (const login of logins) expect(shadow).toMatch(new RegExp(`^${login}:![^:]+:\\d+:0:99999:7::22000:$`, 'm'));
  });

  it('deletes an account, archiving its home and leaving its groups', async () => {
    await s.service.createAccount({ login: 'leaver', password: 'Leaving-now-1', groups: ['support'] });
    const { archive } = await s.service.deleteAccount('leaver');
    expect(archive).toMatch(/^\/home\/archives\/leaver\.deleted\.\d{8}-\d{6}$/);
    expect(await readdir(join(s.root, archive!))).toContain('.bashrc');
    expect(s.service.getGroup('support')!.members).not.toContain('leaver');
    expect(await readFile(join(s.root, 'etc/gshadow'), 'utf8')).not.toMatch(/leaver/);
  });

  it('manages groups and refuses deleting protected or primary groups with a reason', async () => {
    const group = await s.service.createGroup({ name: 'projects' });
    expect(group.gid).toBeGreaterThanOrEqual(10000);
    await s.service.addMember('projects', 'dnguyen');
    expect(s.service.getGroup('projects')!.members).toEqual(['dnguyen']);
    await s.service.removeMember('projects', 'dnguyen');
    await s.service.deleteGroup('projects');
    await expect(s.service.deleteGroup('admins')).rejects.toMatchObject({ code: 'permission-denied', field: 'name' });
    await expect(s.service.deleteGroup('users', { allowProtected: true })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('primary group of'),
    });
    await run('grpck', ['-r', '-q', '-R', s.root]);
  });

  it('shares a UID only when asked, as useradd -o', async () => {
    await expect(
      s.service.createAccount({ login: 'twin', uid: 1001, password: null, createHome: false }),
    ).rejects.toMatchObject({ field: 'uid' });
    const { account } = await s.service.createAccount({
      login: 'twin',
      uid: 1001,
      allowDuplicateUid: true,
      password: null,
      createHome: false,
    });
    expect(account.uid).toBe(1001);
    await run('pwck', ['-r', '-q', '-R', s.root]);
  });

  it('never follows a symlink out of the home when creating or deleting it', async () => {
    const { mkdir, symlink, writeFile } = await import('node:fs/promises');
    const outside = join(s.root, '..', 'outside');
    await mkdir(outside, { recursive: true });
    await writeFile(join(outside, 'precious'), 'keep');
    // A skeleton holding a link to elsewhere: copied as a link, not as what it points to.
    await symlink(outside, join(s.root, 'etc/skel/link-out'));
    await s.service.createAccount({ login: 'linky', password: null });
    const { lstat: lstatOf, readlink } = await import('node:fs/promises');
    expect((await lstatOf(join(s.root, 'home/linky/link-out'))).isSymbolicLink()).toBe(true);
    expect(await readlink(join(s.root, 'home/linky/link-out'))).toBe(outside);
    await s.service.deleteAccount('linky', 'remove');
    expect(await readFile(join(outside, 'precious'), 'utf8')).toBe('keep');
    // A home path through a symlinked directory that leaves the root is refused.
    await symlink(outside, join(s.root, 'home/escape'));
    const before = await s.digestEtc();
    await expect(
      s.service.createAccount({ login: 'escaper', home: '/home/escape/escaper', password: null }),
    ).rejects.toMatchObject({ field: 'home', message: expect.stringContaining('outside') });
    expect(s.service.getAccount('escaper')).toBeNull();
    expect(await s.digestEtc()).toBe(before);
    // Another account's home, or a directory already there, is refused before anything is written, too.
    await expect(
      s.service.createAccount({ login: 'adurand2', home: '/home/adurand', password: null }),
    ).rejects.toMatchObject({
      code: 'invalid-argument',
      field: 'home',
      message: expect.stringContaining('home of adurand'),
    });
    await mkdir(join(s.root, 'home/leftover'));
    await expect(s.service.createAccount({ login: 'leftover', password: null })).rejects.toMatchObject({
      code: 'already-exists',
      field: 'home',
    });
    expect(await s.digestEtc()).toBe(before);
  });

  it('counts standard and system accounts and groups', () => {
    const counts = s.service.getCounts();
    expect(counts.accounts).toBe(s.service.listAccounts().filter((a) => !a.system).length);
    expect(counts.systemAccounts).toBeGreaterThan(10);
    expect(counts.groups + counts.systemGroups).toBe(s.service.listGroups().length);
  });

  it('keeps the list of accounts until the files change, by itself or from a shell', async () => {
    const first = s.service.listAccounts();
    expect(s.service.listAccounts()).toBe(first);
    await s.service.modifyAccounts([{ login: 'dnguyen', locked: true }]);
    const afterLock = s.service.listAccounts();
    expect(afterLock).not.toBe(first);
    expect(afterLock.find((account) => account.login === 'dnguyen')?.locked).toBe(true);
    await run('useradd', ['--prefix', s.root, '-M', '-c', 'Listed Later', 'listedlater']);
    await s.waitForEvent(
      (event) => event.name === 'account-added' && (event.data as { login: string }).login === 'listedlater',
      'the added account',
    );
    expect(s.service.listAccounts().find((account) => account.login === 'listedlater')?.fullName).toBe('Listed Later');
    // The kept views are read-only: a caller cannot change what the next one reads.
    expect(() => {
      (s.service.listAccounts()[0] as { fullName: string }).fullName = 'changed';
    }).toThrow(TypeError);
  });
});
