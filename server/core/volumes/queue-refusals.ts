import type { AuditLog } from '../audit/audit-log.ts';
import type { VolumeActor } from './volumes-api.ts';

// At most one audit line per this many milliseconds for refusals of a full queue.
export const queueRefusalAuditEveryMs = 10_000;

// Most callers named on one line: a flood from many addresses stays one short line.
const maxParties = 5;

// Counts the volume actions refused because too many wait (503), and audits them at a bounded
// rate: the first at once, then one line per period with the count since (as the push
// channel's refusals are logged). 10,000 refused requests were 9,876 audit lines (red team's L7).
export class QueueRefusals {
  readonly #audit: AuditLog;
  #total = 0;
  #pending = 0;
  #parties = new Set<string>();
  #actions = new Set<string>();
  #auditedAt = -Infinity;
  #timer: NodeJS.Timeout | null = null;

  constructor(audit: AuditLog) {
    this.#audit = audit;
  }

  // Refusals since start.
  get total(): number {
    return this.#total;
  }

  // Counts one refusal of `action` asked by `actor`.
  count(actor: VolumeActor, action: string, message: string): void {
    this.#total += 1;
    this.#pending += 1;
    if (this.#parties.size < maxParties) this.#parties.add(`${actor.login}@${actor.address}`);
    this.#actions.add(action);
    if (this.#timer) return;
    const wait = this.#auditedAt + queueRefusalAuditEveryMs - Date.now();
    if (wait <= 0) void this.flush(message);
    else this.#timer = setTimeout(() => void this.flush(message), wait).unref();
  }

  // Writes the pending count as one audit line (at once at shutdown).
  async flush(message = 'Too many volume actions waiting'): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#pending === 0) return;
    const count = this.#pending;
    const parties = [...this.#parties].join(', ');
    const actions = [...this.#actions].join(', ');
    this.#pending = 0;
    this.#parties.clear();
    this.#actions.clear();
    this.#auditedAt = Date.now();
    await this.#audit
      .record({
        login: '-',
        address: '-',
        action: 'volume-queue-full',
        target: `${count} request${count === 1 ? '' : 's'}`,
        outcome: 'refused',
        detail: `${message}; ${actions} from ${parties}`.slice(0, 300),
      })
      .catch(() => {});
  }
}
