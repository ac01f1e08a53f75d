import type { SavedHistory } from './history-file.ts';
import { RingBuffer } from './ring-buffer.ts';
import { roundFigure, type Sampler, type SampleValues } from './sampler.ts';

// Every sampler's figures at one moment.
export interface StatusSample {
  time: number;
  values: SampleValues;
}

// The two resolutions of the history.
export type StatusRange = '10m' | '24h';

export interface StatusMonitorOptions {
  intervalMs?: number;
  // Samples kept at full resolution (15 minutes at 1 s).
  fineCapacity?: number;
  // One-minute averages kept (24 hours).
  coarseCapacity?: number;
  coarseMs?: number;
  // Told when sampling starts (a first listener) and stops (the last one gone).
  onSampling?: (running: boolean) => void;
}

// Runs the samplers every second while someone listens (a page, the API, the CLI) and
// keeps their history: every sample for 15 minutes, and one average a minute for 24 hours,
// in ring buffers of fixed size. With nobody listening the timer is off and the samplers
// forget their previous readings: an idle daemon reads no /proc file. The history stays.
export class StatusMonitor {
  readonly #samplers: Sampler[];
  readonly #intervalMs: number;
  readonly #coarseMs: number;
  readonly #onSampling: (running: boolean) => void;
  readonly #fine: RingBuffer<StatusSample>;
  readonly #coarse: RingBuffer<StatusSample>;
  readonly #listeners = new Set<(sample: StatusSample) => void>();
  #timer: NodeJS.Timeout | null = null;
  #ticking = false;
  #revision = 0;
  #minute: { start: number; sums: SampleValues; counts: Record<string, number> } | null = null;

  constructor(samplers: Sampler[], options: StatusMonitorOptions = {}) {
    this.#samplers = samplers;
    this.#intervalMs = options.intervalMs ?? 1000;
    this.#coarseMs = options.coarseMs ?? 60_000;
    this.#onSampling = options.onSampling ?? (() => {});
    this.#fine = new RingBuffer(options.fineCapacity ?? 900);
    this.#coarse = new RingBuffer(options.coarseCapacity ?? 1440);
  }

  // How many listen; sampling runs while it is above zero.
  get listenerCount(): number {
    return this.#listeners.size;
  }

  // Whether the timer runs.
  get isSampling(): boolean {
    return this.#timer !== null;
  }

  // Calls `listener` with every new sample; returns the function that stops it. The first
  // listener starts sampling, the last one to go stops it.
  listen(listener: (sample: StatusSample) => void): () => void {
    this.#listeners.add(listener);
    if (!this.#timer) {
      this.#timer = setInterval(() => void this.#tick(), this.#intervalMs);
      this.#timer.unref();
      this.#onSampling(true);
      void this.#tick();
    }
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.#stop();
    };
  }

  // The history of a range, oldest first: 10 minutes of 1 s samples, or 24 hours of
  // one-minute averages.
  getHistory(range: StatusRange): StatusSample[] {
    if (range === '24h') return this.#coarse.toArray();
    const since = Date.now() - 10 * 60_000;
    return this.#fine.toArray().filter((sample) => sample.time >= since);
  }

  // Both histories, whole, for saving across restarts (history-file.ts).
  exportHistory(): SavedHistory {
    return { fine: this.#fine.toArray(), coarse: this.#coarse.toArray() };
  }

  // Puts back a saved history (at start, before any sample). Samples are kept in time
  // order: none from the future of the clock (a clock set back) is kept.
  restoreHistory(saved: SavedHistory): void {
    const now = Date.now();
    for (const sample of saved.fine) if (sample.time <= now) this.#fine.push(sample);
    for (const sample of saved.coarse) if (sample.time <= now) this.#coarse.push(sample);
  }

  // Moves on with every sample kept: the history needs saving when it has moved.
  get revision(): number {
    return this.#revision;
  }

  // The latest figures: the last sample while sampling runs; otherwise two readings a
  // quarter second apart (rates need two), taken now.
  async getCurrent(): Promise<StatusSample> {
    const latest = this.#fine.latest();
    if (this.#timer && latest && Date.now() - latest.time < 2 * this.#intervalMs) return latest;
    if (this.#timer)
      return new Promise((resolve) => {
        const stop = this.listen((sample) => {
          stop();
          resolve(sample);
        });
      });
    await this.#read();
    await new Promise((resolve) => setTimeout(resolve, 250));
    const sample = await this.#read();
    if (!this.#timer) for (const sampler of this.#samplers) sampler.stop();
    return sample;
  }

  // One sampler's figures now, outside the tick and the history: for a sampler without
  // previous readings (filesystems), when an event says its figures just changed.
  async readSampler(name: string): Promise<StatusSample> {
    const time = Date.now();
    const sampler = this.#samplers.find((candidate) => candidate.name === name);
    return { time, values: sampler ? await sampler.sample(time).catch(() => ({})) : {} };
  }

  // Stops sampling and forgets the listeners (shutdown).
  close(): void {
    this.#listeners.clear();
    this.#stop();
  }

  #stop(): void {
    if (this.#timer) {
      clearInterval(this.#timer);
      this.#onSampling(false);
    }
    this.#timer = null;
    for (const sampler of this.#samplers) sampler.stop();
  }

  async #read(): Promise<StatusSample> {
    const time = Date.now();
    // One failing source (a filesystem gone) must not stop the others.
    const parts = await Promise.all(this.#samplers.map((sampler) => sampler.sample(time).catch(() => ({}))));
    return { time, values: Object.assign({}, ...parts) as SampleValues };
  }

  async #tick(): Promise<void> {
    // A tick slower than the interval (a stalled disk) is not stacked on.
    if (this.#ticking) return;
    this.#ticking = true;
    try {
      const sample = await this.#read();
      if (!this.#timer) return;
      this.#fine.push(sample);
      this.#revision += 1;
      this.#addToMinute(sample);
      for (const listener of this.#listeners) listener(sample);
    } finally {
      this.#ticking = false;
    }
  }

  // Averages each metric over a minute; a finished minute goes to the coarse history.
  #addToMinute(sample: StatusSample): void {
    const start = Math.floor(sample.time / this.#coarseMs) * this.#coarseMs;
    if (this.#minute && this.#minute.start !== start) {
      const { sums, counts } = this.#minute;
      const values: SampleValues = {};
      for (const key of Object.keys(sums)) values[key] = roundFigure(sums[key]! / counts[key]!);
      this.#coarse.push({ time: this.#minute.start, values });
      this.#minute = null;
    }
    this.#minute ??= { start, sums: {}, counts: {} };
    for (const [key, value] of Object.entries(sample.values)) {
      this.#minute.sums[key] = (this.#minute.sums[key] ?? 0) + value;
      this.#minute.counts[key] = (this.#minute.counts[key] ?? 0) + 1;
    }
  }
}
