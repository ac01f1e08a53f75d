// SVG path data for the status charts' lines and stacked areas, written directly: d3.line and
// d3.area cost 1.3 ms per chart at 600 samples, two thirds of a whole redraw's budget, and
// these two shapes need none of their curves or options. Coordinates to a tenth of a pixel.

const round = (value: number) => Math.round(value * 10) / 10;

// A polyline through (xs[i], ys[i]); a null y breaks it (the series was absent then).
export function getLinePath(xs: readonly number[], ys: readonly (number | null)[]): string {
  let d = '';
  let drawing = false;
  for (let index = 0; index < xs.length; index += 1) {
    const y = ys[index];
    if (y === null || y === undefined) {
      drawing = false;
      continue;
    }
    d += `${drawing ? 'L' : 'M'}${round(xs[index]!)},${round(y)}`;
    drawing = true;
  }
  return d;
}

// The band between a lower and an upper line (a layer of a stack), closed.
export function getAreaPath(xs: readonly number[], lower: readonly number[], upper: readonly number[]): string {
  if (xs.length === 0) return '';
  let d = `M${round(xs[0]!)},${round(upper[0]!)}`;
  for (let index = 1; index < xs.length; index += 1) d += `L${round(xs[index]!)},${round(upper[index]!)}`;
  for (let index = xs.length - 1; index >= 0; index -= 1) d += `L${round(xs[index]!)},${round(lower[index]!)}`;
  return `${d}Z`;
}
