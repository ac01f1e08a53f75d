import { constants, PerformanceObserver } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { collectAfterBurst, collectEveryMs, collectGarbage } from '../../../server/core/memory/collect-after-burst.ts';

describe('a full collection after a burst', () => {
  it('collects once the event loop is idle again, not while it is busy, once for a burst of calls', async () => {
    const collected: number[] = [];
    const collect = () => collected.push(performance.now());
    collectAfterBurst(collect);
    // The burst goes on: the loop busy 90 % of the time for a second and a half, asking again.
    const busyUntil = performance.now() + 1500;
    while (performance.now() < busyUntil) {
      const spin = performance.now() + 90;
      while (performance.now() < spin) collectAfterBurst(collect);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const idle = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(collected.length).toBe(1);
    expect(collected[0]).toBeGreaterThanOrEqual(idle);
  });

  it('collects at most once every collectEveryMs: calls meanwhile make one, at the gap’s end', async () => {
    const collected: number[] = [];
    const collect = () => collected.push(performance.now());
    const waitFor = async (count: number) => {
      while (collected.length < count) await new Promise((resolve) => setTimeout(resolve, 20));
    };
    collectAfterBurst(collect);
    await waitFor(1);
    // A client's bursts, one every 100 ms for a second: none before the gap's end, then one.
    for (let call = 0; call < 10; call += 1) {
      collectAfterBurst(collect);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(collected).toHaveLength(1);
    await waitFor(2);
    expect(collected[1]! - collected[0]!).toBeGreaterThanOrEqual(collectEveryMs);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(collected).toHaveLength(2);
  }, 30_000);

  it('collects with V8 itself: a full collection follows', async () => {
    const starts: number[] = [];
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries())
        if (
          (entry as PerformanceEntry & { detail: { kind: number } }).detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR
        )
          starts.push(entry.startTime);
    });
    observer.observe({ entryTypes: ['gc'] });
    const asked = performance.now();
    collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, 500));
    observer.disconnect();
    expect(starts.filter((start) => start >= asked).length).toBeGreaterThanOrEqual(1);
  });
});
