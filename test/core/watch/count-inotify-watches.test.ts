import { watch } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createInotifyWatchCounter } from '../../../server/core/watch/count-inotify-watches.ts';

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

  it('counts nothing where there is no /proc', async () => {
    expect(await createInotifyWatchCounter('/nonexistent/self')()).toBe(0);
  });
});
