import { existsSync, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { watchCounted } from './watch-events.ts';

export interface WatchDirectoryOptions {
  // Quiet time that ends a burst of events.
  debounceMs?: number;
  // Longest wait after the first event of a burst, whatever happens.
  maxDelayMs?: number;
  // Files whose presence means a writer is still at work (shadow-utils' `<file>.lock`):
  // while one exists the burst is not over; once none does, it is, without waiting for
  // the quiet time.
  busyMarkers?: readonly string[];
}

// Watches the entries `names` of directory `dir` through inotify (fs.watch on the directory,
// so a file replaced by rename is still seen), and calls `onChange` with the names that
// changed once a burst is over. Returns the function that stops watching.
export function watchDirectory(
  dir: string,
  names: readonly string[],
  onChange: (changed: Set<string>) => void,
  { debounceMs = 50, maxDelayMs = 1000, busyMarkers = [] }: WatchDirectoryOptions = {},
): () => void {
  const wanted = new Set(names);
  const markers = new Set(busyMarkers);
  let pending = new Set<string>();
  let quietTimer: NodeJS.Timeout | undefined;
  let deadlineTimer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(quietTimer);
    clearTimeout(deadlineTimer);
    quietTimer = deadlineTimer = undefined;
    const changed = pending;
    pending = new Set();
    if (changed.size > 0) onChange(changed);
  };
  const isBusy = () => [...markers].some((marker) => existsSync(join(dir, marker)));
  // Counted: the process's inotify queue is shared, its overflow told by everyone's count.
  const watcher: FSWatcher = watchCounted(dir, (_event, filename) => {
    const name = filename?.toString();
    if (name !== undefined && markers.has(name)) {
      // A writer took or released its lock: released and nothing else held means done.
      if (pending.size > 0 && !isBusy()) flush();
      return;
    }
    // A missing filename (rare; queue overflow) means anything may have changed.
    if (name !== undefined && !wanted.has(name)) return;
    for (const changed of name === undefined ? wanted : [name]) pending.add(changed);
    clearTimeout(quietTimer);
    // While a writer holds its locks, wait for their release (or the deadline).
    if (markers.size === 0 || !isBusy()) quietTimer = setTimeout(flush, debounceMs);
    deadlineTimer ??= setTimeout(flush, maxDelayMs);
  });
  watcher.on('error', () => {
    // The directory went away (a demo reset): report everything as changed.
    for (const name of wanted) pending.add(name);
    flush();
  });
  return () => {
    clearTimeout(quietTimer);
    clearTimeout(deadlineTimer);
    watcher.close();
  };
}
