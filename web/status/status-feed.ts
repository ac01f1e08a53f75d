// The samples a page shows, fed by the status topic the page follows (`status/<charts>`,
// common/status-charts.ts): the history on (re)subscribe, then one sample per tick, the last
// 10 minutes kept. Drawing stops while the tab is hidden and catches up at once when it
// shows again.
import { registerChart } from '../stream/stream-actions.ts';
import type { ChartSample } from './time-chart.ts';
import { unpackHistory, type PackedHistory } from '../../common/pack-history.ts';

// A history of the charts' metrics with its last sample whole (`latest`: the bars and
// figures read every metric of the last sample only).
function withLatest(samples: ChartSample[], latest: ChartSample | undefined): ChartSample[] {
  if (latest && samples.at(-1)?.time === latest.time) samples[samples.length - 1] = latest;
  return samples;
}

// How long the live view keeps samples.
export const liveWindowMs = 10 * 60_000;

export class StatusFeed {
  samples: ChartSample[] = [];
  // False while the page shows something else (the 24-hour view): live samples are kept
  // aside, not drawn.
  live = true;
  readonly #draw: (samples: ChartSample[]) => void;
  #liveSamples: ChartSample[] = [];
  #pending = false;

  // `onFilesystems` gets the filesystems' figures the status topic sends at once after a
  // volume event (`status-filesystems`); pages without filesystem bars leave them.
  constructor(draw: (samples: ChartSample[]) => void, onFilesystems: (sample: ChartSample) => void = () => {}) {
    this.#draw = draw;
    registerChart('status-filesystems', (data) => {
      if (this.live && !document.hidden) onFilesystems(data as ChartSample);
    });
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden && this.#pending) this.#redraw();
    });
    registerChart('status', (data) => {
      const message = data as { history?: PackedHistory; latest?: ChartSample; samples?: ChartSample[] };
      const cutoff = Date.now() - liveWindowMs - 5000;
      this.#liveSamples = message.history
        ? withLatest(unpackHistory(message.history), message.latest)
        : [...this.#liveSamples.filter((sample) => sample.time >= cutoff), ...(message.samples ?? [])];
      if (!this.live) return;
      this.samples = this.#liveSamples;
      this.#redraw();
    });
  }

  // Shows other samples (the 24-hour view) until `showLive`.
  show(samples: ChartSample[]): void {
    this.live = false;
    this.samples = samples;
    this.#redraw();
  }

  // Back to the live samples.
  showLive(): void {
    this.live = true;
    this.samples = this.#liveSamples;
    this.#redraw();
  }

  #redraw(): void {
    if (document.hidden) {
      this.#pending = true;
      return;
    }
    this.#pending = false;
    if (this.samples.length > 0) this.#draw(this.samples);
  }
}
