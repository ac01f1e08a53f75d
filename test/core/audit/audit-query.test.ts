import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAuditPage } from '../../../server/core/audit/audit-query.ts';
import type { AuditEntry } from '../../../server/core/audit/audit-log.ts';

// 20,000 entries over 40 days (about 3 MB: far past the 512 KiB the page used to read), and
// one line cut by a crash in the middle.
let dir: string;
let file: string;
const count = 20_000;
const entryAt = (index: number): AuditEntry => ({
  time: new Date(Date.UTC(2026, 0, 1) + index * 3 * 60 * 1000).toISOString(),
  login: index % 10 === 0 ? 'blefevre' : 'admin',
  address: '127.0.0.1',
  action: index % 3 === 0 ? 'group-role' : 'account-modify',
  target: `person${index}`,
  outcome: 'done',
  detail: `entry ${index} ${'x'.repeat(60)}`,
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'licorn-audit-'));
  file = join(dir, 'audit.log');
  const lines = Array.from({ length: count }, (_, index) => JSON.stringify(entryAt(index)));
  lines.splice(10_000, 0, '{"time":"2026-01-21T00:00:00.000Z","login":"cut'); // a crash's half line
  await writeFile(file, lines.join('\n') + '\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const numbers = (entries: AuditEntry[]) => entries.map((entry) => Number(/entry (\d+)/.exec(entry.detail!)![1]));

describe('reading the audit log a page at a time', () => {
  it('pages through the whole file, newest first, each entry once, down to the very first', async () => {
    const seen: number[] = [];
    let before: number | undefined;
    let pages = 0;
    for (;;) {
      const page = await readAuditPage(file, { limit: 1000, before });
      seen.push(...numbers(page.entries));
      pages += 1;
      if (page.next === null) break;
      before = page.next;
    }
    expect(pages).toBe(20);
    expect(seen).toHaveLength(count);
    expect(seen[0]).toBe(count - 1);
    expect(seen.at(-1)).toBe(0);
    expect(new Set(seen).size).toBe(count);
  });

  it('filters by actor, action and target (case ignored) and by days, both ends included', async () => {
    const byActor = await readAuditPage(file, { actor: 'BLEF', limit: 5 });
    expect(numbers(byActor.entries)).toEqual([19_990, 19_980, 19_970, 19_960, 19_950]);
    const both = await readAuditPage(file, { actor: 'blefevre', action: 'group-role', limit: 3 });
    expect(numbers(both.entries)).toEqual([19_980, 19_950, 19_920]);
    const target = await readAuditPage(file, { target: 'person12345', limit: 10 });
    expect(numbers(target.entries)).toEqual([12_345]);
    // 480 entries a day: the 2nd of January holds 480 to 959.
    const day = await readAuditPage(file, { from: '2026-01-02', to: '2026-01-02', limit: 1000 });
    expect(day.entries).toHaveLength(480);
    expect(numbers(day.entries).at(0)).toBe(959);
    expect(numbers(day.entries).at(-1)).toBe(480);
    expect(day.next).toBeNull();
  });

  it('stops a search that finds little after a bounded read, and goes on from there when asked', async () => {
    let page = await readAuditPage(file, { target: 'person0', limit: 10, scanLimit: 1024 * 1024 });
    expect(page.entries).toEqual([]);
    expect(page.next).not.toBeNull();
    expect(page.searchedTo! < entryAt(count - 1).time).toBe(true);
    const found: number[] = [];
    let reads = 1;
    while (page.next !== null) {
      page = await readAuditPage(file, { target: 'person0', limit: 10, scanLimit: 1024 * 1024, before: page.next });
      found.push(...numbers(page.entries));
      reads += 1;
    }
    expect(found).toEqual([0]);
    expect(reads).toBeGreaterThanOrEqual(3);
  });

  it('answers an absent file with no entries, and a cursor past the end as the end', async () => {
    expect(await readAuditPage(join(dir, 'none.log'), { limit: 10 })).toEqual({
      entries: [],
      next: null,
      searchedTo: null,
    });
    const page = await readAuditPage(file, { limit: 2, before: 10 ** 12 });
    expect(numbers(page.entries)).toEqual([count - 1, count - 2]);
  });
});
