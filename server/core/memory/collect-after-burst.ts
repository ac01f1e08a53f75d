import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// V8 collects its old generation only when it grows to a limit of about three times what
// was live at the last full collection. The garbage a burst promoted there then stays resident
// while the daemon idles, as nothing allocates enough to reach the limit: a bulk change's (a
// 100,000-row import: 160 MiB of RSS or more, 15 at 10,000; bench/README.md, thirteenth
// session), or a burst of closed connections' (1,000 pages gone at once in a blip, then back:
// ~25 MiB with the new ones' set-up; server/web/tls/close-bursts.ts). One full collection once
// the burst is over gives it back.

// How often the event loop is looked at, how busy it may be to count as idle, and how long
// a collection waits for that at most (ms).
const checkMs = 250;
const idleShare = 0.25;
const longestWaitMs = 30_000;

// The least time between two collections: a full collection holds the event loop ~50 ms at
// 40 MB of heap and ~180 ms at 100,000 accounts' 137 MB (red team, eighteenth session), and
// bursts a client can cause (closed TLS connections, each after a handshake) get at most one
// each this long. A burst within it waits for its end: a blip's close, seconds after the last
// one's, still gets its own (at 10 s, bench/README.md, eighteenth session, it came too late).
export const collectEveryMs = 5000;

type Gc = (options: { type: 'major'; execution: 'async' }) => Promise<void>;
let gc: Gc | null = null;
let waiting: NodeJS.Timeout | null = null;
let lastCollected = Number.NEGATIVE_INFINITY;

// One full collection, now. V8's `gc`, as Jest's leak detector gets it: a flag set now and
// a new context, not a flag at the daemon's start.
export function collectGarbage(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as Gc;
  }
  void gc({ type: 'major', execution: 'async' });
}

// Asks for one full collection once the event loop is idle again: after the answer, the
// events and the pages' reloads of the burst (at 100,000 accounts, seconds after the
// commit; a collection in the middle of them left their garbage), and collectEveryMs after the
// last one at the soonest. Calls while one waits make no other. (`collect`: what collects;
// tests give their own.)
export function collectAfterBurst(collect: () => void = collectGarbage): void {
  if (waiting) return;
  const started = performance.now();
  let last = performance.eventLoopUtilization();
  waiting = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const busy = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    if (performance.now() - lastCollected < collectEveryMs) return;
    if (busy > idleShare && performance.now() - started < longestWaitMs) return;
    clearInterval(waiting!);
    waiting = null;
    lastCollected = performance.now();
    collect();
  }, checkMs);
  waiting.unref();
}
