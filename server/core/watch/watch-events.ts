// Events delivered to this process's fs.watch watchers, all of them together. libuv reads
// every fs.watch of a process from one inotify queue: its overflow (max_queued_events unread;
// libuv drops IN_Q_OVERFLOW) drops any watcher's events, whichever watcher filled it. So a
// watcher that must tell an overflow (home-owners.ts) counts everyone's events, and every
// fs.watch callback of the daemon calls countWatchEvent.
let events = 0;

// Counts one event delivered to an fs.watch callback.
export function countWatchEvent(): void {
  events += 1;
}

// Events delivered to the process's fs.watch callbacks so far.
export function getWatchEvents(): number {
  return events;
}
