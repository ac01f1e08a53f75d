import type { Server } from 'node:net';
import { collectAfterBurst } from '../../core/memory/collect-after-burst.ts';

// Connections opened or closed within one window from which they are a burst: 1,000 pages back
// at once after a network blip, a load test's thousands of new connections. A site's few admins
// make two a page reload, far below it.
export const churnBurst = 100;
export const churnWindowMs = 5000;

// The least time between two collections asked for: a client opening and closing bare TCP
// connections (no TLS, a few µs each to it) would otherwise have a full collection (~30 ms of
// the daemon's CPU at 40 MB of heap) every 100 of them; ~1.5 % of a core at most. A burst
// within it has its collection when it ends. Short, because a storm is bursts seconds apart
// that each want theirs: the 1,000 pages opened, closed by a blip, back again (at 10 s, the
// close's collection came after the storm: peaks of 158–164 MiB again, eighteenth session).
export const churnCollectEveryMs = 2000;

// Counts connections opened and closed, and asks for one full collection after a burst of
// them: V8 promotes each connection's set-up (TLS, the upgrade, the push hub's client) while
// hundreds are set up together, and keeps the closed ones' objects in its old generation until
// a full collection, which its limit puts off. 1,000 status followers back at once peaked at
// 156–164 MiB of RSS without it, 141–145 with it (bench/README.md, eighteenth session).
export class ConnectionChurn {
  readonly #collect: () => void;
  readonly #now: () => number;
  #windowStart = Number.NEGATIVE_INFINITY;
  #changes = 0;
  #lastAsked = Number.NEGATIVE_INFINITY;
  #deferred: NodeJS.Timeout | null = null;

  // `collect` and `now`: what collects and the clock (tests give their own).
  constructor(collect: () => void = collectAfterBurst, now: () => number = Date.now) {
    this.#collect = collect;
    this.#now = now;
  }

  // One connection opened or closed.
  note(): void {
    const now = this.#now();
    if (now - this.#windowStart >= churnWindowMs) [this.#windowStart, this.#changes] = [now, 0];
    this.#changes += 1;
    if (this.#changes < churnBurst) return;
    // A collection for this burst, now or once the last one is churnCollectEveryMs old; the
    // next burst counts from zero (collectAfterBurst makes one of the calls made while it
    // waits for the event loop to be idle).
    [this.#windowStart, this.#changes] = [now, 0];
    const wait = this.#lastAsked + churnCollectEveryMs - now;
    if (wait <= 0) this.#ask();
    else this.#deferred ??= setTimeout(() => this.#ask(), wait).unref();
  }

  #ask(): void {
    this.#deferred = null;
    this.#lastAsked = this.#now();
    this.#collect();
  }
}

// Counts every connection `server` accepts, opened and then closed, in `churn`.
export function watchConnectionChurn(server: Server, churn = new ConnectionChurn()): void {
  const closed = () => churn.note();
  server.on('connection', (socket) => {
    churn.note();
    socket.once('close', closed);
  });
}
