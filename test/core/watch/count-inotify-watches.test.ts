import { watch } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createInotifyWatchCounter } from '../../../server/core/watch/count-inotify-watches.ts';

// The size of this process's largest inotify fdinfo file, in bytes.
async function getLargestInotifyFdinfo(): Promise<number> {
  let largest = 0;
  for (const fd of await readdir('/proc/self/fd'))
    if ((await readlink(`/proc/self/fd/${fd}`).catch(() => '')) === 'anon_inode:inotify')
      largest = Math.max(largest, (await readFile(`/proc/self/fdinfo/${fd}`)).length);
  return largest;
}

describe('createInotifyWatchCounter', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it("counts the process's inotify watches as the kernel lists them, one per directory watched", async () => {
    const before = await createInotifyWatchCounter()();
    for (const name of ['a', 'b']) dirs.push(await mkdtemp(join(tmpdir(), `licorn-watch-${name}-`)));
    const watchers = dirs.map((dir) => watch(dir, { persistent: false }, () => {}));
    try {
      const counter = createInotifyWatchCounter();
      expect(await counter()).toBe(before + 2);
      watchers[0]!.close();
      expect(await counter()).toBe(before + 1);
    } finally {
      watchers.forEach((watcher) => watcher.close());
    }
  });

  it('counts every watch of an instance whose fdinfo is longer than its part read at once (16 KiB)', async () => {
    const before = await createInotifyWatchCounter()();
    const dir = await mkdtemp(join(tmpdir(), 'licorn-watch-many-'));
    dirs.push(dir);
    const names = Array.from({ length: 400 }, (_, index) => join(dir, `d${index}`));
    for (const name of names) await mkdir(name);
    const watchers = names.map((name) => watch(name, { persistent: false }, () => {}));
    try {
      expect(await getLargestInotifyFdinfo()).toBeGreaterThan(16 * 1024);
      expect(await createInotifyWatchCounter()()).toBe(before + 400);
    } finally {
      watchers.forEach((watcher) => watcher.close());
    }
  });

  it('counts nothing where there is no /proc', async () => {
    expect(await createInotifyWatchCounter('/nonexistent/self')()).toBe(0);
  });
});
