import { describe, expect, it } from 'vitest';
import { getSampleRuns } from '../../web/status/sample-runs.ts';

const seconds = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, index) => ({ time: (from + index) * 1000 }));
const options = { gapMs: 2500, minRunMs: 12_000, windowStart: 0 };

describe('the runs of samples a chart draws', () => {
  it('leaves out an old run too short to read, and names the start of the newest one', () => {
    // A page open for 3 s at 30 s, nobody since; a page opens at 500 s.
    const rows = [...seconds(30, 32), ...seconds(500, 505)];
    const runs = getSampleRuns(rows, options);
    expect(runs.rows.map((item) => item.time / 1000)).toEqual([500, 501, 502, 503, 504, 505]);
    expect(runs.startedAt).toBe(500_000);
  });

  it('keeps an old run long enough to read, with its gap, and leaves out the short ones between', () => {
    const rows = [...seconds(30, 60), ...seconds(100, 102), ...seconds(200, 230), ...seconds(500, 505)];
    const runs = getSampleRuns(rows, options);
    expect(runs.rows.map((item) => item.time / 1000)).toEqual(
      [...seconds(30, 60), ...seconds(200, 230), ...seconds(500, 505)].map((item) => item.time / 1000),
    );
    expect(runs.startedAt).toBe(500_000);
  });

  it('gives the rows themselves when every run is kept, and names no start when sampling ran all along', () => {
    const rows = seconds(0, 600);
    const runs = getSampleRuns(rows, options);
    expect(runs.rows).toBe(rows);
    expect(runs.startedAt).toBeNull();
    expect(getSampleRuns([], options)).toEqual({ rows: [], startedAt: null });
  });
});
