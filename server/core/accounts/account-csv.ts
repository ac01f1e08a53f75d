import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { CoreError } from '../errors.ts';
import type { AccountView } from './account-view.ts';
import { accountViewSchema, passwordSchema, type Membership } from './account-schema.ts';
import type { GroupRole } from './group-schema.ts';
import type { NewAccount } from './account-operations.ts';
import { quoted, say } from '../messages.ts';

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
// account's one description (account-schema.ts), never a second list. The groups column holds
// the memberships (see formatMemberships).
export const csvColumnLabels = Object.fromEntries(
  csvColumns.map((column) => {
    const { properties } = accountViewSchema;
    const schema =
      column === 'password' ? passwordSchema : column === 'groups' ? properties.memberships : properties[column];
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
  roles?: Record<string, GroupRole>;
  home?: string;
  shell?: string;
  password?: string;
}

// An account's groups as the CSV's groups column writes them: a role in a standard group as
// `group=role` (`accounting=responsible`, `marketing=guest`: the CLI's --role spelling), a
// member of a standard group or of a group without roles as the group's name; never the
// helper groups (rsp-, gst-), which are Licorn's way of keeping roles, not groups of their own.
// The import reads the same, so an export imports back as it was.
export function formatMemberships(memberships: readonly Membership[]): string {
  const token = ({ group, role }: Membership) => (role === null || role === 'member' ? group : `${group}=${role}`);
  return memberships.map(token).join(' ');
}

// Reads a groups cell (see formatMemberships): names separated by spaces, commas or
// semicolons, a `group=role` one giving that role. A helper group's name (an older export's)
// still means its role; an unknown role is the core's to refuse, naming it.
function parseMemberships(value: string, row: CsvAccountRow): void {
  for (const token of value.split(/[\s;,]+/).filter(Boolean)) {
    const equals = token.indexOf('=');
    if (equals < 0) {
      (row.groups ??= []).push(token);
      continue;
    }
    // Without a prototype: `__proto__=guest` is a group name the core refuses, not a setter.
    row.roles ??= Object.create(null) as Record<string, GroupRole>;
    row.roles[token.slice(0, equals)] = token.slice(equals + 1) as GroupRole;
  }
}

// A CSV row as the input of an account's creation (an empty login is still an input to refuse),
// without a password when its cell is empty (null: the account gets `!`), with or without its
// home. One object literal: a spread of it with the last two fields, for each of 10,000 rows,
// made about a kilobyte of garbage a row.
export function toNewAccount(
  row: CsvAccountRow,
  createHome = true,
): Omit<NewAccount, 'hash'> & Pick<CsvAccountRow, 'roles'> & { password: string | null; createHome: boolean } {
  return {
    login: row.login ?? '',
    fullName: row.fullName,
    uid: row.uid,
    primaryGroup: row.primaryGroup,
    groups: row.groups,
    roles: row.roles,
    home: row.home,
    shell: row.shell,
    password: row.password ?? null,
    createHome,
  };
}

// Writes accounts as CSV with a header line; the groups column as formatMemberships says.
export function formatAccountsCsv(accounts: readonly AccountView[]): string {
  return stringify(
    accounts.map((account) => [
      account.login,
      account.fullName,
      account.uid,
      account.primaryGroup ?? '',
      formatMemberships(account.memberships),
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
  // Read as arrays, the header's columns resolved once: a record object per row and its
  // entries were a 10,000-row import's largest garbage before the transaction's.
  let records: string[][];
  try {
    records = parse(text, { skip_empty_lines: true, trim: true, bom: true, relax_column_count: false });
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0]!;
    throw new CoreError('invalid-argument', say('csv.malformed', { reason }), {
      field: 'csv',
      cause: error,
    });
  }
  const headers = records[0] ?? [];
  checkHeaders(headers, mapping);
  for (const [header, column] of Object.entries(mapping)) {
    if (column !== 'ignore' && !csvColumns.includes(column))
      throw new CoreError(
        'invalid-argument',
        say('csv.unknownField', { column: quoted(column), header: quoted(header), valid: csvColumns.join(', ') }),
        { field: 'mapping' },
      );
  }
  // Each position's field, or null for a column the import skips.
  const fields = headers.map((header) => {
    const column = mapping[header] ?? (csvColumns.includes(header as CsvColumn) ? (header as CsvColumn) : null);
    return !column || column === 'ignore' || column === 'locked' ? null : column;
  });
  const rows: CsvAccountRow[] = [];
  for (let index = 1; index < records.length; index += 1) {
    const record = records[index]!;
    const row: CsvAccountRow = { row: index };
    for (let position = 0; position < fields.length; position += 1) {
      const column = fields[position];
      if (column === null || column === undefined) continue;
      const value = unescapeCsvCell(record[position]!);
      if (value === '') continue;
      if (column === 'uid') row.uid = /^\d+$/.test(value) ? Number(value) : Number.NaN;
      else if (column === 'groups') parseMemberships(value, row);
      else row[column] = value;
    }
    rows.push(row);
  }
  return rows;
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
      const message =
        first === header
          ? say('csv.headerTwice', { column: quoted(column), header: quoted(header) })
          : say('csv.headerBoth', { column: quoted(column), first: quoted(first), header: quoted(header) });
      throw new CoreError('invalid-argument', message, {
        field: 'csv',
      });
    }
    seen.set(column, header);
  }
  return headers;
}
