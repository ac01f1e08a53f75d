// Horizontal bars in SVG with D3 (Licorn's load bars, filesystem use); labels sit in their
// own column, never on another bar. A tick writes only the attributes and texts that changed,
// with no transition: a 600 ms one ran script and repainted the bars on every frame.
import * as d3 from 'd3';
import { setText } from './set-text.ts';

// One bar: its label, its value against the scale's top, and the text shown beside it.
export interface Bar {
  key: string;
  label: string;
  value: number;
  text: string;
}

const rowHeight = 26;
const labelWidth = 70;
const textWidth = 130;

// Draws a set of bars; `update` takes the bars and the value of a full bar.
export class BarChart {
  readonly #svg: d3.Selection<SVGSVGElement, unknown, null, undefined>;
  // Known from a ResizeObserver: reading clientWidth on each tick forced a layout of the
  // whole page (2 ms of a redraw).
  #width: number;
  #last: { bars: Bar[]; full: number; width: number } | null = null;

  constructor(element: HTMLElement) {
    this.#svg = d3.select(element).append('svg').attr('class', 'bar-chart').attr('role', 'img');
    this.#width = Math.max(240, element.clientWidth);
    new ResizeObserver(() => {
      this.#width = Math.max(240, element.clientWidth);
      if (this.#last) this.update(this.#last.bars, this.#last.full);
    }).observe(element);
  }

  update(bars: Bar[], full: number): void {
    // The same bars at the same width: nothing to write (the load changes every 5 s, a
    // filesystem's use seldom; the join and its lookups ran every tick).
    const last = this.#last;
    if (last && last.width === this.#width && last.full === full && isSame(last.bars, bars)) return;
    this.#last = { bars, full, width: this.#width };
    const width = this.#width;
    const height = Math.max(rowHeight, bars.length * rowHeight);
    const svg = this.#svg.node()!;
    setAttribute(svg, 'viewBox', `0 0 ${width} ${height}`);
    setAttribute(svg, 'width', String(width));
    setAttribute(svg, 'height', String(height));
    setAttribute(svg, 'aria-label', bars.map((bar) => `${bar.label} ${bar.text}`).join(', '));
    const x = d3
      .scaleLinear()
      .domain([0, Math.max(full, 1e-9)])
      .range([0, width - labelWidth - textWidth])
      .clamp(true);
    const rows = this.#svg.selectAll<SVGGElement, Bar>('g.bar').data(bars, (bar) => bar.key);
    rows.exit().remove();
    const entered = rows.enter().append('g').attr('class', 'bar');
    const label = entered
      .append('text')
      .attr('class', 'bar-label')
      .attr('x', 0)
      .attr('y', rowHeight / 2)
      .attr('dy', '0.35em');
    label.append('title');
    label.append('tspan');
    entered
      .append('rect')
      .attr('class', 'bar-track')
      .attr('x', labelWidth)
      .attr('y', 5)
      .attr('height', rowHeight - 10);
    entered
      .append('rect')
      .attr('class', 'bar-value')
      .attr('x', labelWidth)
      .attr('y', 5)
      .attr('height', rowHeight - 10)
      .attr('width', 0);
    entered
      .append('text')
      .attr('class', 'bar-text')
      .attr('y', rowHeight / 2)
      .attr('dy', '0.35em');
    entered.merge(rows).each(function (bar, index) {
      setAttribute(this, 'transform', `translate(0,${index * rowHeight})`);
      setAttribute(this, 'data-key', bar.key);
      fitLabel(this.querySelector<SVGTextElement>('.bar-label')!, bar.label, labelWidth - 6);
      setAttribute(this.querySelector('.bar-track')!, 'width', String(width - labelWidth - textWidth));
      setAttribute(this.querySelector('.bar-value')!, 'width', x(bar.value).toFixed(1));
      const text = this.querySelector('.bar-text')!;
      setAttribute(text, 'x', String(width - textWidth + 8));
      setText(text, bar.text);
    });
  }
}

// Whether two lists of bars show the same.
function isSame(a: readonly Bar[], b: readonly Bar[]): boolean {
  return (
    a.length === b.length &&
    a.every(
      (bar, index) =>
        bar.key === b[index]!.key &&
        bar.label === b[index]!.label &&
        bar.value === b[index]!.value &&
        bar.text === b[index]!.text,
    )
  );
}

// The attributes this file wrote, by element: comparing with them spares a getAttribute per
// attribute and tick (a call into the DOM; some fifty a tick showed as 0.4 ms in a profile).
// A WeakMap of a few dozen elements (the bars' rows) costs the GC nothing worth noting.
const written = new WeakMap<Element, Map<string, string>>();

// Writes an attribute only when its value changes: Chromium invalidates an SVG element on
// every write, even of the same value.
function setAttribute(element: Element, name: string, value: string): void {
  let values = written.get(element);
  if (!values) written.set(element, (values = new Map()));
  if (values.get(name) === value) return;
  values.set(name, value);
  if (element.getAttribute(name) !== value) element.setAttribute(name, value);
}

// Shows `text` in at most `width` pixels, cut with an ellipsis (a mount point can be 4 kB
// long, and anyone who labels a disk chooses it); the whole of it stays in the tooltip.
function fitLabel(element: SVGTextElement, text: string, width: number): void {
  const title = element.querySelector('title')!;
  const shown = element.querySelector('tspan')!;
  // Measured once per text (each measure is a layout); not while hidden, where it is 0.
  if (element.dataset.fitted === text) return;
  title.textContent = text;
  shown.textContent = text;
  const length = shown.getComputedTextLength();
  if (length > 0) element.dataset.fitted = text;
  if (length <= width) return;
  // Halving search for the longest prefix that fits with its ellipsis.
  let low = 0;
  let high = text.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    shown.textContent = `${text.slice(0, middle)}…`;
    if (shown.getComputedTextLength() <= width) low = middle;
    else high = middle - 1;
  }
  shown.textContent = `${text.slice(0, low)}…`;
}
