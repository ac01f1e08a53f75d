import { describe, expect, it } from 'vitest';
import { getValueTicks } from '../../web/status/value-ticks.ts';
import { formatClock, formatTick, formatTimeTick } from '../../web/status/format.ts';

const GiB = 1024 ** 3;
const KiB = 1024;

describe("the status charts' value axis", () => {
  it('steps sizes and rates by round numbers of binary units', () => {
    expect(getValueTicks(23.8 * GiB, 'bytes')).toEqual({
      top: 25 * GiB,
      ticks: [0, 5, 10, 15, 20, 25].map((value) => value * GiB),
    });
    expect(getValueTicks(9.8 * KiB, 'rate')).toEqual({
      top: 10 * KiB,
      ticks: [0, 2, 4, 6, 8, 10].map((value) => value * KiB),
    });
    expect(getValueTicks(1000 * KiB, 'rate').top).toBe(1000 * KiB);
    expect(getValueTicks(1, 'rate')).toEqual({ top: 1, ticks: [0, 1] });
    expect(getValueTicks(3, 'bytes')).toEqual({ top: 3, ticks: [0, 1, 2, 3] });
  });

  it('keeps decimal ticks for percents and plain numbers', () => {
    expect(getValueTicks(100, 'percent')).toEqual({ top: 100, ticks: [0, 20, 40, 60, 80, 100] });
    expect(getValueTicks(3.7, 'number')).toEqual({ top: 4, ticks: [0, 1, 2, 3, 4] });
  });
});

describe("the status charts' axis labels", () => {
  it('write values without a needless ".0", and times on the 24-hour clock (midnight names the day)', () => {
    expect(formatTick(5 * GiB, 'bytes')).toBe('5 GiB');
    expect(formatTick(2.5 * KiB, 'rate')).toBe('2.5 KiB/s');
    expect(formatTick(0, 'percent')).toBe('0 %');
    expect(formatTimeTick(new Date(2026, 10, 25, 13, 5))).toBe('13:05');
    expect(formatTimeTick(new Date(2026, 10, 25, 0, 0))).toBe('Wed 25');
    expect(formatClock(new Date(2026, 10, 25, 13, 5, 42).getTime())).toBe('13:05:42');
  });
});
