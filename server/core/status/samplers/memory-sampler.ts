import { parseMeminfo } from '../parse-proc.ts';
import type { ProcFiles, Sampler } from '../sampler.ts';

// Memory in bytes, as free(1) splits it: used, buffers, cache (page cache and reclaimable
// slab), free, which add up to the total; available (what can be had without swapping);
// swap total and used.
export function createMemorySampler(proc: ProcFiles): Sampler {
  return {
    name: 'memory',
    async sample() {
      const info = parseMeminfo(await proc.read('meminfo'));
      const field = (name: string) => info[name] ?? 0;
      const total = field('MemTotal');
      const free = field('MemFree');
      const buffers = field('Buffers');
      const cache = field('Cached') + field('SReclaimable');
      return {
        'memory.total': total,
        'memory.used': Math.max(0, total - free - buffers - cache),
        'memory.buffers': buffers,
        'memory.cache': cache,
        'memory.free': free,
        'memory.available': field('MemAvailable'),
        'swap.total': field('SwapTotal'),
        'swap.used': Math.max(0, field('SwapTotal') - field('SwapFree')),
      };
    },
    stop() {},
  };
}
