// The value axis's top and ticks: round figures in the unit the labels use. Sizes and rates
// are written in binary units (KiB, GiB), so their ticks step by round numbers of those units
// (0, 5, 10, 15 GiB), where d3's decimal ticks would label 4.7, 9.3, 14.0 GiB.
import * as d3 from 'd3';
import type { ValueFormat } from './format.ts';

// A value axis from 0 to `top` (at least the highest value) with about `count` ticks.
export function getValueTicks(highest: number, format: ValueFormat, count = 4): { top: number; ticks: number[] } {
  if (format !== 'bytes' && format !== 'rate') {
    const scale = d3.scaleLinear().domain([0, highest]).nice(count);
    return { top: scale.domain()[1]!, ticks: scale.ticks(count) };
  }
  let unit = 1;
  while (highest / unit >= 1024 && unit < 1024 ** 5) unit *= 1024;
  // Never under a byte: a tick of 0.2 B/s means nothing.
  const step = Math.max(1, d3.tickStep(0, highest / unit, count) * unit);
  const top = Math.max(step, Math.ceil(highest / step - 1e-9) * step);
  return { top, ticks: d3.range(0, Math.round(top / step) + 1).map((index) => index * step) };
}
