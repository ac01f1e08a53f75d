import { Readable } from 'node:stream';
import { CoreError } from '../../core/errors.ts';
import type { EventFilter } from '../../core/events/event-filter.ts';
import type { EventJournal, JournalEntry } from '../../core/events/event-journal.ts';
import { quoted, say } from '../../core/messages.ts';

// Bytes one stream may hold for a client that does not read (ours and the socket's buffer,
// beyond what the kernel took): ~5,000 events. Past it the client is dropped: a stalled
// `licorn get events -m` must never grow the daemon.
export const maxStreamBufferBytes = 1024 * 1024;

// Streams one session, one account, one address, and all together may follow at once: each
// costs a buffer and a write per event, and 600 streams of one token slowed the daemon 40×.
export const streamLimits = { perSession: 4, perAccount: 8, perAddress: 16, total: 64 };

// How often a quiet stream writes an empty line: it keeps the local socket's idle timeout and
// the session's (a remote one) from ending a monitor that is only waiting.
export const streamHeartbeatMs = 30_000;

// Who follows a stream: their session (public id, login, address), whether their rights still
// allow it, and how to mark the session used (a stream is activity, as a page's socket is).
export interface StreamViewer {
  publicId: string;
  login: string;
  address: string;
  isAdmin(): boolean;
  touch(): void;
}

// What a stream writes into: the HTTP response.
export interface StreamResponse {
  readonly headersSent: boolean;
  readonly writableLength: number;
  flushHeaders(): void;
  once(event: 'finish' | 'close', listener: () => void): unknown;
}

// How long the stop waits for the streams' last bytes to be sent (a client that stopped
// reading would hold it otherwise).
const lastBytesMs = 2000;

// Why the daemon ended a stream, sent as its last line (`{"end": …, "message": …}`): the
// client says it and exits 1, never taking it for a normal end.
export type StreamEnd = 'session-ended' | 'not-admin' | 'stopping';

const endMessages: Record<StreamEnd, string> = {
  'session-ended': 'the session ended (logged out, timed out, or its account changed)',
  'not-admin': 'the account is no longer an administrator',
  stopping: 'licornd is stopping',
};

interface OpenStream {
  readable: Readable;
  viewer: StreamViewer;
  filter: EventFilter;
  response: StreamResponse;
  wroteAt: number;
  // Its last line pushed (readableEnded waits for the client to read it).
  ended: boolean;
}

// The live event streams (`GET /api/v1/events/stream`): each follows the journal through its
// filter, one JSON line per event (serialised once for all), an empty line when quiet; ends
// with a last line saying why when its viewer's session ends or loses admin rights (checked
// at every event), or at shutdown; is destroyed when its client stops reading. Bounded in
// number (streamLimits: past them create() refuses, counted in `refused`).
export class EventStreams {
  readonly #maxBufferBytes: number;
  readonly #limits: typeof streamLimits;
  readonly #heartbeatMs: number;
  readonly #open = new Set<OpenStream>();
  readonly #stopFollowing: () => void;
  #heartbeat: NodeJS.Timeout | null = null;
  #dropped = 0;
  #refused = 0;

  constructor(
    journal: EventJournal,
    options: { maxBufferBytes?: number; limits?: Partial<typeof streamLimits>; heartbeatMs?: number } = {},
  ) {
    this.#maxBufferBytes = options.maxBufferBytes ?? maxStreamBufferBytes;
    this.#limits = { ...streamLimits, ...options.limits };
    this.#heartbeatMs = options.heartbeatMs ?? streamHeartbeatMs;
    this.#stopFollowing = journal.follow((entry) => this.#send(entry));
  }

  // Streams open now, those dropped for not reading, and those refused past a limit, since start.
  get size(): number {
    return this.#open.size;
  }

  get dropped(): number {
    return this.#dropped;
  }

  get refused(): number {
    return this.#refused;
  }

