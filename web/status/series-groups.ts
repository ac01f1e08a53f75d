// The SVG elements of a chart's series: a group per series (its class gives the colour and
// the kind), holding a path per chunk of time. Only what changed is written: a tick changes
// the newest chunk's path data, adds a chunk now and then, and drops the oldest.
import type { Shape } from './series-paths.ts';

const svgNamespace = 'http://www.w3.org/2000/svg';

// A series to draw, with its class (series-N area|line).
export interface DrawnSeries extends Shape {
  className: string;
}

interface SeriesElements {
  group: SVGGElement;
  // The class last written (kept here: reading it back from the DOM costs a call a tick).
  className: string;
  // The chunks' paths, with the path data last written (compared by string, which V8 does by
  // pointer first: a kept chunk is the same string from tick to tick).
  chunks: Map<number, { path: SVGPathElement; d: string }>;
}

// Keeps the series' elements inside `parent`; one instance per chart.
export class SeriesGroups {
  readonly #parent: SVGGElement;
  readonly #series = new Map<string, SeriesElements>();
  #order = '';

  constructor(parent: SVGGElement) {
    this.#parent = parent;
  }

  // Draws `series` in order (the first underneath), and removes the series not among them.
  draw(series: readonly DrawnSeries[]): void {
    const order = series.map((item) => item.key).join(' ');
    if (order !== this.#order) {
      this.#order = order;
      const kept = new Set(series.map((item) => item.key));
      for (const [key, elements] of this.#series) {
        if (!kept.has(key)) {
          elements.group.remove();
          this.#series.delete(key);
        }
      }
      for (const item of series) this.#parent.append(this.#getElements(item.key).group);
    }
    for (const item of series) this.#drawSeries(this.#getElements(item.key), item);
  }

  #getElements(key: string): SeriesElements {
    let elements = this.#series.get(key);
    if (!elements) {
      const group = document.createElementNS(svgNamespace, 'g');
      group.dataset.key = key;
      elements = { group, className: '', chunks: new Map() };
      this.#series.set(key, elements);
    }
    return elements;
  }

  #drawSeries(elements: SeriesElements, series: DrawnSeries): void {
    if (elements.className !== series.className) {
      elements.className = series.className;
      elements.group.setAttribute('class', series.className);
    }
    for (const [index, chunk] of elements.chunks) {
      if (!series.chunks.has(index)) {
        chunk.path.remove();
        elements.chunks.delete(index);
      }
    }
    for (const [index, d] of series.chunks) {
      let chunk = elements.chunks.get(index);
      if (!chunk) {
        const path = document.createElementNS(svgNamespace, 'path');
        path.dataset.chunk = String(index);
        // In time order: a new chunk is almost always the newest, put last.
        const later = [...elements.chunks].filter(([other]) => other > index).sort(([a], [b]) => a - b)[0];
        elements.group.insertBefore(path, later ? later[1].path : null);
        chunk = { path, d: '' };
        elements.chunks.set(index, chunk);
      }
      if (chunk.d !== d) {
        chunk.path.setAttribute('d', d);
        chunk.d = d;
      }
    }
  }
}
