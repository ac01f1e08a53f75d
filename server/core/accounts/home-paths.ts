import { posix } from 'node:path';
import { CoreError } from '../errors.ts';
import type { AccountDatabase } from './account-database.ts';
import { isNormalPath, validateHome } from './validate-fields.ts';
import { type CoreMessage, quoted, say } from '../messages.ts';

// The one rule for the paths a request may name (a new home, a changed home, a home moved by
// a rename, the home deleted or archived, a share): everything that writes a directory of an
// account or a group goes through here first. The disk side (symlinks, owners) is in
// home-disk.ts; this file is pure and works on the database.

// Where Licorn keeps group shares and deleted homes, on the managed machine.
export const sharesBase = '/home/groups';
export const archivesBase = '/home/archives';

// Directories no home may be or contain; those that are not an ancestor of the home base
// no home may sit inside either (a home under /etc, /usr or /proc is never right).
export const systemDirectories = [
  '/',
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/home',
  '/lib',
  '/lib32',
  '/lib64',
  '/libx32',
  '/lost+found',
  '/media',
  '/mnt',
  '/nonexistent',
  '/opt',
  '/proc',
  '/root',
  '/run',
  '/sbin',
  '/snap',
  '/srv',
  '/sys',
  '/tmp',
  '/usr',
  '/var',
  '/var/lib',
  '/var/log',
  '/var/spool',
  '/var/mail',
  '/var/tmp',
  '/var/cache',
  '/var/backups',
  '/var/www',
  sharesBase,
  archivesBase,
];

const systemSet = new Set(systemDirectories);
// Every system directory and every directory above one: a path in here contains one.
const aboveSystem = new Set(systemDirectories.flatMap((directory) => [directory, ...getAncestors(directory)]));

// Whether `path` is `ancestor` or lies inside it.
export function isWithin(path: string, ancestor: string): boolean {
  return path === ancestor || ancestor === '/' || path.startsWith(`${ancestor}/`);
}

// A home as the kernel reads it: `/home/admin/`, `/home//admin`, `/home/./admin` and
// `/home/x/../admin` are all `/home/admin`. passwd may hold any spelling (useradd -d keeps
// what it was given, and the files may be edited by hand), so every comparison of homes
// goes through here: two spellings of one directory are one home. (Symlinks are the disk's
// side: resolveOnDisk.) A home that is not absolute is returned as it is and counts for
// nothing: no path is ever inside it.
export function normalizeHome(home: string): string {
  if (!home.startsWith('/') || isNormalPath(home)) return home;
  const normal = posix.normalize(home);
  return normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
}

// The directories above a path, nearest first ("/a/b/c" → "/a/b", "/a", "/"); none for a
// path that is not absolute.
function getAncestors(path: string): string[] {
  const ancestors: string[] = [];
  if (path === '/' || !path.startsWith('/')) return ancestors;
  // A normal path's parent is what precedes its last slash (posix.dirname's answer, cheaper).
  if (isNormalPath(path)) {
    for (let end = path.lastIndexOf('/'); end > 0; end = path.lastIndexOf('/', end - 1))
      ancestors.push(path.slice(0, end));
    ancestors.push('/');
    return ancestors;
  }
  for (let current = posix.dirname(path); ; current = posix.dirname(current)) {
    ancestors.push(current);
    if (current === '/') return ancestors;
  }
}

// Reads the home base from etc/default/useradd (`HOME=/home`, as `useradd -D` shows it).
export function parseHomeBase(text: string): string {
  const match = /^\s*HOME\s*=\s*"?([^"\s]+)"?\s*$/m.exec(text);
  const base = match?.[1];
  const valid = base !== undefined && base.startsWith('/') && posix.normalize(base) === base && base !== '/';
  return valid ? base.replace(/\/$/, '') : '/home';
}

// Whose home is where, and how many homes lie under each directory, built once per
// database and kept up to date by the operations (a bulk create of 10,000 accounts checks
// each new home against the others without scanning them). Homes that are themselves
// system directories (`/`, `/nonexistent`, `/bin`…) are not counted: nothing may go there
// anyway, and counting `/` would put every path inside "another account's home".
// (A home's one owner is kept as its login, a Set only for a shared home: a Set per account
// was a third of the index, 30 MiB at 100,000 accounts with its garbage.)
export interface HomeIndex {
  owners: Map<string, string | Set<string>>;
  below: Map<string, number>;
}

const indexes = new WeakMap<AccountDatabase, HomeIndex>();

// Drops a database's index (a rollback undid changes it had followed).
export function forgetHomeIndex(db: AccountDatabase): void {
  indexes.delete(db);
}

function isCounted(home: string): boolean {
  return home.startsWith('/') && !systemSet.has(home);
}

