import { CoreError } from '../errors.ts';
import { facilities, type CoreEvent, type Facility } from './event-bus.ts';
import { quoted, say } from '../messages.ts';

// Licorn's facility names, as its `get events -f` took them, and ours they stand for.
export const facilityAliases: Readonly<Record<string, Facility>> = {
  users: 'accounts',
  user: 'accounts',
  group: 'groups',
  volume: 'volumes',
  inotifier: 'watch',
  wmi: 'web',
};

// Longest expression read: every name twice over, with room to spare.
export const maxFilterLength = 256;

// Which events a monitor shows: the facilities it keeps, and the expression it came from.
export interface EventFilter {
  readonly expression: string;
  readonly facilities: ReadonlySet<Facility>;
  matches(event: Pick<CoreEvent, 'facility'>): boolean;
}

const validNames = () => [...facilities, ...Object.keys(facilityAliases)].join(', ');

function getFacility(name: string, expression: string): Facility {
  if ((facilities as readonly string[]).includes(name)) return name as Facility;
  const alias = Object.hasOwn(facilityAliases, name) ? facilityAliases[name] : undefined;
  if (alias) return alias;
  const shown = name === '' ? say('events.emptyName') : quoted(name);
  throw new CoreError(
    'invalid-argument',
    say('events.notFacility', { expression: quoted(expression), name: shown, valid: validNames() }),
    { field: 'filter' },
  );
}

// Reads a filter in Licorn's syntax: facility names joined by `|` are kept, a name after `^`
// is removed (`users|groups^inotifier`; `^status` alone keeps everything but status); an
// empty expression keeps everything. Licorn's names are aliases of ours (users = accounts,
// inotifier = watch). A name that is no facility is refused, naming the valid ones.
export function parseEventFilter(expression: string): EventFilter {
  if (expression.length > maxFilterLength) {
    throw new CoreError(
      'invalid-argument',
      say('events.tooLong', { expression: `"${expression.slice(0, 40)}…"`, max: maxFilterLength }),
      { field: 'filter' },
    );
  }
  const added = new Set<Facility>();
  const removed = new Set<Facility>();
  const text = expression.trim();
  if (text !== '') {
    // Names and separators in turn: ['accounts', '^', 'status'], or ['', '^', 'status'].
    const parts = text.split(/([|^])/);
    for (let index = 0; index < parts.length; index += 2) {
      const name = parts[index]!.trim();
      // An expression may start with `^` (nothing added): its empty first name is no name.
      if (index === 0 && name === '' && parts[1] === '^') continue;
      (parts[index - 1] === '^' ? removed : added).add(getFacility(name, expression));
    }
  }
  const kept = new Set<Facility>(added.size > 0 ? added : facilities);
  for (const facility of removed) kept.delete(facility);
  return {
    expression: text,
    facilities: kept,
    matches: (event) => kept.has(event.facility),
  };
}
