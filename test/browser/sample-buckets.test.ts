import { describe, expect, it } from 'vitest';
import { SampleBuckets, getBucketMs } from '../../web/status/sample-buckets.ts';
import { getRowTop, type ChartRow, type RowLayout } from '../../web/status/chart-rows.ts';

const layout: RowLayout = { stacked: ['a'], lines: ['b'], key: 'a|b' };
// A row of a and b (NaN where missing).
const row = (time: number, a: number, b = Number.NaN): ChartRow => {
  const values = new Float64Array([a, b]);
  return { time, values, top: getRowTop(values, layout) };
};

describe("the status charts' sample buckets", () => {
  it('takes as many samples a point as keep the points two pixels apart', () => {
    expect(getBucketMs(600_000, 700, 1000)).toBe(2000);
    expect(getBucketMs(600_000, 300, 1000)).toBe(4000);
    expect(getBucketMs(600_000, 1200, 1000)).toBe(0);
    expect(getBucketMs(86_400_000, 700, 60_000)).toBe(300_000);
  });

  it('averages rows by buckets aligned on time, each series over the rows that have it, with their top', () => {
    const buckets = new SampleBuckets();
    const rows = [row(1000, 1), row(2000, 3, 4), row(3000, 5), row(4000, 7), row(5000, 9, 20)];
    expect(buckets.get(rows, 2000, layout)).toEqual([row(1000, 1), row(2500, 4, 4), row(4500, 8, 20)]);
    expect(buckets.get(rows, 2000, layout).map((item) => item.top)).toEqual([1, 4, 20]);
    expect(buckets.get(rows, 0, layout)).toBe(rows);
    expect(buckets.get([], 2000, layout)).toEqual([]);
  });

  it("keeps a finished bucket's average from call to call, and averages the filling one again", () => {
    const buckets = new SampleBuckets();
    const rows = [row(2000, 1), row(3000, 3), row(4000, 5)];
    const first = buckets.get(rows, 2000, layout);
    const second = buckets.get([...rows.slice(1), row(5000, 7)], 2000, layout);
    // The bucket of 2000-3999 keeps its first average, though its first row left.
    expect(second[0]).toBe(first[0]);
    expect(second[1]).toEqual(row(4500, 6));
    expect(first[1]).toEqual(row(4000, 5));
    const third = buckets.get([row(6000, 1), row(7000, 2), row(8000, 3)], 2000, layout);
    expect(third[0]).toEqual(row(6500, 1.5));
    // Another width forgets every average, and so does another layout (rows read again).
    expect(buckets.get([row(4000, 3), row(6000, 1), row(7000, 2), row(8000, 3)], 4000, layout)[0]).toEqual(
      row(17_000 / 3, 2),
    );
    const again = buckets.get([row(6000, 1), row(7000, 2), row(8000, 3)], 2000, layout);
    expect(buckets.get([row(6000, 9), row(7000, 9), row(8000, 3)], 2000, { ...layout })[0]).not.toBe(again[0]);
  });
});
