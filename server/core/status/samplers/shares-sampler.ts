import { getRate, type Sampler } from '../sampler.ts';

// What the shares' watcher counts (SharesService.getFigures): gauges now, counters since start.
export interface SharesFiguresSource {
  getFigures(): {
    watches: number;
    queued: number;
    overflows: number;
    fixed: number;
    repairs: number;
    erred: number;
    budget: number;
    refused: number;
  };
}

// The shares' watcher: directories watched, events queued in the kernel, overflows and
// entries corrected per second, repairs running, shares in error, the watch budget and the watches it
// refused (since start).
export function createSharesSampler(shares: SharesFiguresSource): Sampler {
  let previous: { time: number; overflows: number; fixed: number } | null = null;
  return {
    name: 'shares',
    async sample(time) {
      const figures = shares.getFigures();
      const values: Record<string, number> = {
        'shares.watches': figures.watches,
        'shares.queued': figures.queued,
        'shares.repairing': figures.repairs,
        'shares.erred': figures.erred,
        'shares.budget': figures.budget,
        'shares.refused': figures.refused,
      };
      if (previous) {
        values['shares.overflows'] = getRate(figures.overflows - previous.overflows, time - previous.time);
        values['shares.repairs'] = getRate(figures.fixed - previous.fixed, time - previous.time);
      }
      previous = { time, overflows: figures.overflows, fixed: figures.fixed };
      return values;
    },
    stop() {
      previous = null;
    },
  };
}
