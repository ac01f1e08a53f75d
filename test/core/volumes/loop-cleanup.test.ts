import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startHangingFuse } from '../../helpers/hanging-fuse.ts';
import { createImage, LoopDevices, shouldSkipLoopTests } from '../../helpers/loop-devices.ts';

const run = promisify(execFile);

// The disk sequence number of the device's attachment (a new one at each attach), or null
// when it holds no file.
async function readAttachment(name: string): Promise<string | null> {
  try {
    await readFile(`/sys/class/block/${name}/loop/backing_file`);
    return (await readFile(`/sys/class/block/${name}/diskseq`, 'utf8')).trim();
  } catch {
    return null;
  }
}

// The test helper that attaches loop devices must leave none behind: the deadline tests'
// devices over a stopped FUSE server's file were left attached (~8 per CI run).
describe.skipIf(shouldSkipLoopTests())('the loop devices a test attached, at its end', () => {
  it('are detached even over the file of a FUSE server that has stopped (the path is then "/img")', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'licorn-loop-cleanup-'));
    const fuse = await startHangingFuse(await createImage(join(dir, 'served.img'), 'ext4'), join(dir, 'fusemnt'));
    const loops = new LoopDevices();
    let name: string | null = null;
    let diskseq: string | null = null;
    try {
      name = await loops.attach(fuse.file);
      diskseq = await readAttachment(name);
      expect(diskseq).not.toBeNull();
      await fuse.stop();
      // What sysfs now says of the file: the path from the gone mount's root.
      expect(await LoopDevices.getBackingFile(name)).toBe('/img');
      await loops.cleanUp(dir);
      // Detached (at once, or at the last close of whoever had it open meanwhile); its number
      // may since hold another test's device: a new sequence number.
      await expect.poll(() => readAttachment(name!), { timeout: 5000 }).not.toBe(diskseq);
    } finally {
      await fuse.stop();
      // This test's own leak, if the helper failed.
      if (name && diskseq && (await readAttachment(name)) === diskseq) await run('losetup', ['-d', `/dev/${name}`]);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
