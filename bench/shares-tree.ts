// The shares bench's ground: an ext4 image in the bench's temporary directory, attached on a
// free loop device and mounted over the sandbox's home/groups (the demo's shares copied onto
// it), the C helper (shares-walk.c) built with cc, and fs.inotify.max_user_watches raised for
// the run. Everything is undone by `release` (a finally, and on SIGINT/SIGTERM): unmounted,
// detached, the limit restored.
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, rename, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const watchesLimit = '/proc/sys/fs/inotify/max_user_watches';

// Runs the C helper; its output's numbers.
export async function runHelper(helper: string, args: string[]): Promise<number[]> {
  const { stdout } = await run(helper, args, { maxBuffer: 1024 * 1024 });
  return stdout.trim().split(/\s+/).map(Number);
}

export class SharesGround {
  readonly helper: string;
  readonly groupsDir: string;
  #device: string | null = null;
  #mounted = false;
  #limitBefore: string | null = null;
  readonly #onSignal = () => {
    this.release();
    process.exit(130);
  };

  constructor(
    readonly dir: string,
    readonly root: string,
  ) {
    this.helper = join(dir, 'shares-walk');
    this.groupsDir = join(root, 'home/groups');
    process.once('SIGINT', this.#onSignal);
    process.once('SIGTERM', this.#onSignal);
  }

  // Builds the helper (cc -O2), as the watcher is built (gcc -O3 by node-gyp: -O2 is the
  // usual C program).
  async buildHelper(): Promise<void> {
    await run('cc', ['-O2', '-o', this.helper, join(import.meta.dirname, 'shares-walk.c')]);
  }

  // Raises max_user_watches to `needed` when it is lower (global: every user's limit).
  raiseWatchesLimit(needed: number): { before: number; now: number } {
    const before = Number(readFileSync(watchesLimit, 'utf8'));
    if (before >= needed) return { before, now: before };
    this.#limitBefore = String(before);
    writeFileSync(watchesLimit, String(needed));
    return { before, now: needed };
  }

  // Makes an ext4 image sized for `entries` inodes (4 KiB a directory), mounts it over
  // home/groups and copies the demo's shares onto it (ACLs included: cp -a).
  async mount(directories: number, entries: number): Promise<void> {
    const image = join(this.dir, 'shares.img');
    await writeFile(image, '');
    await truncate(image, Math.ceil(directories * 4096 * 1.3) + 512 * 1024 * 1024);
    await run('mkfs.ext4', ['-q', '-F', '-N', String(entries + 20_000), '-I', '256', '-L', 'licorn-shares', image]);
    this.#device = (await run('losetup', ['-f', '--show', image])).stdout.trim();
    const stash = join(this.dir, 'groups-before');
    await rename(this.groupsDir, stash);
    await mkdir(this.groupsDir);
    await run('mount', ['-t', 'ext4', '-o', 'acl', this.#device, this.groupsDir]);
    this.#mounted = true;
    await run('cp', ['-a', `${stash}/.`, `${this.groupsDir}/`]);
  }

  // The shares' directories (the demo's groups; not ext4's lost+found).
  async getShares(): Promise<string[]> {
    const names = (await readdir(this.groupsDir)).filter((name) => name !== 'lost+found').sort();
    return names.map((name) => join(this.groupsDir, name));
  }

  // Unmounts, detaches and restores the limit; never throws (a finally, a signal).
  release(): void {
    const attempt = (command: string, args: string[]) => {
      try {
        execFileSync(command, args, { stdio: 'ignore' });
        return true;
      } catch (error) {
        process.stderr.write(`shares bench: ${command} ${args.join(' ')} failed: ${error}\n`);
        return false;
      }
    };
    if (this.#mounted && (attempt('umount', [this.groupsDir]) || attempt('umount', ['-l', this.groupsDir]))) {
      this.#mounted = false;
    }
    if (this.#device && attempt('losetup', ['-d', this.#device])) this.#device = null;
    if (this.#limitBefore !== null) {
      try {
        writeFileSync(watchesLimit, this.#limitBefore);
        this.#limitBefore = null;
      } catch (error) {
        process.stderr.write(`shares bench: could not restore ${watchesLimit}: ${error}\n`);
      }
    }
    process.off('SIGINT', this.#onSignal);
    process.off('SIGTERM', this.#onSignal);
  }
}
