import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

// A tree as a map from each path (relative to its root) to what it is: type, mode, owner,
// and its content's digest (a file) or target (a link).
export type TreeSnapshot = Map<string, string>;

// Content digests by inode and change time: rewriting a file (or renaming over it) changes
// its ctime or inode, so an unchanged key means unchanged bytes and the file is not re-read.
const digests = new Map<string, string>();

// One walk of the tree by find(1), a single process: each path (relative, '' for the root)
// with its type, mode bits, owner, size, device:inode, change time and link target. Per-entry
// lstat from Node cost about twice the CPU, and the fuzz snapshots after each of its requests.
const findFormat = '%P\\0%y\\0%m %U:%G\\0%s\\0%D:%i:%C@\\0%l\\0';
const run = promisify(execFile);

// What a file holds, by its key (device, inode, change time, size), read once.
async function getDigest(path: string, key: string): Promise<string> {
  let digest = digests.get(key);
  if (digest === undefined) {
    digest = createHash('sha256')
      .update(await readFile(path))
      .digest('hex');
    digests.set(key, digest);
  }
  return digest;
}

// Every path under `root` (the root included, as '.'), with its type, mode, owner and content.
export async function snapshotTree(root: string): Promise<TreeSnapshot> {
  const { stdout } = await run('find', [root, '-ignore_readdir_race', '-printf', findFormat], {
    maxBuffer: 256 * 1024 * 1024,
  });
  const fields = stdout.split('\0');
  const snapshot: TreeSnapshot = new Map();
  const files: Promise<void>[] = [];
  for (let i = 0; i + 6 <= fields.length; i += 6) {
    const [relative = '', type, head, size, key, target] = fields.slice(i, i + 6);
    const path = relative === '' ? '.' : relative;
    if (type === 'l') snapshot.set(path, `${type} ${head} -> ${target}`);
    else if (type !== 'f') snapshot.set(path, `${type} ${head}`);
    else {
      snapshot.set(path, '');
      files.push(
        getDigest(join(root, relative), `${key}:${size}`).then(
          (digest) => void snapshot.set(path, `${type} ${head} ${size} ${digest}`),
          (error: NodeJS.ErrnoException) => void snapshot.set(path, `unreadable ${error.code}`),
        ),
      );
    }
  }
  await Promise.all(files);
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
