import { chmod, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsSandbox, run, type AccountsSandbox } from '../../helpers/accounts-sandbox.ts';
import { createShare } from '../../../server/core/accounts/shared-directories.ts';
import { DirectorySteps } from '../../../server/core/accounts/directory-steps.ts';
import { readSharePermissive } from '../../../server/core/accounts/share-acls.ts';
import { SharesService } from '../../../server/core/shares/shares-service.ts';
import { startNativeShareWatcher } from '../../../server/core/shares/native-share-watcher.ts';

// Real ACLs on a real filesystem, enforced by the kernel: the test acts as sandbox accounts
// with setpriv (their UID and groups), which needs root, as the whole suite does.
// The share's tree follows a permissive switch in the background, through the shares
// service and its watcher, as in licornd.
let s: AccountsSandbox;
let shares: SharesService;
let share: string;
beforeAll(async () => {
  s = await createAccountsSandbox();
  shares = await SharesService.open({
    root: s.root,
    events: s.bus,
    accounts: s.service,
    startWatcher: startNativeShareWatcher,
    warn: () => {},
  });
  await s.service.createGroup({ name: 'aclcrew', description: 'ACL test' });
  share = join(s.root, 'home/groups/aclcrew');
  // The sandbox lives in a 0700 temporary directory: let the accounts reach the share.
  for (let dir = dirname(share); dir.startsWith(dirname(s.root)); dir = dirname(dir)) await chmod(dir, 0o755);
});
afterAll(async () => {
  await shares.close();
  await s.remove();
});

// Switches permissive and waits for the repair of the share's tree to end.
async function setPermissive(permissive: boolean): Promise<void> {
  const since = s.events.length;
  await s.service.setPermissive('aclcrew', permissive);
  const end = await s.waitForEvent(
    (event) =>
      s.events.indexOf(event) >= since &&
      event.name === 'group-share-progress' &&
      (event.data as { done: boolean }).done,
    'the repair of the share',
    30_000,
  );
  expect(end.data).toMatchObject({ name: 'aclcrew', done: true, cancelled: false });
}

const acl = async (path: string) =>
  (await run('getfacl', ['--numeric', '--omit-header', '--absolute-names', path])).stdout;
const gid = (name: string) => s.service.getGroup(name)!.gid;
// Runs `sh -c script` as an account with exactly the groups the accounts' files give it.
async function runAs(login: string, script: string): Promise<boolean> {
  const account = s.service.getAccount(login)!;
  const groups = [account.gid, ...account.groups.map(gid)].join(',');
  try {
    await run('setpriv', [
      `--reuid=${account.uid}`,
      `--regid=${account.gid}`,
      `--groups=${groups}`,
      '--',
      'sh',
      '-c',
      script,
    ]);
    return true;
  } catch {
    return false;
  }
}

