import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

// Why tests on real loop devices cannot run here (not root, no loop-control, no losetup),
// or null when they can. With CI=true they must run: the caller fails instead of skipping.
export function getLoopDevicesSkipReason(): string | null {
  if (process.getuid?.() !== 0) return 'loop device tests need root';
  if (!existsSync('/dev/loop-control')) return 'loop device tests need /dev/loop-control';
  if (!existsSync('/usr/sbin/losetup') && !existsSync('/sbin/losetup')) return 'loop device tests need losetup';
  return null;
}

// Whether a suite on loop devices is skipped here; throws under CI, where it must run.
export function isLoopSuiteSkipped(): boolean {
  const reason = getLoopDevicesSkipReason();
  if (reason !== null && process.env.CI === 'true') throw new Error(`${reason} (CI=true: never skipped)`);
  if (reason !== null) process.stderr.write(`skipped: ${reason}\n`);
  return reason !== null;
}

// Image files and the loop devices and mounts made from them by one test file; cleanUp()
// unmounts and detaches all of them (in afterAll, so also on failure) and removes the files.
export class LoopDevices {
  readonly #devices = new Set<string>();
  readonly #mounts: string[] = [];
  dir = '';

  // A fresh temporary directory for the images and mount points.
  async open(): Promise<this> {
    this.dir = await mkdtemp(join(tmpdir(), 'licorn-loop-'));
    return this;
  }

  // A sparse image file of `megabytes` in the directory.
  async createImage(name: string, megabytes = 16): Promise<string> {
    const path = join(this.dir, name);
    await writeFile(path, '');
    await truncate(path, megabytes * 1024 * 1024);
    return path;
  }

  // Attaches an image on the first free loop device (never a fixed one: other tests run at
  // the same time) and returns its kernel name (`loop5`).
  async attach(image: string): Promise<string> {
    const { stdout } = await run('losetup', ['-f', '--show', image]);
    const device = stdout.trim();
    this.#devices.add(device);
    return device.replace('/dev/', '');
  }

  // Detaches a loop device this object attached.
  async detach(name: string): Promise<void> {
    await run('losetup', ['-d', `/dev/${name}`]);
    this.#devices.delete(`/dev/${name}`);
  }

  // Mounts a device on a new directory under the test's directory; returns the mount point.
  async mount(name: string, directory = `mnt-${name}`): Promise<string> {
    const target = join(this.dir, directory);
    await run('mkdir', ['-p', target]);
    await run('mount', [`/dev/${name}`, target]);
    this.#mounts.push(target);
    return target;
  }

  async unmount(target: string): Promise<void> {
    await run('umount', [target]);
    this.#mounts.splice(this.#mounts.indexOf(target), 1);
  }

  // Unmounts and detaches whatever is left, then removes the directory; reports the first
  // failure after trying everything.
  async cleanUp(): Promise<void> {
    const failures: unknown[] = [];
    for (const target of this.#mounts.splice(0).reverse()) {
      await run('umount', ['-l', target]).catch((error) => failures.push(error));
    }
    for (const device of this.#devices) {
      await run('losetup', ['-d', device]).catch((error) => failures.push(error));
    }
    this.#devices.clear();
    if (this.dir !== '') await rm(this.dir, { recursive: true, force: true });
    if (failures.length > 0) throw failures[0];
  }
}

// Runs a command as a shell would (an outside process, not the code under test).
export async function runTool(command: string, args: string[]): Promise<string> {
  return (await run(command, args)).stdout;
}

// Waits until `check` is true, checking every 10 ms, or fails after `timeoutMs` naming `what`.
export async function waitUntil(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
