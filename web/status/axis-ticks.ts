// Moves a d3 axis's ticks from their groups' transforms to their line's and text's own
// coordinates. Each `<g class="tick" transform>` is a transform node of Chromium's paint
// property trees and starts a paint chunk: some seventy on the Status page, walked by the
// pre-paint and the layerization of every frame (a frame a tick). The pixels are the same.
import type { Selection } from 'd3';

const translate = /^translate\(([-\d.e]+),([-\d.e]+)\)$/;

// Rewrites the ticks of an axis d3 has just drawn along `along` (x for a bottom axis, y for a
// left one); d3 sets their transforms again at its next call, so this runs after each.
export function flattenTicks(axis: Selection<SVGGElement, unknown, null, undefined>, along: 'x' | 'y'): void {
  for (const tick of axis.node()!.querySelectorAll<SVGGElement>(':scope > .tick')) {
    const match = translate.exec(tick.getAttribute('transform') ?? '');
    if (!match) continue;
    const position = along === 'x' ? match[1]! : match[2]!;
    tick.removeAttribute('transform');
    const line = tick.querySelector('line');
    line?.setAttribute(`${along}1`, position);
    line?.setAttribute(`${along}2`, position);
    tick.querySelector('text')?.setAttribute(along, position);
  }
}
