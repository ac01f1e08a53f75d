import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { packHistory, unpackHistory, type PackedHistory } from '../../../common/pack-history.ts';
import type { StatusSample } from './status-monitor.ts';

// The status history as kept across restarts: the fine samples and the one-minute
// averages, each packed (every metric's name once).
export interface SavedHistory {
  fine: StatusSample[];
  coarse: StatusSample[];
}

interface HistoryFileText {
  version: 1;
  fine: PackedHistory;
  coarse: PackedHistory;
}

// The history saved in `path`; null when there is none yet. A file that cannot be read as
// one is reported through `warn` and ignored: a lost graph must not stop the daemon.
export async function readHistoryFile(path: string, warn: (message: string) => void): Promise<SavedHistory | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') warn(`status history ${path}: ${(error as Error).message}; starting without it`);
    return null;
  }
  try {
    const saved = JSON.parse(text) as HistoryFileText;
    if (saved.version !== 1 || !Array.isArray(saved.fine?.times) || !Array.isArray(saved.coarse?.times)) throw new Error('not a version 1 history');
    return { fine: unpackHistory(saved.fine), coarse: unpackHistory(saved.coarse) };
  } catch (error) {
    warn(`status history ${path}: ${(error as Error).message}; starting without it`);
    return null;
  }
}

// Saves the history in `path`, whole or not at all (written beside it, then renamed).
export async function writeHistoryFile(path: string, history: SavedHistory): Promise<void> {
  const saved: HistoryFileText = { version: 1, fine: packHistory(history.fine), coarse: packHistory(history.coarse) };
  await mkdir(dirname(path), { recursive: true });
  const staged = `${path}.${process.pid}.tmp`;
  await writeFile(staged, JSON.stringify(saved), { mode: 0o600 });
  await rename(staged, path);
}
