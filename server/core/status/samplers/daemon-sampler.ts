import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { getRate, roundFigure, type Sampler } from '../sampler.ts';

// One of the daemon's own figures, read at each tick: a gauge is shown as read (sessions,
// watches), a counter since start as a rate per second (requests, events).
export interface DaemonFigure {
  kind: 'gauge' | 'counter';
  read(): number | Promise<number>;
}

// The daemon's figures by name (`daemon.<name>`): the core's (uptime, watches, events) and
// those the web layer registers (sessions, sockets, requests, push refusals).
export type DaemonFigures = ReadonlyMap<string, DaemonFigure>;

// The daemon itself: event-loop delay p99 (ms) over the tick, RSS and heap (bytes), and
// every registered figure (a refusal rate above zero is a broken or hostile client; the log
// says which and why). A figure that fails to read is left out of the tick.
// The event-loop delay's sampling period, ms: its timer wakes the daemon that often while
// someone follows the status. At 10 the wake-ups alone cost 0.6 % of a core (a bare Node
// process, load 7), most of the 20 followers' budget of 1 %; at 20, 0.4 %. A block of B ms
// still reads between B − 20 and B (one timer falls due within it).
const loopDelayResolutionMs = 20;

export function createDaemonSampler(figures: DaemonFigures): Sampler {
  let histogram: IntervalHistogram | null = null;
  let previous: { time: number; counters: Map<string, number> } | null = null;
  return {
    name: 'daemon',
    async sample(time) {
      if (!histogram) {
        histogram = monitorEventLoopDelay({ resolution: loopDelayResolutionMs });
        histogram.enable();
      }
      const memory = process.memoryUsage();
      const values: Record<string, number> = { 'daemon.rss': memory.rss, 'daemon.heap': memory.heapUsed };
      const counters = new Map<string, number>();
      for (const [name, figure] of figures) {
        const value = await Promise.resolve()
          .then(() => figure.read())
          .catch(() => null);
        if (value === null) continue;
        if (figure.kind === 'gauge') values[`daemon.${name}`] = value;
        else counters.set(name, value);
      }
      if (previous) {
        values['daemon.loopDelayP99'] = histogram.count > 0 ? roundFigure(histogram.percentile(99) / 1e6) : 0;
        for (const [name, value] of counters) {
          const before = previous.counters.get(name);
          if (before !== undefined) values[`daemon.${name}`] = getRate(value - before, time - previous.time);
        }
      }
      histogram.reset();
      previous = { time, counters };
      return values;
    },
    stop() {
      histogram?.disable();
      histogram = null;
      previous = null;
    },
  };
}
