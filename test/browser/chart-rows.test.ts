import { describe, expect, it } from 'vitest';
import { ChartRows } from '../../web/status/chart-rows.ts';

const sample = (time: number, values: Record<string, number>) => ({ time, values });

// A sample whose values count their reads by key.
function counting(reads: { count: number }, time: number, values: Record<string, number>) {
  return sample(
    time,
    new Proxy(values, {
      get: (target, key) => {
        reads.count += 1;
        return target[key as string];
      },
    }),
  );
}

describe("a status chart's rows", () => {
  it("holds each sample's values in the layout's order, NaN where missing, with the top", () => {
    const rows = new ChartRows();
    rows.setSeries(['a', 'b'], ['c']);
    const [first, second] = rows.get([sample(0, { a: 10, b: 5, c: 12 }), sample(1, { a: 1, c: 3 })]);
    expect([...first!.values]).toEqual([10, 5, 12]);
    expect(first!.top).toBe(15);
    expect([...second!.values]).toEqual([1, Number.NaN, 3]);
    expect(second!.top).toBe(3);
    expect(rows.get([sample(2, { a: 10, b: 5, c: 16 })])[0]!.top).toBe(16);
    rows.setSeries(['a'], []);
    expect(rows.get([sample(2, { a: 10, b: 5, c: 16 })])[0]!.top).toBe(10);
  });

  it('leaves out a sample without any of the series (the first after a start has no rates)', () => {
    const rows = new ChartRows();
    rows.setSeries([], ['cpu.user']);
    const samples = [sample(100, { 'cpu.cores': 2 }), sample(101, { 'cpu.user': 1 }), sample(102, { 'cpu.user': 2 })];
    expect(rows.get(samples).map((row) => row.time)).toEqual([101, 102]);
    expect(rows.get(samples).map((row) => row.sample)).toEqual(samples.slice(1));
    // Kept from call to call like the others.
    const next = [...samples.slice(1), sample(103, { 'cpu.cores': 2 })];
    expect(rows.get(next).map((row) => row.time)).toEqual([101, 102]);
  });

  it("reads a sample's values once while it stays, and again under other series or another history", () => {
    const reads = { count: 0 };
    const rows = new ChartRows();
    rows.setSeries(['a', 'b'], []);
    const first = [counting(reads, 0, { a: 1, b: 2 }), counting(reads, 1, { a: 3, b: 4 })];
    const drawn = rows.get(first);
    expect(reads.count).toBe(4);
    // A tick: the oldest leaves, a new one comes; only the new one is read, the other keeps its row.
    const next = [first[1]!, counting(reads, 2, { a: 5, b: 0 })];
    const kept = rows.get(next);
    expect(reads.count).toBe(6);
    expect(kept[0]).toBe(drawn[1]);
    expect(kept.map((row) => row.top)).toEqual([7, 5]);
    expect(rows.get(next)).toEqual(kept);
    expect(reads.count).toBe(6);
    // A sample put back in the middle (a reconnection's missed samples): all read again.
    rows.get([first[1]!, counting(reads, 1.5, { a: 0, b: 0 }), next[1]!]);
    expect(reads.count).toBe(6 + 6);
    rows.setSeries(['b'], []);
    expect(rows.get([first[1]!])[0]!.top).toBe(4);
    expect(reads.count).toBe(6 + 6 + 1);
  });
});
