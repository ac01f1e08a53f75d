import { linkSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreError } from '../../errors.ts';
import { releaseFileLock, tryFileLock } from '../../../native/native.ts';
import { say } from '../../messages.ts';
import { getProcessStartMs } from '../../processes/proc-stat.ts';

// How long to wait for shadow-utils (or another licornd) to release the files: useradd
// itself gives up after 15 tries a second apart.
export const lockTimeoutMs = 15_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Whether the holder a lock names may still hold it: alive, and started before the lock was
// written. PIDs are reused (pid_max is 32768 on many machines, and threads take PIDs too):
// a process started after the lock was written is not its holder, whose lock is stale. Two
// seconds of margin cover the boot time's rounding.
function isHolderAlive(pid: number, lock: string): boolean {
  if (!isAlive(pid)) return false;
  const started = getProcessStartMs(pid);
  let written: number;
  try {
    written = statSync(lock).mtimeMs;
  } catch {
    return true;
  }
  return started === null || started <= written + 2000;
}

// Takes `<file>.lock` the way shadow-utils' commonio does: write our PID to `<file>.<pid>`,
// link(2) it to the lock name, check the link count, remove the temporary name. A lock
// whose PID is dead, or was given to a process started after the lock, is stale: removed,
// then taken. Returns false when someone alive holds it.
// Unlike commonio we do not fdatasync the PID file: link(2) excludes others whether or not
// it reached the disk, a lock found after a crash is stale whatever it holds, and the sync
// cost a few milliseconds per file on every change.
export async function tryLockFile(file: string): Promise<boolean> {
  // Synchronous system calls of microseconds each: through the thread pool, six steps for
  // each of six files queued behind each other (2–4 ms per change, measured).
  const mine = `${file}.${process.pid}`;
  const lock = `${file}.lock`;
  writeFileSync(mine, `${process.pid}\0`, { mode: 0o600 });
  try {
    try {
      linkSync(mine, lock);
      return statSync(mine).nlink === 2;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number.parseInt(readHolder(lock).replace(/\0.*$/s, ''), 10);
    if (!Number.isInteger(holder) || holder <= 0 || holder === process.pid || isHolderAlive(holder, lock)) return false;
    rmSync(lock, { force: true });
    try {
      linkSync(mine, lock);
      return statSync(mine).nlink === 2;
    } catch {
      return false;
    }
  } finally {
    rmSync(mine, { force: true });
  }
}

function readHolder(lock: string): string {
  try {
    return readFileSync(lock, 'utf8');
  } catch {
    return '';
  }
}

// Locks the account files of `etcDir` as shadow-utils does: the lckpwdf(3) fcntl lock on
// `.pwd.lock`, then `<file>.lock` for each file, in shadow-utils' order. Retries until
// `timeoutMs`, then throws CoreError `busy`. Returns the function that releases them all.
export async function lockAccountFiles(
  etcDir: string,
  names: readonly string[],
  timeoutMs = lockTimeoutMs,
): Promise<() => Promise<void>> {
  const deadline = Date.now() + timeoutMs;
  const held: string[] = [];
  let fcntlFd: number | null = null;
  const release = async () => {
    for (const name of held.reverse()) await unlink(join(etcDir, `${name}.lock`)).catch(() => {});
    held.length = 0;
    if (fcntlFd !== null) releaseFileLock(fcntlFd);
    fcntlFd = null;
  };
  let pause = 5;
  for (;;) {
    fcntlFd ??= tryFileLock(join(etcDir, '.pwd.lock'));
    if (fcntlFd !== null) {
      // All at once: we never wait while holding some, so the order cannot deadlock.
      const taken = await Promise.all(names.map((name) => tryLockFile(join(etcDir, name))));
      names.forEach((name, position) => {
        if (taken[position]) held.push(name);
      });
      if (held.length === names.length) return release;
    }
    // Someone holds a lock: let go of ours (they may need the ones we hold), wait, retry.
    await release();
    if (Date.now() + pause > deadline) {
      throw new CoreError('busy', say('files.locked', { dir: etcDir }), { field: 'files' });
    }
    await sleep(pause);
    pause = Math.min(pause * 2, 100);
  }
}
