import type { Locale } from './locales.ts';

// Intl's tags for each language: British English (day before month, 24-hour clock, as the
// pages always showed) and French.
const intlTags: Record<Locale, string> = { en: 'en-GB', fr: 'fr-FR' };

const dateTimes = new Map<Locale, Intl.DateTimeFormat>();
const numbers = new Map<Locale, Intl.NumberFormat>();

// "2 Dec 2026, 12:30" / "2 déc. 2026, 12:30": a moment as the language writes it.
export function formatDateTime(locale: Locale, value: Date | number): string {
  let format = dateTimes.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(intlTags[locale], { dateStyle: 'medium', timeStyle: 'short' });
    dateTimes.set(locale, format);
  }
  return format.format(value);
}

// "10,000" / "10 000": a count as the language writes it.
export function formatNumber(locale: Locale, value: number): string {
  let format = numbers.get(locale);
  if (!format) {
    format = new Intl.NumberFormat(intlTags[locale]);
    numbers.set(locale, format);
  }
  return format.format(value);
}

// The Intl tag of a language, for what formats itself (d3's time axis, toLocaleString).
export function getIntlTag(locale: Locale): string {
  return intlTags[locale];
}
