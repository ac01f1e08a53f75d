// The SVG path data of a chart's series, cut in chunks of time and kept from tick to tick.
// The x axis is absolute (the chart slides its plot with a transform), so a sample's points
// stay valid until the value scale, the width or the window change: each chunk's path data is
// kept until its samples change, and a chunk drawn again reuses the points of the samples the
// last draw used. A tick writes the newest chunk's paths only (a whole 600-sample path costs
// Chromium ~1 ms to parse per tick, and its string as much to build). The paths are written
// directly: d3.line and d3.area cost 1.3 ms per chart at 600 samples, and these shapes need
// none of their curves or options. They are drawn from the chart's rows (chart-rows.ts).
import type { TimedSample } from '../../common/pack-history.ts';
import type { ChartRow, RowLayout } from './chart-rows.ts';

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

// A drawn series: its key, whether it is a stack layer or a line, and its path data by chunk
// (chunk N holds the samples of [N × chunkMs, (N + 1) × chunkMs)). Each chunk's path also runs
// to the last sample before it and the first after it, unless a gap lies between: adjacent
// chunks overlap by one step, so they join without a seam.
export interface Shape {
  key: string;
  kind: 'area' | 'line';
  chunks: ReadonlyMap<number, string>;
}

// How `draw` cuts the samples: a gap is a pause longer than `gapMs` between two samples, where
// the paths break; chunks are `chunkMs` long (aligned on time, so they stay as the plot slides).
export interface DrawOptions {
  gapMs?: number;
  chunkMs?: number;
}

// A chunk's path data, with the rows it was drawn from: its own and its neighbours.
interface Chunk {
  rows: readonly ChartRow[];
  before: ChartRow | null;
  after: ChartRow | null;
  // The stack's layers, then the lines.
  paths: string[];
}

// One row's points, as "x,y" texts: the stack's levels from its base up, and the lines
// (null where the sample lacks the series).
interface SamplePoints {
  levels: string[];
  lines: (string | null)[];
}

// Coordinates to a tenth of a pixel.
const round = (value: number) => Math.round(value * 10) / 10;

// Builds a chart's shapes; one instance per chart. The layout is set first, then the shapes
// are drawn.
export class SeriesPaths {
  #layout: RowLayout = { stacked: [], lines: [], key: '|' };
  #geometryKey = '';
  // The points of the rows the last draw used, and of those this one uses. Plain maps,
  // emptied every draw: a WeakMap of every sample made each young-generation GC pause 5-10 ms
  // in Chromium (ephemerons), and only the chunks drawn again need points.
  #points = new Map<ChartRow, SamplePoints>();
  #freshPoints = new Map<ChartRow, SamplePoints>();
  #chunks = new Map<number, Chunk>();
  // The gap and the chunks' length the kept chunks were cut with.
  #cut = '';

