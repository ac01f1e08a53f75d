import { performance } from 'node:perf_hooks';
import type { Server, TLSSocket } from 'node:tls';
import { collectAfterBurst } from '../../core/memory/collect-after-burst.ts';
import { TokenBucket } from '../push/token-bucket.ts';

// TLS connections closed within one window of closeWindowMs from which they are a burst: 1,000
// pages gone at once in a network blip, a load of new connections. A site's few admins make a
// few a minute, far below it.
export const closeBurst = 100;
// The window the burst is counted in (fixed windows: a burst split across two counts in neither).
export const closeWindowMs = 5000;

// The least time between two collections asked for. Blips seconds apart each want theirs: a
// burst within the gap has its collection at the gap's end.
export const collectEveryMs = 2000;

// The collections asked for at most, at once and then six a minute: a full collection holds
// the event loop ~50 ms at 40 MB of heap and ~180 ms at 100,000 accounts' 137 MB (red team,
// eighteenth session), so a client closing connections on purpose, each after a full TLS
// handshake (~1 ms of the daemon's CPU), gets one every 10 s, not one every 2 s. A load of
// new connections (the web bench's httperf, ab: 30 s of bursts) or three blips within a
// minute (the status bench's storms) fit in the burst; six, at once then one a minute, left
// the web loads' peak where no collection left it (147–158 MiB against 118–136).
export const closeCollections = { burst: 30, perMinute: 6 };

// Counts connections closed, and asks for one full collection after a burst of closes: V8
// keeps the closed connections' objects (TLS, HTTP, a push socket's upgrade and client) in
// its old generation until a full collection, which its limit puts off, and 1,000 pages back
// at once then stack their own set-up on top (V8 promotes it while hundreds are set up
// together). 1,000 status followers back at once peaked at 156–164 MiB of RSS without it,
// ~141–147 with it (bench/README.md, eighteenth session).
export class CloseBursts {
  readonly #collect: () => void;
  readonly #now: () => number;
  readonly #collections: TokenBucket;
  #windowStart = Number.NEGATIVE_INFINITY;
  #closes = 0;
  #lastAsked = Number.NEGATIVE_INFINITY;
  #deferred: NodeJS.Timeout | null = null;
  #stopped = false;

  // `collect` and `now` (a monotonic clock in ms): what collects and the clock (tests give
  // their own).
  constructor(collect: () => void = collectAfterBurst, now: () => number = () => performance.now()) {
    this.#collect = collect;
    this.#now = now;
    this.#collections = new TokenBucket(closeCollections.burst, closeCollections.perMinute / 60, now);
  }

  // One connection closed.
  noteClose(): void {
    if (this.#stopped) return;
    const now = this.#now();
    if (now - this.#windowStart >= closeWindowMs) [this.#windowStart, this.#closes] = [now, 0];
    this.#closes += 1;
    if (this.#closes < closeBurst) return;
    // A collection for this burst, now or once the last one is collectEveryMs old; the
    // next burst counts from zero (collectAfterBurst makes one of the calls made while it
    // waits for the event loop to be idle).
    [this.#windowStart, this.#closes] = [now, 0];
    const wait = this.#lastAsked + collectEveryMs - now;
    if (wait <= 0) this.#ask();
    else this.#deferred ??= setTimeout(() => this.#ask(), wait).unref();
  }

  // Counts no more, and drops a collection still waiting for its gap (the server closing: its
  // connections' closes come after).
  stop(): void {
    this.#stopped = true;
    if (this.#deferred) clearTimeout(this.#deferred);
    this.#deferred = null;
  }

  #ask(): void {
    this.#deferred = null;
    if (!this.#collections.take()) return;
    this.#lastAsked = this.#now();
    this.#collect();
  }
}

// Counts the closes of `server`'s connections that finished their TLS handshake (the sniffer's
// plain-HTTP redirects, refused and stalled handshakes never do): a client must pay a full
// handshake, ~1 ms of the daemon's CPU, for each one that counts, where a bare TCP connection
// would cost it nothing (red team, eighteenth session). Returns what stops the counting.
export function collectAfterCloseBursts(server: Server, bursts = new CloseBursts()): () => void {
  const closed = () => bursts.noteClose();
  server.on('secureConnection', (socket: TLSSocket) => socket.once('close', closed));
  return () => bursts.stop();
}
