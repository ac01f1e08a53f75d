import type { Locale } from './i18n/locales.ts';

// Binary units in each language: French writes octets with the IEC prefixes (Kio, Mio, Gio),
// as GNOME's Files and System Monitor show them to French admins; English writes them as
// free(1) -h prints them.
const units: Record<Locale, string[]> = {
  en: ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'],
  fr: ['o', 'Kio', 'Mio', 'Gio', 'Tio', 'Pio'],
};

// 16.0 GiB, 512 MiB; in French 16,0 Gio, 512 Mio (a decimal comma, and a non-breaking space
// so that the unit never wraps away from its figure). Pure, so that the pages' templates
// (server/web/plugins/views.ts) and the browser's charts (web/status/format.ts) write sizes alike.
export function formatBytes(value: number, locale: Locale = 'en'): string {
  const names = units[locale];
  let unit = 0;
  let scaled = value;
  while (Math.abs(scaled) >= 1024 && unit < names.length - 1) {
    scaled /= 1024;
    unit += 1;
  }
  const figure = scaled.toFixed(unit === 0 || scaled >= 100 ? 0 : 1);
  return locale === 'fr' ? `${figure.replace('.', ',')}\u00a0${names[unit]}` : `${figure} ${names[unit]}`;
}
