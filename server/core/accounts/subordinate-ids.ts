import type { AccountDatabase } from './account-database.ts';
import { parseDatabaseLines, parseOptionalNumber, type DatabaseLine } from './database-lines.ts';
import type { LoginDefs } from './parse-login-defs.ts';
import type { PasswdEntry } from './parse-passwd.ts';

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
export function allocateRanges(
  ranges: SubordinateRange[],
  owners: string[],
  min: number,
  max: number,
  count: number,
): SubordinateRange[] {
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

// What a change of passwd means for subuid and subgid, as shadow-utils' tools do it: useradd
// gives a new standard account a range, userdel removes an account's ranges, usermod -l
// renames them.
export interface SubordinateChange {
  added: string[];
  removed: Set<string>;
  renamed: Map<string, string>;
}

// Reads the change from the transaction that just ran on `db` (its passwd entries before
// and after): an account gone and one come with the same UID is a rename. New accounts get
// their ranges in the order they were made; they are grouped by UID only where an account
// went (a bulk create of 100,000 made a map entry and an array per account).
export function getSubordinateChange(db: AccountDatabase, defs: LoginDefs): SubordinateChange | null {
  const come: PasswdEntry[] = [];
  const goneByUid = new Map<number, string[]>();
  for (const login of db.passwd.changedNames) {
    const before = db.passwd.getBefore(login);
    const after = db.passwd.get(login);
    if (!before && after) come.push(after);
    if (before && !after) addTo(goneByUid, before.uid, login);
  }
  const comeByUid = new Map<number, string[]>();
  for (const { uid, login } of come) if (goneByUid.has(uid)) addTo(comeByUid, uid, login);
  const change: SubordinateChange = { added: [], removed: new Set(), renamed: new Map() };
  for (const [uid, gone] of goneByUid) {
    const logins = comeByUid.get(uid);
    if (gone.length === 1 && logins?.length === 1) change.renamed.set(gone[0]!, logins[0]!);
    else for (const login of gone) change.removed.add(login);
  }
  for (const { uid, login } of come) {
    const renamed = goneByUid.get(uid)?.length === 1 && comeByUid.get(uid)!.length === 1;
    if (!renamed && uid >= defs.uidMin && uid <= defs.uidMax) change.added.push(login);
  }
  return change.added.length + change.removed.size + change.renamed.size > 0 ? change : null;
}

function addTo(map: Map<number, string[]>, uid: number, login: string): void {
  const logins = map.get(uid);
  if (logins) logins.push(login);
  else map.set(uid, [login]);
}

// Where a file's ranges are taken from (SUB_UID_MIN, SUB_UID_MAX, SUB_UID_COUNT or the GID ones).
export interface SubordinateSpace {
  min: number;
  max: number;
  count: number;
}

// The lines of a subuid or subgid file after `change`, and its new text; null when nothing
// changes. An addition alone appends to the text as it was, without rendering every line.
export function changeSubordinateLines(
  text: string,
  lines: DatabaseLine<SubordinateRange>[],
  change: SubordinateChange,
  space: SubordinateSpace,
): { text: string; lines: DatabaseLine<SubordinateRange>[] } | null {
  let next = lines;
  let rewritten = false;
  if (change.removed.size > 0 || change.renamed.size > 0) {
    next = lines.flatMap((line) => {
      const owner = line.entry?.owner;
      if (owner === undefined) return [line];
      if (change.removed.has(owner)) {
        rewritten = true;
        return [];
      }
      const renamed = change.renamed.get(owner);
      if (renamed === undefined) return [line];
      rewritten = true;
      const entry = { ...line.entry!, owner: renamed };
      return [{ entry, text: formatRange(entry) }];
    });
  }
  // Plain loops: this runs on every create over 10,000 lines (flatMap and a Set of every
  // owner cost 2 ms per file).
  const wanted = new Set(space.count > 0 ? change.added : []);
  const ranges: SubordinateRange[] = [];
  for (const line of next) {
    if (!line.entry) continue;
    ranges.push(line.entry);
    wanted.delete(line.entry.owner);
  }
  const owners = [...wanted];
  const allocated = allocateRanges(ranges, owners, space.min, space.max, space.count).map((entry) => ({
    entry,
    text: formatRange(entry),
  }));
  if (!rewritten && allocated.length === 0) return null;
  const appended = allocated.map((line) => `${line.text}\n`).join('');
  const newText = rewritten
    ? next.map((line) => `${line.text}\n`).join('') + appended
    : (text === '' || text.endsWith('\n') ? text : `${text}\n`) + appended;
  return { text: newText, lines: [...next, ...allocated] };
}

function formatRange(range: SubordinateRange): string {
  return [range.owner, range.start, range.count].join(':');
}

// A subuid or subgid file's ranges sorted by start, with who has one and where the last
// allocation stopped, kept between transactions: a create then finds its range without
// sorting and scanning every range from the start (50 ms per file and create with 100,000
// accounts). Only for additions: a removal or a rename rebuilds it.
export class SubordinateIndex {
  #sorted: SubordinateRange[];
  readonly #owners = new Set<string>();
  // Every gap below `start` (before range `index`) is too small for `count` ids, or taken.
  #cursor: { key: string; index: number; start: number } | null = null;

  constructor(lines: readonly DatabaseLine<SubordinateRange>[]) {
    const ranges: SubordinateRange[] = [];
    for (const line of lines) {
      if (!line.entry) continue;
      ranges.push(line.entry);
      this.#owners.add(line.entry.owner);
    }
    this.#sorted = ranges.sort(byStart);
  }

  // The ranges `owners` without one get, as allocateRanges gives them (the lowest free
  // place, one after another); `commit` records them once they are written.
  allocate(owners: readonly string[], space: SubordinateSpace): { added: SubordinateRange[]; commit: () => void } {
    const wanted = space.count > 0 ? [...new Set(owners)].filter((owner) => !this.#owners.has(owner)) : [];
    const key = `${space.min}-${space.max}-${space.count}`;
    const resume = this.#cursor?.key === key ? this.#cursor : null;
    let index = resume?.index ?? 0;
    let start = resume?.start ?? space.min;
    const added: SubordinateRange[] = [];
    for (const owner of wanted) {
      for (; index < this.#sorted.length; index += 1) {
        const range = this.#sorted[index]!;
        if (range.start + range.count <= start) continue;
        if (range.start >= start + space.count) break;
        start = range.start + range.count;
      }
      if (start + space.count - 1 > space.max) break;
      added.push({ owner, start, count: space.count });
      start += space.count;
    }
    const at = index;
    return {
      added,
      commit: () => {
        // Allocated in order of start: merged in, not sorted again (a bulk create of 100,000
        // re-sorted 200,000 ranges per file, 17.6× the time of 10,000).
        this.#sorted = mergeByStart(this.#sorted, added);
        for (const range of added) this.#owners.add(range.owner);
        this.#cursor = { key, index: at + added.length, start };
      },
    };
  }
}

function byStart(a: SubordinateRange, b: SubordinateRange): number {
  return a.start - b.start;
}

// `sorted` and `added`, each sorted by start, in one list sorted by start: the order a
// stable sort of the two concatenated gives (of equal starts, those of `sorted` first).
// A few are put in place; more are merged in one pass.
export function mergeByStart(sorted: SubordinateRange[], added: readonly SubordinateRange[]): SubordinateRange[] {
  if (added.length === 0) return sorted;
  if (added.length <= 16) {
    for (const range of added) {
      // After the last range that starts at or before it (binary search).
      let low = 0;
      let high = sorted.length;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (sorted[middle]!.start <= range.start) low = middle + 1;
        else high = middle;
      }
      sorted.splice(low, 0, range);
    }
    return sorted;
  }
  const merged = new Array<SubordinateRange>(sorted.length + added.length);
  let from = 0;
  let next = 0;
  for (let position = 0; position < merged.length; position += 1)
    merged[position] =
      next === added.length || (from < sorted.length && sorted[from]!.start <= added[next]!.start)
        ? sorted[from++]!
        : added[next++]!;
  return merged;
}
