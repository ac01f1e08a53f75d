import { parseLoadavg } from '../parse-proc.ts';
import type { ProcFiles, Sampler } from '../sampler.ts';

// The load averages over 1, 5 and 15 minutes, and the running and total tasks.
export function createLoadSampler(proc: ProcFiles): Sampler {
  return {
    name: 'load',
    async sample() {
      const load = parseLoadavg(await proc.read('loadavg'));
      return {
        'load.1': load.one,
        'load.5': load.five,
        'load.15': load.fifteen,
        'tasks.running': load.running,
        'tasks.total': load.total,
      };
    },
    stop() {},
  };
}
