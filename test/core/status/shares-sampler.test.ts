import { describe, expect, it } from 'vitest';
import { createSharesSampler } from '../../../server/core/status/samplers/shares-sampler.ts';

describe('the shares sampler', () => {
  it('gives the watches and queued events now, overflows and entries corrected per second', async () => {
    const figures = { watches: 1200, queued: 3, overflows: 1, fixed: 40, repairs: 1, erred: 1, budget: 0, refused: 0 };
    const sampler = createSharesSampler({ getFigures: () => ({ ...figures }) });
    expect(await sampler.sample(10_000)).toEqual({
      'shares.watches': 1200,
      'shares.queued': 3,
      'shares.repairing': 1,
      'shares.erred': 1,
      'shares.budget': 0,
      'shares.refused': 0,
    });
    Object.assign(figures, { watches: 1300, queued: 0, overflows: 3, fixed: 540, repairs: 0, erred: 0, budget: 1500 });
    figures.refused = 7;
    expect(await sampler.sample(12_000)).toEqual({
      'shares.watches': 1300,
      'shares.queued': 0,
      'shares.repairing': 0,
      'shares.erred': 0,
      'shares.budget': 1500,
      'shares.refused': 7,
      'shares.overflows': 1,
      'shares.repairs': 250,
    });
    sampler.stop();
    expect(await sampler.sample(13_000)).not.toHaveProperty('shares.repairs');
  });
});
