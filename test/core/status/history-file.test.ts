import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readHistoryFile, writeHistoryFile } from '../../../server/core/status/history-file.ts';
import { StatusMonitor, type StatusSample } from '../../../server/core/status/status-monitor.ts';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'licorn-history-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const now = Date.now();
const fine: StatusSample[] = [
  { time: now - 2000, values: { 'cpu.user': 1.5, 'net.eth0.rx': 10 } },
  { time: now - 1000, values: { 'cpu.user': 2 } },
];
const coarse: StatusSample[] = [{ time: now - 120_000, values: { 'cpu.user': 3.25 } }];

describe('the status history file', () => {
  it('keeps both histories across a write and a read, written whole (no staged file left)', async () => {
    const path = join(dir, 'state/status-history.json');
    await writeHistoryFile(path, { fine, coarse });
    expect(await readdir(join(dir, 'state'))).toEqual(['status-history.json']);
    const warnings: string[] = [];
    expect(await readHistoryFile(path, (message) => warnings.push(message))).toEqual({ fine, coarse });
    expect(warnings).toEqual([]);
  });

  it('is no history when absent, and a warning naming the file when unreadable, never an error', async () => {
    const warnings: string[] = [];
    expect(await readHistoryFile(join(dir, 'absent.json'), (message) => warnings.push(message))).toBeNull();
    expect(warnings).toEqual([]);
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{"version": 2, "fine": ');
    expect(await readHistoryFile(broken, (message) => warnings.push(message))).toBeNull();
    await writeFile(broken, '{"version": 1, "fine": {"times": []}, "coarse": {"times": []}}');
    expect(await readHistoryFile(broken, (message) => warnings.push(message))).toBeNull();
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toBe(`status history ${broken}: not a version 2 history; starting without it`);
    // The unreadable file is left as it was, for the admin to look at.
    expect(await readFile(broken, 'utf8')).toContain('"version": 1');
  });

  it('saves a long history in slices and reads it back whole', async () => {
    const path = join(dir, 'status-history.json');
    const long = Array.from({ length: 300 }, (_, index) => ({
      time: now - (300 - index) * 1000,
      values: { 'cpu.user': index, ...(index % 2 ? { 'net.eth0.rx': index * 10 } : {}) },
    }));
    await writeHistoryFile(path, { fine: long, coarse: [] });
    const text = JSON.parse(await readFile(path, 'utf8')) as { fine: unknown[]; coarse: unknown[] };
    expect([text.fine.length, text.coarse.length]).toEqual([3, 0]);
    expect(await readHistoryFile(path, () => {})).toEqual({ fine: long, coarse: [] });
  });

  it("is put back into a monitor, without samples from the clock's future", () => {
    const monitor = new StatusMonitor([]);
    monitor.restoreHistory({ fine: [...fine, { time: now + 3_600_000, values: { 'cpu.user': 9 } }], coarse });
    expect(monitor.getHistory('10m')).toEqual(fine);
    expect(monitor.getHistory('24h')).toEqual(coarse);
    expect(monitor.exportHistory()).toEqual({ fine, coarse });
  });
});
