import type { ShadowEntry } from '../accounts/parse-shadow.ts';

// Why an account whose password is right still may not log in.
export type LoginRefusal = 'locked' | 'account-expired' | 'password-expired';

// Applies shadow(5)'s rules, as pam_unix's account check does: a `!` hash is locked; past the
// expiry date the account is disabled; a password changed on day 0 or past its maximum age
// must be changed first, which this interface cannot offer yet.
export function getLoginRefusal(entry: ShadowEntry | null, today: number): LoginRefusal | null {
  if (!entry) return null;
  if (entry.hash.startsWith('!')) return 'locked';
  if (entry.expireDate !== null && entry.expireDate > 0 && today >= entry.expireDate) return 'account-expired';
  if (entry.lastChange === 0) return 'password-expired';
  if (entry.lastChange !== null && entry.maxDays !== null && entry.maxDays < 99999 && today > entry.lastChange + entry.maxDays) {
    return 'password-expired';
  }
  return null;
}

// Today as shadow(5) counts: whole days since 1970-01-01 UTC.
export function getShadowDay(now = Date.now()): number {
  return Math.floor(now / 86_400_000);
}
