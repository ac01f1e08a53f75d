import { createHash } from 'node:crypto';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';

// A tree as a map from each path (relative to its root) to what it is: type, mode, owner,
// and its content's digest (a file) or target (a link).
export type TreeSnapshot = Map<string, string>;

// Content digests by inode and change time: rewriting a file (or renaming over it) changes
// its ctime or inode, so an unchanged key means unchanged bytes and the file is not re-read.
const digests = new Map<string, string>();

async function describeEntry(path: string): Promise<string> {
  const stats = await lstat(path, { bigint: true });
  const head = `${stats.mode.toString(8)} ${stats.uid}:${stats.gid}`;
  if (stats.isSymbolicLink()) return `${head} -> ${await readlink(path)}`;
  if (!stats.isFile()) return head;
  const key = `${stats.dev}:${stats.ino}:${stats.ctimeNs}:${stats.size}`;
  let digest = digests.get(key);
  if (digest === undefined) {
    digest = createHash('sha256')
      .update(await readFile(path))
      .digest('hex');
    digests.set(key, digest);
  }
  return `${head} ${stats.size} ${digest}`;
}

// Every path under `root` (the root included), with its type, mode, owner and content.
export async function snapshotTree(root: string): Promise<TreeSnapshot> {
  const snapshot: TreeSnapshot = new Map([['.', await describeEntry(root)]]);
  const entries = await readdir(root, { recursive: true });
  await Promise.all(
    entries.map(async (relative) => {
      const describe = describeEntry(join(root, relative));
      snapshot.set(relative, await describe.catch((error: NodeJS.ErrnoException) => `unreadable ${error.code}`));
    }),
  );
  return snapshot;
}

// The differences between two snapshots, one line each (empty when byte-identical).
export function diffTrees(before: TreeSnapshot, after: TreeSnapshot): string[] {
  const changes: string[] = [];
  for (const [path, was] of before) {
    const now = after.get(path);
    if (now === undefined) changes.push(`removed ${path}`);
    else if (now !== was) changes.push(`changed ${path}: ${was} → ${now}`);
  }
  for (const path of after.keys()) if (!before.has(path)) changes.push(`added ${path}`);
  return changes.sort();
}
