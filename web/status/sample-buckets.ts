// Averages a chart's rows into buckets of time, so that a chart draws at most one point per
// two pixels: 600 samples on a 700-pixel chart cost twice the path data for no visible detail.
// Buckets are aligned on absolute time, so they stay the same as the window slides, and a
// finished bucket is averaged once and kept (its object is the key of the chart's points).
import { getRowTop, type ChartRow, type RowLayout } from './chart-rows.ts';

// The bucket width for `sampleCount` samples spread over `windowMs` on `pixels` pixels: a
// whole number of sample intervals, or 0 when every sample gets its own point.
export function getBucketMs(windowMs: number, pixels: number, sampleIntervalMs: number): number {
  const samplesPerPoint = Math.ceil(windowMs / Math.max(1, pixels / 2) / sampleIntervalMs);
  return samplesPerPoint > 1 ? samplesPerPoint * sampleIntervalMs : 0;
}

// Averages rows into buckets; one instance per chart.
export class SampleBuckets {
  #bucketMs = 0;
  #layout: RowLayout | null = null;
  #finished = new Map<number, ChartRow>();

  // `rows` (oldest first, read under `layout`) averaged by buckets of `bucketMs`; 0 returns
  // them as they are. Each bucket's time is its rows' average time, so the newest point sits
  // at the newest sample even while its bucket is still filling.
  get(rows: readonly ChartRow[], bucketMs: number, layout: RowLayout): readonly ChartRow[] {
    if (bucketMs !== this.#bucketMs || layout !== this.#layout) {
      this.#bucketMs = bucketMs;
      this.#layout = layout;
      this.#finished.clear();
    }
    if (bucketMs === 0 || rows.length === 0) return rows;
    const buckets: ChartRow[] = [];
    const last = Math.floor(rows.at(-1)!.time / bucketMs);
    let start = 0;
    while (start < rows.length) {
      const bucket = Math.floor(rows[start]!.time / bucketMs);
      let end = start + 1;
      while (end < rows.length && Math.floor(rows[end]!.time / bucketMs) === bucket) end += 1;
      let averaged = this.#finished.get(bucket);
      if (!averaged) {
        averaged = average(rows, start, end, layout);
        if (bucket !== last) this.#finished.set(bucket, averaged);
      }
      buckets.push(averaged);
      start = end;
    }
    // Buckets that left the window are forgotten.
    const first = Math.floor(rows[0]!.time / bucketMs);
    for (const bucket of this.#finished.keys()) if (bucket < first) this.#finished.delete(bucket);
    return buckets;
  }
}

// One row of the averages of rows[start, end) (each series over the rows that have it).
function average(rows: readonly ChartRow[], start: number, end: number, layout: RowLayout): ChartRow {
  if (end - start === 1) return rows[start]!;
  const width = rows[start]!.values.length;
  const sums = new Float64Array(width);
  const counts = new Uint16Array(width);
  let time = 0;
  for (let index = start; index < end; index += 1) {
    const { values } = rows[index]!;
    time += rows[index]!.time;
    for (let series = 0; series < width; series += 1) {
      const value = values[series]!;
      if (Number.isNaN(value)) continue;
      sums[series] = sums[series]! + value;
      counts[series] = counts[series]! + 1;
    }
  }
  for (let series = 0; series < width; series += 1)
    sums[series] = counts[series] ? sums[series]! / counts[series]! : Number.NaN;
  return { time: time / (end - start), values: sums, top: getRowTop(sums, layout) };
}
