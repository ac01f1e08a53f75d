// Human units for the status charts: sizes as the pages write them.
import { timeDay, timeFormat } from 'd3';
import { formatBytes } from '../../common/format-bytes.ts';

export { formatBytes };

// 12.3 KiB/s.
export function formatRate(value: number): string {
  return `${formatBytes(value)}/s`;
}

// 42 %.
export function formatPercent(value: number): string {
  return `${value.toFixed(value < 10 ? 1 : 0)} %`;
}

// The kind of figure a chart shows, and how to write one.
export type ValueFormat = 'bytes' | 'rate' | 'percent' | 'number';

export function formatValue(value: number, format: ValueFormat): string {
  if (format === 'bytes') return formatBytes(value);
  if (format === 'rate') return formatRate(value);
  if (format === 'percent') return formatPercent(value);
  return value.toFixed(2);
}

// An axis label: as formatValue, without a needless ".0" (5 GiB, 20 %).
export function formatTick(value: number, format: ValueFormat): string {
  return formatValue(value, format).replace(/\.0(?= )/, '');
}

const formatHourMinute = timeFormat('%H:%M');
const formatClockTime = timeFormat('%H:%M:%S');
const formatDay = timeFormat('%a %d');

// A time axis label, on the 24-hour clock admins read in logs (d3's default writes 13:05
// as "01:05"); midnight names the day instead.
export function formatTimeTick(date: Date): string {
  return timeDay(date) < date ? formatHourMinute(date) : formatDay(date);
}

// A sample's time, to the second, on the same clock as the axis (13:05:42).
export function formatClock(time: number): string {
  return formatClockTime(new Date(time));
}
