// Human units for the status charts, in the page's language: sizes as the pages write them,
// decimals with a comma in French, and the time axis with French day names.
import { timeDay, timeFormat, timeFormatLocale, type TimeLocaleDefinition, type TimeLocaleObject } from 'd3';
import { formatBytes as formatBytesIn } from '../../common/format-bytes.ts';
import { getIntlTag } from '../../common/i18n/formats.ts';
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

// d3's time formats per language, with the day and month names Intl gives for it
// ("Wed 25", "mer. 25"): d3's own locale files would bring the same names as literals.
function createTimeLocale(locale: Locale): TimeLocaleObject {
  const tag = getIntlTag(locale);
  const names = (options: Intl.DateTimeFormatOptions, count: number, toDate: (index: number) => Date) => {
    const format = new Intl.DateTimeFormat(tag, { ...options, timeZone: 'UTC' });
    return Array.from({ length: count }, (_, index) => format.format(toDate(index)));
  };
  // 1 January 2023 was a Sunday, d3's first day.
  const day = (index: number) => new Date(Date.UTC(2023, 0, 1 + index));
  const month = (index: number) => new Date(Date.UTC(2023, index, 1));
  const week = (length: 'long' | 'short') => names({ weekday: length }, 7, day) as TimeLocaleDefinition['days'];
  const year = (length: 'long' | 'short') => names({ month: length }, 12, month) as TimeLocaleDefinition['months'];
  return timeFormatLocale({
    dateTime: '%x %X',
    date: '%d/%m/%Y',
    time: '%H:%M:%S',
    periods: ['AM', 'PM'],
    days: week('long'),
    shortDays: week('short'),
    months: year('long'),
    shortMonths: year('short'),
  });
}

const timeLocales = new Map<Locale, TimeLocaleObject>();

// A day at midnight on the time axis: "Wed 25" / "mer. 25".
function formatDay(date: Date): string {
  const locale = getPageLocale();
  let timeLocale = timeLocales.get(locale);
  if (!timeLocale) {
    timeLocale = createTimeLocale(locale);
    timeLocales.set(locale, timeLocale);
  }
  return timeLocale.format('%a %d')(date);
}
const formatHourMinute = timeFormat('%H:%M');
const formatClockTime = timeFormat('%H:%M:%S');

// A time axis label, on the 24-hour clock admins read in logs (d3's default writes 13:05
// as "01:05"); midnight names the day instead ("Wed 25", "mer. 25").
export function formatTimeTick(date: Date): string {
  return timeDay(date) < date ? formatHourMinute(date) : formatDay(date);
}

// A sample's time, to the second, on the same clock as the axis (13:05:42).
export function formatClock(time: number): string {
  return formatClockTime(new Date(time));
}
