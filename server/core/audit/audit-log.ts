import { appendFile, mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { EventBus } from '../events/event-bus.ts';
import { readAuditPage, type AuditPage, type AuditQuery } from './audit-query.ts';

// One admin action as the audit log keeps it: who, from where, what, on what, and how it
// ended (a refusal is recorded too, with its reason).
export interface AuditEntry {
  time: string;
  login: string;
  address: string;
  action: string;
  target: string;
  outcome: 'done' | 'refused' | 'failed';
  detail?: string;
}

// How much of the end of the file the Audit page reads: thousands of entries.
const tailBytes = 512 * 1024;

// The audit log: one JSON object per line, appended in order (mode 0640, directory 0750),
// each entry also emitted as `audit-recorded` for the live Audit page.
export class AuditLog {
  readonly file: string;
  readonly #events: EventBus;
  #queue: Promise<void> = Promise.resolve();
  #ready: Promise<unknown> | null = null;

  constructor(file: string, events: EventBus) {
    this.file = file;
    this.#events = events;
  }

  // Appends an entry; resolves once it is written. Entries are written in call order.
  record(entry: Omit<AuditEntry, 'time'>): Promise<void> {
    const full: AuditEntry = { time: new Date().toISOString(), ...entry };
    this.#ready ??= mkdir(dirname(this.file), { recursive: true, mode: 0o750 });
    const write = this.#queue.then(async () => {
      await this.#ready;
      await appendFile(this.file, JSON.stringify(full) + '\n', { mode: 0o640 });
      this.#events.emit('audit-recorded', 'web', full);
    });
    this.#queue = write.catch(() => {});
    return write;
  }

  // Resolves when every entry recorded so far is written (shutdown).
  settle(): Promise<void> {
    return this.#queue;
  }

  // One page of the entries that match `query`, newest first, anywhere in the file
  // (audit-query.ts); every entry recorded so far is written first.
  async query(query: AuditQuery): Promise<AuditPage> {
    await this.#queue;
    return readAuditPage(this.file, query);
  }

  // The latest entries, newest first (an absent file has none).
  async readRecent(limit = 500): Promise<AuditEntry[]> {
    await this.#queue;
    const handle = await open(this.file, 'r').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (!handle) return [];
    try {
      const { size } = await handle.stat();
      const start = Math.max(0, size - tailBytes);
      const buffer = Buffer.alloc(size - start);
      await handle.read(buffer, 0, buffer.length, start);
      const lines = buffer.toString('utf8').split('\n');
      if (start > 0) lines.shift(); // cut in the middle of a line
      const entries: AuditEntry[] = [];
      for (let index = lines.length - 1; index >= 0 && entries.length < limit; index -= 1) {
        if (!lines[index]) continue;
        try {
          entries.push(JSON.parse(lines[index]!) as AuditEntry);
        } catch {
          // a line written by hand or cut by a crash: skipped, the rest still shows
        }
      }
      return entries;
    } finally {
      await handle.close();
    }
  }
}
