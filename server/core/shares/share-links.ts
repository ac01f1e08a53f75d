import { lstat, readlink, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveOnDisk } from '../accounts/home-disk.ts';
import { archivesBase, isWithin, normalizeHome, sharesBase, systemDirectories } from '../accounts/home-paths.ts';
import { getSharePath } from '../accounts/shared-directories.ts';
import { makeLinkAs } from '../../native/native.ts';

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
  if ((await resolveOnDisk(root, home).catch(() => null)) !== home) return null;
  const info = await lstat(join(root, home)).catch(() => null);
  if (!info?.isDirectory()) return null;
  // A daemon that is not root (the demo) made every home itself.
  if (info.uid !== owner.uid && (isRoot || info.uid !== process.getuid?.())) return null;
  return join(root, home);
}

// Whether `path` is a link to `target` (ours: made by makeShareLink).
async function isLinkTo(path: string, target: string): Promise<boolean> {
  const info = await lstat(path).catch(() => null);
  if (!info?.isSymbolicLink()) return false;
  return (await readlink(path).catch(() => null)) === target;
}

// Makes `<home>/<name>` → the share, as the account (makeLinkAs: the link is born its own, never chowned by a
// path it could swap). A name already taken by anything else of the account's is left alone ('taken');
// symlink(2) never replaces nor follows what is there.
export async function makeShareLink(root: string, owner: LinkOwner, name: string): Promise<LinkOutcome> {
  const home = await getOwnHome(root, owner);
  if (home === null) return 'no-home';
  const target = getShareLinkTarget(root, name);
  if ((await makeLinkAs(home, name, target, owner.uid, owner.gid)) === 'made') return 'made';
  return (await isLinkTo(join(home, name), target)) ? 'present' : 'taken';
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
