import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

// One tick's figures of one source, by metric name (`cpu.user`, `net.eth0.rx`…): percents,
// bytes, bytes per second, counts.
export type SampleValues = Record<string, number>;

// A source of figures. Counters become rates against the sampler's previous reading;
// the first reading after a start has no rates yet.
export interface Sampler {
  readonly name: string;
  // Reads the source at `now` (ms since the epoch).
  sample(now: number): Promise<SampleValues>;
  // Forgets the previous reading (sampling stops; the next start begins afresh).
  stop(): void;
}

// Where the /proc files are (tests point it at fixtures).
export interface ProcFiles {
  read(name: 'stat' | 'meminfo' | 'loadavg' | 'net/dev' | 'diskstats' | 'self/mountinfo'): Promise<string>;
}

// The machine's /proc (or another directory laid out like it).
export function createProcFiles(dir = '/proc'): ProcFiles {
  return { read: (name) => readFile(join(dir, name), 'utf8') };
}

// A rate per second from a counter's growth over `elapsedMs`, to two decimals (the
// history goes to every page: 600 samples of full-precision floats weighed twice as much).
export function getRate(delta: number, elapsedMs: number): number {
  return elapsedMs > 0 ? roundFigure((delta * 1000) / elapsedMs) : 0;
}

// A figure to two decimals.
export function roundFigure(value: number): number {
  return Math.round(value * 100) / 100;
}
