import { describe, expect, it } from 'vitest';
import { LoginThrottle } from '../../../server/web/auth/login-throttle.ts';

describe('LoginThrottle', () => {
  it('refuses an account after too many failures, whatever the address, until the window passes', () => {
    let now = 0;
    const throttle = new LoginThrottle({ maxPerAccount: 3, maxPerAddress: 100, windowMs: 60_000, now: () => now });
    for (let i = 0; i < 3; i += 1) throttle.recordFailure('Alice', `10.0.0.${i}`);
    expect(throttle.getRetryDelay('alice', '10.9.9.9')).toBe(60_000);
    expect(throttle.getRetryDelay('bob', '10.9.9.9')).toBe(0);
    now = 60_000;
    expect(throttle.getRetryDelay('alice', '10.9.9.9')).toBe(0);
  });

  it('refuses an address spraying many names', () => {
    const throttle = new LoginThrottle({ maxPerAccount: 100, maxPerAddress: 5, windowMs: 60_000 });
    for (let i = 0; i < 5; i += 1) throttle.recordFailure(`user${i}`, '192.0.2.1');
    expect(throttle.getRetryDelay('someone-else', '192.0.2.1')).toBeGreaterThan(0);
    expect(throttle.getRetryDelay('someone-else', '192.0.2.2')).toBe(0);
  });

  it('forgets an account\'s failures after a successful login', () => {
    const throttle = new LoginThrottle({ maxPerAccount: 2, maxPerAddress: 100, windowMs: 60_000 });
    throttle.recordFailure('alice', '::1');
    throttle.recordSuccess('alice');
    throttle.recordFailure('alice', '::1');
    expect(throttle.getRetryDelay('alice', '::1')).toBe(0);
  });
});
