import type { AccountDatabase } from './account-database.ts';
import { isNeverHandedOut } from './account-ranges.ts';

// Who owns each UID and GID of a database, built once and kept up to date by the
// operations, so that creating an account does not scan 10,000 others.
export interface IdIndex {
  uidOwners: Map<number, string>;
  gidOwners: Map<number, string>;
  // The highest UID and GID handed out per range, "min-max" → id: one map per kind, since
  // UIDs and GIDs often share a range (Debian: 1000–60000) and must not share a top.
  highestUid: Map<string, number>;
  highestGid: Map<string, number>;
}

// Who owns each id, counting the ids freed (a deletion, a changed UID): the lowest-free
// search below starts where its last one stopped while nothing was freed since.
export class IdOwners extends Map<number, string> {
  freed = 0;

  override delete(id: number): boolean {
    const had = super.delete(id);
    if (had) this.freed += 1;
    return had;
  }
}

const indexes = new WeakMap<AccountDatabase, IdIndex>();
// Per owners map and range: every id below `from` has an owner, as of `freed` ids freed.
const lowestFree = new WeakMap<Map<number, string>, Map<string, { from: number; freed: number }>>();

// Drops a database's index (after a rollback undid changes the index had followed).
export function forgetIdIndex(db: AccountDatabase): void {
  indexes.delete(db);
}

// The index of a database (built on first use).
export function getIdIndex(db: AccountDatabase): IdIndex {
  let index = indexes.get(db);
  if (!index) {
    index = { uidOwners: new IdOwners(), gidOwners: new IdOwners(), highestUid: new Map(), highestGid: new Map() };
    for (const entry of db.passwd.entries())
      if (!index.uidOwners.has(entry.uid)) index.uidOwners.set(entry.uid, entry.login);
    for (const entry of db.group.entries())
      if (!index.gidOwners.has(entry.gid)) index.gidOwners.set(entry.gid, entry.name);
    indexes.set(db, index);
  }
  return index;
}

// The next free id in [min, max], as useradd picks it: one above the highest used in the
// range, else the lowest free one; null when the range is full. An id `isTaken` says is
// held elsewhere (a UID that still owns processes or a kept home) is skipped, never reused,
// and so are nobody's and nogroup's (65534, 65535), in a range raised past them.
export function allocateId(
  owners: Map<number, string>,
  highest: Map<string, number>,
  min: number,
  max: number,
  isHeld: (id: number) => boolean = () => false,
): number | null {
  const isTaken = (id: number) => isNeverHandedOut(id) || isHeld(id);
  const key = `${min}-${max}`;
  let top = highest.get(key);
  if (top === undefined) {
    top = min - 1;
    for (const id of owners.keys()) if (id >= min && id <= max && id > top) top = id;
  }
  // An id given explicitly since the top was cached (useradd -u) is above it now.
  while (top < max && (owners.has(top + 1) || isTaken(top + 1))) top += 1;
  if (top < max) {
    highest.set(key, top + 1);
    return top + 1;
  }
  // The range is full to its top: the lowest free id, as useradd then picks. Without the
  // cursor, each of the accounts past the top scanned every owned id from `min` (100,000
  // accounts in a 129,000-wide range: 53 s for the last 10,000 of a bulk create).
  const freed = owners instanceof IdOwners ? owners.freed : null;
  let cursors = lowestFree.get(owners);
  const cursor = cursors?.get(key);
  let id = cursor !== undefined && cursor.freed === freed ? cursor.from : min;
  while (id <= max && owners.has(id)) id += 1;
  if (freed !== null) {
    if (!cursors) lowestFree.set(owners, (cursors = new Map()));
    cursors.set(key, { from: id, freed });
  }
  for (; id <= max; id += 1) if (!owners.has(id) && !isTaken(id)) return id;
  return null;
}
