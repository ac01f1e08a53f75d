import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { packHistory, unpackHistory, type PackedHistory } from '../../../common/pack-history.ts';
import type { StatusSample } from './status-monitor.ts';

// The status history as kept across restarts: the fine samples and the one-minute averages.
export interface SavedHistory {
  fine: StatusSample[];
  coarse: StatusSample[];
}

// The file: each history as packed slices of at most `sliceLength` samples, so that saving
// yields to the event loop between slices (a big machine's history holds hundreds of
// thousands of figures: packed and written at once, 70 metrics already took 50 ms).
interface HistoryFileText {
  version: 2;
  fine: PackedHistory[];
  coarse: PackedHistory[];
}

const sliceLength = 120;
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

// The history saved in `path`; null when there is none yet. A file that cannot be read as
// one is reported through `warn` and ignored: a lost graph must not stop the daemon.
export async function readHistoryFile(path: string, warn: (message: string) => void): Promise<SavedHistory | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      warn(`status history ${path}: ${(error as Error).message}; starting without it`);
    return null;
  }
  try {
    const saved = JSON.parse(text) as HistoryFileText;
    const isSlices = (slices: unknown) =>
      Array.isArray(slices) && slices.every((slice) => Array.isArray((slice as PackedHistory)?.times));
    if (saved.version !== 2 || !isSlices(saved.fine) || !isSlices(saved.coarse))
      throw new Error('not a version 2 history');
    return { fine: saved.fine.flatMap(unpackHistory), coarse: saved.coarse.flatMap(unpackHistory) };
  } catch (error) {
    warn(`status history ${path}: ${(error as Error).message}; starting without it`);
    return null;
  }
}

// Saves the history in `path`, whole or not at all (written beside it, then renamed).
export async function writeHistoryFile(path: string, history: SavedHistory): Promise<void> {
  const parts = ['{"version":2'];
  for (const range of ['fine', 'coarse'] as const) {
    const slices: string[] = [];
    for (let start = 0; start < history[range].length; start += sliceLength) {
      slices.push(JSON.stringify(packHistory(history[range].slice(start, start + sliceLength))));
      await nextTurn();
    }
    parts.push(`,"${range}":[${slices.join(',')}]`);
  }
  parts.push('}');
  await mkdir(dirname(path), { recursive: true });
  const staged = `${path}.${process.pid}.tmp`;
  await writeFile(staged, parts.join(''), { mode: 0o600 });
  await rename(staged, path);
}
