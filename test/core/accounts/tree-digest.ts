import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';

// A digest of a whole sandbox tree: every path with its type, mode, owner and content (a
// symlink's target, never followed). A refused operation must leave it identical.
export async function digestTree(root: string, skip: (path: string) => boolean = () => false): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (relative: string): Promise<void> => {
    const path = join(root, relative);
    const info = await lstat(path);
    hash.update(`${relative}\0${info.mode}\0${info.uid}\0${info.gid}\0`);
    if (info.isSymbolicLink()) hash.update(await readlink(path));
    else if (info.isFile()) hash.update(await readFile(path));
    else if (info.isDirectory()) {
      for (const name of (await readdir(path)).sort()) {
        const child = relative === '' ? name : `${relative}/${name}`;
        if (!skip(child)) await walk(child);
      }
    }
    hash.update('\n');
  };
  await walk('');
  return hash.digest('hex');
}

// The paths of a tree, with what digestTree hashes of them (to say what differs).
export async function listTree(root: string): Promise<Map<string, string>> {
  const entries = new Map<string, string>();
  const walk = async (relative: string): Promise<void> => {
    const path = join(root, relative);
    const info = await lstat(path);
    let content = '';
    if (info.isSymbolicLink()) content = await readlink(path);
    else if (info.isFile())
      content = createHash('sha256')
        .update(await readFile(path))
        .digest('hex')
        .slice(0, 12);
    entries.set(relative, `${info.mode.toString(8)} ${info.uid}:${info.gid} ${content}`);
    if (info.isDirectory())
      for (const name of await readdir(path)) await walk(relative === '' ? name : `${relative}/${name}`);
  };
  await walk('');
  return entries;
}
