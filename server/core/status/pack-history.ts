import type { StatusSample } from './status-monitor.ts';

// A history with each metric's name written once: `times[i]` is when sample i was taken,
// `values[metric][i]` its value then (null when the metric was absent: an interface not
// yet up). Ten minutes of samples sent this way weigh about a third of the array of
// samples they come from, and every page that follows `status` gets them on subscribe.
export interface PackedHistory {
  times: number[];
  values: Record<string, (number | null)[]>;
}

// Packs samples, oldest first.
export function packHistory(samples: readonly StatusSample[]): PackedHistory {
  const values: Record<string, (number | null)[]> = {};
  samples.forEach((sample, index) => {
    for (const [key, value] of Object.entries(sample.values)) {
      values[key] ??= new Array<number | null>(samples.length).fill(null);
      values[key]![index] = value;
    }
  });
  return { times: samples.map((sample) => sample.time), values };
}

// The samples of a packed history (the browser does the same: web/status/status-feed.ts).
export function unpackHistory(packed: PackedHistory): StatusSample[] {
  return packed.times.map((time, index) => {
    const values: Record<string, number> = {};
    for (const [key, column] of Object.entries(packed.values)) {
      const value = column[index];
      if (value !== null && value !== undefined) values[key] = value;
    }
    return { time, values };
  });
}
