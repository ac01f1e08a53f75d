import Type, { type Static } from 'typebox';
import { facilities } from './event-bus.ts';

// The one description of a journaled core event, as the events API, its OpenAPI, the Events
// page and `licorn get events` see it (event-journal.ts keeps them).
export const journalEntrySchema = Type.Object({
  // Grows by one with every core event since the daemon started: `before` pages with it.
  seq: Type.Integer({ minimum: 1 }),
  time: Type.String({ description: 'ISO 8601, UTC' }),
  facility: Type.Enum(facilities),
  // The core's event name (event-bus.ts CoreEvents): account-added, volume-mounted…
  name: Type.String(),
  // The event's payload: names and changed fields, never a password, hash or token.
  data: Type.Unknown(),
});

// A page of the journal, oldest first; `earlier` says whether older matching events remain.
export const journalPageSchema = Type.Object({
  events: Type.Array(journalEntrySchema),
  earlier: Type.Boolean(),
});

// A journaled event as its schema says (event-journal.ts calls it JournalEntry).
export type JournalEntryView = Static<typeof journalEntrySchema>;
