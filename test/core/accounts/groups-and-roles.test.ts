import { readFile, readdir, rename, stat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsSandbox, run, type AccountsSandbox } from '../../helpers/accounts-sandbox.ts';

let s: AccountsSandbox;
beforeAll(async () => {
  s = await createAccountsSandbox();
});
afterAll(() => s.remove());

describe('groups with Licorn roles', () => {
  it('creates a standard group with rsp-/gst- helpers and a shared directory', async () => {
    const group = await s.service.createGroup({ name: 'research' });
    expect(group.system).toBe(false);
    expect(s.service.getGroup('rsp-research')!.system).toBe(true);
    expect(s.service.getGroup('gst-research')!.system).toBe(true);
    const share = await stat(join(s.root, 'home/groups/research'));
    expect(share.isDirectory()).toBe(true);
    expect(share.mode & 0o7777).toBe(0o3770); // setgid, and sticky: not permissive
    await run('grpck', ['-r', '-q', '-R', s.root]);
  });

  it('refuses to switch permissive on a share removed or replaced by a symlink outside Licorn, naming it', async () => {
    await s.service.createGroup({ name: 'gone' });
    const share = join(s.root, 'home/groups/gone');
    await rename(share, `${share}.moved`);
    const before = await s.digestEtc();
    await expect(s.service.setPermissive('gone', true)).rejects.toMatchObject({
      code: 'not-found',
      field: 'permissive',
      message: expect.stringContaining('/home/groups/gone, does not exist'),
    });
    await symlink(join(s.root, 'etc'), share);
    await expect(s.service.setPermissive('gone', true)).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('is not a directory'),
    });
    expect(await s.digestEtc()).toBe(before);
  });

  it('keeps descriptions in etc/licorn/group-descriptions, with the group through rename and delete', async () => {
    await s.service.createGroup({ name: 'lab', description: 'Laboratoire, bâtiment B' });
    expect(s.service.getGroup('lab')!.description).toBe('Laboratoire, bâtiment B');
    await s.service.setGroupDescription('developers', 'Software development');
    const file = () => readFile(join(s.root, 'etc/licorn/group-descriptions'), 'utf8');
    expect(await file()).toBe('lab:Laboratoire, bâtiment B\ndevelopers:Software development\n');
    await expect(s.service.setGroupDescription('developers', 'bad:colon')).rejects.toMatchObject({
      field: 'description',
    });
    await expect(s.service.setGroupDescription('nope', 'x')).rejects.toMatchObject({ field: 'name' });
    const changed = await s.waitForEvent(
      (e) => e.name === 'group-changed' && (e.data as { name: string }).name === 'developers',
      'group-changed',
    );
    expect(changed.data).toEqual({ name: 'developers', fields: ['description'] });
    await s.service.renameGroup('lab', 'labs');
    expect(s.service.getGroup('labs')!.description).toBe('Laboratoire, bâtiment B');
    await s.service.deleteGroup('labs');
    await s.service.setGroupDescription('developers', '');
    expect(await file()).toBe('');
    await run('grpck', ['-r', '-q', '-R', s.root]);
  });

  it('keeps a user in exactly one of guest, member, responsible', async () => {
    await s.service.setRole('research', 'dnguyen', 'guest');
    expect(s.service.getRole('research', 'dnguyen')).toBe('guest');
    await s.service.setRole('research', 'dnguyen', 'responsible');
    expect(s.service.getRole('research', 'dnguyen')).toBe('responsible');
    expect(s.service.getGroup('gst-research')!.members).not.toContain('dnguyen');
    expect(s.service.getGroup('research')!.members).not.toContain('dnguyen');
    await s.service.setRole('research', 'dnguyen', 'member');
    expect(s.service.getGroup('rsp-research')!.members).not.toContain('dnguyen');
    expect(s.service.getGroup('research')!.members).toEqual(['dnguyen']);
    await s.service.setRole('research', 'dnguyen', 'none');
    expect(s.service.getRole('research', 'dnguyen')).toBe('none');
    await expect(s.service.setRole('rsp-research', 'dnguyen', 'member')).rejects.toMatchObject({ field: 'group' });
    await expect(s.service.setRole('research', 'dnguyen', 'boss' as never)).rejects.toMatchObject({ field: 'role' });
  });

  it('renames a group with its helpers and share, keeping GID and members', async () => {
    await s.service.setRole('research', 'adurand', 'member');
    const gid = s.service.getGroup('research')!.gid;
    await s.service.renameGroup('research', 'science');
    expect(s.service.getGroup('science')).toMatchObject({ gid, members: ['adurand'] });
    expect(s.service.getGroup('rsp-science')).not.toBeNull();
    expect(s.service.getGroup('research')).toBeNull();
    expect(await readdir(join(s.root, 'home/groups'))).toContain('science');
    await run('grpck', ['-r', '-q', '-R', s.root]);
  });

  it('refuses to delete a helper group alone, deletes a standard group with its helpers', async () => {
    await expect(s.service.deleteGroup('gst-science')).rejects.toMatchObject({
      code: 'permission-denied',
      message: 'The group "gst-science" holds the guests of the group science: delete science instead',
    });
    const { archive } = await s.service.deleteGroup('science');
    expect(archive).toMatch(/^\/home\/archives\/science\.deleted\./);
    for (const name of ['science', 'rsp-science', 'gst-science']) expect(s.service.getGroup(name)).toBeNull();
    expect(await readFile(join(s.root, 'etc/gshadow'), 'utf8')).not.toContain('science');
  });
});

describe('renaming an account', () => {
  it('renames it everywhere, moving its home when asked; usermod agrees', async () => {
    await s.service.createAccount({ login: 'oldname', password: 'Rename-me-1', groups: ['support'] });
    const renamed = await s.service.renameAccount('oldname', 'newname', { moveHome: true });
    expect(renamed).toMatchObject({ login: 'newname', home: '/home/newname', groups: ['support'] });
    expect(await readdir(join(s.root, 'home/newname'))).toContain('.bashrc');
    const etc = await Promise.all(
      ['passwd', 'shadow', 'group', 'gshadow'].map((name) => readFile(join(s.root, 'etc', name), 'utf8')),
    );
    for (const text of etc) expect(text).not.toMatch(/\boldname\b/);
    await run('pwck', ['-r', '-q', '-R', s.root]);
    await run('usermod', ['--prefix', s.root, '-c', 'Still Works', 'newname']);
    await expect(s.service.renameAccount('newname', 'adurand')).rejects.toMatchObject({
      code: 'already-exists',
      field: 'newLogin',
    });
    await expect(s.service.renameAccount('newname', 'Bad:Name')).rejects.toMatchObject({ field: 'login' });
  });
});
