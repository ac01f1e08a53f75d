import { describe, expect, it } from 'vitest';
import { getSampleRuns } from '../../web/status/sample-runs.ts';

const sample = (time: number, values: Record<string, number> = { 'cpu.user': 1 }) => ({ time, values });
const seconds = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, index) => sample((from + index) * 1000));
const options = { keys: ['cpu.user'], gapMs: 2500, minRunMs: 12_000, windowStart: 0 };

describe('the runs of samples a chart draws', () => {
  it('leaves out an old run too short to read, and names the start of the newest one', () => {
    // A page open for 3 s at 30 s, nobody since; a page opens at 500 s.
    const samples = [...seconds(30, 32), ...seconds(500, 505)];
    const runs = getSampleRuns(samples, options);
    expect(runs.samples.map((item) => item.time / 1000)).toEqual([500, 501, 502, 503, 504, 505]);
    expect(runs.startedAt).toBe(500_000);
  });

  it('keeps an old run long enough to read, with its gap', () => {
    const samples = [...seconds(30, 60), ...seconds(500, 505)];
    const runs = getSampleRuns(samples, options);
    expect(runs.samples).toHaveLength(31 + 6);
    expect(runs.startedAt).toBe(500_000);
  });

  it('names no start when sampling ran over the whole window', () => {
    expect(getSampleRuns(seconds(0, 600), options).startedAt).toBeNull();
  });

  it('draws no sample without any of the chart\u2019s series (the first after a start has no rates)', () => {
    const samples = [sample(100_000, { 'cpu.cores': 2 }), ...seconds(101, 110)];
    const runs = getSampleRuns(samples, options);
    expect(runs.samples[0]!.time).toBe(101_000);
    expect(runs.startedAt).toBe(101_000);
    expect(getSampleRuns([sample(100_000, { 'cpu.cores': 2 })], options)).toEqual({ samples: [], startedAt: null });
  });
});
