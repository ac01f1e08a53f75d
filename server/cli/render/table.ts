import type { Column } from './columns.ts';
import { paint, type Output, type Style } from './output.ts';
import { getTerminalText } from '../../core/text/terminal-text.ts';

// A style for a whole row (a locked account in red, a system one dimmed), or none.
export type RowStyle<Row> = (row: Row) => Style | null;

// Rows as an aligned table with a bold header; the last column is not padded. Widths are
// measured in code points (names are ASCII; full names may not be, and are last or short).
export function renderTable<Row>(output: Output, columns: Column<Row>[], rows: Row[], style?: RowStyle<Row>): string {
  // Every cell made safe for a terminal here, so that no column can forget it.
  const cells = rows.map((row) => columns.map((column) => getTerminalText(column.format(row))));
  const widths = columns.map((column, index) =>
    cells.reduce((widest, line) => Math.max(widest, [...line[index]!].length), [...column.label].length),
  );
  const pad = (text: string, index: number) =>
    index === columns.length - 1 ? text : text + ' '.repeat(widths[index]! - [...text].length);
  const header = paint(
    output,
    'bold',
    columns
      .map((column, index) => pad(column.label, index))
      .join('  ')
      .trimEnd(),
  );
  const lines = cells.map((line, index) => {
    const text = line.map(pad).join('  ').trimEnd();
    const rowStyle = style?.(rows[index]!);
    return rowStyle ? paint(output, rowStyle, text) : text;
  });
  return `${[header, ...lines].join('\n')}\n`;
}

// One record as "Label: value" lines, labels aligned.
export function renderRecord<Row>(output: Output, columns: Column<Row>[], row: Row): string {
  const width = Math.max(...columns.map((column) => [...column.label].length));
  const lines = columns.map((column) => {
    const label = paint(output, 'bold', `${column.label}:`.padEnd(width + 1));
    return `${label} ${getTerminalText(column.format(row))}`.trimEnd();
  });
  return `${lines.join('\n')}\n`;
}
