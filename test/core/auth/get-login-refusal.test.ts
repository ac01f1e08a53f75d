import { describe, expect, it } from 'vitest';
import {
  getLoginRefusal,
  getShadowDay,
  isPasswordChangeRequired,
} from '../../../server/core/auth/get-login-refusal.ts';
import type { ShadowEntry } from '../../../server/core/accounts/parse-shadow.ts';

const today = 20_000;
const entry = (fields: Partial<ShadowEntry>): ShadowEntry => ({
  login: 'alice',
  hash: '$y$j9T$x$y',
  lastChange: today - 10,
  minDays: 0,
  maxDays: 99999,
  warnDays: 7,
  inactiveDays: null,
  expireDate: null,
  reserved: '',
  ...fields,
});

describe('getLoginRefusal', () => {
  it('lets a normal account in', () => expect(getLoginRefusal(entry({}), today)).toBeNull());
  it('refuses a locked hash', () => expect(getLoginRefusal(entry({ hash: '!$y$j9T$x$y' }), today)).toBe('locked'));
  it('refuses from the expiry day on', () => {
    expect(getLoginRefusal(entry({ expireDate: today }), today)).toBe('account-expired');
    expect(getLoginRefusal(entry({ expireDate: today + 1 }), today)).toBeNull();
  });
  it('lets a password that must be changed in, to change it', () => {
    expect(getLoginRefusal(entry({ lastChange: 0 }), today)).toBeNull();
    expect(getLoginRefusal(entry({ lastChange: today - 91, maxDays: 90 }), today)).toBeNull();
    expect(isPasswordChangeRequired(entry({ lastChange: 0 }), today)).toBe(true);
    expect(isPasswordChangeRequired(entry({ lastChange: 0, maxDays: 99999 }), today)).toBe(true);
    expect(isPasswordChangeRequired(entry({ lastChange: today - 91, maxDays: 90 }), today)).toBe(true);
    expect(isPasswordChangeRequired(entry({ lastChange: today - 90, maxDays: 90 }), today)).toBe(false);
    expect(isPasswordChangeRequired(entry({ lastChange: today - 5000, maxDays: 99999 }), today)).toBe(false);
    expect(isPasswordChangeRequired(entry({ lastChange: null }), today)).toBe(false);
    expect(isPasswordChangeRequired(null, today)).toBe(false);
  });
  it('refuses a password past its maximum age and its inactivity period, as pam_unix does', () => {
    expect(getLoginRefusal(entry({ lastChange: today - 98, maxDays: 90, inactiveDays: 7 }), today)).toBe(
      'password-inactive',
    );
    expect(getLoginRefusal(entry({ lastChange: today - 97, maxDays: 90, inactiveDays: 7 }), today)).toBeNull();
    // Day 0 means "change it now", whatever the inactivity period.
    expect(getLoginRefusal(entry({ lastChange: 0, maxDays: 90, inactiveDays: 7 }), today)).toBeNull();
    // Locked and expired come first, as pam_unix checks them.
    expect(getLoginRefusal(entry({ lastChange: 0, hash: '!x' }), today)).toBe('locked');
    expect(getLoginRefusal(entry({ lastChange: 0, expireDate: today }), today)).toBe('account-expired');
  });
  it('counts days since 1970 in UTC', () => expect(getShadowDay(Date.UTC(2024, 0, 2, 23))).toBe(19724));
});
