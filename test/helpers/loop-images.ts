import { execFile } from 'node:child_process';
import { open, readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

// Why tests on real loop devices cannot run here (not root, no losetup), or null. In CI they
// must run: there the reason is thrown instead, and the test fails.
export async function getLoopSkipReason(): Promise<string | null> {
  let reason: string | null = null;
  if (process.getuid?.() !== 0) reason = 'needs root to attach loop devices';
  else if (
    !(await run('losetup', ['--version']).then(
      () => true,
      () => false,
    ))
  )
    reason = 'losetup is missing';
  if (reason && process.env.CI === 'true') throw new Error(`loop device tests cannot run in CI: ${reason}`);
  return reason;
}

const mkfs: Record<string, (label: string) => string[]> = {
  ext4: (label) => ['mkfs.ext4', '-q', '-F', '-L', label],
  vfat: (label) => ['mkfs.vfat', '-n', label],
  xfs: (label) => ['mkfs.xfs', '-q', '-f', '-L', label],
  btrfs: (label) => ['mkfs.btrfs', '-q', '-f', '-L', label],
};

// The file a loop device (`loop7`) reads, as given at attach even once deleted; null if none.
export async function getBackingFile(name: string): Promise<string | null> {
  const text = await readFile(`/sys/class/block/${name}/loop/backing_file`, 'utf8').catch(() => null);
  return text === null ? null : text.trim().replace(/ \(deleted\)$/, '');
}

// Loop devices a test attached, each with its image: detached by detachAll (afterAll), and
// only while they still read that image (never someone else's loop that took the number).
export class LoopImages {
  readonly #attached = new Map<string, string>();

  // Makes an image of `megabytes` in `dir` with a filesystem and label (none: no filesystem).
  async createImage(dir: string, file: string, fs: keyof typeof mkfs | 'none', label = '', megabytes = 32) {
    const path = join(dir, file);
    const handle = await open(path, 'w', 0o600);
    await handle.truncate(megabytes * 1024 * 1024);
    await handle.close();
    if (fs !== 'none') {
      const [command, ...args] = mkfs[fs]!(label);
      await run(command!, [...args, path]);
    }
    return realpath(path);
  }

  // Attaches `path` to the first free loop device; returns its kernel name (`loop7`).
  async attach(path: string): Promise<string> {
    const { stdout } = await run('losetup', ['--find', '--show', path]);
    const device = stdout.trim();
    this.#attached.set(device, path);
    return device.slice('/dev/'.length);
  }

  // Unmounts and detaches one of ours (`loop7`), as a shell would.
  async detach(name: string): Promise<void> {
    const device = `/dev/${name}`;
    const path = this.#attached.get(device);
    if (path === undefined) throw new Error(`${device} was not attached by this test`);
    this.#attached.delete(device);
    if ((await getBackingFile(name)) !== path) return;
    await run('umount', ['--all-targets', '--lazy', device]).catch(() => {});
    await run('losetup', ['--detach', device]).catch(() => {});
  }

  // Detaches every loop still ours (afterAll, also after a failure).
  async detachAll(): Promise<void> {
    for (const device of [...this.#attached.keys()]) await this.detach(device.slice('/dev/'.length));
  }
}
