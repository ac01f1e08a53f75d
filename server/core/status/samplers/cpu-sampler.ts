import { parseProcStat, type CpuTimes } from '../parse-proc.ts';
import { roundFigure, type ProcFiles, type Sampler, type SampleValues } from '../sampler.ts';

// Shares of CPU time since the previous reading, in percent: user (with nice), system
// (with irq and softirq), iowait, steal, idle; for all cores (`cpu.*`) and each (`cpuN.*`).
export function createCpuSampler(proc: ProcFiles): Sampler {
  let previous: { total: CpuTimes; cores: CpuTimes[] } | null = null;
  return {
    name: 'cpu',
    async sample() {
      const now = parseProcStat(await proc.read('stat'));
      const values: SampleValues = {};
      if (previous) {
        Object.assign(values, getShares('cpu', previous.total, now.total));
        now.cores.forEach((core, index) => {
          const before = previous!.cores[index];
          if (before) Object.assign(values, getShares(`cpu${index}`, before, core));
        });
      }
      values['cpu.cores'] = now.cores.length;
      previous = now;
      return values;
    },
    stop() {
      previous = null;
    },
  };
}

function getShares(prefix: string, before: CpuTimes, now: CpuTimes): SampleValues {
  const delta = (key: keyof CpuTimes) => Math.max(0, now[key] - before[key]);
  const parts = {
    user: delta('user') + delta('nice'),
    system: delta('system') + delta('irq') + delta('softirq'),
    iowait: delta('iowait'),
    steal: delta('steal'),
    idle: delta('idle'),
  };
  const total = parts.user + parts.system + parts.iowait + parts.steal + parts.idle;
  const values: SampleValues = {};
  for (const [key, ticks] of Object.entries(parts))
    values[`${prefix}.${key}`] = total > 0 ? roundFigure((ticks * 100) / total) : 0;
  return values;
}
