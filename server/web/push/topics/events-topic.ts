import { facilities } from '../../../core/events/event-bus.ts';
import { parseEventFilter, type EventFilter } from '../../../core/events/event-filter.ts';
import type { EventJournal, JournalEntry } from '../../../core/events/event-journal.ts';
import { getEventRow } from '../../events/event-rows.ts';
import type { Locale } from '../../../../common/i18n/locales.ts';
import { translatePage } from '../../i18n/page-text.ts';
import type { PushHub } from '../push-hub.ts';
import type { PushTopic, RenderPartial, StreamMessage } from '../stream-message.ts';

// Rows a subscriber gets at once: the newest of the journal through its filter.
export const eventsSnapshotSize = 100;
// Rows one turn of the event loop may render: past it (a bulk import of thousands), the
// newest are sent and the page is told how many it missed (they are in the journal).
const maxRowsPerTurn = 500;

// The topic name of a filter: `events/` and the facilities it keeps, in a fixed order, so
// that every way of writing one filter shares one topic (and stays short).
export function getEventsTopicName(filter: EventFilter): string {
  return `events/${facilities.filter((facility) => filter.facilities.has(facility)).join('|')}`;
}

const getFilter = (name: string): EventFilter | null => {
  try {
    return parseEventFilter(name.slice('events/'.length));
  } catch {
    return null;
  }
};

// `events/<facilities>`: the Events page, for admins. The newest rows on subscribe (appended:
// a page that reconnects gets what it missed, rows it has are replaced, not doubled), then
// every new event through the topic's filter, appended, one row each (views/events/_row.njk,
// id `event-<seq>`), a burst in one frame per topic.
export function createEventsTopic(
  journal: EventJournal,
  hub: PushHub,
  render: RenderPartial,
): PushTopic & { close(): void } {
  const followed = new Map<string, { filter: EventFilter; count: number }>();
  let pending: JournalEntry[] = [];
  const renderRows = (entries: JournalEntry[], locale: Locale) =>
    render('events/_rows.njk', { events: entries.map(getEventRow) }, locale);
  const flush = async () => {
    const batch = pending;
    pending = [];
    const skipped = Math.max(0, batch.length - maxRowsPerTurn);
    const shown = batch.slice(skipped);
    for (const [name, { filter }] of followed) {
      const entries = shown.filter((entry) => filter.matches(entry));
      if (entries.length === 0) continue;
      await hub.publishRendered(name, async (locale) => {
        const messages: StreamMessage[] = [
          { action: 'append', target: 'events-rows', html: await renderRows(entries, locale) },
        ];
        if (skipped > 0) {
          const text = translatePage(locale, 'events.missed', { count: skipped });
          messages.push({ action: 'notify', target: 'notifications', html: `<p class="notice">${text}</p>` });
        }
        return messages;
      });
    }
  };
  const stop = journal.follow((entry) => {
    if (followed.size === 0) return;
    if (pending.length === 0) setImmediate(() => void flush());
    pending.push(entry);
  });
  return {
    name: 'events/',
    canSubscribe: (viewer, name) => viewer.isAdmin && getFilter(name) !== null,
    getSnapshot: async (_viewer, name, locale) => {
      const filter = getFilter(name);
      if (!filter) return [];
      const { events } = journal.list(filter, { limit: eventsSnapshotSize });
      return [{ action: 'append', target: 'events-rows', html: await renderRows(events, locale) }];
    },
    acquire(name) {
      const filter = getFilter(name);
      if (!filter) return;
      const entry = followed.get(name) ?? { filter, count: 0 };
      entry.count += 1;
      followed.set(name, entry);
    },
    release(name) {
      const entry = followed.get(name);
      if (!entry) return;
      entry.count -= 1;
      if (entry.count <= 0) followed.delete(name);
    },
    close: stop,
  };
}
