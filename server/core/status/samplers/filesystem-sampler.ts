import { statfs } from 'node:fs/promises';
import { parseMountinfo } from '../parse-proc.ts';
import type { ProcFiles, Sampler, SampleValues } from '../sampler.ts';

// The size and use of each mounted real filesystem (bind mounts are not counted again), in
// bytes (`fs.<mount point>.size`,
// `.used`, `.available`; available is what unprivileged users can still write).
export function createFilesystemSampler(proc: ProcFiles, getStats: typeof statfs = statfs): Sampler {
  return {
    name: 'filesystems',
    async sample() {
      const mounts = parseMountinfo(await proc.read('self/mountinfo'));
      const values: SampleValues = {};
      await Promise.all(
        mounts.map(async ({ mountPoint }) => {
          const stats = await getStats(mountPoint).catch(() => null);
          if (!stats) return;
          values[`fs.${mountPoint}.size`] = stats.blocks * stats.bsize;
          values[`fs.${mountPoint}.used`] = (stats.blocks - stats.bfree) * stats.bsize;
          values[`fs.${mountPoint}.available`] = stats.bavail * stats.bsize;
        }),
      );
      return values;
    },
    stop() {},
  };
}
