import { InvalidArgumentError } from 'commander';

// Parsers of option values: a value they refuse is a usage error (status 2) naming the option.

// A decimal id (uid, gid): digits only, as the daemon's config takes numbers.
export function parseId(value: string): number {
  if (!/^\d{1,10}$/.test(value)) throw new InvalidArgumentError(`"${value}" is not a number (digits only)`);
  return Number(value);
}

// A list given once comma-separated (`--groups a,b`) or by repeating the option.
export function collectList(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((item) => item.trim())].filter(Boolean);
}

// A repeatable option's values, in order.
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

const roles = ['none', 'guest', 'member', 'responsible'] as const;
// A role in a standard group.
export type Role = (typeof roles)[number];

// `GROUP=ROLE` pairs (`--role devs=responsible`), repeatable, into the API's roles object.
export function collectRole(value: string, previous: Record<string, Role> | undefined): Record<string, Role> {
  const match = /^([^=]+)=(.+)$/.exec(value);
  if (!match || !(roles as readonly string[]).includes(match[2]!))
    throw new InvalidArgumentError(`"${value}" is not GROUP=ROLE with ROLE one of ${roles.join(', ')}`);
  return { ...previous, [match[1]!]: match[2] as Role };
}

// An expiry date as shadow keeps it (days since 1970), or null for `never`.
export function parseExpiry(value: string): number | null {
  if (value === 'never') return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const time = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
  if (!match || Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== value)
    throw new InvalidArgumentError(`"${value}" is not a date YYYY-MM-DD or "never"`);
  return Math.floor(time / 86_400_000);
}

// A path in the URL of a named resource.
export function getResourcePath(collection: string, name: string): string {
  return `/api/v1/${collection}/${encodeURIComponent(name)}`;
}
