import { lstat, readdir, readlink, symlink, unlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { resolveOnDisk } from '../accounts/home-disk.ts';
import { archivesBase, isWithin, normalizeHome, sharesBase, systemDirectories } from '../accounts/home-paths.ts';
import { getSharePath } from '../accounts/shared-directories.ts';

const isRoot = process.getuid?.() === 0;

// The account a link is made for: its home as passwd has it, and whose it is.
export interface LinkOwner {
  login: string;
  uid: number;
  gid: number;
  home: string;
}

// What became of one `~/G` link.
export type LinkOutcome = 'made' | 'present' | 'taken' | 'no-home' | 'removed' | 'absent';

// Where a member's link to a share points: the share as the managed machine sees it (under
// a sandbox root, the sandbox's share).
export function getShareLinkTarget(root: string, name: string): string {
  return join(root, getSharePath(name));
}

// The account's home on disk when it is a real directory of its own, reached without a
// symbolic link, and not a place the path rule protects (home-paths.ts); null otherwise
// (no home: createHome false, or a home that is not the account's to write in).
async function getOwnHome(root: string, owner: LinkOwner): Promise<string | null> {
  const home = normalizeHome(owner.home);
  if (!home.startsWith('/') || systemDirectories.includes(home)) return null;
  if (isWithin(home, sharesBase) || isWithin(home, archivesBase)) return null;
  // The one call first, then the walk of the path: the members of an import made without
  // homes answer null after one lstat instead of four calls (a second for 3,333 members).
  const info = await lstat(join(root, home)).catch(() => null);
  if (!info?.isDirectory()) return null;
  if ((await resolveOnDisk(root, home).catch(() => null)) !== home) return null;
  // A daemon that is not root (the demo) made every home itself.
  if (info.uid !== owner.uid && (isRoot || info.uid !== process.getuid?.())) return null;
  return join(root, home);
}

// The owners whose home may be on disk: those whose home's name is listed in its parent
// directory, each parent read once (an owner is kept when its parent cannot be read). The
// 3,333 new members of an import made without homes each cost a failed lstat otherwise,
// through the thread pool with an error built for each: a second and more on a busy machine.
export async function keepHomesListed(root: string, owners: LinkOwner[]): Promise<LinkOwner[]> {
  const listings = new Map<string, Promise<Set<string> | null>>();
  const listed = await Promise.all(
    owners.map(async (owner) => {
      const home = normalizeHome(owner.home);
      if (!home.startsWith('/') || home === '/') return true;
      const parent = posix.dirname(home);
      let listing = listings.get(parent);
      if (!listing) {
        listing = readdir(join(root, parent)).then(
          (names) => new Set(names),
          () => null,
        );
        listings.set(parent, listing);
      }
      return (await listing)?.has(posix.basename(home)) ?? true;
    }),
  );
  return owners.filter((_, index) => listed[index]);
}

// Whether `path` is a link to `target` (ours: made by makeShareLink).
async function isLinkTo(path: string, target: string): Promise<boolean> {
  const info = await lstat(path).catch(() => null);
  if (!info?.isSymbolicLink()) return false;
  return (await readlink(path).catch(() => null)) === target;
}

// Makes `<home>/<name>` → the share. A name already taken by anything else of the account's
// is left alone ('taken'); symlink(2) never replaces nor follows what is there. The link is
// root's, never chowned: `lchown` by name after `symlink` let the member swap the name for a
// hard link to another's file in between, which root then gave the member (red team F2).
// A symlink's owner grants nothing, and the member, owning the home, may still remove it.
export async function makeShareLink(root: string, owner: LinkOwner, name: string): Promise<LinkOutcome> {
  const home = await getOwnHome(root, owner);
  if (home === null) return 'no-home';
  const path = join(home, name);
  const target = getShareLinkTarget(root, name);
  try {
    await symlink(target, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return (await isLinkTo(path, target)) ? 'present' : 'taken';
  }
  return 'made';
}

// Removes `<home>/<name>` when it is the link to the share `name` (under `root`); anything
// else there is the account's and stays.
export async function removeShareLink(root: string, owner: LinkOwner, name: string): Promise<LinkOutcome> {
  const home = await getOwnHome(root, owner);
  if (home === null) return 'no-home';
  const path = join(home, name);
  if (!(await isLinkTo(path, getShareLinkTarget(root, name)))) return 'absent';
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  return 'removed';
}