// (The index holds homes normalized: normalizeHome.)
function addHome(index: HomeIndex, login: string, raw: string): void {
  const home = normalizeHome(raw);
  if (!isCounted(home)) return;
  const owners = index.owners.get(home);
  if (owners === undefined) index.owners.set(home, login);
  else if (typeof owners !== 'string') owners.add(login);
  else if (owners !== login) index.owners.set(home, new Set([owners, login]));
  for (const ancestor of getAncestors(home)) index.below.set(ancestor, (index.below.get(ancestor) ?? 0) + 1);
}

function removeHome(index: HomeIndex, login: string, raw: string): void {
  const home = normalizeHome(raw);
  const owners = index.owners.get(home);
  if (owners === login) index.owners.delete(home);
  else if (typeof owners === 'string' || !owners?.delete(login)) return;
  else if (owners.size === 1) index.owners.set(home, [...owners][0]!);
  for (const ancestor of getAncestors(home)) index.below.set(ancestor, index.below.get(ancestor)! - 1);
}

// The index of a database (built on first use).
export function getHomeIndex(db: AccountDatabase): HomeIndex {
  let index = indexes.get(db);
  if (!index) {
    index = { owners: new Map(), below: new Map() };
    for (const entry of db.passwd.entries()) addHome(index, entry.login, entry.home);
    indexes.set(db, index);
  }
  return index;
}

// Tells the index that `login`'s home moved (from null: a new account; to null: deleted).
export function noteHomeChange(db: AccountDatabase, login: string, from: string | null, to: string | null): void {
  const index = indexes.get(db);
  if (!index) return;
  if (from !== null) removeHome(index, login, from);
  if (to !== null) addHome(index, login, to);
}

// What is wrong with `path` as a directory of `login` (a home to create, point to, move,
// archive or remove), or null: it may not be, contain or sit inside another account's home,
// a share, the archives, or a system directory. `path` is compared normalized.
export function getPathProblem(db: AccountDatabase, login: string, raw: string, homeBase: string): CoreMessage | null {
  const path = normalizeHome(raw);
  if (!path.startsWith('/')) return say('paths.notAbsolute');
  // Set lookups on the path's few ancestors: a bulk create checks 10,000 homes.
  if (aboveSystem.has(path)) {
    if (systemSet.has(path)) return say('paths.system', { path });
    const inside = systemDirectories.find((directory) => isWithin(directory, path)) ?? path;
    return say('paths.containsSystem', { path: inside });
  }
  if (isWithin(path, sharesBase)) return say('paths.inShares', { base: sharesBase });
  if (isWithin(path, archivesBase)) return say('paths.inArchives', { base: archivesBase });
  const ancestors = getAncestors(path);
  const sealed = ancestors.find(
    (directory) => directory !== '/' && systemSet.has(directory) && !isWithin(homeBase, directory),
  );
  if (sealed !== undefined) return say('paths.insideSystem', { path: sealed });
  return getHomeOverlap(db, login, path, ancestors);
}

// What `path` has to do with the homes of accounts other than `login` (null: any account),
// or null when nothing: it is one, lies inside one, or contains some (all normalized).
export function getHomeOverlap(
  db: AccountDatabase,
  login: string | null,
  raw: string,
  ancestors?: string[],
): CoreMessage | null {
  const path = normalizeHome(raw);
  const index = getHomeIndex(db);
  const others = (home: string): string[] | null => {
    const owners = index.owners.get(home);
    if (owners === undefined || owners === login) return null;
    return typeof owners === 'string' ? [owners] : [...owners].filter((owner) => owner !== login);
  };
  const same = others(path);
  if (same !== null) return say('paths.homeOf', { logins: same.join(', ') });
  for (const ancestor of ancestors ?? getAncestors(path)) {
    const owners = others(ancestor);
    if (owners !== null) return say('paths.insideHomeOf', { logins: owners.join(', ') });
  }
  // Homes below it, the account's own one apart (a home moved up to its parent).
  const ownHome = login === null ? undefined : db.passwd.get(login)?.home;
  const own = ownHome === undefined ? undefined : normalizeHome(ownHome);
  const ownBelow = own !== undefined && own !== path && isCounted(own) && isWithin(own, path) ? 1 : 0;
  if ((index.below.get(path) ?? 0) > ownBelow) return say('paths.containsHomes');
  return null;
}

// Checks a home an account is given (created, changed, or moved by a rename): under the
// home base, or the account's existing home, and clear of every other directory the rule
// protects. `field` names the request's field in the error.
export function checkHomePath(
  db: AccountDatabase,
  login: string,
  home: unknown,
  homeBase: string,
  field = 'home',
): string {
  // The account's home as passwd has it stays, however spelled (it was not this request's).
  if (typeof home === 'string' && db.passwd.get(login)?.home === home) return home;
  const path = validateHome(home, field);
  if (!isWithin(path, homeBase) || path === homeBase) {
    throw new CoreError('invalid-argument', say('homes.notUnderBase', { home: quoted(path), base: homeBase }), {
      field,
    });
  }
  const problem = getPathProblem(db, login, path, homeBase);
  if (problem !== null)
    throw new CoreError('invalid-argument', say('homes.refused', { home: quoted(path), problem }), { field });
  return path;
}
