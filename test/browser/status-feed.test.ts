// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { applyStreamMessages } from '../../web/stream/stream-actions.ts';
import { StatusFeed } from '../../web/status/status-feed.ts';
import { packHistory } from '../../common/pack-history.ts';

let hidden = false;
Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
afterEach(() => {
  hidden = false;
});

const sample = (time: number, value: number) => ({ time, values: { 'cpu.user': value } });

describe('the status feed of a page', () => {
  it('draws the history, then each sample; while hidden it waits, then catches up once', () => {
    const draws: { times: number[] }[] = [];
    new StatusFeed((samples) => draws.push({ times: samples.map((item) => item.time) }));
    const now = Date.now();
    applyStreamMessages([
      {
        action: 'sample',
        target: 'status',
        data: { range: '10m', history: packHistory([sample(now - 2000, 1), sample(now - 1000, 2)]) },
      },
    ]);
    expect(draws).toEqual([{ times: [now - 2000, now - 1000] }]);
    applyStreamMessages([{ action: 'sample', target: 'status', data: { samples: [sample(now, 3)] } }]);
    expect(draws.at(-1)).toEqual({ times: [now - 2000, now - 1000, now] });

    hidden = true;
    applyStreamMessages([{ action: 'sample', target: 'status', data: { samples: [sample(now + 1000, 4)] } }]);
    applyStreamMessages([{ action: 'sample', target: 'status', data: { samples: [sample(now + 2000, 5)] } }]);
    expect(draws).toHaveLength(2);
    hidden = false;
    document.dispatchEvent(new Event('visibilitychange'));
    expect(draws).toHaveLength(3);
    expect(draws.at(-1)).toEqual({ times: [now - 2000, now - 1000, now, now + 1000, now + 2000] });
  });

  it("takes a chart topic's history with its last sample whole", () => {
    const draws: { time: number; values: Record<string, number> }[][] = [];
    new StatusFeed((samples) => draws.push(samples));
    const now = Date.now();
    const latest = { time: now - 1000, values: { 'cpu.user': 2, 'load.1': 0.5 } };
    const history = packHistory([sample(now - 2000, 1), sample(now - 1000, 2)]);
    applyStreamMessages([{ action: 'sample', target: 'status', data: { range: '10m', history, latest } }]);
    expect(draws.at(-1)).toEqual([sample(now - 2000, 1), latest]);
  });

  it('keeps live samples aside while another range is shown, and forgets samples older than 10 minutes', () => {
    const draws: number[][] = [];
    const feed = new StatusFeed((samples) => draws.push(samples.map((item) => item.time)));
    const now = Date.now();
    applyStreamMessages([
      {
        action: 'sample',
        target: 'status',
        data: { history: packHistory([sample(now - 11 * 60_000, 1), sample(now - 1000, 2)]) },
      },
    ]);
    feed.show([sample(now - 3_600_000, 7)]);
    applyStreamMessages([{ action: 'sample', target: 'status', data: { samples: [sample(now, 3)] } }]);
    expect(draws.at(-1)).toEqual([now - 3_600_000]);
    feed.showLive();
    expect(draws.at(-1)).toEqual([now - 1000, now]);
  });
});
