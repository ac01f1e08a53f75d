// @vitest-environment happy-dom
import * as d3 from 'd3';
import { describe, expect, it } from 'vitest';
import { flattenTicks } from '../../web/status/axis-ticks.ts';

const attributes = (element: Element | null, names: string[]) => names.map((name) => element?.getAttribute(name));

describe("the axes' ticks", () => {
  it('are placed by their line and text, not by a transform, and follow each redraw', () => {
    const svg = d3.select(document.body).append('svg');
    const bottom = svg.append('g');
    const left = svg.append('g');
    const x = d3.scaleLinear().domain([0, 10]).range([0, 100]);
    const drawBottom = () => {
      bottom.call(d3.axisBottom(x).tickValues([2, 4]));
      flattenTicks(bottom, 'x');
    };
    drawBottom();
    left.call(d3.axisLeft(d3.scaleLinear().domain([0, 1]).range([50, 0])).tickValues([0, 1]));
    flattenTicks(left, 'y');
    const ticks = (axis: typeof bottom) => [...axis.node()!.querySelectorAll('.tick')];
    expect(ticks(bottom).map((tick) => tick.getAttribute('transform'))).toEqual([null, null]);
    const offset = (value: number) => String(value + (devicePixelRatio > 1 ? 0 : 0.5));
    expect(ticks(bottom).map((tick) => attributes(tick.querySelector('line'), ['x1', 'x2', 'y2']))).toEqual([
      [offset(20), offset(20), '6'],
      [offset(40), offset(40), '6'],
    ]);
    expect(ticks(bottom).map((tick) => tick.querySelector('text')?.getAttribute('x'))).toEqual([
      offset(20),
      offset(40),
    ]);
    expect(ticks(left).map((tick) => attributes(tick.querySelector('line'), ['y1', 'y2', 'x2']))).toEqual([
      [offset(50), offset(50), '-6'],
      [offset(0), offset(0), '-6'],
    ]);
    expect(ticks(left).map((tick) => tick.querySelector('text')?.getAttribute('y'))).toEqual([offset(50), offset(0)]);
    // d3 keeps the ticks whose values stay, and sets their transforms again: moved once.
    x.domain([1, 11]);
    drawBottom();
    expect(
      ticks(bottom).map((tick) => [tick.getAttribute('transform'), tick.querySelector('text')?.getAttribute('x')]),
    ).toEqual([
      [null, offset(10)],
      [null, offset(30)],
    ]);
  });
});
