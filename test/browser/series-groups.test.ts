// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { SeriesGroups } from '../../web/status/series-groups.ts';

const svg = 'http://www.w3.org/2000/svg';
const series = (key: string, className: string, chunks: [number, string][]) => ({
  key,
  kind: 'line' as const,
  className,
  chunks: new Map(chunks),
});

describe("a chart's series elements", () => {
  it('writes a class and path data only when they change', () => {
    const parent = document.createElementNS(svg, 'g');
    const groups = new SeriesGroups(parent);
    groups.draw([series('a', 'series series-0 line', [[0, 'M0,0L1,1']])]);
    const group = parent.querySelector('g[data-key="a"]')!;
    expect(group.getAttribute('class')).toBe('series series-0 line');
    expect(group.querySelector('path')!.getAttribute('d')).toBe('M0,0L1,1');
    const observer = new MutationObserver(() => {});
    observer.observe(parent, { attributes: true, subtree: true });
    groups.draw([series('a', 'series series-0 line', [[0, 'M0,0L1,1']])]);
    expect(observer.takeRecords()).toEqual([]);
    groups.draw([series('a', 'series series-1 line', [[0, 'M0,0L2,2']])]);
    expect(observer.takeRecords().map((record) => record.attributeName)).toEqual(['class', 'd']);
    expect(group.getAttribute('class')).toBe('series series-1 line');
    observer.disconnect();
  });

  it('gives a series that comes back its class again', () => {
    const parent = document.createElementNS(svg, 'g');
    const groups = new SeriesGroups(parent);
    groups.draw([series('a', 'series series-0 line', [[0, 'M0,0']])]);
    groups.draw([series('b', 'series series-0 line', [[0, 'M0,1']])]);
    groups.draw([
      series('b', 'series series-0 line', [[0, 'M0,1']]),
      series('a', 'series series-1 line', [[0, 'M0,0']]),
    ]);
    expect([...parent.children].map((group) => [group.getAttribute('data-key'), group.getAttribute('class')])).toEqual([
      ['b', 'series series-0 line'],
      ['a', 'series series-1 line'],
    ]);
  });
});
