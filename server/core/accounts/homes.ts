import {
  chmod,
  copyFile,
  lchown,
  lstat,
  mkdir,
  readdir,
  readlink,
  realpath,
  symlink,
  constants,
} from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { CoreError } from '../errors.ts';
import { quoted, say } from '../messages.ts';

const isRoot = process.getuid?.() === 0;

// The place of `path` (absolute on the managed machine) under `root`, refusing one whose
// parent directory resolves outside the root (a symlinked /home pointing elsewhere).
export async function resolveUnderRoot(root: string, path: string): Promise<string> {
  const target = join(root, path);
  const parent = await realpath(dirname(target)).catch(() => null);
  const realRoot = await realpath(root);
  if (parent === null || (parent !== realRoot && relative(realRoot, parent).startsWith('..'))) {
    throw new CoreError('invalid-argument', say('homes.outside', { home: quoted(path), root }), { field: 'home' });
  }
  return target;
}

// Copies a skeleton tree into a new home owned by uid:gid. Symlinks are copied as links,
// never followed; files keep their mode; the home gets `mode`.
export async function createHome(
  root: string,
  home: string,
  skel: string,
  owner: { uid: number; gid: number },
  mode: number,
): Promise<void> {
  const target = await resolveUnderRoot(root, home);
  try {
    await mkdir(target, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new CoreError('already-exists', say('homes.existsPlain', { home }), {
        field: 'home',
      });
    }
    throw error;
  }
  // Owned at once: a home half made when the daemon died is known as the account's (the
  // next start removes it: homes-journal.ts).
  if (isRoot) await lchown(target, owner.uid, owner.gid);
  const skelInfo = await lstat(skel).catch(() => null);
  if (skelInfo?.isDirectory()) await copyTree(skel, target, owner);
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
