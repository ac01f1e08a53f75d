import { readdirSync, readlinkSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  watchBlockDevices,
  type BlockDeviceHint,
  type BlockDeviceWatch,
} from '../../../server/core/volumes/watch-block-devices.ts';
import { isLoopSuiteSkipped, LoopDevices, runTool, waitUntil } from '../../helpers/loop-devices.ts';

// Real loop devices, made and attached here, always detached in afterAll. Each change is
// made after the watcher starts and checked by the hint it must produce; hints about other
// devices (other test files attach theirs at the same time) are ignored.
describe.skipIf(isLoopSuiteSkipped())('watchBlockDevices', () => {
  const loops = new LoopDevices();
  let watch: BlockDeviceWatch | undefined;
  let hints: BlockDeviceHint[] = [];
  const hasHint = (expected: BlockDeviceHint) => () =>
    hints.some((hint) => (expected.name ? hint.name === expected.name : hint.mounts === expected.mounts));

  const startWatch = async () => {
    hints = [];
    watch = await watchBlockDevices({}, (hint) => hints.push(hint));
  };

  beforeAll(async () => {
    await loops.open();
  });
  afterEach(() => {
    watch?.close();
    watch = undefined;
  });
  afterAll(async () => {
    await loops.cleanUp();
  });

  it('opens the kernel uevent socket, the mount table and /dev', async () => {
    await startWatch();
    expect(watch?.sources).toEqual(expect.arrayContaining(['mountinfo', 'dev']));
    expect(watch?.sources.some((source) => source === 'uevent' || source === 'udev')).toBe(true);
  });

  it('names a loop device attached by losetup, then detached', async () => {
    const image = await loops.createImage('attach.img');
    await startWatch();
    const name = await loops.attach(image);
    await waitUntil(hasHint({ name }), `a hint for ${name} after losetup`);
    // Started again after the attach: only the detach can name the device now.
    watch?.close();
    await startWatch();
    await loops.detach(name);
    await waitUntil(hasHint({ name }), `a hint for ${name} after losetup -d`);
  });

  it('names each of several loop devices attached in one burst', async () => {
    const images = await Promise.all(['a.img', 'b.img', 'c.img'].map((file) => loops.createImage(file)));
    await startWatch();
    const names: string[] = [];
    for (const image of images) names.push(await loops.attach(image));
    await waitUntil(() => names.every((name) => hasHint({ name })()), `hints for ${names.join(', ')}`);
    for (const name of names) await loops.detach(name);
  });

  it('names a loop device that mkfs.ext4 wrote a filesystem on (no uevent: the node closed after writing)', async () => {
    const name = await loops.attach(await loops.createImage('mkfs.img'));
    await startWatch();
    await runTool('mkfs.ext4', ['-q', '-F', `/dev/${name}`]);
    await waitUntil(hasHint({ name }), `a hint for ${name} after mkfs.ext4`);
  });

  it('tells of a mount and an unmount made outside', async () => {
    const name = await loops.attach(await loops.createImage('mount.img'));
    await runTool('mkfs.ext4', ['-q', '-F', `/dev/${name}`]);
    await startWatch();
    const target = await loops.mount(name);
    await waitUntil(hasHint({ mounts: true }), 'a mounts hint after mount');
    watch?.close();
    await startWatch();
    await loops.unmount(target);
    await waitUntil(hasHint({ mounts: true }), 'a mounts hint after umount');
  });

  it('leaves no thread and no descriptor behind once closed', async () => {
    const listFds = () => readdirSync('/proc/self/fd').map((fd) => `${fd} ${readlinkTarget(fd)}`);
    const threadsBefore = readdirSync('/proc/self/task').length;
    const fdsBefore = listFds();
    const started = await watchBlockDevices({}, () => {});
    expect(readdirSync('/proc/self/task').length).toBe(threadsBefore + 1);
    expect(listFds().length).toBeGreaterThan(fdsBefore.length);
    started.close();
    expect(readdirSync('/proc/self/task').length).toBe(threadsBefore);
    expect(listFds()).toEqual(fdsBefore);
  });
});

function readlinkTarget(fd: string): string {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return '(closed)';
  }
}
