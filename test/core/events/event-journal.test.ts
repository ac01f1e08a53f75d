import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../server/core/events/event-bus.ts';
import { parseEventFilter } from '../../../server/core/events/event-filter.ts';
import { EventJournal, type JournalEntry } from '../../../server/core/events/event-journal.ts';

const everything = parseEventFilter('');

function createJournal(maxEvents: number, maxBytes?: number) {
  const events = new EventBus();
  return { events, journal: new EventJournal(events, { maxEvents, maxBytes }) };
}

describe('EventJournal', () => {
  it('numbers every event and keeps its facility, name, ISO time and data', () => {
    const { events, journal } = createJournal(10);
    events.emit('account-added', 'accounts', { login: 'alice' });
    events.emit('volume-usage', 'volumes', { name: 'loop3' });
    const { events: kept, earlier } = journal.list(everything, { limit: 10 });
    expect(earlier).toBe(false);
    expect(kept).toEqual([
      {
        seq: 1,
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
        facility: 'accounts',
        name: 'account-added',
        data: { login: 'alice' },
      },
      { seq: 2, time: expect.any(String), facility: 'volumes', name: 'volume-usage', data: { name: 'loop3' } },
    ]);
    expect(journal.lastSeq).toBe(2);
  });

  it('keeps at most maxEvents, the oldest going first, and numbers on', () => {
    const { events, journal } = createJournal(100);
    for (let index = 0; index < 250; index += 1) events.emit('account-added', 'accounts', { login: `a${index}` });
    expect(journal.size).toBe(100);
    const page = journal.list(everything, { limit: 1000 });
    expect(page.events.map((entry) => entry.seq)).toEqual(Array.from({ length: 100 }, (_, index) => 151 + index));
    expect(page.earlier).toBe(false);
  });

  it('keeps at most maxBytes of JSON, whatever the count', () => {
    const { events, journal } = createJournal(100_000, 64 * 1024);
    for (let index = 0; index < 2000; index += 1) events.emit('account-added', 'accounts', { login: 'x'.repeat(200) });
    expect(journal.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(journal.size).toBeGreaterThan(100);
    expect(journal.size).toBeLessThan(2000);
    const sizes = journal.list(everything, { limit: 100_000 }).events;
    const total = sizes.reduce((sum, entry) => sum + Buffer.byteLength(JSON.stringify(entry)), 0);
    expect(total).toBe(journal.bytes);
    expect(sizes.at(-1)!.seq).toBe(2000);
  });

  it('keeps an oversized event by name without its data', () => {
    const { events, journal } = createJournal(10);
    events.emit('audit-recorded', 'web', {
      time: '',
      login: 'admin',
      address: '-',
      action: 'x',
      target: 'y',
      outcome: 'done',
      detail: 'z'.repeat(100_000),
    });
    expect(journal.list(everything, { limit: 1 }).events[0]).toMatchObject({
      name: 'audit-recorded',
      data: { truncated: true },
    });
  });

  it('pages back with before and limit through the filter, saying whether earlier ones remain', () => {
    const { events, journal } = createJournal(1000);
    for (let index = 0; index < 30; index += 1) {
      events.emit('account-added', 'accounts', { login: `a${index}` });
      events.emit('session-opened', 'auth', { sessionId: `s${index}` });
    }
    const accounts = parseEventFilter('accounts');
    const newest = journal.list(accounts, { limit: 10 });
    expect(newest.events.map((entry) => entry.seq)).toEqual([41, 43, 45, 47, 49, 51, 53, 55, 57, 59]);
    expect(newest.earlier).toBe(true);
    const before = journal.list(accounts, { before: newest.events[0]!.seq, limit: 10 });
    expect(before.events.map((entry) => entry.seq)).toEqual([21, 23, 25, 27, 29, 31, 33, 35, 37, 39]);
    const first = journal.list(accounts, { before: 21, limit: 10 });
    expect(first.events.map((entry) => entry.seq)).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
    expect(first.earlier).toBe(false);
    expect(journal.list(accounts, { before: 1, limit: 10 })).toEqual({ events: [], earlier: false });
  });

  it('hands followers each new entry, numbered, until they stop', () => {
    const { events, journal } = createJournal(10);
    const seen: JournalEntry[] = [];
    const stop = journal.follow((entry) => seen.push(entry));
    events.emit('group-added', 'groups', { name: 'devs' });
    stop();
    events.emit('group-removed', 'groups', { name: 'devs' });
    expect(seen.map((entry) => [entry.seq, entry.name])).toEqual([[1, 'group-added']]);
  });

  it('never keeps a value under a key that names a secret', () => {
    const { events, journal } = createJournal(10);
    events.emit('account-changed', 'accounts', {
      login: 'alice',
      fields: ['password'],
      password: 'Secret-1234',
      nested: { hash: '$y$j9T$abc', csrfToken: 't' },
    } as never);
    const entry = journal.list(everything, { limit: 1 }).events[0]!;
    expect(entry.data).toEqual({ login: 'alice', fields: ['password'], nested: {} });
  });

  it('keeps a key named __proto__ as a key, never as the copy’s prototype; one time per millisecond', () => {
    const { events, journal } = createJournal(10);
    events.emit('account-added', 'accounts', JSON.parse('{"login":"x","__proto__":{"polluted":true}}') as never);
    events.emit('account-added', 'accounts', { login: 'y' });
    const [first, second] = journal.list(everything, { limit: 2 }).events;
    const data = first!.data as Record<string, unknown>;
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect('polluted' in data).toBe(false);
    expect(JSON.stringify(data)).toBe('{"login":"x","__proto__":{"polluted":true}}');
    expect(second!.time).toBe(new Date(Date.parse(second!.time)).toISOString());
  });
});
