import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../server/core/events/event-bus.ts';
import { parseEventFilter } from '../../../server/core/events/event-filter.ts';
import { EventJournal } from '../../../server/core/events/event-journal.ts';
import { EventStreams, type StreamViewer } from '../../../server/web/events/event-streams.ts';
import { waitUntil } from '../../helpers/wait-until.ts';

// The event streams alone, on a journal of their own: bounds, heartbeats, last lines.
function setUp(options: ConstructorParameters<typeof EventStreams>[1] = {}) {
  const events = new EventBus();
  const journal = new EventJournal(events, { maxEvents: 100 });
  return { events, streams: new EventStreams(journal, options) };
}

const response = { headersSent: true, writableLength: 0, flushHeaders: () => undefined, once: () => response };
let viewers = 0;
function createViewer(extra: Partial<StreamViewer> = {}): StreamViewer & { touched: number } {
  viewers += 1;
  const viewer = {
    publicId: `s${viewers}`,
    login: `l${viewers}`,
    address: `a${viewers}`,
    isAdmin: () => true,
    touched: 0,
    touch: () => {
      viewer.touched += 1;
    },
    ...extra,
  };
  return viewer;
}

// What a stream wrote, read as it comes.
function read(stream: Readable): { text: () => string; ended: () => boolean } {
  let text = '';
  let ended = false;
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    text += chunk;
  });
  stream.on('end', () => {
    ended = true;
  });
  return { text: () => text, ended: () => ended };
}

describe('event streams', () => {
  it('write an empty line on a quiet stream and mark its session used, events too', async () => {
    const { events, streams } = setUp({ heartbeatMs: 40 });
    const viewer = createViewer();
    const reader = read(streams.create(parseEventFilter('accounts'), viewer, response));
    await waitUntil(() => reader.text().includes('\n'), 'a heartbeat');
    expect(reader.text().trim()).toBe('');
    expect(viewer.touched).toBeGreaterThan(0);
    events.emit('account-added', 'accounts', { login: 'al' });
    await waitUntil(() => reader.text().includes('"al"'), 'the event');
    streams.close();
  });

  it('end with a last line saying why: the session closed, rights lost, the daemon stopping', async () => {
    const { events, streams } = setUp();
    const closed = createViewer();
    let admin = true;
    const demoted = createViewer({ isAdmin: () => admin });
    const stopping = createViewer();
    const readers = [closed, demoted, stopping].map((viewer) =>
      read(streams.create(parseEventFilter(''), viewer, response)),
    );
    events.emit('session-closed', 'auth', { sessionId: closed.publicId, reason: 'logout' });
    admin = false;
    events.emit('account-added', 'accounts', { login: 'al' });
    streams.close();
    await waitUntil(() => readers.every((reader) => reader.ended()), 'the streams to end');
    const last = readers.map((reader) => JSON.parse(reader.text().trim().split('\n').at(-1)!) as { end: string });
    expect(last.map((line) => line.end)).toEqual(['session-ended', 'not-admin', 'stopping']);
  });

  it('refuse past the limits of an account, an address and in total, and count the refusals', () => {
    const { streams } = setUp({ limits: { perSession: 10, perAccount: 2, perAddress: 3, total: 6 } });
    const filter = parseEventFilter('');
    const open = (viewer: StreamViewer) => streams.create(filter, viewer, response);
    open(createViewer({ login: 'same' }));
    open(createViewer({ login: 'same' }));
    expect(() => open(createViewer({ login: 'same' }))).toThrow(/account "same" follows 2 event streams already/);
    open(createViewer({ address: 'here' }));
    open(createViewer({ address: 'here' }));
    open(createViewer({ address: 'here' }));
    expect(() => open(createViewer({ address: 'here' }))).toThrow(/address "here" follows 3/);
    open(createViewer());
    expect(() => open(createViewer())).toThrow(/licornd follows 6 event streams already/);
    expect(streams.refused).toBe(3);
    expect(streams.size).toBe(6);
    streams.close();
  });
});
