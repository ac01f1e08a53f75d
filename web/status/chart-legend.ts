// A time chart's legend: one entry per series (its colour, label and latest value), then a
// note. The entries are made again only when the series change; otherwise their text is
// updated in place, and formatted only when the value shown changes (a tick formatted and
// wrote some twenty values, most of them the same: idle interfaces and disks).
import { setText } from './set-text.ts';
import type { ChartSample } from './series-paths.ts';

// What the legend names: a series' metric and its label.
export interface LegendSeries {
  key: string;
  label: string;
}

// Draws the legend into a <ul>; one instance per chart.
export class ChartLegend {
  readonly element: HTMLUListElement;
  #keys: string | null = null;
  // Each entry's label and value last shown.
  #shown: { label: string; value: number | undefined }[] = [];

  constructor() {
    this.element = document.createElement('ul');
    this.element.className = 'chart-legend';
  }

  // Shows `series` with their values in `latest` (written by `format`), and `note` after them.
  draw(
    series: readonly LegendSeries[],
    latest: ChartSample,
    format: (value: number | undefined) => string,
    note: string | undefined,
  ): void {
    const keys = `${series.map((item) => item.key).join(' ')}${note === undefined ? '' : ' +note'}`;
    if (this.#keys !== keys) {
      this.#keys = keys;
      this.#shown = [];
      this.element.replaceChildren(
        ...series.map((_item, index) =>
          Object.assign(document.createElement('li'), { className: `series-${index % 8}` }),
        ),
        ...(note === undefined ? [] : [Object.assign(document.createElement('li'), { className: 'chart-note' })]),
      );
    }
    series.forEach((item, index) => {
      const value = latest.values[item.key];
      const shown = this.#shown[index];
      if (shown && shown.label === item.label && shown.value === value) return;
      this.#shown[index] = { label: item.label, value };
      setText(this.element.children[index]!, `${item.label} ${format(value)}`);
    });
    if (note !== undefined) setText(this.element.children[series.length]!, note);
  }
}
