import type { CoreEvent, EventBus } from './event-bus.ts';
import type { EventFilter } from './event-filter.ts';
import type { JournalEntryView } from './event-schema.ts';

// One core event as the journal keeps it: numbered in emission order, its time in ISO form.
export type JournalEntry = JournalEntryView;

// A page of the journal, oldest first, and whether older matching events remain.
export interface JournalPage {
  events: JournalEntry[];
  earlier: boolean;
}

// The journal's bounds.
export interface EventJournalOptions {
  // Events kept (configuration key events.journal_size).
  maxEvents: number;
  // Bytes of their JSON kept, all together: a burst of large events cannot grow the daemon.
  maxBytes?: number;
}

// Bytes kept by default, whatever the count: 5,000 events of ~200 bytes is 1 MiB.
export const defaultJournalBytes = 4 * 1024 * 1024;

// An event larger than this keeps its name and facility but not its data (none is, today).
const maxEntryBytes = 16 * 1024;

// Keys whose values are never journaled, whatever event carries them: no payload has them
// today (checked by test/core/events/event-secrets.test.ts); this keeps a later one honest.
const secretKey = /pass(word)?|hash|token|secret|credential|cookie|csrf/i;

// Whether each key seen is secret: the payloads' keys are a few dozen names, and an import
// tested `login` against the expression 10,000 times. Bounded, should keys come from data.
const secretKeys = new Map<string, boolean>();
function isSecretKey(key: string): boolean {
  let secret = secretKeys.get(key);
  if (secret === undefined) {
    secret = secretKey.test(key);
    if (secretKeys.size < 1024) secretKeys.set(key, secret);
  }
  return secret;
}

// (A loop, not entries → filter → map → fromEntries: an import emits 10,000 events at once.)
function removeSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(removeSecrets);
  if (!value || typeof value !== 'object') return value;
  const kept: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (isSecretKey(key)) continue;
    const inner = removeSecrets((value as Record<string, unknown>)[key]);
    // A key named __proto__ stays a key, as fromEntries kept it (an assignment sets the prototype).
    if (key === '__proto__') Object.defineProperty(kept, key, { value: inner, enumerable: true, writable: true });
    else kept[key] = inner;
  }
  return kept;
}

// A local socket connection's session opening or closing: one pair per connection (every
// `licorn` run, every `curl --unix-socket`), which any local account could repeat thousands of
// times a second to push the admins' changes out of the journal. Not journaled (nor streamed):
// the audit log and the sessions' own list still see them.
function isPerConnection(event: CoreEvent): boolean {
  if (event.name !== 'session-opened' && event.name !== 'session-closed') return false;
  return (event.data as { local?: boolean } | null)?.local === true;
}

// The core's recent events, numbered, in memory and bounded in count and bytes (the oldest
// go first), for the events monitor: `licorn get events`, the API and the Events page read a
// page of it, then follow what comes next.
export class EventJournal {
  readonly #maxEvents: number;
  readonly #maxBytes: number;
  // A queue: entries from `#head` on are live (shifting an array of thousands is costly).
  #entries: { entry: JournalEntry; bytes: number }[] = [];
  #head = 0;
  #bytes = 0;
  #seq = 0;
  // The last event's time and its ISO form.
  #lastTime: [number, string] = [Number.NaN, ''];
  readonly #followers = new Set<(entry: JournalEntry) => void>();
  readonly #stop: () => void;

  constructor(events: EventBus, options: EventJournalOptions) {
    this.#maxEvents = Math.max(1, options.maxEvents);
    this.#maxBytes = Math.max(1024, options.maxBytes ?? defaultJournalBytes);
    this.#stop = events.onAny((event) => this.#add(event));
  }

  // How many events are kept, and their bytes.
  get size(): number {
    return this.#entries.length - this.#head;
  }

  get bytes(): number {
    return this.#bytes;
  }

  // The number of the last event journaled (0 before the first).
  get lastSeq(): number {
    return this.#seq;
  }

  // The newest `limit` events matching `filter` numbered below `before` (all when absent),
  // oldest first.
  list(filter: EventFilter, options: { before?: number; limit: number }): JournalPage {
    const before = options.before ?? Infinity;
    const found: JournalEntry[] = [];
    let index = this.#entries.length - 1;
    for (; index >= this.#head && found.length < options.limit; index -= 1) {
      const { entry } = this.#entries[index]!;
      if (entry.seq < before && filter.matches(entry)) found.push(entry);
    }
    let earlier = false;
    for (; index >= this.#head && !earlier; index -= 1) {
      const { entry } = this.#entries[index]!;
      earlier = entry.seq < before && filter.matches(entry);
    }
    return { events: found.reverse(), earlier };
  }

  // Calls `listener` with every event journaled from now on; returns the function that stops.
  follow(listener: (entry: JournalEntry) => void): () => void {
    this.#followers.add(listener);
    return () => this.#followers.delete(listener);
  }

  // Stops journaling (shutdown).
  close(): void {
    this.#stop();
    this.#followers.clear();
  }

  #add(event: CoreEvent): void {
    if (isPerConnection(event)) return;
    this.#seq += 1;
    // A burst (an import's 10,000 events) shares its millisecond: formatted once.
    if (event.time !== this.#lastTime[0]) this.#lastTime = [event.time, new Date(event.time).toISOString()];
    const time = this.#lastTime[1];
    let entry: JournalEntry = {
      seq: this.#seq,
      time,
      facility: event.facility,
      name: event.name,
      data: removeSecrets(event.data),
    };
    let bytes = Buffer.byteLength(JSON.stringify(entry));
    if (bytes > maxEntryBytes) {
      entry = { ...entry, data: { truncated: true } };
      bytes = Buffer.byteLength(JSON.stringify(entry));
    }
    this.#entries.push({ entry, bytes });
    this.#bytes += bytes;
    while (this.size > this.#maxEvents || (this.#bytes > this.#maxBytes && this.size > 1)) {
      this.#bytes -= this.#entries[this.#head]!.bytes;
      this.#head += 1;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
    // A follower that throws must not stop the others, nor the emitter of the event.
    for (const follower of this.#followers) {
      try {
        follower(entry);
      } catch {
        this.#followers.delete(follower);
      }
    }
  }
}
