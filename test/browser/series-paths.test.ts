import { describe, expect, it } from 'vitest';
import { SeriesPaths, getLinePath, type Geometry, type Shape } from '../../web/status/series-paths.ts';
import { getRowTop, type ChartRow, type RowLayout } from '../../web/status/chart-rows.ts';

// x = time (origin 0, one pixel a millisecond); y = 100 - value, counting its calls.
function makeGeometry(key = 'g1') {
  const geometry = {
    origin: 0,
    pxPerMs: 1,
    key,
    calls: 0,
    y: (value: number) => {
      geometry.calls += 1;
      return 100 - value;
    },
  };
  return geometry satisfies Geometry;
}

const makeLayout = (stacked: string[], lines: string[]): RowLayout => ({
  stacked,
  lines,
  key: `${stacked.join(' ')}|${lines.join(' ')}`,
});

// A row of `layout`'s series (NaN where `values` lacks one), as chart-rows.ts reads a sample.
function row(layout: RowLayout, time: number, values: Record<string, number>): ChartRow {
  const read = new Float64Array([...layout.stacked, ...layout.lines].map((key) => values[key] ?? Number.NaN));
  return { time, values: read, top: getRowTop(read, layout) };
}

// The shapes of one chunk (without chunkMs, everything is chunk 0) as { key, d, kind }.
const inChunk = (shapes: Shape[], index = 0) =>
  shapes.map(({ key, kind, chunks }) => ({ key, d: chunks.get(index), kind }));

function draw(paths: SeriesPaths, rows: ChartRow[], geometry: Geometry, layout: RowLayout) {
  paths.setLayout(layout);
  return inChunk(paths.draw(rows, geometry));
}

