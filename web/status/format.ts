// Human units for the status charts: binary multiples as free(1) prints them.
const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

// 512 MiB, 1.5 GiB.
export function formatBytes(value: number): string {
  let unit = 0;
  let scaled = value;
  while (Math.abs(scaled) >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit += 1;
  }
  return `${scaled.toFixed(unit === 0 || scaled >= 100 ? 0 : 1)} ${units[unit]}`;
}

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
