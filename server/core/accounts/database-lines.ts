// One line of a colon-separated account database (passwd, shadow, group, gshadow): the text
// exactly as read, and the parsed entry, or null for lines kept verbatim (blank, comment,
// NIS `+`/`-`, malformed) so that a rewrite leaves them in place.
export interface DatabaseLine<T> {
  text: string;
  entry: T | null;
}

// Splits a database into lines and parses each with `parseFields`, which gets the fields of
// a line that has exactly `fieldCount` of them and is not a NIS or blank line.
export function parseDatabaseLines<T>(
  text: string,
  fieldCount: number,
  parseFields: (fields: string[]) => T | null,
): DatabaseLine<T>[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line) => {
    if (line === '' || line.startsWith('#') || line.startsWith('+') || line.startsWith('-')) {
      return { text: line, entry: null };
    }
    const fields = line.split(':');
    return { text: line, entry: fields.length === fieldCount ? parseFields(fields) : null };
  });
}

// Parses a decimal id or day count; null for an empty field, NaN-free.
export function parseOptionalNumber(field: string): number | null {
  return /^\d+$/.test(field) ? Number(field) : null;
}
