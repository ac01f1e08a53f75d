import { execFile } from 'node:child_process';
import { mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createImage, patchImage, shouldSkipLoopTests } from '../../helpers/loop-devices.ts';
import { useVolumesCore } from './volumes-fixture.ts';

const run = promisify(execFile);
const actor = { login: 'admin', address: '127.0.0.1' };

describe.skipIf(shouldSkipLoopTests()).sequential('system volumes, reserved markers, auto-mount', () => {
  const context = useVolumesCore();

  const { attach } = context;

  it('never offers an action on a mount made outside the media directory, nor on the root filesystem', async () => {
    const name = await attach(await createImage(join(context.fixture.images, 'shell.img'), 'ext4', ['-L', 'Shell']));
    const elsewhere = join(context.fixture.sandbox.dir, 'mnt');
    await mkdir(elsewhere);
    await run('mount', [`/dev/${name}`, elsewhere]);
    await context.core.volumes.refresh();
    const volume = context.core.volumes.get(name)!;
    expect(volume).toMatchObject({ system: true, mountPoint: elsewhere, state: 'mounted' });
    expect(volume.actions.every((action) => !action.allowed && /machine's own/.test(action.reason!))).toBe(true);
    await expect(context.core.volumes.unmount(name, actor)).rejects.toMatchObject({ code: 'permission-denied' });
    await expect(context.core.volumes.eject(name, actor)).rejects.toMatchObject({ code: 'permission-denied' });
    await expect(context.core.volumes.unmount(name, actor, { force: true })).rejects.toMatchObject({
      code: 'permission-denied',
    });
    expect((await readFile('/proc/self/mountinfo', 'utf8')).includes(` ${elsewhere} `)).toBe(true);
    for (const other of context.core.volumes.list()) {
      const mounted =
        other.mountPoint !== null && !other.mountPoint.startsWith(`${context.fixture.sandbox.root}/media/`);
      if (mounted) expect(other, other.name).toMatchObject({ system: true });
      if (other.system) expect(other.actions.filter((action) => action.allowed)).toEqual([]);
    }
    await run('umount', [elsewhere]);
  });

  it('counts a volume named in etc/fstab as a system one', async () => {
    const uuid = '5d4c3b2a-1f0e-4d9c-8b7a-6a5b4c3d2e1f';
    const name = await attach(await createImage(join(context.fixture.images, 'fstab.img'), 'ext4', ['-U', uuid]));
    expect(context.core.volumes.get(name)!.system).toBe(false);
    await writeFile(join(context.fixture.sandbox.root, 'etc/fstab'), `# static\nUUID=${uuid} /srv ext4 defaults 0 2\n`);
    await context.core.volumes.refresh();
    expect(context.core.volumes.get(name)).toMatchObject({ system: true });
    await expect(context.core.volumes.mount(name, actor)).rejects.toMatchObject({ code: 'permission-denied' });
    expect(context.fixture.events).toContainEqual(
      expect.objectContaining({ name: 'volume-changed', data: { name, fields: ['system'] } }),
    );
  });

  it('shows loop devices of files outside the sandbox read-only', async () => {
    const file = await createImage(join(context.fixture.sandbox.dir, 'outside.img'), 'ext4', ['-L', 'Outside']);
    const name = await attach(file);
    const volume = context.core.volumes.get(name)!;
    expect(volume.system).toBe(false);
    expect(volume.actions.every((action) => !action.allowed && /outside the sandbox/.test(action.reason!))).toBe(true);
    await expect(context.core.volumes.mount(name, actor)).rejects.toMatchObject({ code: 'permission-denied' });
  });

  it('reads labels that are not UTF-8 or hold a slash as text, and mounts inside media', async () => {
    const ext = join(context.fixture.images, 'bytes.img');
    await createImage(ext, 'ext4', ['-O', '^metadata_csum', '-L', 'placeholder']);
    // s_volume_name: 16 bytes at 0x78 in the superblock (at 1024).
    await patchImage(ext, 1024 + 0x78, Buffer.from([0xff, 0x41, 0x2f, 0x2e, 0x2e, 0x2f, 0x78, 0, 0, 0, 0, 0]));
    const extName = await attach(ext);
    expect(context.core.volumes.get(extName)!.label).toBe('\ufffdA/../x');
    const volume = await context.core.volumes.mount(extName, actor);
    expect(volume.mountPoint).toBe(join(context.fixture.sandbox.root, 'media', 'A_.._x'));
    await context.core.volumes.unmount(extName, actor);
    const fat = join(context.fixture.images, 'fat.img');
    await createImage(fat, 'vfat');
    // The boot sector's label (FAT16: 11 bytes at 43); mkfs.vfat refuses a slash.
    await patchImage(fat, 43, Buffer.from('../../etc  '));
    expect(context.core.volumes.get(await attach(fat))!.label).toBe('../../etc');
  });

  it('never mounts over a symlink, a file or a non-empty directory; reuses an empty one', async () => {
    const media = join(context.fixture.sandbox.root, 'media');
    const outside = join(context.fixture.sandbox.dir, 'outside-target');
    await mkdir(join(media, 'Taken'), { recursive: true });
    await writeFile(join(media, 'Taken', 'keep.txt'), 'mine');
    await mkdir(outside);
    await symlink(outside, join(media, 'Link'));
    await writeFile(join(media, 'File'), 'a file');
    await mkdir(join(media, 'Empty'));
    const points: string[] = [];
    for (const label of ['Taken', 'Link', 'File', 'Empty']) {
      const name = await attach(await createImage(join(context.fixture.images, `${label}.img`), 'ext4', ['-L', label]));
      points.push((await context.core.volumes.mount(name, actor)).mountPoint!);
    }
    expect(points).toEqual(['Taken-2', 'Link-2', 'File-2', 'Empty'].map((base) => join(media, base)));
    expect(await readFile(join(media, 'Taken', 'keep.txt'), 'utf8')).toBe('mine');
    expect((await readFile('/proc/self/mountinfo', 'utf8')).includes(` ${outside} `)).toBe(false);
    for (const volume of context.core.volumes.list().filter((v) => v.mountPoint?.startsWith(`${media}/`))) {
      await context.core.volumes.unmount(volume.name, actor);
    }
    // A media directory replaced by a symlink is refused before anything is mounted.
    await rename(media, `${media}.old`);
    await symlink(outside, media);
    try {
      const name = context.core.volumes.list().find((volume) => volume.label === 'Empty')!.name;
      await expect(context.core.volumes.mount(name, actor)).rejects.toMatchObject({
        code: 'conflict',
        message: expect.stringMatching(/not a plain directory/),
      });
      expect(context.core.volumes.get(name)!.state).toBe('unmounted');
    } finally {
      await rm(media);
      await rename(`${media}.old`, media);
    }
  });

  it('keeps the reserved marker across a restart; auto-mount skips reserved volumes only', async () => {
    const reservedName = await attach(
      await createImage(join(context.fixture.images, 'backup.img'), 'ext4', ['-L', 'Backup']),
    );
    const volume = await context.core.volumes.setReserved(reservedName, true, actor);
    expect(volume.reserved).toBe(true);
    const uuid = volume.uuid!;
    const stateFile = join(context.fixture.sandbox.dir, 'volumes.json');
    expect(JSON.parse(await readFile(stateFile, 'utf8'))).toEqual({ reserved: [uuid] });
    const freeName = await attach(await createImage(join(context.fixture.images, 'free.img'), 'ext4', ['-L', 'Free']));
    await context.reopen({ autoMount: true });
    expect(context.core.volumes.get(reservedName)).toMatchObject({ reserved: true, state: 'unmounted' });
    expect(context.core.volumes.get(freeName)).toMatchObject({
      reserved: false,
      state: 'mounted',
      mountPoint: join(context.fixture.sandbox.root, 'media', 'Free'),
    });
    const audit = await readFile(context.fixture.auditFile, 'utf8');
    expect(audit).toContain('"action":"volume-auto-mount","target":"' + freeName);
    expect(audit).toContain('"action":"volume-reserve","target":"' + reservedName);
    // A volume attached while it runs is mounted as it appears.
    const lateName = await attach(await createImage(join(context.fixture.images, 'late.img'), 'ext4', ['-L', 'Late']));
    expect(context.core.volumes.get(lateName)).toMatchObject({ state: 'mounted' });
    await context.core.volumes.setReserved(reservedName, false, actor);
    expect(JSON.parse(await readFile(stateFile, 'utf8'))).toEqual({ reserved: [] });
    await context.core.volumes.unmount(freeName, actor);
    await context.core.volumes.unmount(lateName, actor);
  });

  it('mounts vfat under volumes.mount_all_fs, owned by volumes.enduser_owner, or says why not', async () => {
    const allCore = await context.fixture.openCore({ mountAllFs: true, enduserOwner: 'dnguyen' });
    const name = await context.fixture.loops.attach(
      await createImage(join(context.fixture.images, 'usb.img'), 'vfat', ['-n', 'USB-KEY']),
    );
    await allCore.volumes.refresh({ name });
    const owner = allCore.accounts.getAccount('dnguyen')!;
    const kernelHasFat = /\tvfat\n/.test(await readFile('/proc/filesystems', 'utf8'));
    const mounting = allCore.volumes.mount(name, actor);
    if (kernelHasFat) {
      const volume = await mounting;
      expect(volume.mountOptions).toContain(`uid=${owner.uid}`);
      expect(volume.mountOptions).toContain('dmask=0077');
      await allCore.volumes.unmount(name, actor);
    } else {
      await expect(mounting).rejects.toMatchObject({
        code: 'conflict',
        message: expect.stringMatching(/unknown filesystem type 'vfat'/),
      });
      expect(allCore.volumes.get(name)!.state).toBe('unmounted');
    }
    const noOwner = await context.fixture.openCore({ mountAllFs: true, enduserOwner: 'nobody-here' });
    await expect(noOwner.volumes.mount(name, actor)).rejects.toMatchObject({
      code: 'invalid-argument',
      field: 'volumes.enduser_owner',
    });
  });
});
