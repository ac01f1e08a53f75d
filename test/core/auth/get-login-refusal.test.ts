import { describe, expect, it } from 'vitest';
import { getLoginRefusal, getShadowDay } from '../../../server/core/auth/get-login-refusal.ts';
import type { ShadowEntry } from '../../../server/core/accounts/parse-shadow.ts';

const today = 20_000;
const entry = (fields: Partial<ShadowEntry>): ShadowEntry => ({
  login: 'alice', hash: '$y$j9T$x$y', lastChange: today - 10, minDays: 0, maxDays: 99999, warnDays: 7,
  inactiveDays: null, expireDate: null, reserved: '', ...fields,
});

describe('getLoginRefusal', () => {
  it('lets a normal account in', () => expect(getLoginRefusal(entry({}), today)).toBeNull());
  it('refuses a locked hash', () => expect(getLoginRefusal(entry({ hash: '!$y$j9T$x$y' }), today)).toBe('locked'));
  it('refuses from the expiry day on', () => {
    expect(getLoginRefusal(entry({ expireDate: today }), today)).toBe('account-expired');
    expect(getLoginRefusal(entry({ expireDate: today + 1 }), today)).toBeNull();
  });
  it('refuses a password that must be changed', () => {
    expect(getLoginRefusal(entry({ lastChange: 0 }), today)).toBe('password-expired');
    expect(getLoginRefusal(entry({ lastChange: today - 91, maxDays: 90 }), today)).toBe('password-expired');
    expect(getLoginRefusal(entry({ lastChange: today - 90, maxDays: 90 }), today)).toBeNull();
  });
  it('counts days since 1970 in UTC', () => expect(getShadowDay(Date.UTC(2024, 0, 2, 23))).toBe(19724));
});
