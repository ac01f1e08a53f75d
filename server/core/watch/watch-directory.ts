import { watch, type FSWatcher } from 'node:fs';

// Watches the entries `names` of directory `dir` through inotify (fs.watch on the directory,
// so a file replaced by rename is still seen), and calls `onChange` with the names that
// changed once a burst has been quiet for `debounceMs` (at most `maxDelayMs` after its
// first event). Returns the function that stops watching.
export function watchDirectory(dir: string, names: readonly string[], onChange: (changed: Set<string>) => void,
  { debounceMs = 50, maxDelayMs = 200 } = {}): () => void {
  const wanted = new Set(names);
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
  const watcher: FSWatcher = watch(dir, { persistent: false }, (_event, filename) => {
    // A missing filename (rare; queue overflow) means anything may have changed.
    const name = filename?.toString();
    if (name !== undefined && !wanted.has(name)) return;
    for (const changed of name === undefined ? wanted : [name]) pending.add(changed);
    clearTimeout(quietTimer);
    quietTimer = setTimeout(flush, debounceMs);
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
