// A chart's samples as rows of its own series' values: each sample's values are read once, by
// key, into an array, when the sample first comes, and kept while it stays in the window. A
// tick then reads arrays (runs, averages, the top, the points) where it read 600 samples' 65
// values by name in every chart: a keyed lookup a series a sample, the most of a tick's script.
import type { ChartSample } from './series-paths.ts';

// The series a chart's rows hold, in order: the stack's layers (bottom first), then the lines.
// A new object whenever they change (what was computed under the old one is forgotten).
export interface RowLayout {
  stacked: readonly string[];
  lines: readonly string[];
  key: string;
}

// One point of time as a chart reads it.
export interface ChartRow {
  time: number;
  // The layout's series' values, in its order (NaN where the sample lacks one).
  values: Float64Array;
  // The highest value drawn: the stack's top or the highest line.
  top: number;
}

// A row read from one sample (the tooltip shows the sample itself).
export interface SampleRow extends ChartRow {
  sample: ChartSample;
}

// The top of `values` (in `layout`'s order): the stack's sum or the highest line, 0 at least.
export function getRowTop(values: Float64Array, layout: RowLayout): number {
  let stack = 0;
  let top = 0;
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index]!;
    if (Number.isNaN(value)) continue;
    if (index < layout.stacked.length) stack += value;
    else if (value > top) top = value;
  }
  return Math.max(stack, top);
}

// The empty layout a chart starts with.
const noSeries: RowLayout = { stacked: [], lines: [], key: '|' };

// Keeps a chart's rows from tick to tick; one instance per chart.
export class ChartRows {
  #layout = noSeries;
  #samples: readonly ChartSample[] = [];
  // Parallel to #samples: null for a sample without any of the layout's series.
  #rows: (SampleRow | null)[] = [];

  get layout(): RowLayout {
    return this.#layout;
  }

  // The stack's series (bottom first) and the lines' series; a change forgets every row.
  setSeries(stacked: readonly string[], lines: readonly string[]): void {
    const key = `${stacked.join(' ')}|${lines.join(' ')}`;
    if (key === this.#layout.key) return;
    this.#layout = { stacked, lines, key };
    this.#samples = [];
    this.#rows = [];
  }

  // The rows of `samples` (oldest first) that hold any of the series. The samples of the
  // last call still in `samples` (the same objects, in the same order, the oldest gone) keep
  // their rows; the others are read.
  get(samples: readonly ChartSample[]): SampleRow[] {
    const kept = this.#findKept(samples);
    const rows = this.#rows.slice(this.#rows.length - kept);
    for (let index = kept; index < samples.length; index += 1) rows.push(this.#read(samples[index]!));
    this.#samples = samples;
    this.#rows = rows;
    const sampled: SampleRow[] = [];
    for (const row of rows) if (row !== null) sampled.push(row);
    return sampled;
  }

  // How many of the last call's samples start `samples`: its newest ones, in order.
  #findKept(samples: readonly ChartSample[]): number {
    const old = this.#samples;
    const first = samples[0];
    if (first === undefined) return 0;
    const offset = old.indexOf(first);
    if (offset < 0) return 0;
    const count = old.length - offset;
    if (count > samples.length) return 0;
    for (let index = 1; index < count; index += 1) if (old[offset + index] !== samples[index]) return 0;
    return count;
  }

  #read(sample: ChartSample): SampleRow | null {
    const { stacked, lines } = this.#layout;
    const values = new Float64Array(stacked.length + lines.length);
    let any = false;
    stacked.forEach((key, index) => {
      const value = sample.values[key];
      values[index] = value ?? Number.NaN;
      if (value !== undefined) any = true;
    });
    lines.forEach((key, index) => {
      const value = sample.values[key];
      values[stacked.length + index] = value ?? Number.NaN;
      if (value !== undefined) any = true;
    });
    if (!any) return null;
    return { time: sample.time, values, top: getRowTop(values, this.#layout), sample };
  }
}
