import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { getRate, roundFigure, type Sampler } from '../sampler.ts';

// What the web layer counts for the daemon sampler: gauges now, counters since start.
export interface DaemonFigures {
  sessions(): number;
  sockets(): number;
  requests(): number;
  events(): number;
  // What the push channel refused (frames, names, sockets: push-refusals.ts).
  pushRefusals(): number;
}

// The daemon itself: event-loop delay p99 (ms) over the tick, RSS and heap (bytes), open
// sessions and WebSocket clients, requests, core events and push refusals per second (a
// refusal rate above zero is a broken or hostile client; the log says which and why).
export function createDaemonSampler(figures: DaemonFigures): Sampler {
  let histogram: IntervalHistogram | null = null;
  let previous: { time: number; requests: number; events: number; pushRefusals: number } | null = null;
  return {
    name: 'daemon',
    async sample(time) {
      if (!histogram) {
        histogram = monitorEventLoopDelay({ resolution: 10 });
        histogram.enable();
      }
      const memory = process.memoryUsage();
      const requests = figures.requests();
      const events = figures.events();
      const pushRefusals = figures.pushRefusals();
      const values: Record<string, number> = {
        'daemon.rss': memory.rss,
        'daemon.heap': memory.heapUsed,
        'daemon.sessions': figures.sessions(),
        'daemon.sockets': figures.sockets(),
      };
      if (previous) {
        values['daemon.loopDelayP99'] = histogram.count > 0 ? roundFigure(histogram.percentile(99) / 1e6) : 0;
        values['daemon.requests'] = getRate(requests - previous.requests, time - previous.time);
        values['daemon.events'] = getRate(events - previous.events, time - previous.time);
        values['daemon.pushRefusals'] = getRate(pushRefusals - previous.pushRefusals, time - previous.time);
      }
      histogram.reset();
      previous = { time, requests, events, pushRefusals };
      return values;
    },
    stop() {
      histogram?.disable();
      histogram = null;
      previous = null;
    },
  };
}
