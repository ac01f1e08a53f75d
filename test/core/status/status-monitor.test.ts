import { describe, expect, it } from 'vitest';
import { RingBuffer } from '../../../server/core/status/ring-buffer.ts';
import { packHistory, unpackHistory } from '../../../common/pack-history.ts';
import { StatusMonitor, type StatusSample } from '../../../server/core/status/status-monitor.ts';
import type { Sampler } from '../../../server/core/status/sampler.ts';

// A sampler that counts its readings and stops (no /proc needed to test the monitor).
function createCountingSampler(): Sampler & { readings: number; stops: number } {
  const sampler = {
    name: 'counting',
    readings: 0,
    stops: 0,
    async sample() {
      sampler.readings += 1;
      return { 'test.value': sampler.readings };
    },
    stop() {
      sampler.stops += 1;
    },
  };
  return sampler;
}

const waitFor = async (condition: () => boolean, what: string) => {
  const end = Date.now() + 3000;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

describe('the ring buffer', () => {
  it('keeps the latest items up to its capacity, oldest first', () => {
    const ring = new RingBuffer<number>(3);
    expect(ring.toArray()).toEqual([]);
    expect(ring.latest()).toBeUndefined();
    for (let value = 1; value <= 5; value += 1) ring.push(value);
    expect(ring.toArray()).toEqual([3, 4, 5]);
    expect(ring.size).toBe(3);
    expect(ring.latest()).toBe(5);
    expect(() => new RingBuffer(0)).toThrow(RangeError);
  });
});

describe('the status monitor', () => {
  it('samples only while someone listens, and its samplers forget their readings when the last one goes', async () => {
    const sampler = createCountingSampler();
    const monitor = new StatusMonitor([sampler], { intervalMs: 10 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sampler.readings).toBe(0);
    const seen: number[] = [];
    const stopFirst = monitor.listen((sample) => seen.push(sample.values['test.value']!));
    const stopSecond = monitor.listen(() => {});
    await waitFor(() => seen.length >= 3, 'three samples');
    expect(monitor.isSampling).toBe(true);
    stopFirst();
    expect(monitor.isSampling).toBe(true);
    stopSecond();
    expect(monitor.isSampling).toBe(false);
    expect(sampler.stops).toBe(1);
    const readings = sampler.readings;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(sampler.readings).toBe(readings);
    expect(monitor.getHistory('10m').map((sample) => sample.values['test.value'])).toEqual(
      seen.slice(0, monitor.getHistory('10m').length),
    );
  });

  it('keeps a bounded history at 1 s and one average per minute', async () => {
    const sampler = createCountingSampler();
    const monitor = new StatusMonitor([sampler], { intervalMs: 5, fineCapacity: 4, coarseCapacity: 3, coarseMs: 20 });
    const stop = monitor.listen(() => {});
    await waitFor(() => monitor.getHistory('24h').length === 3 && sampler.readings > 30, 'three full "minutes"');
    stop();
    expect(monitor.getHistory('10m').length).toBe(4);
    const coarse = monitor.getHistory('24h');
    expect(coarse).toHaveLength(3);
    // Each average lies between the readings of its minute, and they grow with time.
    expect(coarse[0]!.values['test.value']!).toBeLessThan(coarse[2]!.values['test.value']!);
    expect(coarse.every((sample) => sample.time % 20 === 0)).toBe(true);
  });

  it('answers the current figures without a listener, from two readings', async () => {
    const sampler = createCountingSampler();
    const monitor = new StatusMonitor([sampler], { intervalMs: 10 });
    const current = await monitor.getCurrent();
    expect(current.values['test.value']).toBe(2);
    expect(monitor.isSampling).toBe(false);
    expect(sampler.stops).toBe(1);
  });

  it('goes on when one sampler fails', async () => {
    const broken: Sampler = {
      name: 'broken',
      sample: async () => {
        throw new Error('gone');
      },
      stop() {},
    };
    const monitor = new StatusMonitor([broken, createCountingSampler()], { intervalMs: 10 });
    expect((await monitor.getCurrent()).values).toEqual({ 'test.value': 2 });
  });
});

describe('the packed history', () => {
  it('writes each metric once and unpacks to the same samples, absent metrics included', () => {
    const samples: StatusSample[] = [
      { time: 1000, values: { 'cpu.user': 12.5, 'net.eth0.rx': 100 } },
      { time: 2000, values: { 'cpu.user': 13, 'net.eth0.rx': 90, 'net.wlan0.rx': 5 } },
      { time: 3000, values: { 'cpu.user': 14 } },
    ];
    const packed = packHistory(samples);
    expect(packed).toEqual({
      times: [1000, 2000, 3000],
      values: { 'cpu.user': [12.5, 13, 14], 'net.eth0.rx': [100, 90, null], 'net.wlan0.rx': [null, 5, null] },
    });
    expect(unpackHistory(JSON.parse(JSON.stringify(packed)))).toEqual(samples);
    expect(JSON.stringify(packed).length).toBeLessThan(JSON.stringify(samples).length);
  });
});
