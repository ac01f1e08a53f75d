// Averages a chart's samples into buckets of time, so that a chart draws at most one point per
// two pixels: 600 samples on a 700-pixel chart cost twice the path data for no visible detail.
// Buckets are aligned on absolute time, so they stay the same as the window slides, and a
// finished bucket is averaged once and kept (its object is the key of the chart's points).
import type { ChartSample } from './series-paths.ts';

// The bucket width for `sampleCount` samples spread over `windowMs` on `pixels` pixels: a
// whole number of sample intervals, or 0 when every sample gets its own point.
export function getBucketMs(windowMs: number, pixels: number, sampleIntervalMs: number): number {
  const samplesPerPoint = Math.ceil(windowMs / Math.max(1, pixels / 2) / sampleIntervalMs);
  return samplesPerPoint > 1 ? samplesPerPoint * sampleIntervalMs : 0;
}

// Averages samples into buckets; one instance per chart.
export class SampleBuckets {
  #bucketMs = 0;
  #finished = new Map<number, ChartSample>();

  // `samples` (oldest first) averaged by buckets of `bucketMs`; 0 returns them as they are.
  // Each bucket's time is its samples' average time, so the newest point sits at the newest
  // sample even while its bucket is still filling.
  get(samples: readonly ChartSample[], bucketMs: number): readonly ChartSample[] {
    if (bucketMs !== this.#bucketMs) {
      this.#bucketMs = bucketMs;
      this.#finished.clear();
    }
    if (bucketMs === 0 || samples.length === 0) return samples;
    const buckets: ChartSample[] = [];
    const last = Math.floor(samples.at(-1)!.time / bucketMs);
    let start = 0;
    while (start < samples.length) {
      const bucket = Math.floor(samples[start]!.time / bucketMs);
      let end = start + 1;
      while (end < samples.length && Math.floor(samples[end]!.time / bucketMs) === bucket) end += 1;
      let averaged = this.#finished.get(bucket);
      if (!averaged) {
        averaged = average(samples.slice(start, end));
        if (bucket !== last) this.#finished.set(bucket, averaged);
      }
      buckets.push(averaged);
      start = end;
    }
    // Buckets that left the window are forgotten.
    const first = Math.floor(samples[0]!.time / bucketMs);
    for (const bucket of this.#finished.keys()) if (bucket < first) this.#finished.delete(bucket);
    return buckets;
  }
}

// One sample of the averages (each metric over the samples that have it).
function average(samples: readonly ChartSample[]): ChartSample {
  if (samples.length === 1) return samples[0]!;
  const sums: Record<string, number> = {};
  const counts: Record<string, number> = {};
  let time = 0;
  for (const sample of samples) {
    time += sample.time;
    for (const key in sample.values) {
      sums[key] = (sums[key] ?? 0) + sample.values[key]!;
      counts[key] = (counts[key] ?? 0) + 1;
    }
  }
  for (const key in sums) sums[key]! /= counts[key]!;
  return { time: time / samples.length, values: sums };
}
