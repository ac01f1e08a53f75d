import { constants, PerformanceObserver } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { collectAfterBurst } from '../../../server/core/accounts/collect-after-burst.ts';

// The full collections V8 makes from now on, with when each began.
function watchMajorCollections(): { starts: number[]; stop: () => void } {
  const starts: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      if (
        (entry as PerformanceEntry & { detail: { kind: number } }).detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR
      )
        starts.push(entry.startTime);
  });
  observer.observe({ entryTypes: ['gc'] });
  return { starts, stop: () => observer.disconnect() };
}

describe('a full collection after a burst', () => {
  it('collects once the calls of a burst have stopped for the delay', async () => {
    const watch = watchMajorCollections();
    const asked = performance.now();
    let last = asked;
    // A burst's calls: the delay starts again at each.
    for (let call = 0; call < 5; call += 1) {
      collectAfterBurst(100);
      last = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
    watch.stop();
    expect(watch.starts.filter((start) => start >= last + 100).length).toBeGreaterThanOrEqual(1);
    // None at the first call's delay, in the burst (the delay started again at each call).
    expect(watch.starts.filter((start) => start >= asked + 100 && start < last)).toEqual([]);
  });
});
