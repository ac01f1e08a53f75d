import { lstat, readdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { CoreError } from '../errors.ts';
import type { AccountDatabase } from './account-database.ts';
import { atRow } from './bulk-rows.ts';
import { getIdIndex } from './id-index.ts';
import type { PasswdEntry } from './parse-passwd.ts';
import { quoted, say } from '../messages.ts';

// An account made without its home over an existing directory owned by another UID would
// not own it, and one of a UID no account has is a kept home: refused rather than adopted
// silently (an explicit uid of its owner takes it over). Checks each of `rows` (its entry
// and its row in the batch).
export async function checkHomesNotAdopted(
  root: string,
  db: AccountDatabase,
  rows: readonly { entry: PasswdEntry; row: number }[],
): Promise<void> {
  // Each parent directory is listed once and only the homes it holds are looked at: an
  // lstat per row, one after the other, was a second of a 10,000-row import.
  const listings = new Map<string, Promise<Set<string> | null>>();
  const list = (parent: string) => {
    let listing = listings.get(parent);
    if (!listing) {
      listing = readdir(join(root, parent)).then(
        (names) => new Set(names),
        (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' || error.code === 'ENOTDIR' ? new Set() : null),
      );
      listings.set(parent, listing);
    }
    return listing;
  };
  for (const { entry, row } of rows) {
    const home = posix.normalize(entry.home);
    const names = await list(posix.dirname(home));
    // A parent that cannot be listed: the home is looked at itself.
    if (names && !names.has(posix.basename(home))) continue;
    await checkHomeNotAdopted(root, db, entry, row);
  }
}

async function checkHomeNotAdopted(root: string, db: AccountDatabase, entry: PasswdEntry, row: number): Promise<void> {
  const stats = await lstat(join(root, entry.home)).catch(() => null);
  if (!stats?.isDirectory() || stats.uid === 0 || stats.uid === entry.uid) return;
  const owner = getIdIndex(db).uidOwners.get(stats.uid);
  const kept = owner === undefined ? say('homes.ownerNone') : say('homes.ownerNamed', { owner });
  const message = say('homes.ownedByOther', {
    home: quoted(entry.home),
    owner: stats.uid,
    kept,
    login: quoted(entry.login),
    uid: entry.uid,
  });
  throw atRow(new CoreError('conflict', message, { field: 'home' }), row);
}
