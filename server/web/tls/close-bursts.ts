import { performance } from 'node:perf_hooks';
import type { Server, TLSSocket } from 'node:tls';
import { collectAfterBurst } from '../../core/memory/collect-after-burst.ts';

// TLS connections closed within one window of closeWindowMs from which they are a burst: 1,000
// pages gone at once in a network blip, a load of new connections. A site's few admins make a
// few a minute, far below it.
export const closeBurst = 100;
// The window the burst is counted in (fixed windows: a burst split across two counts in neither).
export const closeWindowMs = 5000;

// Counts connections closed, and asks for one full collection after a burst of closes
// (collectAfterBurst: once the event loop is idle, at most one every collectEveryMs): V8
// keeps the closed connections' objects (TLS, HTTP, a push socket's upgrade and client) in
// its old generation until a full collection, which its limit puts off, and 1,000 pages back
// at once then stack their own set-up on top (V8 promotes it while hundreds are set up
// together). 1,000 status followers back at once peaked at 156–164 MiB of RSS without it,
// ~141–147 with it (bench/README.md, eighteenth session).
export class CloseBursts {
  readonly #collect: () => void;
  readonly #now: () => number;
  #windowStart = Number.NEGATIVE_INFINITY;
  #closes = 0;
  #stopped = false;

  // `collect` and `now` (a monotonic clock in ms): what collects and the clock (tests give
  // their own).
  constructor(collect: () => void = collectAfterBurst, now: () => number = () => performance.now()) {
    this.#collect = collect;
    this.#now = now;
  }

  // One connection closed.
  noteClose(): void {
    if (this.#stopped) return;
    const now = this.#now();
    if (now - this.#windowStart >= closeWindowMs) [this.#windowStart, this.#closes] = [now, 0];
    this.#closes += 1;
    if (this.#closes < closeBurst) return;
    // The next burst counts from zero.
    [this.#windowStart, this.#closes] = [now, 0];
    this.#collect();
  }

  // Counts no more (the server closing: its connections' closes come after).
  stop(): void {
    this.#stopped = true;
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
