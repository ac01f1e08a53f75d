import { formatDateTime, formatNumber } from '../../../common/i18n/formats.ts';
import type { Locale } from '../../../common/i18n/locales.ts';
import { getTranslator } from '../../../common/i18n/translator.ts';
import type { Membership } from '../../core/accounts/account-schema.ts';

// The formats the templates' filters write, in the render's language. Each returns plain text
// (the filters escape it).

// "3 days 4 h 05 min" / "3 jours 4 h 05 min": an uptime as an admin reads it.
export function formatDuration(locale: Locale, seconds: number): string {
  const t = getTranslator(locale, 'pages');
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  const minutes = String(Math.floor((seconds % 3600) / 60)).padStart(2, '0');
  const clock = t('formats.clock', { hours, minutes });
  return days > 0 ? t('formats.days', { count: days, clock }) : clock;
}

const byteUnits = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

// "16.0 GiB" / "16,0 Gio": binary units as free(1) -h counts them, in the language's words
// and decimal mark.
export function formatPageBytes(locale: Locale, value: number): string {
  let unit = 0;
  let scaled = value;
  while (Math.abs(scaled) >= 1024 && unit < byteUnits.length - 1) {
    scaled /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || scaled >= 100 ? 0 : 1;
  const number = scaled.toLocaleString(locale === 'fr' ? 'fr-FR' : 'en-GB', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
    useGrouping: false,
  });
  return getTranslator(locale, 'pages')(`formats.bytes.${byteUnits[unit]}`, { number });
}

// "responsible of accounting" / "responsable de accounting": a membership in the page's
// language; the group's own name when it has no roles.
export function formatMembership(locale: Locale, membership: Membership): string {
  if (membership.role === null) return membership.group;
  return getTranslator(locale, 'pages')(`roles.of.${membership.role}`, { group: membership.group });
}

export { formatDateTime, formatNumber };
