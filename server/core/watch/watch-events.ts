import { type FSWatcher, type WatchListener, watch } from 'node:fs';

// Events delivered to this process's fs.watch watchers, all of them together. libuv reads
// every fs.watch of a process from one inotify queue: its overflow (max_queued_events unread;
// libuv drops IN_Q_OVERFLOW) drops any watcher's events, whichever watcher filled it. So a
// watcher that must tell an overflow (home-owners.ts) counts everyone's events, and every
// fs.watch of the daemon is made by watchCounted.
let events = 0;

// fs.watch of `dir` (not keeping the process alive) whose events are counted before
// `listener` hears them.
export function watchCounted(dir: string, listener: WatchListener<string>): FSWatcher {
  return watch(dir, { persistent: false }, (type, filename) => {
    events += 1;
    listener(type, filename);
  });
}

// Events delivered to the process's fs.watch callbacks so far.
export function getWatchEvents(): number {
  return events;
}
