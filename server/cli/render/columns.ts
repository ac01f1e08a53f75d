import type { TObject } from 'typebox';

// One column of a table: a field of a resource, labelled by its schema's title.
export interface Column<Row> {
  key: string;
  label: string;
  format(row: Row): string;
}

// How one field reads in a table, when its plain value would not (dates, sizes).
export type Formats<Row> = Partial<Record<keyof Row & string, (value: never, row: Row) => string>>;

// The columns for `keys` of a resource described by `schema` (account-schema.ts,
// volume-schema.ts, group-schema.ts): labels are the schema's titles, so a field renamed or
// retitled there reads the same in the CLI; a key the schema lacks is a type error.
export function getColumns<Row>(
  schema: TObject,
  keys: (keyof Row & string)[],
  formats: Formats<Row> = {},
): Column<Row>[] {
  return keys.map((key) => {
    const property = schema.properties[key] as { title?: string } | undefined;
    const format = formats[key] as ((value: unknown, row: Row) => string) | undefined;
    return {
      key,
      label: property?.title ?? key,
      format: (row: Row) => {
        const value = (row as Record<string, unknown>)[key];
        return format ? format(value as never, row) : formatValue(value);
      },
    };
  });
}

// A value as a cell: lists joined by commas, yes for true, nothing for false or null.
export function formatValue(value: unknown): string {
  if (value === null || value === undefined || value === false) return '';
  if (value === true) return 'yes';
  if (Array.isArray(value)) return value.map(formatValue).join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

// A day count since 1970 (shadow's dates) as YYYY-MM-DD.
export function formatDays(days: number | null): string {
  return days === null ? '' : new Date(days * 86_400_000).toISOString().slice(0, 10);
}

// A byte count as people read it (1.5 GiB).
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
