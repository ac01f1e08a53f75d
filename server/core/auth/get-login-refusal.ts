import type { ShadowEntry } from '../accounts/parse-shadow.ts';

// Why an account whose password is right still may not log in.
export type LoginRefusal = 'locked' | 'account-expired' | 'password-inactive';

// Applies shadow(5)'s rules in the order pam_unix's account check does: a `!` hash is
// locked; from the expiry date on the account is disabled; a password past its maximum age
// and then past the inactivity period too can no longer be changed by its owner. A password
// that must merely be changed is no refusal: see isPasswordChangeRequired().
export function getLoginRefusal(entry: ShadowEntry | null, today: number): LoginRefusal | null {
  if (!entry) return null;
  if (entry.hash.startsWith('!')) return 'locked';
  if (isAccountExpired(entry.expireDate, today)) return 'account-expired';
  if (entry.lastChange === 0 || entry.lastChange === null) return null;
  if (!hasMaximumAge(entry) || entry.inactiveDays === null) return null;
  return today - entry.lastChange > entry.maxDays! + entry.inactiveDays ? 'password-inactive' : null;
}

// Whether an account's expiry date (shadow's, in days since 1970; null or 0 for never) is
// reached: from that day on it may not log in.
export function isAccountExpired(expiry: number | null, today: number): boolean {
  return expiry !== null && expiry > 0 && today >= expiry;
}

// Whether the password must be changed before anything else, as pam_unix answers
// PAM_NEW_AUTHTOK_REQD: changed on day 0 (`passwd -e`, `chage -d 0`) or past its maximum age.
export function isPasswordChangeRequired(entry: ShadowEntry | null, today: number): boolean {
  if (!entry || entry.lastChange === null) return false;
  if (entry.lastChange === 0) return true;
  return hasMaximumAge(entry) && today - entry.lastChange > entry.maxDays!;
}

// A maximum age of 99999 days (or none) means the password never ages, as shadow-utils writes it.
function hasMaximumAge(entry: ShadowEntry): boolean {
  return entry.maxDays !== null && entry.maxDays >= 0 && entry.maxDays < 99999;
}

// Today as shadow(5) counts: whole days since 1970-01-01 UTC.
export function getShadowDay(now = Date.now()): number {
  return Math.floor(now / 86_400_000);
}
