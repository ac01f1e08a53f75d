import type { FastifyBaseLogger } from 'fastify';

// How often the refusals of a local socket may reach the log (as the push channel's).
export const socketRefusalLogEveryMs = 60_000;
// Most uids named on one line: a flood from many uids stays one short line.
const maxUidsPerLine = 5;

// Counts the connections a local socket (the API's or get inside's) refused, by uid, and
// writes them to the log at most once per `everyMs`, one line with the counts: any local
// uid can connect, so a log line per refusal would let it fill the disk.
export class SocketRefusals {
  readonly #log: FastifyBaseLogger;
  readonly #message: string;
  readonly #everyMs: number;
  #pending = new Map<number, number>();
  #total = 0;
  #loggedAt = -Infinity;
  #timer: NodeJS.Timeout | null = null;

  constructor(log: FastifyBaseLogger, message: string, everyMs = socketRefusalLogEveryMs) {
    this.#log = log;
    this.#message = message;
    this.#everyMs = everyMs;
  }

  // Counts one refused connection of `uid` (its line is written now or at the next turn).
  count(uid: number): void {
    this.#total += 1;
    this.#pending.set(uid, (this.#pending.get(uid) ?? 0) + 1);
    if (this.#timer) return;
    const wait = this.#loggedAt + this.#everyMs - Date.now();
    if (wait <= 0) this.#flush();
    else this.#timer = setTimeout(() => this.#flush(), wait).unref();
  }

  // Refused connections since start.
  get total(): number {
    return this.#total;
  }

  // Stops the pending line (shutdown).
  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #flush(): void {
    this.#timer = null;
    if (this.#pending.size === 0) return;
    this.#loggedAt = Date.now();
    const byUid = [...this.#pending].sort(([, a], [, b]) => b - a);
    const refused = byUid.reduce((sum, [, count]) => sum + count, 0);
    this.#pending = new Map();
    const uids = Object.fromEntries(byUid.slice(0, maxUidsPerLine).map(([uid, count]) => [`uid ${uid}`, count]));
    this.#log.warn({ refused, uids, otherUids: Math.max(0, byUid.length - maxUidsPerLine) }, this.#message);
  }
}
