import { lstat, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DirectorySteps } from './directory-steps.ts';

// The homes deletions kept (home=keep, or a home that was not the account's own directory to
// move), each with the UID that owns it: etc/licorn/kept-homes.json. A kept home may lie
// anywhere an account's home could (/home/staff/kk1, /srv/x on the real machine), not only
// directly under the home base, so the UID allocator cannot find them all by listing the
// base; it reads this list instead, and a UID whose kept home still exists and is still its
// own is never handed out again. Entries whose directory is gone or re-owned are dropped at
// the next deletion.

// Where the list lives, under the root's etc/.
export const keptHomesPath = 'licorn/kept-homes.json';

// A home a deletion kept, and the UID that owned it.
export interface KeptHome {
  uid: number;
  home: string;
}

async function readList(etcDir: string): Promise<KeptHome[]> {
  const text = await readFile(join(etcDir, keptHomesPath), 'utf8').catch(() => null);
  if (text === null) return [];
  try {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (entry): entry is KeptHome =>
        typeof entry === 'object' &&
        entry !== null &&
        Number.isInteger((entry as KeptHome).uid) &&
        typeof (entry as KeptHome).home === 'string' &&
        (entry as KeptHome).home.startsWith('/'),
    );
  } catch {
    return [];
  }
}

// The kept homes still there and still owned by their UID (read in batches of 128).
export async function getKeptHomes(root: string, etcDir: string): Promise<KeptHome[]> {
  const list = await readList(etcDir);
  const live: KeptHome[] = [];
  for (let start = 0; start < list.length; start += 128) {
    const batch = list.slice(start, start + 128);
    const stats = await Promise.all(batch.map((kept) => lstat(join(root, kept.home)).catch(() => null)));
    for (const [index, stat] of stats.entries()) {
      const kept = batch[index]!;
      if (stat?.isDirectory() && stat.uid === kept.uid) live.push(kept);
    }
  }
  return live;
}

// Adds `homes` to the list (a step of the deletion's transaction: the list is put back as it
// was if the account files are not written), dropping the entries no longer true.
export async function recordKeptHomes(
  root: string,
  etcDir: string,
  steps: DirectorySteps,
  homes: readonly KeptHome[],
): Promise<void> {
  if (homes.length === 0) return;
  const path = join(etcDir, keptHomesPath);
  const before = await readFile(path, 'utf8').catch(() => null);
  const kept = new Map((await getKeptHomes(root, etcDir)).map((entry) => [entry.home, entry]));
  for (const entry of homes) kept.set(entry.home, { uid: entry.uid, home: entry.home });
  const write = async (text: string) => {
    await writeFile(`${path}+`, text, { mode: 0o600 });
    await rename(`${path}+`, path);
  };
  await steps.run(
    'record the kept homes',
    () => write(`${JSON.stringify([...kept.values()], null, 1)}\n`),
    () => (before === null ? rm(path, { force: true }) : write(before)),
  );
}
