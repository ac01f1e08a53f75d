import { lstat, readdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { CoreError } from '../errors.ts';
import type { AccountDatabase } from './account-database.ts';
import { atRow } from './bulk-rows.ts';
import { getIdIndex } from './id-index.ts';
import { normalizeHome } from './home-paths.ts';
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
  // A parent holding many of the homes is listed once, all of them together, and only the
  // homes it holds are looked at: an lstat per row, one after the other, was a second of a
  // 10,000-row import, and an await per row a tenth of that. A parent holding few is not
  // listed: listing /home's 100,000 homes for one create cost 140 ms of CPU.
  const homes = rows.map(({ entry }) => normalizeHome(entry.home));
  const perParent = new Map<string, number>();
  for (const home of homes) perParent.set(getParent(home), (perParent.get(getParent(home)) ?? 0) + 1);
  const parents = [...perParent].flatMap(([parent, count]) => (count >= listedFrom ? [parent] : []));
  const listed = await Promise.all(
    parents.map((parent) =>
      readdir(join(root, parent)).then(
        (names) => new Set(names),
        (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' || error.code === 'ENOTDIR' ? new Set() : null),
      ),
    ),
  );
  const listings = new Map(parents.map((parent, position) => [parent, listed[position]!]));
  for (const [position, { entry, row }] of rows.entries()) {
    const home = homes[position]!;
    const names = listings.get(getParent(home));
    // A parent that was not or could not be listed: the home is looked at itself.
    if (names && !names.has(posix.basename(home))) continue;
    await checkHomeNotAdopted(root, db, entry, row);
  }
}

// Homes under one parent from which listing it is cheaper than an lstat of each.
const listedFrom = 64;

// The directory holding a home (normalized): what precedes its last slash, as posix.dirname
// says, without its cost for an absolute path.
function getParent(home: string): string {
  return home.startsWith('/') ? home.slice(0, Math.max(1, home.lastIndexOf('/'))) : posix.dirname(home);
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
