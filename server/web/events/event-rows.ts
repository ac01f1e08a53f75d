import type { JournalEntry } from '../../core/events/event-journal.ts';

// What the Events page shows of one event (views/events/_row.njk): its number, time, facility,
// name, and its data as `key value` pairs (a list joined by commas, an object as JSON).
export interface EventRow {
  seq: number;
  time: string;
  // HH:MM:SS, UTC: the day is in the time's title.
  clock: string;
  facility: string;
  name: string;
  fields: { key: string; value: string }[];
}

// Longest value shown in a row; the API and `licorn get events` have it whole.
const maxValueLength = 200;

function formatValue(value: unknown): string {
  const text = Array.isArray(value)
    ? value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))).join(', ')
    : typeof value === 'string'
      ? value
      : JSON.stringify(value);
  return text.length > maxValueLength ? `${text.slice(0, maxValueLength)}\u2026` : text;
}

// The row of a journal entry.
export function getEventRow(entry: JournalEntry): EventRow {
  const data = entry.data && typeof entry.data === 'object' ? (entry.data as Record<string, unknown>) : {};
  return {
    seq: entry.seq,
    time: entry.time,
    clock: entry.time.slice(11, 19),
    facility: entry.facility,
    name: entry.name,
    fields: Object.entries(data).map(([key, value]) => ({ key, value: formatValue(value) })),
  };
}
