// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { ChartLegend } from '../../web/status/chart-legend.ts';
import { DaemonFigures } from '../../web/status/daemon-figures.ts';

const sample = (values: Record<string, number>) => ({ time: 0, values });

describe("the Status page's texts written each tick", () => {
  it('writes a legend entry again only when its value changes, and makes the entries again for other series', () => {
    const legend = new ChartLegend();
    const formatted: (number | undefined)[] = [];
    const format = (value: number | undefined) => {
      formatted.push(value);
      return value === undefined ? 'no data' : `${value} %`;
    };
    const series = [
      { key: 'a', label: 'A' },
      { key: 'b', label: 'B' },
    ];
    legend.draw(series, sample({ a: 1 }), format, 'note 1');
    expect([...legend.element.children].map((entry) => entry.textContent)).toEqual(['A 1 %', 'B no data', 'note 1']);
    const first = legend.element.children[0];
    legend.draw(series, sample({ a: 1, b: 2 }), format, 'note 2');
    expect(formatted).toEqual([1, undefined, 2]);
    expect([...legend.element.children].map((entry) => entry.textContent)).toEqual(['A 1 %', 'B 2 %', 'note 2']);
    expect(legend.element.children[0]).toBe(first);
    legend.draw([series[1]!], sample({ a: 1, b: 2 }), format, undefined);
    expect([...legend.element.children].map((entry) => entry.textContent)).toEqual(['B 2 %']);
    expect(legend.element.children[0]!.className).toBe('series-0');
  });

  it("shows the daemon's figures, the uptime to the second under a minute and to the minute after", () => {
    const list = document.createElement('dl');
    const figures = new DaemonFigures(list);
    const figure = (term: string) =>
      [...list.querySelectorAll('dt')].find((entry) => entry.textContent === term)!.nextElementSibling!;
    figures.draw(sample({ 'daemon.uptime': 42.7, 'shares.watches': 3, 'shares.budget': 10 }));
    expect(list.querySelectorAll('dt')).toHaveLength(16);
    expect(figure('Uptime').textContent).toBe('42 s');
    const uptime = figure('Uptime').firstChild;
    figures.draw(sample({ 'daemon.uptime': 3725, 'shares.watches': 3 }));
    expect(figure('Uptime').textContent).toBe('1 h 2 min');
    // The same text node, its data changed.
    expect(figure('Uptime').firstChild).toBe(uptime);
    expect(figure('Share watches').textContent).toBe('3');
    figures.draw(sample({ 'daemon.uptime': 3779, 'shares.watches': 3 }));
    expect(figure('Uptime').textContent).toBe('1 h 2 min');
    figures.draw(sample({ 'daemon.uptime': 3780, 'shares.watches': 3 }));
    expect(figure('Uptime').textContent).toBe('1 h 3 min');
  });
});
