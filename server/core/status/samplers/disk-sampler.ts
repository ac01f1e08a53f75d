import { readdirSync } from 'node:fs';
import { getCounterDelta, parseDiskstats, type DiskCounters } from '../parse-proc.ts';
import { getRate, roundFigure, type ProcFiles, type Sampler, type SampleValues } from '../sampler.ts';

// The whole disks of this machine: /sys/block lists them (not their partitions); loop and
// ram devices are left out. Listed at once: sysfs answers from memory, at every tick.
export async function listWholeDisks(sysBlock = '/sys/block'): Promise<Set<string>> {
  let names: string[] = [];
  try {
    names = readdirSync(sysBlock);
  } catch {}
  return new Set(names.filter((name) => !/^(loop|ram)\d+$/.test(name)));
}

// Read and written bytes per second and busy percent of each whole disk
// (`disk.<name>.read`, `.write`, `.busy`).
export function createDiskSampler(
  proc: ProcFiles,
  listDisks: () => Promise<Set<string>> = () => listWholeDisks(),
): Sampler {
  let previous: { time: number; disks: Map<string, DiskCounters> } | null = null;
  return {
    name: 'disks',
    async sample(time) {
      const [text, wanted] = await Promise.all([proc.read('diskstats'), listDisks()]);
      const disks = new Map([...parseDiskstats(text)].filter(([name]) => wanted.has(name)));
      const values: SampleValues = {};
      for (const [name, now] of disks) {
        const before = previous?.disks.get(name);
        if (!before) continue;
        const elapsed = time - previous!.time;
        values[`disk.${name}.read`] = getRate(getCounterDelta(before.sectorsRead, now.sectorsRead) * 512, elapsed);
        values[`disk.${name}.write`] = getRate(
          getCounterDelta(before.sectorsWritten, now.sectorsWritten) * 512,
          elapsed,
        );
        values[`disk.${name}.busy`] =
          elapsed > 0 ? roundFigure(Math.min(100, (getCounterDelta(before.busyMs, now.busyMs) * 100) / elapsed)) : 0;
      }
      previous = { time, disks };
      return values;
    },
    stop() {
      previous = null;
    },
  };
}
