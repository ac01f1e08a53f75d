// The SVG path data of a chart's series, kept from tick to tick: each sample's points are
// computed once for a geometry and remembered by sample, so a tick computes the points of its
// new sample only and joins the rest. The x axis is absolute (the chart slides its plot with a
// transform), so a sample's points stay valid until the value scale, the width or the window
// change. The paths are written directly: d3.line and d3.area cost 1.3 ms per chart at 600
// samples, and these shapes need none of their curves or options.
import type { TimedSample } from '../../common/pack-history.ts';

// One sample as the charts use it: the figures of one moment.
export type ChartSample = TimedSample;

// Where samples are drawn: x = (time - origin) * pxPerMs, y from the value scale.
export interface Geometry {
  origin: number;
  pxPerMs: number;
  y: (value: number) => number;
  // Names the geometry: points computed under another key are computed again.
  key: string;
}

// A drawn path: its series' key, its data, and whether it is a stack layer or a line.
export interface Shape {
  key: string;
  d: string;
  kind: 'area' | 'line';
}

// One sample's points, as "x,y" texts: the stack's levels from its base up, and the lines
// (null where the sample lacks the series).
interface SamplePoints {
  levels: string[];
  lines: (string | null)[];
}

// Coordinates to a tenth of a pixel.
const round = (value: number) => Math.round(value * 10) / 10;

// Builds a chart's shapes; one instance per chart. The series are set first, then the top of
// the values is read (to choose the value scale), then the shapes are drawn.
export class SeriesPaths {
  #stacked: readonly string[] = [];
  #lines: readonly string[] = [];
  #seriesKey = '';
  #geometryKey = '';
  #tops = new WeakMap<ChartSample, number>();
  #points = new WeakMap<ChartSample, SamplePoints>();

  // The stack's series (bottom first) and the lines' series; a change forgets every sample.
  setSeries(stacked: readonly string[], lines: readonly string[]): void {
    const key = `${stacked.join(' ')}|${lines.join(' ')}`;
    if (key === this.#seriesKey) return;
    this.#seriesKey = key;
    this.#stacked = stacked;
    this.#lines = lines;
    this.#geometryKey = '';
    this.#tops = new WeakMap();
  }

  // The highest value drawn in `samples`: the top of a stack or of a line.
  getTop(samples: readonly ChartSample[]): number {
    let top = 0;
    for (const sample of samples) {
      let sampleTop = this.#tops.get(sample);
      if (sampleTop === undefined) {
        sampleTop = 0;
        for (const series of this.#stacked) sampleTop += sample.values[series] ?? 0;
        for (const series of this.#lines) sampleTop = Math.max(sampleTop, sample.values[series] ?? 0);
        this.#tops.set(sample, sampleTop);
      }
      if (sampleTop > top) top = sampleTop;
    }
    return top;
  }

  // A path per series through `samples` under `geometry`: the stack's layers, then the lines.
  // Where the next sample comes more than `gapMs` later, nobody was sampling: the paths
  // break there rather than draw a slope the machine never had.
  draw(samples: readonly ChartSample[], geometry: Geometry, gapMs = Infinity): Shape[] {
    if (geometry.key !== this.#geometryKey) {
      this.#geometryKey = geometry.key;
      this.#points = new WeakMap();
    }
    const runs: SamplePoints[][] = [];
    samples.forEach((sample, index) => {
      if (index === 0 || sample.time - samples[index - 1]!.time > gapMs) runs.push([]);
      runs.at(-1)!.push(this.#getPoints(sample, geometry));
    });
    return [
      ...this.#stacked.map((series, layer): Shape => ({ key: series, d: runs.map((run) => getAreaPath(run, layer)).join(''), kind: 'area' })),
      ...this.#lines.map((series, line): Shape => ({ key: series, d: getLinePath(runs.flatMap((run) => [...run.map((points) => points.lines[line]!), null])), kind: 'line' })),
    ];
  }

  #getPoints(sample: ChartSample, geometry: Geometry): SamplePoints {
    let points = this.#points.get(sample);
    if (!points) {
      const x = `${round((sample.time - geometry.origin) * geometry.pxPerMs)},`;
      let level = 0;
      const levels = [x + round(geometry.y(0))];
      for (const series of this.#stacked) {
        level += sample.values[series] ?? 0;
        levels.push(x + round(geometry.y(level)));
      }
      const lines = this.#lines.map((series) => {
        const value = sample.values[series];
        return value === undefined ? null : x + round(geometry.y(value));
      });
      points = { levels, lines };
      this.#points.set(sample, points);
    }
    return points;
  }
}

// A polyline through the points; a null point breaks it. (Joining arrays makes one string
// at once, where adding piece by piece makes hundreds.)
export function getLinePath(points: readonly (string | null)[]): string {
  let d = '';
  let run: string[] = [];
  for (const point of points) {
    if (point !== null) run.push(point);
    else if (run.length > 0) {
      d += `M${run.join('L')}`;
      run = [];
    }
  }
  return run.length > 0 ? `${d}M${run.join('L')}` : d;
}

// The band of stack layer `layer`: along its upper level, then back along its lower one.
function getAreaPath(points: readonly SamplePoints[], layer: number): string {
  if (points.length === 0) return '';
  const outline = points.map((point) => point.levels[layer + 1]!);
  for (let index = points.length - 1; index >= 0; index -= 1) outline.push(points[index]!.levels[layer]!);
  return `M${outline.join('L')}Z`;
}
