import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getInotifyLimitsWarning, readInotifyLimits } from '../../../server/core/shares/inotify-limits.ts';
import { readRepairsJournal, writeRepairsJournal } from '../../../server/core/shares/share-repairs-journal.ts';

describe('inotify limits', () => {
  it('warns once, naming the sysctl.d lines, when the watches or the queue are too small', () => {
    const warning = getInotifyLimitsWarning(214_540, { maxUserWatches: 8192, maxQueuedEvents: 1024 });
    expect(warning).toContain('/etc/sysctl.d/60-licorn.conf');
    expect(warning).toContain('fs.inotify.max_user_watches = 321810');
    expect(warning).toContain('fs.inotify.max_queued_events = 214540');
    expect(warning).toContain('214540 directories');
    const watchesOnly = getInotifyLimitsWarning(100, { maxUserWatches: 2, maxQueuedEvents: 16384 });
    expect(watchesOnly).toContain('fs.inotify.max_user_watches = 65536');
    expect(watchesOnly).not.toContain('max_queued_events =');
    expect(getInotifyLimitsWarning(100, { maxUserWatches: 125, maxQueuedEvents: 16384 })).toBeNull();
    expect(getInotifyLimitsWarning(100, { maxUserWatches: 124, maxQueuedEvents: 16384 })).not.toBeNull();
  });

  it('reads them from /proc/sys/fs/inotify, and null when they cannot be read', async () => {
    const proc = await mkdtemp(join(tmpdir(), 'licorn-proc-'));
    try {
      expect(await readInotifyLimits(proc)).toBeNull();
      await mkdir(join(proc, 'sys/fs/inotify'), { recursive: true });
      await writeFile(join(proc, 'sys/fs/inotify/max_user_watches'), '8192\n');
      await writeFile(join(proc, 'sys/fs/inotify/max_queued_events'), '16384\n');
      expect(await readInotifyLimits(proc)).toEqual({ maxUserWatches: 8192, maxQueuedEvents: 16384 });
      const real = await readInotifyLimits();
      expect(real?.maxUserWatches).toBeGreaterThan(0);
    } finally {
      await rm(proc, { recursive: true, force: true });
    }
  });
});

describe('the repairs journal', () => {
  it('keeps the unfinished repairs across a restart; a missing file is none, a broken one is said', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'licorn-journal-'));
    const path = join(dir, 'etc/licorn/share-repairs.json');
    const warnings: string[] = [];
    try {
      expect(await readRepairsJournal(path, (message) => warnings.push(message))).toEqual([]);
      await writeRepairsJournal(path, [{ gid: 2001, name: 'crew' }]);
      expect(await readRepairsJournal(path, (message) => warnings.push(message))).toEqual([
        { gid: 2001, name: 'crew' },
      ]);
      expect(warnings).toEqual([]);
      await writeFile(path, '{"repairs": [{"gid": "x", "name": 1}, {"gid": 7, "name": "ok"}]}');
      expect(await readRepairsJournal(path, (message) => warnings.push(message))).toEqual([{ gid: 7, name: 'ok' }]);
      await writeFile(path, 'not json');
      expect(await readRepairsJournal(path, (message) => warnings.push(message))).toEqual([]);
      expect(warnings).toEqual([expect.stringContaining('no repair resumed')]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
