// Human units for the status charts, in the page's language: sizes as the pages write them,
// decimals with a comma in French, and the time axis with French day names.
import { timeDay, timeFormat, timeFormatLocale } from 'd3';
import { formatBytes as formatBytesIn } from '../../common/format-bytes.ts';
import type { Locale } from '../../common/i18n/locales.ts';
import { getPageLocale } from '../i18n.ts';

// 16.0 GiB / 16,0 Gio.
export function formatBytes(value: number): string {
  return formatBytesIn(value, getPageLocale());
}

// A figure with `digits` decimals, with the language's decimal mark (12.5 / 12,5).
export function formatDecimal(value: number, digits: number): string {
  const figure = value.toFixed(digits);
  return getPageLocale() === 'fr' ? figure.replace('.', ',') : figure;
}

// The space before a unit: a non-breaking one in French (as French typography writes "42 %").
function getUnitSpace(): string {
  return getPageLocale() === 'fr' ? '\u00a0' : ' ';
}

// 12.3 KiB/s.
export function formatRate(value: number): string {
  return `${formatBytes(value)}/s`;
}

// 42 %.
export function formatPercent(value: number): string {
  return `${formatDecimal(value, value < 10 ? 1 : 0)}${getUnitSpace()}%`;
}

// The kind of figure a chart shows, and how to write one.
export type ValueFormat = 'bytes' | 'rate' | 'percent' | 'number';

export function formatValue(value: number, format: ValueFormat): string {
  if (format === 'bytes') return formatBytes(value);
  if (format === 'rate') return formatRate(value);
  if (format === 'percent') return formatPercent(value);
  return formatDecimal(value, 2);
}

// An axis label: as formatValue, without a needless ".0" (5 GiB, 20 %; 5 Gio).
export function formatTick(value: number, format: ValueFormat): string {
  return formatValue(value, format).replace(/[.,]0(?=[ \u00a0])/, '');
}

// d3's time formats per language: English as d3 writes it (Wed 25), French with d3's own
// fr-FR definition (d3-time-format/locale/fr-FR.json: "mer. 25").
const french = timeFormatLocale({
  dateTime: '%A %e %B %Y à %X',
  date: '%d/%m/%Y',
  time: '%H:%M:%S',
  periods: ['AM', 'PM'],
  days: ['dimanche', 'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi'],
  shortDays: ['dim.', 'lun.', 'mar.', 'mer.', 'jeu.', 'ven.', 'sam.'],
  months: [
    'janvier',
    'février',
    'mars',
    'avril',
    'mai',
    'juin',
    'juillet',
    'août',
    'septembre',
    'octobre',
    'novembre',
    'décembre',
  ],
  shortMonths: ['janv.', 'févr.', 'mars', 'avr.', 'mai', 'juin', 'juil.', 'août', 'sept.', 'oct.', 'nov.', 'déc.'],
});
const formatDays: Record<Locale, (date: Date) => string> = { en: timeFormat('%a %d'), fr: french.format('%a %d') };
const formatHourMinute = timeFormat('%H:%M');
const formatClockTime = timeFormat('%H:%M:%S');

// A time axis label, on the 24-hour clock admins read in logs (d3's default writes 13:05
// as "01:05"); midnight names the day instead ("Wed 25", "mer. 25").
export function formatTimeTick(date: Date): string {
  return timeDay(date) < date ? formatHourMinute(date) : formatDays[getPageLocale()](date);
}

// A sample's time, to the second, on the same clock as the axis (13:05:42).
export function formatClock(time: number): string {
  return formatClockTime(new Date(time));
}
