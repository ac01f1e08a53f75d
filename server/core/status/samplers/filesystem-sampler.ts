import { statfs } from 'node:fs/promises';
import { parseMounts } from '../parse-proc.ts';
import type { ProcFiles, Sampler, SampleValues } from '../sampler.ts';

// The size and use of each mounted real filesystem, in bytes (`fs.<mount point>.size`,
// `.used`, `.available`; available is what unprivileged users can still write).
export function createFilesystemSampler(proc: ProcFiles, getStats: typeof statfs = statfs): Sampler {
  return {
    name: 'filesystems',
    async sample() {
      const mounts = parseMounts(await proc.read('self/mounts'));
      const values: SampleValues = {};
      await Promise.all(mounts.map(async ({ mountPoint }) => {
        const stats = await getStats(mountPoint).catch(() => null);
        if (!stats) return;
        values[`fs.${mountPoint}.size`] = stats.blocks * stats.bsize;
        values[`fs.${mountPoint}.used`] = (stats.blocks - stats.bfree) * stats.bsize;
        values[`fs.${mountPoint}.available`] = stats.bavail * stats.bsize;
      }));
      return values;
    },
    stop() {},
  };
}
