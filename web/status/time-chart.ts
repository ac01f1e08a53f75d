// A time-series chart in SVG with D3: stacked areas (CPU, memory) or lines (network, disks),
// a time axis that slides smoothly between ticks, a value axis whose scale morphs when the
// values change, a legend, and a tooltip with the exact values under the pointer.
import * as d3 from 'd3';
// Adds selection.transition(): esbuild would otherwise drop this side effect of d3's bundle.
import 'd3-transition';
import { formatValue, type ValueFormat } from './format.ts';
import { getAreaPath, getLinePath } from './path-data.ts';

// One sample as the charts use it.
export interface ChartSample {
  time: number;
  values: Record<string, number>;
}

// A drawn series: its metric, its label in the legend, whether it is stacked.
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
  // The series to draw, chosen from the latest sample (interfaces and disks come and go).
  getSeries(latest: ChartSample): Series[];
  // Drawn as lines above the stack (memory's swap).
  getOverlay?(latest: ChartSample): Series[];
  // Pixels (the dashboard's cards are smaller than the Status page's charts).
  height?: number;
}

const margin = { top: 8, right: 12, bottom: 22, left: 64 };

// Draws and redraws one chart; `update` takes the whole visible history.
export class TimeChart {
  readonly #options: TimeChartOptions;
  readonly #svg: d3.Selection<SVGSVGElement, unknown, null, undefined>;
  readonly #plot: d3.Selection<SVGGElement, unknown, null, undefined>;
  readonly #xAxis: d3.Selection<SVGGElement, unknown, null, undefined>;
  readonly #yAxis: d3.Selection<SVGGElement, unknown, null, undefined>;
  readonly #rule: d3.Selection<SVGLineElement, unknown, null, undefined>;
  readonly #legend: HTMLElement;
  #width = 600;
  #samples: ChartSample[] = [];
  #series: Series[] = [];
  #overlay: Series[] = [];
  #x = d3.scaleTime();
  #y = d3.scaleLinear();
  #windowMs = 10 * 60_000;
  #yDomain = '';
  readonly #height: number;
  static #clipCount = 0;

