import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createImage, shouldSkipLoopTests } from '../../helpers/loop-devices.ts';
import type { Core } from '../../../server/core/core.ts';
import { useVolumesCore } from './volumes-fixture.ts';

const run = promisify(execFile);
const actor = { login: 'admin', address: '127.0.0.1' };

const getAction = (core: Core, name: string, action: string) =>
  core.volumes.get(name)!.actions.find((entry) => entry.action === action)!;

// Which device a mount or a loop device really sits on: device numbers, never names.
describe.skipIf(shouldSkipLoopTests()).sequential('volumes matched to devices by number', () => {
  const context = useVolumesCore();

  const { attach } = context;

  // A block device node inside the sandbox for one of our loop devices (mknod: as anyone with
  // root would, to put a loop device over it).
  async function createNode(name: string): Promise<string> {
    const [major, minor] = (await readFile(`/sys/class/block/${name}/dev`, 'utf8')).trim().split(':');
    const node = join(context.fixture.images, `${name}-node`);
    await run('mknod', [node, 'b', major!, minor!]);
    return node;
  }

  it('never takes a mount named "/dev/<device>" (a tmpfs, a FUSE fsname) for a mount of that device', async () => {
    const mounted = await attach(await createImage(join(context.fixture.images, 'named.img'), 'ext4', ['-L', 'Named']));
    const idle = await attach(await createImage(join(context.fixture.images, 'idle.img'), 'ext4', ['-L', 'Idle']));
    const mountPoint = (await context.core.volumes.mount(mounted, actor)).mountPoint!;
    const fakes = [join(context.fixture.sandbox.dir, 'fake-1'), join(context.fixture.sandbox.dir, 'fake-2')];
    for (const [index, name] of [mounted, idle].entries()) {
      await mkdir(fakes[index]!);
      await run('mount', ['-t', 'tmpfs', '-o', 'size=1m', `/dev/${name}`, fakes[index]!]);
    }
    await context.core.volumes.refresh();
    expect(context.core.volumes.get(idle)).toMatchObject({ system: false, mountPoint: null, state: 'unmounted' });
    expect(getAction(context.core, idle, 'mount')).toMatchObject({ allowed: true });
    expect(context.core.volumes.get(mounted)).toMatchObject({ system: false, mountPoint });
    expect(await context.core.volumes.unmount(mounted, actor)).toMatchObject({ mountPoint: null, state: 'unmounted' });
    for (const fake of fakes) await run('umount', [fake]);
  });

  it('counts a loop over a block device as stacked on it: refused while that device is mounted', async () => {
    const under = await attach(await createImage(join(context.fixture.images, 'under.img'), 'ext4', ['-L', 'Under']));
    const mountPoint = (await context.core.volumes.mount(under, actor)).mountPoint!;
    const over = await attach(await createNode(under));
    expect(context.core.volumes.get(over)).toMatchObject({ label: 'Under', system: false });
    expect(getAction(context.core, over, 'mount')).toEqual({
      action: 'mount',
      allowed: false,
      reason: `it is stacked on ${under}, which is mounted on ${mountPoint}`,
      // The same as a key and parameters, for pages in any language.
      reasonMessage: { key: 'volumes.reason.stacked', params: { under, mountPoint } },
    });
    await expect(context.core.volumes.mount(over, actor)).rejects.toMatchObject({ code: 'conflict' });
    expect((await readFile('/proc/self/mountinfo', 'utf8')).split(` /dev/${over} `)).toHaveLength(1);
    // Once unmounted, the device under it is used by the loop: one of them only is mounted.
    await context.core.volumes.unmount(under, actor);
    expect(getAction(context.core, under, 'mount')).toMatchObject({ allowed: false, reason: `it is used by ${over}` });
  });

  it('makes a loop over a system device a system one', async () => {
    const shell = await attach(await createImage(join(context.fixture.images, 'shell.img'), 'ext4', ['-L', 'Shell']));
    const elsewhere = join(context.fixture.sandbox.dir, 'elsewhere');
    await mkdir(elsewhere);
    await run('mount', [`/dev/${shell}`, elsewhere]);
    const over = await attach(await createNode(shell));
    expect(context.core.volumes.get(shell)).toMatchObject({ system: true });
    expect(context.core.volumes.get(over)).toMatchObject({ system: true });
    await expect(context.core.volumes.mount(over, actor)).rejects.toMatchObject({ code: 'permission-denied' });
    await run('umount', [elsewhere]);
  });

  it('never mounts one filesystem twice: two loops over one image', async () => {
    const image = await createImage(join(context.fixture.images, 'twice.img'), 'ext4', ['-L', 'Twice']);
    const first = await attach(image);
    const second = await attach(image);
    const mountPoint = (await context.core.volumes.mount(first, actor)).mountPoint!;
    const uuid = context.core.volumes.get(first)!.uuid;
    expect(getAction(context.core, second, 'mount')).toMatchObject({
      allowed: false,
      reason: `a filesystem with its UUID ${uuid} is mounted from ${first} on ${mountPoint}`,
    });
    await expect(context.core.volumes.mount(second, actor)).rejects.toMatchObject({ code: 'conflict' });
    await context.core.volumes.unmount(first, actor);
  });

  it('reads a loop again when its backing file was changed (e2label, mkfs on the image)', async () => {
    const image = await createImage(join(context.fixture.images, 'relabel.img'), 'ext4', ['-L', 'Before']);
    const name = await attach(image);
    expect(context.core.volumes.get(name)).toMatchObject({ label: 'Before', fsType: 'ext4' });
    await run('e2label', [image, 'After']);
    await context.core.volumes.refresh();
    expect(context.core.volumes.get(name)).toMatchObject({ label: 'After' });
    await run('mkfs.vfat', ['-n', 'FATNOW', image]);
    await context.core.volumes.refresh();
    expect(context.core.volumes.get(name)).toMatchObject({ label: 'FATNOW', fsType: 'vfat' });
  });

  it('mounts nothing in a media directory that others may write to', async () => {
    const name = await attach(await createImage(join(context.fixture.images, 'media.img'), 'ext4', ['-L', 'Media']));
    const media = join(context.fixture.sandbox.root, 'media');
    await mkdir(media, { recursive: true });
    const before = (await stat(media)).mode & 0o7777;
    await chmod(media, 0o775);
    try {
      await expect(context.core.volumes.mount(name, actor)).rejects.toMatchObject({
        code: 'conflict',
        message: expect.stringMatching(/must be owned by uid 0 and writable by no one else .*mode 0775/),
      });
      expect(context.core.volumes.get(name)).toMatchObject({ mountPoint: null });
    } finally {
      await chmod(media, before);
    }
    expect((await context.core.volumes.mount(name, actor)).mountPoint).toBe(join(media, 'Media'));
    await context.core.volumes.unmount(name, actor);
  });
});
