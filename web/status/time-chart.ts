// A time-series chart in SVG with D3: stacked areas (CPU, memory) or lines (network, disks),
// a time axis, a value axis, a legend, and a tooltip with the exact values under the pointer.
// Each series is a group of paths, one per chunk of time (series-paths.ts): a tick rewrites the
// newest. Nothing is animated: a tick moves the plot by about a pixel, and a 900 ms slide
// cost Chromium a repaint of every chart on every frame (SVG content is never composited),
// 100 ms of main thread and a quarter of a core per open page. Only what sampling saw is
// drawn (sample-runs.ts): gaps stay empty, the tooltip says "no data" there.
import * as d3 from 'd3';
import { formatClock, formatTick, formatTimeTick, formatValue, type ValueFormat } from './format.ts';
import { SeriesPaths, type ChartSample, type Geometry, type Shape } from './series-paths.ts';
import { ChartRows, type SampleRow } from './chart-rows.ts';
import { SeriesGroups } from './series-groups.ts';
import { SampleBuckets, getBucketMs } from './sample-buckets.ts';
import { getSampleRuns } from './sample-runs.ts';
import { getValueTicks } from './value-ticks.ts';
import { t } from '../i18n.ts';
import { setText } from './set-text.ts';
import { ChartLegend } from './chart-legend.ts';
import { flattenTicks } from './axis-ticks.ts';

export type { ChartSample } from './series-paths.ts';

// A drawn series: its metric and its label in the legend.
export interface Series {
  key: string;
  label: string;
}

export interface TimeChartOptions {
  element: HTMLElement;
  format: ValueFormat;
  stacked: boolean;
  // A fixed top of the value axis (100 for percents); otherwise it follows the data.
  maximum?: number;
  // The whole the stack is a part of (memory's total): the value axis reaches it at least.
  getTotal?(latest: ChartSample): number | undefined;
  // A line of text after the legend's entries (memory's free and total).
  getNote?(latest: ChartSample): string;
  // The series to draw, chosen from the latest sample (interfaces and disks come and go).
  getSeries(latest: ChartSample): Series[];
  // Drawn as lines above the stack (memory's swap).
  getOverlay?(latest: ChartSample): Series[];
  // Pixels (the dashboard's cards are smaller than the Status page's charts).
  height?: number;
}

// What a chart shows: a window of time, of samples `sampleMs` apart.
export interface ChartView {
  windowMs: number;
  sampleMs: number;
}

// The live view: ten minutes of one-second samples.
export const liveView: ChartView = { windowMs: 10 * 60_000, sampleMs: 1000 };

const margin = { top: 8, right: 12, bottom: 22, left: 64 };

// Coordinates to a tenth of a pixel.
const round = (value: number) => Math.round(value * 10) / 10;

// Points per chunk of path: a tick rewrites one chunk of this many points per series.
const pointsPerChunk = 60;

// Draws and redraws one chart; `update` takes the whole visible history.
export class TimeChart {
  readonly #options: TimeChartOptions;
  readonly #svg: d3.Selection<SVGSVGElement, unknown, null, undefined>;
  readonly #plot: d3.Selection<SVGGElement, unknown, null, undefined>;
  readonly #groups: SeriesGroups;
  readonly #xAxis: d3.Selection<SVGGElement, unknown, null, undefined>;
  readonly #yAxis: d3.Selection<SVGGElement, unknown, null, undefined>;
  readonly #baseline: d3.Selection<SVGLineElement, unknown, null, undefined>;
  readonly #rule: d3.Selection<SVGLineElement, unknown, null, undefined>;
  // Where the newest run of samples starts, when inside the window: a line and its label.
  readonly #start: d3.Selection<SVGGElement, unknown, null, undefined>;
  readonly #startLabel: d3.Selection<SVGTextElement, unknown, null, undefined>;
  readonly #legend = new ChartLegend();
  readonly #rows = new ChartRows();
  readonly #paths = new SeriesPaths();
  readonly #buckets = new SampleBuckets();
  #width = 600;
  #samples: ChartSample[] = [];
  // The rows drawn (the tooltip reads their samples), and the gap between two of them.
  #drawnRows: SampleRow[] = [];
  #gapMs = Infinity;
  #series: Series[] = [];
  #overlay: Series[] = [];
  // The visible window's time scale (the tooltip reads it).
  #x = d3.scaleTime();
  #geometry: Geometry | null = null;
  #view = liveView;
  #xTicks = '';
  #yTop = 0;
  #transforms = new Map<Element, string>();
  // The start whose label is shown.
  #startTime: number | null = null;
  readonly #height: number;
  static #clipCount = 0;

