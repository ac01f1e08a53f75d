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

  it("forgets an account's failures after a successful login", () => {
    const throttle = new LoginThrottle({ maxPerAccount: 2, maxPerAddress: 100, windowMs: 60_000 });
    throttle.recordFailure('alice', '::1');
    throttle.recordSuccess('alice');
    throttle.recordFailure('alice', '::1');
    expect(throttle.getRetryDelay('alice', '::1')).toBe(0);
  });

  it('counts a reserved attempt as a failure until released, so a burst never passes the limit', () => {
    const throttle = new LoginThrottle({ maxPerAccount: 3, maxPerAddress: 100, windowMs: 60_000 });
    const burst = Array.from({ length: 150 }, () => throttle.reserve('alice', '10.0.0.1'));
    expect(burst.filter((attempt) => attempt.reservation).length).toBe(3);
    expect(burst.slice(3).every((attempt) => attempt.retryIn > 0)).toBe(true);
    // A success gives its attempt back (twice is harmless); failures keep theirs.
    burst[0]!.reservation!.release();
    burst[0]!.reservation!.release();
    expect(throttle.reserve('alice', '10.0.0.1').reservation).not.toBeNull();
    expect(throttle.reserve('alice', '10.0.0.1').reservation).toBeNull();
  });

  it('keys a huge name by its start, so a spray of them holds little memory', () => {
    const throttle = new LoginThrottle({ maxPerAccount: 1, maxPerAddress: 100, windowMs: 60_000 });
    throttle.reserve('a'.repeat(60_000) + 'x', '10.0.0.1');
    expect(throttle.reserve('a'.repeat(60_000) + 'y', '10.0.0.2').reservation).toBeNull();
  });
});
