import { mkdir, open, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

// One repair of a share's tree not yet finished: the group's GID (the watcher's share id)
// and its name when it was asked (for the warning; the GID finds the group after a rename).
export interface PendingRepair {
  gid: number;
  name: string;
}

// Where the unfinished repairs are kept, beside Licorn's other state files.
export function getRepairsJournalPath(root: string): string {
  return join(root, 'etc/licorn/share-repairs.json');
}

// The repairs a stop interrupted (none when the file is missing or unreadable: a repair is
// idempotent, so losing the journal loses only the resume, and says so).
export async function readRepairsJournal(path: string, warn: (message: string) => void): Promise<PendingRepair[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') warn(`${path}: ${(error as Error).message}`);
    return [];
  }
  try {
    const parsed = JSON.parse(text) as { repairs?: unknown };
    if (!Array.isArray(parsed.repairs)) throw new Error('no "repairs" list');
    return parsed.repairs.filter(
      (entry): entry is PendingRepair =>
        Number.isInteger((entry as PendingRepair)?.gid) && typeof (entry as PendingRepair)?.name === 'string',
    );
  } catch (error) {
    warn(`${path} is not a repairs journal (${(error as Error).message}); no repair resumed`);
    return [];
  }
}

// Writes the journal atomically (a crash leaves the old one or the new one, never half).
export async function writeRepairsJournal(path: string, repairs: PendingRepair[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify({ repairs }, null, 2)}\n`, { mode: 0o600 });
  // On disk before it replaces the old one (a power cut after the rename keeps the new).
  const handle = await open(temporary, 'r');
  await handle.sync().finally(() => handle.close());
  await rename(temporary, path);
}
