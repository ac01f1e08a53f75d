import { execFile } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDeviceReads } from '../../../server/core/volumes/device-reads.ts';
import { parseProbeAnswer } from '../../../server/core/volumes/parse-blkid.ts';
import type { ProbeAnswer } from '../../../server/native/native.ts';
import { parseBlkidUdev } from '../../helpers/blkid-output.ts';
import { createImage, LoopDevices, shouldSkipLoopTests, type TestFs } from '../../helpers/loop-devices.ts';

const run = promisify(execFile);

// The in-process probe of one device (device_reads.c, blkid_probe.c).
async function probe(name: string) {
  const [outcome] = await runDeviceReads([['probe', `/dev/${name}`]], 8000);
  return parseProbeAnswer(outcome!.answer as ProbeAnswer | null);
}

// What `blkid -p` finds on a device (it reads the device itself).
async function runBlkid(name: string) {
  const { stdout } = await run('blkid', ['-p', '-o', 'udev', `/dev/${name}`]);
  return parseBlkidUdev(stdout);
}

// A loop device is probed through its backing file when that file shows the device's bytes
// (loop_backing.c): the file's page cache stays warm where the device's is dropped at each last
// close. What is probed must still be what the device holds, and only the loop's own file.
describe.skipIf(shouldSkipLoopTests()).sequential('probing a loop device through its backing file', () => {
  const loops = new LoopDevices();
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'licorn-probe-backing-'));
  });
  afterAll(async () => {
    await loops.cleanUp(dir);
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the file, not the device: a label written to the file shows, the device holding the old', async () => {
    const file = await createImage(join(dir, 'relabelled.img'), 'ext4', ['-L', 'Before']);
    const name = await loops.attach(file);
    // Held open, the device keeps its page cache: what blkid read of it stays there.
    const held = openSync(`/dev/${name}`, 'r');
    try {
      expect((await runBlkid(name)).label).toBe('Before');
      await run('e2label', [file, 'After']);
      // The device's cache was not told (the kernel does not tie the two): blkid still reads
      // the old label; the file, and the next user of the device once it is closed, the new one.
      expect((await runBlkid(name)).label).toBe('Before');
      expect(await probe(name)).toMatchObject({ fsType: 'ext4', label: 'After' });
    } finally {
      closeSync(held);
    }
  });

  it('sees a write made through the device and not synced yet (the device held open for writing)', async () => {
    const file = await createImage(join(dir, 'written.img'), 'ext4', ['-O', '^metadata_csum', '-L', 'Before']);
    const name = await loops.attach(file);
    const writer = openSync(`/dev/${name}`, 'r+');
    try {
      // s_volume_name, 16 bytes at 0x78 of the superblock (at 1024): in the device's page
      // cache only, until it is synced.
      const label = Buffer.alloc(16);
      label.write('Written');
      writeSync(writer, label, 0, label.length, 1024 + 0x78);
      expect(await probe(name)).toMatchObject({ fsType: 'ext4', label: 'Written' });
    } finally {
      closeSync(writer);
    }
  });

  it('probes the part of the file a device with an offset shows', async () => {
    const file = join(dir, 'offset.img');
    // An ext4 1 MiB into the file; nothing at its start.
    await run('mkfs.ext4', ['-q', '-F', '-L', 'Inner', '-E', 'offset=1048576', file, '16M']);
    const name = await loops.attach(file, ['--offset', '1048576']);
    const found = await probe(name);
    expect(found).toMatchObject({ fsType: 'ext4', label: 'Inner' });
    expect(found).toEqual(await runBlkid(name));
  });

  it("never probes another file put in the loop's file's place (made as '<path> (deleted)')", async () => {
    const file = await createImage(join(dir, 'original.img'), 'ext4', ['-L', 'Original']);
    const name = await loops.attach(file);
    await unlink(file);
    // sysfs now gives "<path> (deleted)" as the backing file: a name anyone who may write in
    // the directory can make.
    expect(await LoopDevices.getBackingFile(name)).toBe(file);
    await createImage(`${file} (deleted)`, 'vfat', ['-n', 'IMPOSTOR']);
    expect(await probe(name)).toMatchObject({ fsType: 'ext4', label: 'Original' });
  });

  it('answers as `blkid -p` of the device for vfat, xfs and btrfs', async () => {
    const filesystems: [TestFs, string[]][] = [
      ['vfat', ['-n', 'USB-KEY']],
      ['xfs', ['-L', 'Xfs data']],
      ['btrfs', ['-L', 'Btrfs data']],
    ];
    for (const [fs, args] of filesystems) {
      const name = await loops.attach(await createImage(join(dir, `${fs}.img`), fs, args));
      const found = await probe(name);
      expect(found.fsType).toBe(fs);
      expect(found).toEqual(await runBlkid(name));
    }
  });
});
