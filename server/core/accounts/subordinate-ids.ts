import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDatabaseLines, parseOptionalNumber } from './database-lines.ts';
import { lockAccountFiles } from './files/lock-account-files.ts';
import { stageAccountFile, syncDirectory } from './files/write-account-file.ts';
import type { LoginDefs } from './parse-login-defs.ts';

// One range of subordinate ids (subuid(5), subgid(5)): `owner:start:count`.
export interface SubordinateRange {
  owner: string;
  start: number;
  count: number;
}

// Parses a subuid or subgid text, keeping every line.
export function parseSubordinateIds(text: string) {
  return parseDatabaseLines<SubordinateRange>(text, 3, ([owner, start, count]) => {
    const first = parseOptionalNumber(start!);
    const size = parseOptionalNumber(count!);
    return owner && first !== null && size !== null ? { owner, start: first, count: size } : null;
  });
}

// The lowest start of `count` free ids in [min, max] that overlaps no range, as useradd's
// find_free_range picks it; null when none fits.
export function findFreeRange(ranges: SubordinateRange[], min: number, max: number, count: number): number | null {
  return allocateRanges(ranges, [''], min, max, count)[0]?.start ?? null;
}

// New ranges for `owners`, one after another, each at the lowest free place as useradd picks
// it. One pass over the sorted ranges: a gap too small for one range stays too small for the
// next, so the search never goes back (10,000 accounts at once stay linear). Owners past a
// full space get none.
export function allocateRanges(ranges: SubordinateRange[], owners: string[], min: number, max: number, count: number): SubordinateRange[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const allocated: SubordinateRange[] = [];
  let start = min;
  let index = 0;
  for (const owner of owners) {
    for (; index < sorted.length; index += 1) {
      const range = sorted[index]!;
      if (range.start + range.count <= start) continue;
      if (range.start >= start + count) break;
      start = range.start + range.count;
    }
    if (start + count - 1 > max) break;
    allocated.push({ owner, start, count });
    start += count;
  }
  return allocated;
}

type Change = { add?: string[]; remove?: string[]; rename?: [string, string] };

// Applies a change to etc/subuid and etc/subgid when they exist (useradd's rule: new
// standard accounts get a range of SUB_UID_COUNT/SUB_GID_COUNT ids; userdel removes
// theirs; usermod -l renames them), under shadow-utils' locks, staged then renamed.
export async function updateSubordinateIds(etcDir: string, defs: LoginDefs, change: Change): Promise<void> {
  const files = [
    { name: 'subuid', min: defs.subUidMin, max: defs.subUidMax, count: defs.subUidCount },
    { name: 'subgid', min: defs.subGidMin, max: defs.subGidMax, count: defs.subGidCount },
  ];
  const texts = await Promise.all(files.map((file) => readFile(join(etcDir, file.name), 'utf8').catch(() => null)));
  const present = files.filter((_, index) => texts[index] !== null);
  if (present.length === 0) return;
  const release = await lockAccountFiles(etcDir, present.map((file) => file.name));
  try {
    const removed = new Set(change.remove ?? []);
    // Both files read, changed and staged at once (their fsyncs overlap), then renamed back
    // to back, as the store does with passwd and the others.
    const staged = await Promise.all(present.map(async (file) => {
      const text = await readFile(join(etcDir, file.name), 'utf8');
      let lines = parseSubordinateIds(text);
      if (removed.size > 0) lines = lines.filter((line) => !line.entry || !removed.has(line.entry.owner));
      if (change.rename) {
        const [from, to] = change.rename;
        lines = lines.map((line) => (line.entry?.owner === from ? { entry: { ...line.entry, owner: to }, text: [to, line.entry.start, line.entry.count].join(':') } : line));
      }
      const ranges = lines.flatMap((line) => (line.entry ? [line.entry] : []));
      const owned = new Set(ranges.map((range) => range.owner));
      const owners = file.count > 0 ? [...new Set(change.add ?? [])].filter((owner) => !owned.has(owner)) : [];
      for (const entry of allocateRanges(ranges, owners, file.min, file.max, file.count)) {
        lines.push({ entry, text: [entry.owner, entry.start, entry.count].join(':') });
      }
      const next = lines.length === 0 ? '' : lines.map((line) => line.text).join('\n') + '\n';
      return next === text ? null : stageAccountFile(join(etcDir, file.name), next);
    }));
    const renames = staged.filter((rename): rename is () => void => rename !== null);
    for (const renameIntoPlace of renames) renameIntoPlace();
    if (renames.length > 0) await syncDirectory(etcDir);
  } finally {
    await release();
  }
}
