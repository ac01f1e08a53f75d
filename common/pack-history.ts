// One sample of figures at a moment (the server's StatusSample, the browser's ChartSample).
export interface TimedSample {
  time: number;
  values: Record<string, number>;
}

// A history with each metric's name written once: `times[i]` is when sample i was taken,
// `values[metric][i]` its value then (null when the metric was absent: an interface not
// yet up). Ten minutes of samples sent this way weigh about a third of the array of
// samples they come from, and every page that follows `status` gets them on subscribe.
export interface PackedHistory {
  times: number[];
  values: Record<string, (number | null)[]>;
}

// Packs samples, oldest first, with the metrics `include` takes (all by default). Used on
// both sides: the status topic and the history file pack, the browser's status feed unpacks.
export function packHistory(
  samples: readonly TimedSample[],
  include: (metric: string) => boolean = () => true,
): PackedHistory {
  const values: Record<string, (number | null)[]> = {};
  const included = new Map<string, boolean>();
  samples.forEach((sample, index) => {
    for (const [key, value] of Object.entries(sample.values)) {
      let taken = included.get(key);
      if (taken === undefined) included.set(key, (taken = include(key)));
      if (!taken) continue;
      values[key] ??= new Array<number | null>(samples.length).fill(null);
      values[key]![index] = value;
    }
  });
  return { times: samples.map((sample) => sample.time), values };
}

// The samples of a packed history.
export function unpackHistory(packed: PackedHistory): TimedSample[] {
  return packed.times.map((time, index) => {
    const values: Record<string, number> = {};
    for (const [key, column] of Object.entries(packed.values)) {
      const value = column[index];
      if (value !== null && value !== undefined) values[key] = value;
    }
    return { time, values };
  });
}
