import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findHolders } from '../../../server/core/volumes/find-holders.ts';
import { type HangingFuse, startHangingFuse } from '../../helpers/hanging-fuse.ts';
import { shouldSkipLoopTests } from '../../helpers/loop-devices.ts';
import { createSandbox, type Sandbox } from '../../helpers/sandbox.ts';

// Fails when `promise` has not settled after `ms`: what a hang looks like (not a speed check).
function settleWithin<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms: it hangs`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

// The "major:minor" and mount id of the mount at `mountPoint`, from mountinfo.
async function getMount(mountPoint: string): Promise<{ dev: string; id: number }> {
  const lines = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n');
  const fields = lines.map((line) => line.split(' ')).find((parts) => parts[4] === mountPoint);
  if (!fields) throw new Error(`${mountPoint} is not mounted`);
  return { dev: fields[2]!, id: Number(fields[0]) };
}

// A process holding a file of a FUSE mount whose server answers nothing any more (a dead
// network filesystem): the holder search finds it without asking the filesystem, so it neither
// hangs nor leaves libuv's threads stuck (Node's stat() of each /proc/PID/fd link did both).
describe.skipIf(shouldSkipLoopTests()).sequential('finding the holders of a filesystem', () => {
  let sandbox: Sandbox;
  let fuse: HangingFuse | null = null;
  let holder: ChildProcess | null = null;

  beforeAll(async () => {
    sandbox = await createSandbox();
  });
  afterAll(async () => {
    holder?.kill('SIGKILL');
    // The server's end aborts the connection: whatever waited on it fails and goes on.
    await fuse?.stop();
    await sandbox?.remove();
  });

  it('names a process holding a file of a silent FUSE mount, and hangs no thread', async () => {
    const image = join(sandbox.root, 'data.img');
    await writeFile(image, Buffer.alloc(64 * 1024));
    const mountPoint = join(sandbox.root, 'fusemnt');
    fuse = await startHangingFuse(image, mountPoint);
    const fd = openSync(fuse.file, 'r');
    holder = spawn('sleep', ['600'], { stdio: [fd, 'ignore', 'ignore'] });
    closeSync(fd);
    const mount = await getMount(mountPoint);
    await fuse.silence();

    // More searches at once than libuv has threads: one stuck thread each would stop every file read.
    const searches = Array.from({ length: 6 }, () => findHolders(mount.dev, () => 'root', new Set([mount.id])));
    const results = await settleWithin(Promise.all(searches), 20_000, 'the holder search');
    for (const holders of results) expect(holders).toContainEqual({ pid: holder.pid, command: 'sleep', login: 'root' });
    await settleWithin(readFile('/proc/self/stat'), 20_000, 'a file read after the searches');
  });
});
