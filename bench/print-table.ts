import { median } from './statistics.ts';

// One measured figure of ours beside the baseline measured in the same run.
export interface BenchRow {
  name: string;
  ours: number;
  baseline: number | null;
  target: string;
  // Each round's ours / baseline when the figure comes from several rounds: the ratio column is
  // their median (ours and baseline being each side's median), their spread follows the target.
  ratios?: number[];
}

// Prints rows as an aligned table with the ratio ours / baseline (or the median of the rounds').
export function printTable(title: string, rows: BenchRow[], labels = { ours: 'licornd', baseline: 'baseline' }): void {
  const pad = (text: string, width: number) => text.padEnd(width);
  const nameWidth = Math.max(48, ...rows.map((row) => row.name.length + 2));
  process.stdout.write(
    `\n${title}\n${pad('measure', nameWidth)}${pad(labels.ours, 12)}${pad(labels.baseline, 12)}` +
      `${pad('ratio', 9)}target\n`,
  );
  for (const row of rows) {
    // A negative delay (a row shown before useradd's exit) has no meaningful ratio.
    const value = row.ratios
      ? median(row.ratios)
      : row.baseline === null || row.baseline < 0 || row.ours < 0
        ? null
        : row.ours / row.baseline;
    const ratio = value === null ? '—' : value < 0.01 ? `1/${(1 / value).toFixed(0)}` : value.toFixed(2);
    const baseline = row.baseline === null ? '—' : row.baseline.toFixed(1);
    const spread = row.ratios
      ? `  (rounds ${Math.min(...row.ratios).toFixed(2)}–${Math.max(...row.ratios).toFixed(2)}, ${row.ratios.length})`
      : '';
    process.stdout.write(
      `${pad(row.name, nameWidth)}${pad(row.ours.toFixed(1), 12)}${pad(baseline, 12)}${pad(ratio, 9)}` +
        `${row.target}${spread}\n`,
    );
  }
}