describe("the status charts' path data", () => {
  it('draws a line to a tenth of a pixel, broken where the series is absent', () => {
    const layout = makeLayout([], ['a', 'b']);
    const rows = [
      row(layout, 0, { a: 90 }),
      row(layout, 1.26, { a: 88.96 }),
      row(layout, 2.5, { b: 1 }),
      row(layout, 3.75, { a: 88 }),
      row(layout, 5, { a: 87 }),
    ];
    expect(draw(new SeriesPaths(), rows, makeGeometry(), layout)[0]).toEqual({
      key: 'a',
      d: 'M0,10L1.3,11M3.8,12L5,13',
      kind: 'line',
    });
    expect(getLinePath([])).toBe('');
  });

  it('stacks layers bottom first, each closed back along the layer under it', () => {
    const layout = makeLayout(['a', 'b'], []);
    const rows = [row(layout, 0, { a: 10, b: 5 }), row(layout, 1, { a: 20, b: 5 }), row(layout, 2, { b: 30 })];
    expect(draw(new SeriesPaths(), rows, makeGeometry(), layout)).toEqual([
      { key: 'a', d: 'M0,90L1,80L2,100L2,100L1,100L0,100Z', kind: 'area' },
      { key: 'b', d: 'M0,85L1,75L2,70L2,100L1,80L0,90Z', kind: 'area' },
    ]);
    expect(new SeriesPaths().draw([], makeGeometry())).toEqual([]);
  });

  it('breaks lines and stacks where no sample came for longer than the gap', () => {
    const layout = makeLayout(['a'], ['c']);
    const rows = [
      row(layout, 0, { a: 10, c: 1 }),
      row(layout, 1, { a: 20, c: 2 }),
      row(layout, 5, { a: 30, c: 3 }),
      row(layout, 6, { a: 40, c: 4 }),
    ];
    const paths = new SeriesPaths();
    paths.setLayout(layout);
    expect(inChunk(paths.draw(rows, makeGeometry(), { gapMs: 2.5 }))).toEqual([
      { key: 'a', d: 'M0,90L1,80L1,100L0,100ZM5,70L6,60L6,100L5,100Z', kind: 'area' },
      { key: 'c', d: 'M0,99L1,98M5,97L6,96', kind: 'line' },
    ]);
    // Without a gap given, the paths run through.
    expect(inChunk(paths.draw(rows, makeGeometry()))[1]!.d).toBe('M0,99L1,98L5,97L6,96');
  });

  it('computes the points of new rows only, and all of them again under another geometry', () => {
    const paths = new SeriesPaths();
    const layout = makeLayout(['a', 'b'], ['c']);
    const rows = Array.from({ length: 10 }, (_, index) => row(layout, index, { a: index, b: 1, c: 2 }));
    const first = makeGeometry();
    draw(paths, rows, first, layout);
    expect(first.calls).toBe(10 * 4);
    const next = [...rows.slice(1), row(layout, 10, { a: 10, b: 1, c: 2 })];
    const shapes = draw(paths, next, first, layout);
    expect(first.calls).toBe(10 * 4 + 4);
    expect(shapes.find((shape) => shape.key === 'c')!.d).toBe(
      next.map((item, index) => `${index === 0 ? 'M' : 'L'}${item.time},98`).join(''),
    );

    const second = makeGeometry('g2');
    draw(paths, next, second, layout);
    expect(second.calls).toBe(10 * 4);
    // Another layout (another stack order, rows read again) is computed again too.
    draw(paths, next, second, makeLayout(['b', 'a'], ['c']));
    expect(second.calls).toBe(10 * 4 * 2);
  });

  it('cuts the paths in chunks of time that overlap their neighbours by one sample, but not across a gap', () => {
    const paths = new SeriesPaths();
    const layout = makeLayout(['a'], ['c']);
    paths.setLayout(layout);
    const rows = [0, 1, 2, 3, 4, 5, 9, 10].map((time) => row(layout, time, { a: 10, c: time }));
    const shapes = paths.draw(rows, makeGeometry(), { gapMs: 2.5, chunkMs: 3 });
    expect([...shapes[1]!.chunks]).toEqual([
      [0, 'M0,100L1,99L2,98L3,97'],
      [1, 'M2,98L3,97L4,96L5,95'],
      [3, 'M9,91L10,90'],
    ]);
    expect(shapes[0]!.chunks.get(1)).toBe('M2,90L3,90L4,90L5,90L5,100L4,100L3,100L2,100Z');
  });

  it('writes again only the chunks whose samples changed, and keeps the oldest while its samples leave', () => {
    const paths = new SeriesPaths();
    const layout = makeLayout([], ['c']);
    paths.setLayout(layout);
    const geometry = makeGeometry();
    const rows = Array.from({ length: 9 }, (_, time) => row(layout, time, { c: time }));
    const before = paths.draw(rows, geometry, { chunkMs: 3 })[0]!.chunks;
    const calls = geometry.calls;
    // The window slides by one: the newest chunk is drawn again (its new sample is computed
    // once: its base and its line), the middle one is the same string, the oldest keeps its path.
    const after = paths.draw([...rows.slice(1), row(layout, 9, { c: 9 })], geometry, { chunkMs: 3 })[0]!.chunks;
    expect(geometry.calls - calls).toBe(2);
    expect(after.get(0)).toBe(before.get(0));
    expect(after.get(1)).toBe(before.get(1));
    expect(after.get(2)).toBe('M5,95L6,94L7,93L8,92L9,91');
    expect(after.get(3)).toBe('M8,92L9,91');
    // A sample put back in the middle (a reconnection's missed samples) draws its chunk again.
    const holed = [...rows.slice(0, 4), ...rows.slice(5)];
    const drawn = paths.draw(holed, geometry, { chunkMs: 3 })[0]!.chunks;
    expect(paths.draw(rows, geometry, { chunkMs: 3 })[0]!.chunks.get(1)).not.toBe(drawn.get(1));
    expect(paths.draw(rows, geometry, { chunkMs: 3 })[0]!.chunks.get(1)).toBe('M2,98L3,97L4,96L5,95L6,94');
  });
});
