import type { FastifyBaseLogger } from 'fastify';
import { refusalLogEveryMs } from './push-limits.ts';

// Why the push channel refused something (a frame, a name, a socket).
export const refusalReasons = [
  'frame-too-large',
  'bad-frame',
  'too-many-names',
  'subscribe-rate',
  'unknown-topic',
  'forbidden-topic',
  'too-many-topics',
  'too-many-refused',
  'slow-reader',
  'sockets-per-session',
  'sockets-per-address',
  'connect-rate',
  'session-ended',
  'rights-lost',
] as const;

export type RefusalReason = (typeof refusalReasons)[number];

// Who was refused, for the log line.
export interface RefusedParty {
  login: string;
  address: string;
}

// Most parties named on one log line: a flood from many sessions stays one short line.
const maxPartiesPerLine = 5;

// Counts the push channel's refusals by reason since start (for status figures and tests)
// and writes them to the log at most once per `refusalLogEveryMs`, in one line: a flood of
// refusals is never amplified into a flood of log lines.
export class PushRefusals {
  readonly #log: FastifyBaseLogger;
  readonly #totals = new Map<RefusalReason, number>();
  #pending = new Map<RefusalReason, number>();
  #parties = new Set<string>();
  #loggedAt = -Infinity;
  #timer: NodeJS.Timeout | null = null;

  constructor(log: FastifyBaseLogger) {
    this.#log = log;
  }

  // Counts `count` refusals for `reason` by `party`.
  count(reason: RefusalReason, party: RefusedParty, count = 1): void {
    this.#totals.set(reason, (this.#totals.get(reason) ?? 0) + count);
    this.#pending.set(reason, (this.#pending.get(reason) ?? 0) + count);
    if (this.#parties.size < maxPartiesPerLine) this.#parties.add(`${party.login}@${party.address}`);
    if (this.#timer) return;
    const wait = this.#loggedAt + refusalLogEveryMs - Date.now();
    if (wait <= 0) this.#flush();
    else this.#timer = setTimeout(() => this.#flush(), wait).unref();
  }

  // Refusals by reason since start (reasons never seen are 0).
  getTotals(): Record<RefusalReason, number> {
    const totals = refusalReasons.map((reason) => [reason, this.#totals.get(reason) ?? 0]);
    return Object.fromEntries(totals) as Record<RefusalReason, number>;
  }

  // All refusals since start.
  getTotal(): number {
    let total = 0;
    for (const count of this.#totals.values()) total += count;
    return total;
  }

  // Stops the pending log line (shutdown).
  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #flush(): void {
    this.#timer = null;
    if (this.#pending.size === 0) return;
    this.#loggedAt = Date.now();
    const refused = Object.fromEntries(this.#pending);
    const by = [...this.#parties];
    this.#pending = new Map();
    this.#parties = new Set();
    const counts = Object.entries(refused)
      .map(([reason, count]) => `${reason} ${count}`)
      .join(', ');
    this.#log.warn({ refused, by }, `push channel refusals: ${counts}`);
  }
}
