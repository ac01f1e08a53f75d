import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { startShareWatch, stopShareWatch, type ShareWatch, type ShareWatchBatch } from '../../server/native/native.ts';
import { run } from './share-acl-check.ts';

// Why the native share watcher's tests cannot run here (null: they can): they act as other
// accounts (setpriv), set ACLs of other groups and change fs.inotify sysctls.
export const shareWatchSkipReason = process.getuid?.() !== 0 ? 'needs root to act as other accounts' : null;

// describe, skipped (with the reason said once, outside CI) where the share watch tests cannot run.
export function describeShareWatch(name: string, body: () => void): void {
  if (shareWatchSkipReason && process.env.CI !== 'true') console.log(`${name}: skipped, ${shareWatchSkipReason}`);
  describe.skipIf(shareWatchSkipReason !== null)(name, body);
}

// What useShareWatch gives a test file.
export interface ShareWatchTest {
  // The temporary directory (0755: members reach the shares made in it), made before the tests.
  readonly dir: string;
  // Starts a watcher whose batches go to `batches` (a new array unless given); every watcher
  // started is stopped after the tests (stopping one twice is harmless).
  start(batches?: ShareWatchBatch[]): { watch: ShareWatch; batches: ShareWatchBatch[] };
}

// For a native share watch test file: its temporary directory (named `prefix…`) before its
// tests, and after them its watchers stopped and the directory removed (`rm -rf`: a tree
// deeper than PATH_MAX is more than fs.rm removes). Does nothing where the tests are skipped.
export function useShareWatch(prefix: string): ShareWatchTest {
  const started: ShareWatch[] = [];
  let dir = '';
  beforeAll(async () => {
    if (shareWatchSkipReason !== null) return;
    dir = await mkdtemp(join(tmpdir(), prefix));
    await chmod(dir, 0o755);
  });
  afterAll(async () => {
    for (const watch of started) stopShareWatch(watch);
    if (dir) await run('rm', ['-rf', dir]);
  });
  return {
    get dir() {
      return dir;
    },
    start(batches: ShareWatchBatch[] = []) {
      const watch = startShareWatch((batch) => batches.push(batch));
      started.push(watch);
      return { watch, batches };
    },
  };
}

// Whether the walk of share `id` ended in `batches`.
export const isWalkDone = (batches: ShareWatchBatch[], id: number): boolean =>
  batches.some((batch) => batch.progress.some((item) => item.id === id && item.done));
