import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CoreError } from '../../../server/core/errors.ts';
import { createImage, LoopDevices, shouldSkipLoopTests } from '../../helpers/loop-devices.ts';
import { useVolumesCore } from './volumes-fixture.ts';
import { waitUntil } from '../../helpers/wait-until.ts';

const actor = { login: 'admin', address: '127.0.0.1' };

// The line of the kernel's own mount table for a mount point (read here, not by the core).
async function getKernelMount(mountPoint: string): Promise<string> {
  const encoded = mountPoint.replace(/[ \t\n\\]/g, (char) => `\\${char.charCodeAt(0).toString(8).padStart(3, '0')}`);
  const line = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').find((l) => l.split(' ')[4] === encoded);
  if (!line) throw new Error(`${mountPoint} is not in mountinfo`);
  return line;
}

describe.skipIf(shouldSkipLoopTests()).sequential('volumes on real loop devices', () => {
  const context = useVolumesCore();
  const media = () => join(context.fixture.sandbox.root, 'media');

  const { attach } = context;

  it('discovers a loop device: size, backing file, type, label, UUID, state, actions; emits volume-added', async () => {
    const uuid = '0b5e3a1c-5f5e-4c1e-9d5a-3b7a2f1e6c11';
    const file = await createImage(join(context.fixture.images, 'archives.img'), 'ext4', [
      '-L',
      'Archives',
      '-U',
      uuid,
    ]);
    const name = await attach(file);
    const volume = context.core.volumes.get(name);
    expect(volume).toMatchObject({
      name,
      device: `/dev/${name}`,
      disk: null,
      size: 16 * 1024 * 1024,
      removable: false,
      readOnly: false,
      loopFile: file,
      fsType: 'ext4',
      label: 'Archives',
      uuid,
      mountPoint: null,
      usage: null,
      state: 'unmounted',
      system: false,
      reserved: false,
    });
    expect(volume!.actions).toEqual([
      { action: 'mount', allowed: true, reason: null, reasonMessage: null },
      {
        action: 'unmount',
        allowed: false,
        reason: 'it is not mounted',
        reasonMessage: { key: 'volumes.reason.notMounted', params: {} },
      },
      { action: 'eject', allowed: true, reason: null, reasonMessage: null },
    ]);
    expect(context.fixture.events).toContainEqual(expect.objectContaining({ name: 'volume-added', data: { name } }));
  });

  it.each([
    ['ext4', ['-L', 'Ext'], ['nodev', 'noatime', 'errors=remount-ro']],
    ['xfs', ['-L', 'Xfs'], ['nodev', 'noatime']],
    ['btrfs', ['-L', 'Btrfs'], ['nodev', 'noatime']],
  ] as const)('mounts %s on media/<label> with the policy options seen in mountinfo', async (fs, args, options) => {
    const name = await attach(await createImage(join(context.fixture.images, `${fs}.img`), fs, [...args]));
    const before = context.fixture.events.length;
    const volume = await context.core.volumes.mount(name, actor);
    const mountPoint = join(media(), args[1]);
    expect(volume).toMatchObject({ state: 'mounted', mountPoint, system: false });
    expect(volume.usage!.total).toBeGreaterThan(0);
    const kernel = (await getKernelMount(mountPoint)).split(' ');
    const flags = new Set([...kernel[5]!.split(','), ...kernel.at(-1)!.split(',')]);
    for (const option of options) expect(flags).toContain(option);
    expect(context.fixture.events.slice(before)).toContainEqual(
      expect.objectContaining({ name: 'volume-mounted', data: { name, mountPoint } }),
    );
    await context.core.volumes.unmount(name, actor);
    await expect(getKernelMount(mountPoint)).rejects.toThrow(/not in mountinfo/);
    expect(await readdir(media())).not.toContain(args[1]);
    expect(context.core.volumes.get(name)!.state).toBe('unmounted');
  });

  it('reads usage again on refreshUsage and emits volume-usage', async () => {
    const name = await attach(await createImage(join(context.fixture.images, 'usage.img'), 'ext4', ['-L', 'Usage']));
    const { mountPoint, usage } = await context.core.volumes.mount(name, actor);
    const before = context.fixture.events.length;
    await writeFile(join(mountPoint!, 'data'), Buffer.alloc(4 * 1024 * 1024, 1), { flush: true });
    await context.core.volumes.refreshUsage();
    expect(context.core.volumes.get(name)!.usage!.used).toBeGreaterThanOrEqual(usage!.used + 4 * 1024 * 1024);
    // The core also reads the machine when its watcher sees a change (this mount, other test
    // files' mounts), and sends volume-usage at most once a second: the event may come from
    // either reading, and up to a second later.
    await waitUntil(
      () =>
        context.fixture.events
          .slice(before)
          .some((event) => event.name === 'volume-usage' && (event.data as { name: string }).name === name),
      `volume-usage for ${name}`,
    );
    await context.core.volumes.unmount(name, actor);
  });

  it('refuses vfat unless volumes.mount_all_fs, naming the setting; changes nothing', async () => {
    const name = await attach(await createImage(join(context.fixture.images, 'key.img'), 'vfat', ['-n', 'USB-KEY']));
    expect(context.core.volumes.get(name)).toMatchObject({ fsType: 'vfat', label: 'USB-KEY' });
    const error = await context.core.volumes.mount(name, actor).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CoreError);
    expect(error).toMatchObject({ code: 'conflict', message: expect.stringMatching(/volumes\.mount_all_fs/) });
    expect(await readdir(media()).catch(() => [])).not.toContain('USB-KEY');
  });

  it('keeps hostile labels inside the media directory, without collisions', async () => {
    const mounted: string[] = [];
    for (const [file, label] of [
      ['dots.img', '../../etc'],
      ['slash.img', 'a/b'],
      ['space.img', 'my disk'],
      ['twin1.img', 'Twin'],
      ['twin2.img', 'Twin'],
      ['dotdot.img', '..'],
    ]) {
      const name = await attach(await createImage(join(context.fixture.images, file!), 'ext4', ['-L', label!]));
      expect(context.core.volumes.get(name)!.label).toBe(label);
      mounted.push((await context.core.volumes.mount(name, actor)).mountPoint!);
    }
    const longName = await attach(
      await createImage(join(context.fixture.images, 'long.img'), 'btrfs', ['-L', 'é/'.repeat(85)]),
    );
    mounted.push((await context.core.volumes.mount(longName, actor)).mountPoint!);
    for (const point of mounted) {
      expect(point.startsWith(`${media()}/`)).toBe(true);
      expect(point.slice(media().length + 1)).not.toMatch(/\/|^\./);
      expect(Buffer.byteLength(point.slice(media().length + 1))).toBeLessThanOrEqual(100);
    }
    expect(new Set(mounted).size).toBe(mounted.length);
    expect(mounted.slice(0, 5).map((point) => point.slice(media().length + 1))).toEqual([
      'etc',
      'a_b',
      'my_disk',
      'Twin',
      'Twin-2',
    ]);
    for (const volume of context.core.volumes.list().filter((v) => v.mountPoint?.startsWith(`${media()}/`))) {
      await context.core.volumes.unmount(volume.name, actor);
    }
  });

  it('refuses to unmount a busy mount, naming the holder; force stops it and unmounts', async () => {
    const name = await attach(await createImage(join(context.fixture.images, 'busy.img'), 'ext4', ['-L', 'Busy']));
    const { mountPoint } = await context.core.volumes.mount(name, actor);
    const sleeper = spawn('sleep', ['1000'], { cwd: mountPoint!, stdio: 'ignore' });
    const exited = new Promise((resolve) => sleeper.once('exit', resolve));
    try {
      const error = (await context.core.volumes.unmount(name, actor).catch((caught: unknown) => caught)) as CoreError;
      expect(error).toMatchObject({ code: 'in-use', field: 'name' });
      expect(error.message).toContain(`pid ${sleeper.pid} (sleep, root)`);
      expect(error.details).toContainEqual({ pid: sleeper.pid, command: 'sleep', login: 'root' });
      expect(context.core.volumes.get(name)!.mountPoint).toBe(mountPoint);
      expect(await context.core.volumes.getHolders(name)).toContainEqual(expect.objectContaining({ pid: sleeper.pid }));
      const volume = await context.core.volumes.unmount(name, actor, { force: true });
      expect(volume.state).toBe('unmounted');
      expect(await exited).not.toBeUndefined();
      await expect(getKernelMount(mountPoint!)).rejects.toThrow(/not in mountinfo/);
    } finally {
      sleeper.kill('SIGKILL');
    }
    const audit = (await readFile(context.fixture.auditFile, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(audit).toContainEqual(
      expect.objectContaining({ action: 'volume-unmount', target: name, outcome: 'refused', login: 'admin' }),
    );
    expect(audit).toContainEqual(expect.objectContaining({ action: 'volume-force-unmount', outcome: 'done' }));
  });

  it('refuses a mount of a mounted volume as a conflict, whatever words its mount point holds', async () => {
    // Classified by the reason's English, "already mounted on …/media/read-only" read as a
    // daemon without rights (403) and hid the state (409) the admin can act on.
    const file = await createImage(join(context.fixture.images, 'words.img'), 'ext4', ['-L', 'read-only']);
    const name = await attach(file);
    const { mountPoint } = await context.core.volumes.mount(name, actor);
    expect(mountPoint).toBe(join(media(), 'read-only'));
    const error = await context.core.volumes.mount(name, actor).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'conflict', field: 'name' });
    expect((error as CoreError).messageParams.reason).toMatchObject({ key: 'volumes.reason.mounted' });
    await context.core.volumes.unmount(name, actor);
  });

  it('ejects: unmounts, detaches the loop device, emits volume-removed', async () => {
    const file = await createImage(join(context.fixture.images, 'eject.img'), 'ext4', ['-L', 'Eject']);
    const name = await attach(file);
    await context.core.volumes.mount(name, actor);
    const since = context.fixture.events.length;
    await context.core.volumes.eject(name, actor);
    expect(await LoopDevices.getBackingFile(name)).not.toBe(file);
    expect(context.core.volumes.get(name)?.loopFile ?? null).not.toBe(file);
    expect(await readdir(media())).not.toContain('Eject');
    expect(context.fixture.events).toContainEqual(expect.objectContaining({ name: 'volume-unmounted' }));
    // Removed, or changed if another file's loop took the number at once (losetup -f, in parallel).
    const told = context.fixture.events
      .slice(since)
      .filter((event) => (event.data as { name?: string }).name === name)
      .map((event) => event.name);
    expect(told.filter((event) => event === 'volume-removed' || event === 'volume-changed')).not.toEqual([]);
  });
});