  constructor(options: TimeChartOptions) {
    this.#options = options;
    this.#height = options.height ?? 180;
    const clipId = `chart-clip-${(TimeChart.#clipCount += 1)}`;
    this.#svg = d3.select(options.element).append('svg').attr('class', 'time-chart').attr('aria-hidden', 'true');
    this.#svg.append('defs').append('clipPath').attr('id', clipId).append('rect');
    this.#xAxis = this.#svg.append('g').attr('class', 'axis axis-x');
    this.#yAxis = this.#svg.append('g').attr('class', 'axis axis-y');
    this.#plot = this.#svg.append('g').attr('class', 'plot').attr('clip-path', `url(#${clipId})`).append('g');
    this.#rule = this.#svg.append('line').attr('class', 'chart-rule').style('display', 'none');
    this.#legend = document.createElement('ul');
    this.#legend.className = 'chart-legend';
    options.element.append(this.#legend);
    this.#svg.on('pointermove', (event: PointerEvent) => this.#showTooltip(event)).on('pointerleave', () => this.#hideTooltip());
    this.#resize();
    new ResizeObserver(() => {
      this.#resize();
      this.#yDomain = '';
      this.update(this.#samples, { animate: false, windowMs: this.#windowMs });
    }).observe(options.element);
  }

  // Redraws with the visible history (oldest first). With `animate`, the time axis slides
  // by the new samples' width and the value scale morphs over `durationMs`.
  update(samples: ChartSample[], { animate = true, windowMs = this.#windowMs, durationMs = 900 } = {}): void {
    this.#samples = samples;
    this.#windowMs = windowMs;
    const latest = samples.at(-1);
    if (!latest) return;
    this.#series = this.#options.getSeries(latest);
    this.#overlay = this.#options.getOverlay?.(latest) ?? [];
    const innerWidth = this.#width - margin.left - margin.right;
    const innerHeight = this.#height - margin.top - margin.bottom;
    const previousEnd = this.#x.domain()[1]?.getTime() ?? latest.time;
    this.#x = d3.scaleTime().domain([latest.time - windowMs, latest.time]).range([0, innerWidth]);
    const stacked = this.#options.stacked ? d3.stack<ChartSample>().keys(this.#series.map((series) => series.key)).value((sample, key) => sample.values[key] ?? 0)(samples) : null;
    const top = this.#options.maximum ?? Math.max(
      1,
      d3.max(samples, (sample) => (this.#options.stacked
        ? this.#series.reduce((sum, series) => sum + (sample.values[series.key] ?? 0), 0)
        : d3.max(this.#series, (series) => sample.values[series.key] ?? 0) ?? 0)) ?? 0,
      d3.max(samples, (sample) => d3.max(this.#overlay, (series) => sample.values[series.key] ?? 0) ?? 0) ?? 0,
    );
    this.#y = d3.scaleLinear().domain([0, top]).nice().range([innerHeight, 0]);

    const t = this.#svg.transition().duration(animate ? durationMs : 0).ease(d3.easeLinear);
    // The time axis is drawn for the new scale and slides with the paths (below); the value
    // axis morphs only when its scale changed (a transition of every tick is not free).
    this.#xAxis.call(d3.axisBottom(this.#x).ticks(Math.max(2, Math.floor(innerWidth / 90))) as never);
    const yDomain = this.#y.domain().join(' ');
    if (yDomain !== this.#yDomain) {
      this.#yDomain = yDomain;
      this.#yAxis.attr('transform', `translate(${margin.left},${margin.top})`)
        .transition(t as never).call(d3.axisLeft(this.#y).ticks(4).tickFormat((value) => formatValue(Number(value), this.#options.format)) as never);
    }

    // Each sample's x once, for every series (the time scale is the dearer one).
    const xs = samples.map((sample) => this.#x(sample.time));
    const y = this.#y;
    const shapes: { key: string; d: string; kind: 'area' | 'line' }[] = [];
    const drawLine = (series: Series) => {
      const ys = samples.map((sample) => (sample.values[series.key] === undefined ? null : y(sample.values[series.key]!)));
      shapes.push({ key: series.key, d: getLinePath(xs, ys), kind: 'line' });
    };
    if (stacked) {
      for (const layer of stacked) {
        shapes.push({ key: layer.key, d: getAreaPath(xs, layer.map((point) => y(point[0])), layer.map((point) => y(point[1]))), kind: 'area' });
      }
    } else {
      this.#series.forEach(drawLine);
    }
    this.#overlay.forEach(drawLine);
    const allSeries = [...this.#series, ...this.#overlay];
    const paths = this.#plot.selectAll<SVGPathElement, (typeof shapes)[number]>('path').data(shapes, (shape) => shape.key);
    paths.exit().remove();
    paths.enter().append('path').attr('data-key', (shape) => shape.key).merge(paths)
      .each(function setClass(shape) {
        const name = `series series-${allSeries.findIndex((series) => series.key === shape.key) % 8} ${shape.kind}`;
        if (this.getAttribute('class') !== name) this.setAttribute('class', name);
      })
      .attr('d', (shape) => shape.d);
    // The time axis moved by the new samples: the paths and the axis, drawn for the new
    // scale, start where the old ones were and slide into place.
    const shift = animate ? this.#x(previousEnd) - this.#x(latest.time) : 0;
    this.#plot.interrupt().attr('transform', `translate(${margin.left - shift},${margin.top})`)
      .transition(t as never).attr('transform', `translate(${margin.left},${margin.top})`);
    this.#xAxis.interrupt().attr('transform', `translate(${margin.left - shift},${margin.top + innerHeight})`)
      .transition(t as never).attr('transform', `translate(${margin.left},${margin.top + innerHeight})`);
    this.#drawLegend(allSeries, latest);
  }

  // The legend's entries are made again only when the series change; otherwise their text
  // is updated in place (a redraw a second).
  #drawLegend(series: Series[], latest: ChartSample): void {
    const keys = series.map((item) => item.key).join(' ');
    if (this.#legend.dataset.keys !== keys) {
      this.#legend.dataset.keys = keys;
      this.#legend.replaceChildren(...series.map((_item, index) => Object.assign(document.createElement('li'), { className: `series-${index % 8}` })));
    }
    series.forEach((item, index) => {
      const text = `${item.label} ${formatValue(latest.values[item.key] ?? 0, this.#options.format)}`;
      const entry = this.#legend.children[index]!;
      if (entry.textContent !== text) entry.textContent = text;
    });
  }

  #resize(): void {
    this.#width = Math.max(240, this.#options.element.clientWidth);
    this.#svg.attr('viewBox', `0 0 ${this.#width} ${this.#height}`).attr('width', this.#width).attr('height', this.#height);
    this.#svg.select('clipPath rect').attr('x', margin.left).attr('y', margin.top).attr('width', this.#width - margin.left - margin.right).attr('height', this.#height - margin.top - margin.bottom);
  }

  #showTooltip(event: PointerEvent): void {
    if (this.#samples.length === 0) return;
    const [pointerX] = d3.pointer(event, this.#svg.node());
    const time = this.#x.invert(pointerX - margin.left).getTime();
    const index = d3.bisector((sample: ChartSample) => sample.time).center(this.#samples, time);
    const sample = this.#samples[index];
    if (!sample) return;
    const tooltip = document.getElementById('chart-tooltip');
    if (!tooltip) return;
    const left = margin.left + this.#x(sample.time);
    this.#rule.style('display', null).attr('x1', left).attr('x2', left).attr('y1', margin.top).attr('y2', this.#height - margin.bottom);
    const lines = [new Date(sample.time).toLocaleTimeString(), ...[...this.#series, ...this.#overlay].map((series) => `${series.label}: ${formatValue(sample.values[series.key] ?? 0, this.#options.format)}`)];
    tooltip.replaceChildren(...lines.map((text) => Object.assign(document.createElement('div'), { textContent: text })));
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
