import { formatBytes } from '../../../common/format-bytes.ts';
import { formatDateTime, formatNumber } from '../../../common/i18n/formats.ts';
import type { Locale } from '../../../common/i18n/locales.ts';
import { getTranslator } from '../../../common/i18n/translator.ts';
import type { Membership } from '../../core/accounts/account-schema.ts';
import type { GroupRole } from '../../core/accounts/group-schema.ts';
import { describeMembership, describeRole } from '../../core/accounts/membership-words.ts';

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

// "16.0 GiB" / "16,0 Gio": sizes as the browser's charts write them (common/format-bytes.ts).
export function formatPageBytes(locale: Locale, value: number): string {
  return formatBytes(value, locale);
}

// "responsible of accounting" / "responsable de accounting": a membership in the page's
// language, in the core's words (membership-words.ts); the group's own name when it has no roles.
export function formatMembership(locale: Locale, membership: Membership): string {
  if (membership.role === null) return membership.group;
  // The same few (group, role) pairs on every row of a page: rendered once each (a message
  // costs 20-40 µs in i18next, and 100 rows show up to 600 of them). Bounded: groups come
  // and go.
  const id = `${locale}\u0000${membership.role}\u0000${membership.group}`;
  let text = memberships.get(id);
  if (text === undefined) {
    text = describeMembership(membership, locale);
    if (memberships.size >= maxMemberships) memberships.clear();
    memberships.set(id, text);
  }
  return text;
}

const memberships = new Map<string, string>();
const maxMemberships = 4096;

// "guest of marketing", "no role in marketing": a role an account may be given in a group.
export function formatRole(locale: Locale, group: string, role: GroupRole): string {
  return describeRole(group, role, locale);
}

export { formatDateTime, formatNumber };
