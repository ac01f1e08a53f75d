import { Readable } from 'node:stream';
import type { EventFilter } from '../../core/events/event-filter.ts';
import type { EventJournal, JournalEntry } from '../../core/events/event-journal.ts';

// Bytes one stream may hold for a client that does not read (ours and the socket's buffer,
// beyond what the kernel took): ~5,000 events. Past it the client is dropped: a stalled
// `licorn get events -m` must never grow the daemon.
export const maxStreamBufferBytes = 1024 * 1024;

// Who follows a stream: their session's public id, and whether their rights still allow it.
export interface StreamViewer {
  publicId: string;
  isAdmin(): boolean;
}

// What a stream writes into: the HTTP response.
export interface StreamResponse {
  readonly headersSent: boolean;
  readonly writableLength: number;
  flushHeaders(): void;
}

// The live event streams (`GET /api/v1/events/stream`): each follows the journal through its
// filter, one JSON line per event, and ends when its viewer's session ends or loses admin
// rights (checked at every event), or is destroyed when its client stops reading.
export class EventStreams {
  readonly #journal: EventJournal;
  readonly #maxBufferBytes: number;
  readonly #open = new Set<Readable>();
  #dropped = 0;

  constructor(journal: EventJournal, options: { maxBufferBytes?: number } = {}) {
    this.#journal = journal;
    this.#maxBufferBytes = options.maxBufferBytes ?? maxStreamBufferBytes;
  }

  // Streams open now, and those dropped for not reading since start.
  get size(): number {
    return this.#open.size;
  }

  get dropped(): number {
    return this.#dropped;
  }

  // A stream of the events matching `filter` from now on, into `response`: its headers are
  // sent as soon as it is piped there (Fastify waits for the first data otherwise, and a
  // client must know at once that it follows), and its own buffer counts toward the bound.
  create(filter: EventFilter, viewer: StreamViewer, response: StreamResponse): Readable {
    let started = false;
    const stream = new Readable({
      read() {
        if (started) return;
        started = true;
        if (!response.headersSent) response.flushHeaders();
      },
    });
    const isOwnSessionLost = (entry: JournalEntry) => {
      if (entry.name !== 'session-closed' && entry.name !== 'session-changed') return false;
      const data = entry.data as { sessionId?: string; isAdmin?: boolean };
      return data.sessionId === viewer.publicId && (entry.name === 'session-closed' || !data.isAdmin);
    };
    const stop = this.#journal.follow((entry) => {
      if (isOwnSessionLost(entry) || !viewer.isAdmin()) {
        stop();
        stream.push(null);
        return;
      }
      if (!filter.matches(entry)) return;
      stream.push(`${JSON.stringify(entry)}\n`);
      if (stream.readableLength + response.writableLength > this.#maxBufferBytes) {
        this.#dropped += 1;
        stop();
        stream.destroy(new Error(`event stream dropped: its client read nothing of ${this.#maxBufferBytes} bytes`));
      }
    });
    this.#open.add(stream);
    stream.once('close', () => {
      stop();
      this.#open.delete(stream);
    });
    return stream;
  }

  // Ends every stream (shutdown): the clients see the end of the response.
  close(): void {
    for (const stream of this.#open) stream.push(null);
  }
}
