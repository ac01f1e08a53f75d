import { chmod, copyFile, lchown, lstat, mkdir, readdir, readlink, realpath, rename, rm, symlink, constants } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { CoreError } from '../errors.ts';
import { validateHome } from './validate-fields.ts';

const isRoot = process.getuid?.() === 0;

// The place of `path` (absolute on the managed machine) under `root`, refusing one whose
// parent directory resolves outside the root (a symlinked /home pointing elsewhere).
export async function resolveUnderRoot(root: string, path: string): Promise<string> {
  const target = join(root, path);
  const parent = await realpath(dirname(target)).catch(() => null);
  const realRoot = await realpath(root);
  if (parent === null || (parent !== realRoot && relative(realRoot, parent).startsWith('..'))) {
    throw new CoreError('invalid-argument', `Home ${JSON.stringify(path)} lies outside ${root} or its parent does not exist`, { field: 'home' });
  }
  return target;
}

// Refuses a home that would lie outside the root or already exists (before the account is
// written, so that a refusal changes nothing).
export async function checkNewHome(root: string, home: string): Promise<void> {
  const target = await resolveUnderRoot(root, validateHome(home));
  if (await lstat(target).then(() => true, () => false)) {
    throw new CoreError('already-exists', `The home ${JSON.stringify(home)} already exists; remove or archive it first`, { field: 'home' });
  }
}

// Copies a skeleton tree into a new home owned by uid:gid. Symlinks are copied as links,
// never followed; files keep their mode; the home gets `mode`.
export async function createHome(root: string, home: string, skel: string, owner: { uid: number; gid: number }, mode: number): Promise<void> {
  const target = await resolveUnderRoot(root, home);
  try {
    await mkdir(target, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new CoreError('already-exists', `The home ${home} already exists; remove or archive it first`, { field: 'home' });
    }
    throw error;
  }
  const skelInfo = await lstat(skel).catch(() => null);
  if (skelInfo?.isDirectory()) await copyTree(skel, target, owner);
  if (isRoot) await lchown(target, owner.uid, owner.gid);
  await chmod(target, mode);
}

async function copyTree(from: string, to: string, owner: { uid: number; gid: number }): Promise<void> {
  for (const name of await readdir(from)) {
    const source = join(from, name);
    const destination = join(to, name);
    const info = await lstat(source);
    if (info.isSymbolicLink()) {
      await symlink(await readlink(source), destination);
    } else if (info.isDirectory()) {
      await mkdir(destination, { mode: info.mode & 0o7777 });
      await copyTree(source, destination, owner);
    } else if (info.isFile()) {
      await copyFile(source, destination, constants.COPYFILE_EXCL);
      await chmod(destination, info.mode & 0o7777);
    } else {
      continue; // devices, sockets, fifos never belong in a skeleton
    }
    if (isRoot) await lchown(destination, owner.uid, owner.gid);
  }
}

// Gives the files of a home owned by the account's old UID or primary GID to the new ones,
// as usermod -u/-g does; symlinks are re-owned themselves, never followed, and files of
// other owners are left alone.
export async function reownHome(root: string, home: string, from: { uid: number; gid: number }, to: { uid: number; gid: number }): Promise<void> {
  if (!isRoot) return;
  // A home that does not exist, or lies outside the root, has nothing to re-own.
  const target = await resolveUnderRoot(root, home).catch(() => null);
  if (target === null) return;
  const reown = async (path: string): Promise<void> => {
    const info = await lstat(path).catch(() => null);
    if (!info) return;
    const uid = info.uid === from.uid ? to.uid : info.uid;
    const gid = info.gid === from.gid ? to.gid : info.gid;
    if (uid !== info.uid || gid !== info.gid) await lchown(path, uid, gid);
    if (info.isDirectory()) for (const name of await readdir(path)) await reown(join(path, name));
  };
  await reown(target);
}

// Moves a deleted account's home to `home/archives/<login>.deleted.<timestamp>` under the
// root; returns the archive's path (on the managed machine), or null when there was no home.
export async function archiveHome(root: string, home: string, login: string, now = new Date()): Promise<string | null> {
  const source = await resolveUnderRoot(root, home);
  const info = await lstat(source).catch(() => null);
  if (!info?.isDirectory()) return null;
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  const archive = `/home/archives/${login}.deleted.${stamp}`;
  await mkdir(join(root, 'home/archives'), { recursive: true, mode: 0o700 });
  await rename(source, join(root, archive));
  return archive;
}

// Deletes a home tree; symlinks inside are removed, never followed.
export async function removeHome(root: string, home: string): Promise<void> {
  const target = await resolveUnderRoot(root, home);
  const info = await lstat(target).catch(() => null);
  if (!info) return;
  // A home that is itself a symlink: remove the link only.
  if (info.isSymbolicLink()) await rm(target);
  else await rm(target, { recursive: true, force: true });
}
