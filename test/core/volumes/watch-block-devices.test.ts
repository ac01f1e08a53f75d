import { execFile } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  watchBlockDevices,
  type BlockDeviceHint,
  type BlockDeviceWatch,
} from '../../../server/core/volumes/watch-block-devices.ts';
import { createImage, LoopDevices, shouldSkipLoopTests } from '../../helpers/loop-devices.ts';
import { waitUntil } from '../../helpers/wait-until.ts';

// Outside tools, as an admin's shell would run them.
const runTool = async (command: string, args: string[]) => (await promisify(execFile)(command, args)).stdout;

// Real loop devices, made and attached here, always detached in afterAll. Each change is
// made after the watcher starts and checked by the hint it must produce; hints about other
// devices (other test files attach theirs at the same time) are ignored.
describe.skipIf(shouldSkipLoopTests()).sequential('watchBlockDevices', () => {
  const loops = new LoopDevices();
  let dir = '';
  let watch: BlockDeviceWatch | undefined;
  let hints: BlockDeviceHint[] = [];
  const hasHint = (expected: BlockDeviceHint) => () =>
    hints.some((hint) => (expected.name ? hint.name === expected.name : hint.mounts === expected.mounts));
  const startWatch = async () => {
    hints = [];
    watch = await watchBlockDevices({}, (hint) => hints.push(hint));
  };
  // An empty image (`ext4`: with a filesystem) in the test's directory.
  const makeImage = async (file: string, ext4 = false) => {
    const path = join(dir, file);
    if (ext4) return createImage(path, 'ext4');
    await runTool('truncate', ['-s', '16M', path]);
    return path;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'licorn-watch-'));
  });
  afterEach(() => {
    watch?.close();
    watch = undefined;
  });
  afterAll(async () => {
    await loops.cleanUp(dir);
    await rm(dir, { recursive: true, force: true });
  });

  it('opens the kernel uevent socket, the mount table and /dev', async () => {
    await startWatch();
    expect(watch?.sources).toEqual(expect.arrayContaining(['mountinfo', 'dev']));
    expect(watch?.sources.some((source) => source === 'uevent' || source === 'udev')).toBe(true);
  });

  it('names a loop device attached by losetup, then detached', async () => {
    const image = await makeImage('attach.img');
    await startWatch();
    const name = await loops.attach(image);
    await waitUntil(hasHint({ name }), `a hint for ${name} after losetup`);
    // Started again after the attach: only the detach can name the device now.
    watch?.close();
    await startWatch();
    await runTool('losetup', ['-d', `/dev/${name}`]);
    await waitUntil(hasHint({ name }), `a hint for ${name} after losetup -d`);
  });

  it('names each of several loop devices attached in one burst', async () => {
    const images = await Promise.all(['a.img', 'b.img', 'c.img'].map((file) => makeImage(file)));
    await startWatch();
    const names: string[] = [];
    for (const image of images) names.push(await loops.attach(image));
    await waitUntil(() => names.every((name) => hasHint({ name })()), `hints for ${names.join(', ')}`);
    for (const name of names) await runTool('losetup', ['-d', `/dev/${name}`]);
  });

  it('names a loop device mkfs.ext4 wrote a filesystem on (no uevent: the node closed after writing)', async () => {
    const name = await loops.attach(await makeImage('mkfs.img'));
    await startWatch();
    await runTool('mkfs.ext4', ['-q', '-F', `/dev/${name}`]);
    await waitUntil(hasHint({ name }), `a hint for ${name} after mkfs.ext4`);
  });

  it('tells of a mount and an unmount made outside', async () => {
    const name = await loops.attach(await makeImage('mount.img', true));
    const target = join(dir, 'mnt');
    await mkdir(target);
    await startWatch();
    await runTool('mount', [`/dev/${name}`, target]);
    await waitUntil(hasHint({ mounts: true }), 'a mounts hint after mount');
    watch?.close();
    await startWatch();
    await runTool('umount', [target]);
    await waitUntil(hasHint({ mounts: true }), 'a mounts hint after umount');
  });

  it('leaves no thread and no descriptor behind once closed', async () => {
    // The kinds of descriptor the watcher opens (others come and go with the test runner).
    const listFds = () =>
      readdirSync('/proc/self/fd')
        .map((fd) => `${fd} ${readlinkTarget(fd)}`)
        .filter((entry) => /anon_inode:\[eventfd\]|anon_inode:inotify|socket:|mountinfo$/.test(entry));
    const threadsBefore = readdirSync('/proc/self/task').length;
    const fdsBefore = listFds();
    const started = await watchBlockDevices({}, () => {});
    expect(readdirSync('/proc/self/task').length).toBe(threadsBefore + 1);
    expect(listFds().length).toBe(fdsBefore.length + 4);
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

// Sends one uevent as a root process would: `kernel` in the kernel's format to group 1 (which
// the watcher must ignore: it did not come from the kernel), `udev` in libudev's format to
// group 2 (udevd's, which it must read when listening to udev). Python has netlink; Node has not.
const sendUeventScript = `
import socket, struct, sys
kind, name = sys.argv[1], sys.argv[2].encode()
fields = b'ACTION=change\\0DEVPATH=/devices/virtual/block/' + name + b'\\0SUBSYSTEM=block\\0DEVNAME=' + name + b'\\0'
if kind == 'kernel':
    message, group = b'change@/devices/virtual/block/' + name + b'\\0' + fields, 1
else:
    header = struct.pack('=8sIIIIIIII', b'libudev', socket.htonl(0xfeedcafe), 40, 40, len(fields), 0, 0, 0, 0)
    message, group = header + fields, 2
sender = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, 15)
sender.bind((0, 0))
sender.sendto(message, (0, group))
`;

describe.skipIf(shouldSkipLoopTests())('watchBlockDevices with udev', () => {
  it("reads udev's events and ignores a kernel-looking one sent by a process", async () => {
    const hints: BlockDeviceHint[] = [];
    const watch = await watchBlockDevices({ udev: true }, (hint) => hints.push(hint));
    try {
      expect(watch.sources).toContain('udev');
      const suffix = `${process.pid}x${Date.now() % 100000}`;
      await runTool('python3', ['-c', sendUeventScript, 'kernel', `licorn-fake-${suffix}`]);
      await runTool('python3', ['-c', sendUeventScript, 'udev', `licorn-udev-${suffix}`]);
      // Sent one after the other and read from one socket in that order: once udev's is seen,
      // the other one was read too.
      await waitUntil(() => hints.some((hint) => hint.name === `licorn-udev-${suffix}`), "udev's event");
      expect(hints.some((hint) => hint.name === `licorn-fake-${suffix}`)).toBe(false);
    } finally {
      watch.close();
    }
  });
});
