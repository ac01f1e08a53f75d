// Where sampling ran. The daemon samples only while someone follows it, so a window of
// history holds runs of samples with gaps between them. A chart draws only what was sampled
// (its rows, chart-rows.ts: a sample without any of its series has none; the first one after
// sampling starts has no rates yet), an old run too short to read (a page opened for a few
// seconds, long ago) is left out rather than drawn as an isolated spike, and the newest run's
// start is named when it lies inside the window ("sampling started at 09:12").

export interface RunOptions {
  // A pause longer than this between two samples is a gap.
  gapMs: number;
  // Runs older than the newest one and shorter than this are left out.
  minRunMs: number;
  // The window's start: a newest run that starts later than it (by more than a gap) is named.
  windowStart: number;
}

// The rows to draw, and when the newest run started (null when sampling ran over the whole
// window).
export interface SampleRuns<Row> {
  rows: Row[];
  startedAt: number | null;
}

// Cuts `rows` (oldest first) into runs and keeps what a chart should draw; `rows` itself when
// every run is kept (a tick makes no copy of 600 rows).
export function getSampleRuns<Row extends { time: number }>(
  rows: Row[],
  { gapMs, minRunMs, windowStart }: RunOptions,
): SampleRuns<Row> {
  if (rows.length === 0) return { rows: [], startedAt: null };
  // Each run's first index, then rows.length.
  const starts = [0];
  for (let index = 1; index < rows.length; index += 1)
    if (rows[index]!.time - rows[index - 1]!.time > gapMs) starts.push(index);
  starts.push(rows.length);
  const newest = starts.at(-2)!;
  const startedAt = rows[newest]!.time > windowStart + gapMs ? rows[newest]!.time : null;
  const isKept = (run: number) => rows[starts[run + 1]! - 1]!.time - rows[starts[run]!]!.time >= minRunMs;
  let all = true;
  for (let run = 0; run < starts.length - 2; run += 1) if (!isKept(run)) all = false;
  if (all) return { rows, startedAt };
  const kept: Row[] = [];
  for (let run = 0; run < starts.length - 2; run += 1)
    if (isKept(run)) kept.push(...rows.slice(starts[run], starts[run + 1]));
  kept.push(...rows.slice(newest));
  return { rows: kept, startedAt };
}
