import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { CoreError } from '../errors.ts';
import type { AccountView } from './account-view.ts';
import { accountViewSchema, passwordSchema } from './account-schema.ts';
import type { NewAccount } from './account-operations.ts';
import { quote } from './validate-fields.ts';

// The columns of an accounts CSV, in export order; import reads the same names.
export const csvColumns = [
  'login',
  'fullName',
  'uid',
  'primaryGroup',
  'groups',
  'home',
  'shell',
  'locked',
  'password',
] as const;
export type CsvColumn = (typeof csvColumns)[number];

// Each column's label as people read it ("Full name", "Primary group"): the titles of the
// account's one description (account-schema.ts), never a second list.
export const csvColumnLabels = Object.fromEntries(
  csvColumns.map((column) => {
    const schema = column === 'password' ? passwordSchema : accountViewSchema.properties[column];
    return [column, (schema as { title?: string }).title ?? column];
  }),
) as Record<CsvColumn, string>;

// One CSV row as the import understands it (strings as read; checked by the core).
export interface CsvAccountRow {
  row: number;
  login?: string;
  fullName?: string;
  uid?: number;
  primaryGroup?: string;
  groups?: string[];
  home?: string;
  shell?: string;
  password?: string;
}

// Writes accounts as CSV with a header line; groups are separated by spaces.
// A CSV row as the input of an account's creation (an empty login is still an input to refuse).
export function toNewAccount(row: CsvAccountRow): Omit<NewAccount, 'hash'> {
  return {
    login: row.login ?? '',
    fullName: row.fullName,
    uid: row.uid,
    primaryGroup: row.primaryGroup,
    groups: row.groups,
    home: row.home,
    shell: row.shell,
  };
}

export function formatAccountsCsv(accounts: readonly AccountView[]): string {
  return stringify(
    accounts.map((account) => [
      account.login,
      account.fullName,
      account.uid,
      account.primaryGroup ?? '',
      account.groups.join(' '),
      account.home,
      account.shell,
      account.locked ? 'yes' : 'no',
    ]),
    {
      header: true,
      columns: csvColumns.filter((column) => column !== 'password'),
      // Every text cell: a full name is the member's own choice, never a spreadsheet's formula.
      cast: { string: escapeCsvCell },
    },
  );
}

// What starts a formula in a spreadsheet opening a CSV (OWASP "CSV injection": `=`, `+`, `-`,
// `@`, tab, CR), and `'`, the mark that says "text" and that the import takes off again.
const formulaStart = /^[=+\-@\t\r']/;

// Prefixes with `'` a cell a spreadsheet would read as a formula, so it shows the text (`'=SUM(1)`
// shows `=SUM(1)`). A cell beginning with `'` gets one too, so that the import's unescapeCsvCell
// can always take exactly one off: `'Brien` is written `''Brien` and reads back `'Brien`.
export function escapeCsvCell(value: string): string {
  return formulaStart.test(value) ? `'${value}` : value;
}

// Undoes escapeCsvCell (the import reads every cell through it): takes off one `'` when what
// follows is one of the characters escapeCsvCell escapes, `'` included. A hand-written `'Brien`
// stays as it is; a hand-written `''Brien` reads as `'Brien`, as the export would have written it.
export function unescapeCsvCell(value: string): string {
  return value.startsWith("'") && formulaStart.test(value.slice(1)) ? value.slice(1) : value;
}

// What a CSV header may be mapped to: a field, or `ignore` (a column the import skips even
// when its header is a field name).
export type CsvMapping = Record<string, CsvColumn | 'ignore'>;

// Reads an accounts CSV. `mapping` says which field each header names (`{ "Nom": "fullName" }`);
// headers that are already field names need no mapping, others are ignored. Row numbers
// count from 1 after the header, as a spreadsheet shows them minus one.
export function parseAccountsCsv(text: string, mapping: CsvMapping = {}): CsvAccountRow[] {
  let records: Record<string, string>[];
  try {
    const columns = (headers: string[]) => checkHeaders(headers, mapping);
    records = parse(text, { columns, skip_empty_lines: true, trim: true, bom: true, relax_column_count: false });
  } catch (error) {
    if (error instanceof CoreError) throw error;
    throw new CoreError('invalid-argument', `Malformed CSV: ${(error as Error).message.split('\n')[0]}`, {
      field: 'csv',
      cause: error,
    });
  }
  for (const [header, column] of Object.entries(mapping)) {
    if (column !== 'ignore' && !csvColumns.includes(column))
      throw new CoreError(
        'invalid-argument',
        `Unknown field ${quote(column)} for column ${quote(header)}: one of ${csvColumns.join(', ')}, ignore`,
        { field: 'mapping' },
      );
  }
  return records.map((record, index) => {
    const row: CsvAccountRow = { row: index + 1 };
    for (const [header, cell] of Object.entries(record)) {
      const value = unescapeCsvCell(cell);
      const column = mapping[header] ?? (csvColumns.includes(header as CsvColumn) ? (header as CsvColumn) : null);
      if (!column || column === 'ignore' || value === '' || column === 'locked') continue;
      if (column === 'uid') row.uid = /^\d+$/.test(value) ? Number(value) : Number.NaN;
      else if (column === 'groups') row.groups = value.split(/[\s;,]+/).filter(Boolean);
      else row[column] = value;
    }
    return row;
  });
}

// Refuses a header that names a field twice (`login,login`, or "Nom" mapped to fullName
// beside a fullName column): which of the two to take would be a guess, so none is taken.
function checkHeaders(headers: string[], mapping: CsvMapping): string[] {
  const seen = new Map<string, string>();
  for (const header of headers) {
    const column = mapping[header] ?? (csvColumns.includes(header as CsvColumn) ? header : null);
    if (!column || column === 'ignore') continue;
    const first = seen.get(column);
    if (first !== undefined) {
      const which = first === header ? `twice (${quote(header)})` : `by ${quote(first)} and ${quote(header)}`;
      throw new CoreError('invalid-argument', `The CSV header names the field ${quote(column)} ${which}`, {
        field: 'csv',
      });
    }
    seen.set(column, header);
  }
  return headers;
}