  // A stream of the events matching `filter` from now on, into `response`: its headers are
  // sent as soon as it is piped there (Fastify waits for the first data otherwise, and a
  // client must know at once that it follows), and its own buffer counts toward the bound.
  // Throws CoreError busy (503) past a limit.
  create(filter: EventFilter, viewer: StreamViewer, response: StreamResponse): Readable {
    this.#checkLimits(viewer);
    let started = false;
    const readable = new Readable({
      read() {
        if (started) return;
        started = true;
        if (!response.headersSent) response.flushHeaders();
      },
    });
    const stream: OpenStream = { readable, viewer, filter, response, wroteAt: Date.now(), ended: false };
    this.#open.add(stream);
    readable.once('close', () => {
      this.#open.delete(stream);
      if (this.#open.size === 0 && this.#heartbeat) {
        clearInterval(this.#heartbeat);
        this.#heartbeat = null;
      }
    });
    this.#heartbeat ??= setInterval(() => this.#beat(), Math.max(10, this.#heartbeatMs / 2));
    this.#heartbeat.unref();
    return readable;
  }

  // Ends every stream (shutdown), each with its last line: the clients see why. Resolves once
  // their answers are sent (or after lastBytesMs): the server's close, next, cuts a connection
  // whose answer has ended but is still being written, and the client saw its answer aborted.
  close(): Promise<void> {
    const sent: Promise<void>[] = [];
    for (const stream of this.#open) {
      if (stream.ended || stream.readable.destroyed) continue;
      sent.push(
        new Promise((resolve) =>
          ['finish', 'close'].forEach((event) => stream.response.once(event as 'finish', resolve)),
        ),
      );
      this.#end(stream, 'stopping');
    }
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
    this.#stopFollowing();
    if (sent.length === 0) return Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, lastBytesMs).unref()));
    return Promise.race([Promise.all(sent).then(() => undefined), bound]).finally(() => clearTimeout(timer));
  }

  #checkLimits(viewer: StreamViewer): void {
    const open = [...this.#open].filter((stream) => !stream.ended);
    const count = (same: (other: StreamViewer) => boolean) => open.filter((stream) => same(stream.viewer)).length;
    const limits = this.#limits;
    const over =
      open.length >= limits.total
        ? say('web.streams.total', { max: limits.total })
        : count((other) => other.publicId === viewer.publicId) >= limits.perSession
          ? say('web.streams.session', { max: limits.perSession })
          : count((other) => other.login === viewer.login) >= limits.perAccount
            ? say('web.streams.account', { login: quoted(viewer.login), max: limits.perAccount })
            : count((other) => other.address === viewer.address) >= limits.perAddress
              ? say('web.streams.address', { address: quoted(viewer.address), max: limits.perAddress })
              : null;
    if (!over) return;
    this.#refused += 1;
    throw new CoreError('busy', say('web.streams.tooMany', { over }), { field: 'stream' });
  }

  #send(entry: JournalEntry): void {
    if (this.#open.size === 0) return;
    let line: string | null = null;
    for (const stream of this.#open) {
      if (stream.ended || stream.readable.destroyed) continue;
      const lost = getLostReason(entry, stream.viewer);
      if (lost) {
        this.#end(stream, lost);
        continue;
      }
      if (!stream.filter.matches(entry)) continue;
      line ??= `${JSON.stringify(entry)}\n`;
      this.#write(stream, line);
    }
  }

  // An empty line on every stream quiet for half the heartbeat or more (a timer for all).
  #beat(): void {
    const now = Date.now();
    for (const stream of this.#open) {
      if (stream.ended || now - stream.wroteAt < this.#heartbeatMs / 2) continue;
      if (!stream.viewer.isAdmin()) this.#end(stream, 'not-admin');
      else this.#write(stream, '\n');
    }
  }

  #write(stream: OpenStream, line: string): void {
    const { readable, response } = stream;
    readable.push(line);
    stream.wroteAt = Date.now();
    stream.viewer.touch();
    if (readable.readableLength + response.writableLength > this.#maxBufferBytes) {
      this.#dropped += 1;
      readable.destroy(new Error(`event stream dropped: its client read nothing of ${this.#maxBufferBytes} bytes`));
    }
  }

  #end(stream: OpenStream, reason: StreamEnd): void {
    if (stream.ended || stream.readable.destroyed) return;
    stream.ended = true;
    stream.readable.push(`${JSON.stringify({ end: reason, message: endMessages[reason] })}\n`);
    stream.readable.push(null);
  }
}

// Why an event ends a viewer's stream: its own session closed, or no longer an admin's.
function getLostReason(entry: JournalEntry, viewer: StreamViewer): StreamEnd | null {
  if (entry.name === 'session-closed' || entry.name === 'session-changed') {
    const data = entry.data as { sessionId?: string; isAdmin?: boolean };
    if (data.sessionId === viewer.publicId) {
      if (entry.name === 'session-closed') return 'session-ended';
      if (!data.isAdmin) return 'not-admin';
    }
  }
  return viewer.isAdmin() ? null : 'not-admin';
}
