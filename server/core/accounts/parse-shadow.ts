import { parseDatabaseLines, parseOptionalNumber, type DatabaseLine } from './database-lines.ts';

// One account's password and ageing as /etc/shadow describes them; dates are days since 1970.
export interface ShadowEntry {
  login: string;
  hash: string;
  lastChange: number | null;
  minDays: number | null;
  maxDays: number | null;
  warnDays: number | null;
  inactiveDays: number | null;
  expireDate: number | null;
  reserved: string;
}

// Parses the text of a shadow file, keeping every line. `sameLogin` gives the string passwd
// already holds for a login, kept instead of the line's own copy (3 MiB at 100,000 accounts).
export function parseShadow(
  text: string,
  sameLogin: (login: string) => string | undefined = () => undefined,
): DatabaseLine<ShadowEntry>[] {
  return parseDatabaseLines(text, 9, ([login, hash, last, min, max, warn, inactive, expire, reserved]) => {
    if (login === '') return null;
    return {
      login: sameLogin(login!) ?? login!,
      hash: hash!,
      lastChange: parseOptionalNumber(last!),
      minDays: parseOptionalNumber(min!),
      maxDays: parseOptionalNumber(max!),
      warnDays: parseOptionalNumber(warn!),
      inactiveDays: parseOptionalNumber(inactive!),
      expireDate: parseOptionalNumber(expire!),
      reserved: reserved!,
    };
  });
}

const optional = (value: number | null) => (value === null ? '' : String(value));

// Writes an account's shadow entry back as a line.
export function formatShadow(entry: ShadowEntry): string {
  return [
    entry.login,
    entry.hash,
    optional(entry.lastChange),
    optional(entry.minDays),
    optional(entry.maxDays),
    optional(entry.warnDays),
    optional(entry.inactiveDays),
    optional(entry.expireDate),
    entry.reserved,
  ].join(':');
}
