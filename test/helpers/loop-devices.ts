import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

// Why loop-device tests cannot run here (not root, no loop driver, a tool missing), or null.
// In CI they never skip: the caller runs them and they fail with the real error.
export function getLoopSkipReason(): string | null {
  if (process.getuid?.() !== 0) return 'needs root to attach loop devices and mount';
  if (!existsSync('/dev/loop-control')) return 'no loop device driver (/dev/loop-control)';
  for (const tool of ['losetup', 'mkfs.ext4', 'mkfs.vfat', 'mkfs.xfs', 'mkfs.btrfs', 'blkid']) {
    if (!['/usr/sbin', '/sbin', '/usr/bin'].some((dir) => existsSync(`${dir}/${tool}`))) {
      return `${tool} is missing: run test/install-test-deps.sh`;
    }
  }
  return null;
}

// Whether the suite should skip, saying why once on the console.
export function shouldSkipLoopTests(): boolean {
  const reason = getLoopSkipReason();
  if (!reason) return false;
  if (process.env.CI === 'true') return false;
  console.log(`volumes loop-device tests skipped: ${reason}`);
  return true;
}

export type TestFs = 'ext4' | 'vfat' | 'xfs' | 'btrfs';

// Smallest image each mkfs accepts, in MiB (sparse files: the disk only holds what is written).
const minimumMiB: Record<TestFs, number> = { ext4: 16, vfat: 16, xfs: 300, btrfs: 128 };

// Makes a sparse image file holding a fresh filesystem; `args` go to mkfs (-L label, -U uuid…).
export async function createImage(path: string, fs: TestFs, args: string[] = []): Promise<string> {
  const handle = await open(path, 'w');
  await handle.truncate(minimumMiB[fs] * 1024 * 1024);
  await handle.close();
  const force = fs === 'vfat' ? [] : fs === 'ext4' ? ['-q', '-F'] : ['-q', '-f'];
  await run(`mkfs.${fs}`, [...force, ...args, path]);
  return path;
}

// Makes a sparse image file of `mib` MiB holding no filesystem (a blank disk).
export async function createBareImage(path: string, mib: number): Promise<string> {
  const handle = await open(path, 'w');
  await handle.truncate(mib * 1024 * 1024);
  await handle.close();
  return path;
}

// Writes raw bytes into an image (a label mkfs would refuse: invalid UTF-8, a slash in FAT).
export async function patchImage(file: string, offset: number, bytes: Buffer): Promise<void> {
  const handle = await open(file, 'r+');
  await handle.write(bytes, 0, bytes.length, offset);
  await handle.close();
}

// What makes an attachment ours: the file we attached, and the disk sequence number the
// kernel gave the device then (bumped at every attach, never reused until a reboot), or null
// on a kernel without one (before 5.15).
interface Attachment {
  file: string;
  diskseq: string | null;
}

const readDiskseq = (name: string) =>
  readFile(`/sys/class/block/${name}/diskseq`, 'utf8').then(
    (text) => text.trim() || null,
    () => null,
  );

// The loop devices one test file attached: attach with losetup -f --show (never a fixed
// loopN: other test files attach theirs at the same time), detach all at the end.
export class LoopDevices {
  readonly #attached = new Map<string, Attachment>();

  // Attaches a file (`options` for losetup: an offset, a sector size); the kernel name (loop3).
  async attach(file: string, options: string[] = []): Promise<string> {
    const { stdout } = await run('losetup', ['-f', '--show', ...options, file]);
    const name = stdout.trim().replace('/dev/', '');
    this.#attached.set(name, { file, diskseq: await readDiskseq(name) });
    return name;
  }

  // The backing file the kernel reports for a loop device now, or null when detached; as it
  // was attached even once deleted (the kernel then adds " (deleted)").
  static async getBackingFile(name: string): Promise<string | null> {
    return readFile(`/sys/class/block/${name}/loop/backing_file`, 'utf8').then(
      (text) => text.trim().replace(/ \(deleted\)$/, ''),
      () => null,
    );
  }

  // Whether the device still holds our attachment: by its disk sequence number where the
  // kernel has one. Not by its backing file's path: a file on a FUSE mount whose server has
  // stopped is "/img" once the mount is gone (sysfs gives the path from the mount's root),
  // and its device and inode can no longer be asked (LOOP_GET_STATUS64 fails): matched by
  // path, such a device was never detached (~8 left attached per CI run).
  static async #isOurs(name: string, attachment: Attachment): Promise<boolean> {
    const backing = await LoopDevices.getBackingFile(name);
    if (backing === null) return false;
    if (attachment.diskseq !== null) return (await readDiskseq(name)) === attachment.diskseq;
    return backing === attachment.file;
  }

  // Unmounts and detaches one of ours now (`loop3`), as a shell would; nothing if its number
  // has since gone to another file.
  async detach(name: string): Promise<void> {
    const attachment = this.#attached.get(name);
    if (attachment === undefined) throw new Error(`${name} was not attached by this test`);
    this.#attached.delete(name);
    if (!(await LoopDevices.#isOurs(name, attachment))) return;
    await run('umount', ['--all-targets', '--lazy', `/dev/${name}`]).catch(() => {});
    await run('losetup', ['-d', `/dev/${name}`]).catch(() => {});
  }

  // Unmounts whatever is mounted under `dir` (deepest first), then detaches every loop
  // device still holding our attachment (an ejected loopN may have been reused by another
  // test). Call it after stopping a FUSE server a device reads from: a device still open
  // (a read stuck on the server) is detached at its last close, once the server is gone.
  async cleanUp(dir: string): Promise<void> {
    const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
    const points = mountinfo
      .split('\n')
      .map((line) =>
        line.split(' ')[4]?.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8))),
      )
      .filter((point): point is string => point !== undefined && point.startsWith(`${dir}/`))
      .sort((a, b) => b.length - a.length);
    for (const point of points) await run('umount', ['-l', point]).catch(() => {});
    for (const [name, attachment] of this.#attached) {
      if (await LoopDevices.#isOurs(name, attachment)) await run('losetup', ['-d', `/dev/${name}`]).catch(() => {});
    }
    this.#attached.clear();
  }
}