describe("shared directories' ACLs", () => {
  it("gives a new standard group's share Licorn's ACL, by GID, owned by the acl group", async () => {
    const text = await acl(share);
    expect(text).toContain(`group:${gid('aclcrew')}:rwx`);
    expect(text).toContain(`group:${gid('rsp-aclcrew')}:rwx`);
    expect(text).toContain(`group:${gid('gst-aclcrew')}:r-x`);
    expect(text).toContain(`group:${gid('admins')}:rwx`);
    expect(text).toContain(`default:group:${gid('aclcrew')}:r-x`);
    expect(text).toMatch(/^other::---$/m);
    const { stdout } = await run('stat', ['-c', '%g %a', share]);
    expect(stdout.trim()).toBe(`${gid('acl')} 3770`);
    expect(await s.service.getPermissive('aclcrew')).toBe(false);
    expect(await s.service.getPermissive('developers')).toBe(true);
    expect(await s.service.getPermissive('users')).toBeNull();
  });

  it('lets guests read, members write their own files only, responsibles write all, outsiders nothing', async () => {
    await s.service.setRole('aclcrew', 'dnguyen', 'member');
    await s.service.setRole('aclcrew', 'hpetit', 'member');
    await s.service.setRole('aclcrew', 'cmartin', 'responsible');
    await s.service.setRole('aclcrew', 'ghenry', 'guest');
    expect(await runAs('dnguyen', `echo mine > ${share}/by-dnguyen`)).toBe(true);
    expect(await runAs('hpetit', `cat ${share}/by-dnguyen`)).toBe(true);
    expect(await runAs('hpetit', `echo theirs >> ${share}/by-dnguyen`)).toBe(false);
    expect(await runAs('cmartin', `echo responsible >> ${share}/by-dnguyen`)).toBe(true);
    expect(await runAs('ghenry', `cat ${share}/by-dnguyen`)).toBe(true);
    expect(await runAs('ghenry', `echo guest > ${share}/by-ghenry`)).toBe(false);
    expect(await runAs('sblanc', `ls ${share}`)).toBe(false);
    expect(await readFile(join(share, 'by-dnguyen'), 'utf8')).toBe('mine\nresponsible\n');
  });

  it("keeps deletes and renames to a file's owner in a non-permissive share (sticky), everywhere", async () => {
    await mkdir(join(share, 'deep'));
    await setPermissive(false);
    const mode = async (path: string) => (await run('stat', ['-c', '%a', path])).stdout.trim();
    expect([await mode(share), await mode(join(share, 'deep'))]).toEqual(['3770', '3770']);
    for (const dir of [share, join(share, 'deep')]) {
      expect(await runAs('dnguyen', `echo mine > ${dir}/kept-by-dnguyen`)).toBe(true);
      expect(await runAs('hpetit', `rm -f ${dir}/kept-by-dnguyen`)).toBe(false);
      expect(await runAs('hpetit', `mv ${dir}/kept-by-dnguyen ${dir}/taken`)).toBe(false);
      expect(await runAs('hpetit', `echo fake > ${dir}/fake && mv -f ${dir}/fake ${dir}/kept-by-dnguyen`)).toBe(false);
      expect(await readFile(join(dir, 'kept-by-dnguyen'), 'utf8')).toBe('mine\n');
      // Their own files stay theirs to delete and rename.
      expect(await runAs('hpetit', `mv ${dir}/fake ${dir}/fake2 && rm ${dir}/fake2`)).toBe(true);
    }
  });

  it('makes the share permissive and back: every file set again, x bits kept, symlinks not followed', async () => {
    await mkdir(join(share, 'sub'));
    await writeFile(join(share, 'sub/tool.sh'), '#!/bin/sh\n', { mode: 0o755 });
    const outside = join(s.root, 'outside.txt');
    await writeFile(outside, 'not in the share\n', { mode: 0o600 });
    await symlink(outside, join(share, 'link-out'));
    const outsideBefore = await acl(outside);
    const seen = s.events.length;

    await setPermissive(true);
    expect(await s.service.getPermissive('aclcrew')).toBe(true);
    expect(await acl(share)).toContain(`default:group:${gid('aclcrew')}:rwx`);
    expect(await acl(join(share, 'by-dnguyen'))).toContain(`group:${gid('aclcrew')}:rw-`);
    expect(await acl(join(share, 'sub/tool.sh'))).toContain(`group:${gid('aclcrew')}:rwx`);
    expect(await acl(outside)).toBe(outsideBefore);
    expect(await runAs('hpetit', `echo theirs >> ${share}/by-dnguyen`)).toBe(true);
    // Permissive: no sticky bit, members delete and rename every file.
    const { stdout: modes } = await run('stat', ['-c', '%a', share, join(share, 'sub')]);
    expect(modes.split('\n')).toEqual(['2770', '2770', '']);
    const deep = join(share, 'deep');
    expect(await runAs('hpetit', `mv ${deep}/kept-by-dnguyen ${deep}/moved && rm ${deep}/moved`)).toBe(true);
    expect(
      s.events
        .slice(seen)
        .some(
          (event) =>
            event.name === 'group-changed' && (event.data as { fields: string[] }).fields.includes('permissive'),
        ),
    ).toBe(true);

    await setPermissive(false);
    expect(await acl(join(share, 'by-dnguyen'))).toContain(`group:${gid('aclcrew')}:r--`);
    expect(await runAs('hpetit', `echo again >> ${share}/by-dnguyen`)).toBe(false);
    expect(await runAs('hpetit', `rm -f ${share}/kept-by-dnguyen`)).toBe(false);
  });

  it('refuses a group without a share, naming the field', async () => {
    await expect(s.service.setPermissive('users', true)).rejects.toMatchObject({
      code: 'invalid-argument',
      field: 'permissive',
    });
    await expect(s.service.setPermissive('nothing-here', true)).rejects.toMatchObject({
      code: 'not-found',
      field: 'name',
    });
  });

  it('still makes a share without the acl tools, warning once, and then knows no permissive flag', async () => {
    const path = process.env.PATH;
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    // No setfacl or getfacl on this PATH, as on a machine without the "acl" package.
    process.env.PATH = '/nonexistent';
    try {
      await createShare(
        s.root,
        new DirectorySteps(),
        'noacl',
        { group: 4242, responsibles: 4243, guests: 4244, admins: null },
        { aclGid: null },
      );
      expect(await readSharePermissive(join(s.root, 'home/groups/noacl'), 4242)).toBeNull();
    } finally {
      process.env.PATH = path;
    }
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    expect(warnings).toEqual([expect.stringContaining('apt-get install acl')]);
    expect((await run('stat', ['-c', '%a', join(s.root, 'home/groups/noacl')])).stdout.trim()).toBe('3770');
  });
});