  // The series of the rows to draw (chart-rows.ts); another layout forgets every point.
  setLayout(layout: RowLayout): void {
    if (layout === this.#layout) return;
    this.#layout = layout;
    this.#geometryKey = '';
    this.#chunks.clear();
  }

  // The paths of every series through `rows` under `geometry`, by chunk: the stack's
  // layers, then the lines. Where the next row comes more than `gapMs` later, nobody was
  // sampling: the paths break there rather than draw a slope the machine never had.
  draw(
    rows: readonly ChartRow[],
    geometry: Geometry,
    { gapMs = Infinity, chunkMs = Infinity }: DrawOptions = {},
  ): Shape[] {
    if (geometry.key !== this.#geometryKey) {
      this.#geometryKey = geometry.key;
      this.#points.clear();
      this.#chunks.clear();
    }
    const cut = `${gapMs} ${chunkMs}`;
    if (cut !== this.#cut) {
      this.#cut = cut;
      this.#chunks.clear();
    }
    const joined = (a: ChartRow, b: ChartRow) => b.time - a.time <= gapMs;
    const drawn = new Map<number, string[]>();
    for (let start = 0; start < rows.length; ) {
      const index = chunkMs === Infinity ? 0 : Math.floor(rows[start]!.time / chunkMs);
      let end = start + 1;
      while (end < rows.length && (chunkMs === Infinity || Math.floor(rows[end]!.time / chunkMs) === index)) end += 1;
      const own = rows.slice(start, end);
      const before = start > 0 && joined(rows[start - 1]!, own[0]!) ? rows[start - 1]! : null;
      const after = end < rows.length && joined(own.at(-1)!, rows[end]!) ? rows[end]! : null;
      let chunk = this.#chunks.get(index);
      // The oldest chunk keeps its path while its oldest rows leave the window (the clip
      // hides them): its rows then end the ones it was drawn from.
      const isSame =
        chunk !== undefined &&
        chunk.after === after &&
        (start === 0
          ? endsWith(chunk.rows, own)
          : chunk.before === before && chunk.rows.length === own.length && endsWith(chunk.rows, own));
      if (!chunk || !isSame) {
        chunk = {
          rows: own,
          before,
          after,
          paths: this.#drawChunk([...(before ? [before] : []), ...own, ...(after ? [after] : [])], geometry, joined),
        };
        this.#chunks.set(index, chunk);
      }
      drawn.set(index, chunk.paths);
      start = end;
    }
    for (const index of this.#chunks.keys()) if (!drawn.has(index)) this.#chunks.delete(index);
    [this.#points, this.#freshPoints] = [this.#freshPoints, this.#points];
    this.#freshPoints.clear();
    const byChunk = (path: number) => new Map([...drawn].map(([index, paths]) => [index, paths[path]!]));
    const { stacked, lines } = this.#layout;
    return [
      ...stacked.map((key, layer): Shape => ({ key, kind: 'area', chunks: byChunk(layer) })),
      ...lines.map((key, line): Shape => ({ key, kind: 'line', chunks: byChunk(stacked.length + line) })),
    ];
  }

  // One chunk's path data: the stack's layers, then the lines; runs split at gaps.
  #drawChunk(rows: readonly ChartRow[], geometry: Geometry, joined: (a: ChartRow, b: ChartRow) => boolean): string[] {
    const runs: SamplePoints[][] = [];
    rows.forEach((row, index) => {
      if (index === 0 || !joined(rows[index - 1]!, row)) runs.push([]);
      runs.at(-1)!.push(this.#getPoints(row, geometry));
    });
    const areas = this.#layout.stacked.map((_series, layer) => runs.map((run) => getAreaPath(run, layer)).join(''));
    const lines = this.#layout.lines.map((_series, line) => {
      const points: (string | null)[] = [];
      for (const run of runs) {
        for (const point of run) points.push(point.lines[line]!);
        points.push(null);
      }
      return getLinePath(points);
    });
    return [...areas, ...lines];
  }

  #getPoints(row: ChartRow, geometry: Geometry): SamplePoints {
    let points = this.#freshPoints.get(row) ?? this.#points.get(row);
    if (!points) {
      const x = `${round((row.time - geometry.origin) * geometry.pxPerMs)},`;
      const stackedCount = this.#layout.stacked.length;
      let level = 0;
      const levels = [x + round(geometry.y(0))];
      for (let layer = 0; layer < stackedCount; layer += 1) {
        const value = row.values[layer]!;
        if (!Number.isNaN(value)) level += value;
        levels.push(x + round(geometry.y(level)));
      }
      const lines: (string | null)[] = [];
      for (let line = stackedCount; line < row.values.length; line += 1) {
        const value = row.values[line]!;
        lines.push(Number.isNaN(value) ? null : x + round(geometry.y(value)));
      }
      points = { levels, lines };
    }
    this.#freshPoints.set(row, points);
    return points;
  }
}

// Whether `all` ends with `end`, the same objects in the same order.
function endsWith(all: readonly ChartRow[], end: readonly ChartRow[]): boolean {
  if (end.length > all.length) return false;
  const offset = all.length - end.length;
  return end.every((sample, index) => all[offset + index] === sample);
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
