// Where sampling ran. The daemon samples only while someone follows it, so a window of
// history holds runs of samples with gaps between them. A chart draws only what was sampled:
// a sample without any of its series is no sample for it (the first one after sampling
// starts has no rates yet), an old run too short to read (a page opened for a few seconds,
// long ago) is left out rather than drawn as an isolated spike, and the newest run's start
// is named when it lies inside the window ("sampling started at 09:12").
import type { ChartSample } from './series-paths.ts';

export interface RunOptions {
  // The series a chart draws: a sample with none of them is left out.
  keys: readonly string[];
  // A pause longer than this between two samples is a gap.
  gapMs: number;
  // Runs older than the newest one and shorter than this are left out.
  minRunMs: number;
  // The window's start: a newest run that starts later than it (by more than a gap) is named.
  windowStart: number;
}

// The samples to draw, and when the newest run started (null when sampling ran over the
// whole window).
export interface SampleRuns {
  samples: ChartSample[];
  startedAt: number | null;
}

// Cuts `samples` (oldest first) into runs and keeps what a chart should draw.
export function getSampleRuns(
  samples: readonly ChartSample[],
  { keys, gapMs, minRunMs, windowStart }: RunOptions,
): SampleRuns {
  const sampled = samples.filter((sample) => keys.some((key) => sample.values[key] !== undefined));
  const runs: ChartSample[][] = [];
  sampled.forEach((sample, index) => {
    if (index === 0 || sample.time - sampled[index - 1]!.time > gapMs) runs.push([]);
    runs.at(-1)!.push(sample);
  });
  const newest = runs.at(-1);
  if (!newest) return { samples: [], startedAt: null };
  const kept = runs.filter((run) => run === newest || run.at(-1)!.time - run[0]!.time >= minRunMs);
  const startedAt = newest[0]!.time > windowStart + gapMs ? newest[0]!.time : null;
  return { samples: kept.length === 1 ? newest : kept.flat(), startedAt };
}