  constructor(options: TimeChartOptions) {
    this.#options = options;
    this.#height = options.height ?? 180;
    const clipId = `chart-clip-${(TimeChart.#clipCount += 1)}`;
    this.#svg = d3.select(options.element).append('svg').attr('class', 'time-chart').attr('aria-hidden', 'true');
    this.#svg.append('defs').append('clipPath').attr('id', clipId).append('rect');
    this.#xAxis = this.#svg.append('g').attr('class', 'axis axis-x');
    this.#baseline = this.#svg.append('line').attr('class', 'chart-baseline');
    this.#yAxis = this.#svg.append('g').attr('class', 'axis axis-y');
    this.#plot = this.#svg.append('g').attr('class', 'plot').attr('clip-path', `url(#${clipId})`).append('g');
    this.#groups = new SeriesGroups(this.#plot.node()!);
    this.#rule = this.#svg.append('line').attr('class', 'chart-rule').style('display', 'none');
    this.#start = this.#svg.append('g').attr('class', 'chart-start').style('display', 'none');
    this.#start
      .append('line')
      .attr('y1', margin.top)
      .attr('y2', this.#height - margin.bottom);
    this.#startLabel = this.#start
      .append('text')
      .attr('y', margin.top + 12)
      .attr('x', 4);
    options.element.append(this.#legend.element);
    this.#svg
      .on('pointermove', (event: PointerEvent) => this.#showTooltip(event))
      .on('pointerleave', () => this.#hideTooltip());
    this.#resize();
    new ResizeObserver(() => {
      this.#resize();
      this.update(this.#samples);
    }).observe(options.element);
  }

  // Redraws with the visible history (oldest first). The tooltip shows the samples
  // themselves; the paths may show their averages (sample-buckets.ts).
  update(samples: ChartSample[], { view = this.#view } = {}): void {
    this.#samples = samples;
    this.#view = view;
    const { windowMs } = view;
    const latest = samples.at(-1);
    if (!latest) return;
    this.#series = this.#options.getSeries(latest);
    this.#overlay = this.#options.getOverlay?.(latest) ?? [];
    const innerWidth = this.#width - margin.left - margin.right;
    const innerHeight = this.#height - margin.top - margin.bottom;
    const start = latest.time - windowMs;
    this.#x = d3.scaleTime().domain([start, latest.time]).range([0, innerWidth]);
    const keys = (series: Series[]) => series.map((item) => item.key);
    this.#rows.setSeries(this.#options.stacked ? keys(this.#series) : [], [
      ...(this.#options.stacked ? [] : keys(this.#series)),
      ...keys(this.#overlay),
    ]);
    const layout = this.#rows.layout;
    const bucketMs = getBucketMs(windowMs, innerWidth, view.sampleMs);
    const runs = getSampleRuns(this.#rows.get(samples), {
      // A missed tick is no gap; two and a half steps without a sample are.
      gapMs: 2.5 * view.sampleMs,
      // An older run shorter than ten samples apart (a page open for seconds, long ago) is a spike.
      minRunMs: 10 * view.sampleMs,
      windowStart: start,
    });
    this.#drawnRows = runs.rows;
    const drawn = this.#buckets.get(runs.rows, bucketMs, layout);
    const gapMs = 2.5 * Math.max(bucketMs, view.sampleMs);
    this.#gapMs = gapMs;
    this.#paths.setLayout(layout);
    let highest = 0;
    for (const row of drawn) if (row.top > highest) highest = row.top;
    const top = Math.max(1, highest, this.#options.getTotal?.(latest) ?? 0);
    const axis = getValueTicks(this.#options.maximum ?? top, this.#options.format);
    const y = d3.scaleLinear().domain([0, axis.top]).range([innerHeight, 0]);

    const geometry = this.#placeSamples(start, windowMs, innerWidth / windowMs, y);
    const yChanged = axis.top !== this.#yTop;
    this.#yTop = axis.top;
    const shapes = this.#paths.draw(drawn, geometry, {
      gapMs,
      chunkMs: pointsPerChunk * Math.max(bucketMs, view.sampleMs),
    });

    this.#drawTimeAxis(geometry, innerWidth);
    this.#drawPaths(shapes);
    if (yChanged) {
      this.#yAxis.attr('transform', `translate(${margin.left},${margin.top})`).call(
        d3
          .axisLeft(y)
          .tickValues(axis.ticks)
          .tickFormat((value) => formatTick(Number(value), this.#options.format)) as never,
      );
      flattenTicks(this.#yAxis, 'y');
    }
    // The plot and the time axis are drawn on an absolute x axis: a tick moves them only.
    const left = margin.left - (start - geometry.origin) * geometry.pxPerMs;
    this.#setTransform(this.#plot.node()!, `translate(${round(left)},${margin.top})`);
    this.#setTransform(this.#xAxis.node()!, `translate(${round(left)},${margin.top + innerHeight})`);
    this.#drawStart(runs.startedAt === null ? null : margin.left + this.#x(runs.startedAt), runs.startedAt);
    this.#legend.draw(
      [...this.#series, ...this.#overlay],
      latest,
      (value) => this.#format(value),
      this.#options.getNote?.(latest),
    );
  }

  // Writes a transform only when it changed (each write is a paint of the chart).
  #setTransform(element: Element, transform: string): void {
    if (this.#transforms.get(element) === transform) return;
    this.#transforms.set(element, transform);
    element.setAttribute('transform', transform);
  }

  // The line where sampling started and its label, when inside the window; the label sits
  // on the line's left when there is no room on its right.
  #drawStart(x: number | null, time: number | null): void {
    const node = this.#start.node()!;
    if (x === null || time === null) {
      if (node.style.display !== 'none') node.style.display = 'none';
      return;
    }
    if (node.style.display === 'none') node.style.display = '';
    this.#setTransform(node, `translate(${round(x)},0)`);
    const label = this.#startLabel.node()!;
    // Formatted once per start (a tick's translation and clock cost more than the rest of it).
    if (this.#startTime !== time) {
      this.#startTime = time;
      setText(label, t('chart.samplingStarted', { time: formatClock(time).slice(0, 5) }));
    }
    const onLeft = x > this.#width - margin.right - 170;
    if (label.dataset.side !== String(onLeft)) {
      label.dataset.side = String(onLeft);
      label.setAttribute('text-anchor', onLeft ? 'end' : 'start');
      label.setAttribute('x', onLeft ? '-4' : '4');
    }
  }

  // Samples are placed on an absolute x axis whose origin stays put (the plot slides), so
  // their points are kept from tick to tick; the origin moves when the plot has slid four
  // windows (to keep coordinates short), or when the scale of time changes.
  #placeSamples(start: number, windowMs: number, pxPerMs: number, y: d3.ScaleLinear<number, number>): Geometry {
    const previous = this.#geometry;
    const origin =
      previous && previous.pxPerMs === pxPerMs && start - previous.origin < 3 * windowMs ? previous.origin : start;
    this.#geometry = { origin, pxPerMs, y, key: `${origin} ${pxPerMs} ${y.range().join(' ')} ${y.domain().join(' ')}` };
    return this.#geometry;
  }

  // The time axis is drawn on the absolute x axis, with the visible window's ticks; it is
  // drawn again only when those ticks change (a tick enters or leaves), and slides otherwise.
  #drawTimeAxis(geometry: Geometry, innerWidth: number): void {
    const ticks = this.#x.ticks(Math.max(2, Math.floor(innerWidth / 90)));
    const key = `${geometry.origin} ${geometry.pxPerMs} ${ticks.map(Number).join(' ')}`;
    if (key === this.#xTicks) return;
    this.#xTicks = key;
    const absolute = d3
      .scaleTime()
      .domain([geometry.origin, geometry.origin + innerWidth / geometry.pxPerMs])
      .range([0, innerWidth]);
    this.#xAxis.call(
      d3
        .axisBottom(absolute)
        .tickValues(ticks)
        .tickSizeOuter(0)
        .tickFormat((date) => formatTimeTick(date as Date)) as never,
    );
    flattenTicks(this.#xAxis, 'x');
  }

  #drawPaths(shapes: Shape[]): void {
    const allSeries = [...this.#series, ...this.#overlay];
    this.#groups.draw(
      shapes.map((shape) => ({
        ...shape,
        className: `series series-${allSeries.findIndex((series) => series.key === shape.key) % 8} ${shape.kind}`,
      })),
    );
  }

  // A value, or "no data" where the sample lacks it (never a 0 nobody measured).
  #format(value: number | undefined): string {
    return value === undefined ? t('chart.noData') : formatValue(value, this.#options.format);
  }

  #resize(): void {
    this.#width = Math.max(240, this.#options.element.clientWidth);
    this.#svg
      .attr('viewBox', `0 0 ${this.#width} ${this.#height}`)
      .attr('width', this.#width)
      .attr('height', this.#height);
    this.#baseline
      .attr('x1', margin.left)
      .attr('x2', this.#width - margin.right)
      .attr('y1', this.#height - margin.bottom)
      .attr('y2', this.#height - margin.bottom);
    this.#svg
      .select('clipPath rect')
      .attr('x', margin.left)
      .attr('y', margin.top)
      .attr('width', this.#width - margin.left - margin.right)
      .attr('height', this.#height - margin.top - margin.bottom);
  }

  #showTooltip(event: PointerEvent): void {
    if (this.#samples.length === 0) return;
    const [pointerX] = d3.pointer(event, this.#svg.node());
    const time = this.#x.invert(pointerX - margin.left).getTime();
    const index = d3.bisector((row: SampleRow) => row.time).center(this.#drawnRows, time);
    // Nearer a gap than a sample: nobody sampled then.
    const found = this.#drawnRows[index]?.sample;
    const sample = found && Math.abs(found.time - time) <= this.#gapMs / 2 ? found : undefined;
    const tooltip = document.getElementById('chart-tooltip');
    if (!tooltip) return;
    const left = margin.left + this.#x(sample?.time ?? time);
    this.#rule
      .style('display', null)
      .attr('x1', left)
      .attr('x2', left)
      .attr('y1', margin.top)
      .attr('y2', this.#height - margin.bottom);
    const lines = sample
      ? [
          formatClock(sample.time),
          ...[...this.#series, ...this.#overlay].map((series) =>
            t('chart.value', { label: series.label, value: this.#format(sample.values[series.key]) }),
          ),
        ]
      : [formatClock(time), t('chart.nothingSampled')];
    tooltip.replaceChildren(
      ...lines.map((text) => Object.assign(document.createElement('div'), { textContent: text })),
    );
    tooltip.hidden = false;
    tooltip.style.left = `${event.pageX + 14}px`;
    tooltip.style.top = `${event.pageY + 14}px`;
  }

  #hideTooltip(): void {
    this.#rule.style('display', 'none');
    const tooltip = document.getElementById('chart-tooltip');
    if (tooltip) tooltip.hidden = true;
  }
}
