import { describe, expect, it } from 'vitest';
import { SampleBuckets, getBucketMs } from '../../web/status/sample-buckets.ts';

const sample = (time: number, values: Record<string, number>) => ({ time, values });

describe("the status charts' sample buckets", () => {
  it('takes as many samples a point as keep the points two pixels apart', () => {
    expect(getBucketMs(600_000, 700, 1000)).toBe(2000);
    expect(getBucketMs(600_000, 300, 1000)).toBe(4000);
    expect(getBucketMs(600_000, 1200, 1000)).toBe(0);
    expect(getBucketMs(86_400_000, 700, 60_000)).toBe(300_000);
  });

  it('averages samples by buckets aligned on time, each metric over the samples that have it', () => {
    const buckets = new SampleBuckets();
    const samples = [
      sample(1000, { a: 1 }),
      sample(2000, { a: 3, b: 4 }),
      sample(3000, { a: 5 }),
      sample(4000, { a: 7 }),
      sample(5000, { a: 9 }),
    ];
    expect(buckets.get(samples, 2000)).toEqual([
      sample(1000, { a: 1 }),
      sample(2500, { a: 4, b: 4 }),
      sample(4500, { a: 8 }),
    ]);
    expect(buckets.get(samples, 0)).toBe(samples);
    expect(buckets.get([], 2000)).toEqual([]);
  });

  it("keeps a finished bucket's average from call to call, and averages the filling one again", () => {
    const buckets = new SampleBuckets();
    const samples = [sample(2000, { a: 1 }), sample(3000, { a: 3 }), sample(4000, { a: 5 })];
    const first = buckets.get(samples, 2000);
    const second = buckets.get([...samples.slice(1), sample(5000, { a: 7 })], 2000);
    // The bucket of 2000-3999 keeps its first average, though its first sample left.
    expect(second[0]).toBe(first[0]);
    expect(second[1]).toEqual(sample(4500, { a: 6 }));
    expect(first[1]).toEqual(sample(4000, { a: 5 }));
    const third = buckets.get([sample(6000, { a: 1 }), sample(7000, { a: 2 }), sample(8000, { a: 3 })], 2000);
    expect(third[0]).toEqual(sample(6500, { a: 1.5 }));
    // Another width forgets every average.
    expect(
      buckets.get(
        [sample(4000, { a: 3 }), sample(6000, { a: 1 }), sample(7000, { a: 2 }), sample(8000, { a: 3 })],
        4000,
      )[0],
    ).toEqual(sample(17_000 / 3, { a: 2 }));
  });
});
