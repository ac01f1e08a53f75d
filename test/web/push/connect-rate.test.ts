import { describe, expect, it } from 'vitest';
import { ConnectRate } from '../../../server/web/push/connect-rate.ts';
import { abusePenaltyConnects, connectRefillSeconds } from '../../../server/web/push/push-limits.ts';

// A clock the test moves by hand.
function createClock() {
  const clock = {
    now: 1_000_000,
    tick: (ms: number) => {
      clock.now += ms;
    },
  };
  return clock;
}

// Opens connections until one is refused; returns how many were admitted.
function admitAll(rate: ConnectRate, session: string, address: string): number {
  let admitted = 0;
  while (!rate.admit(session, address)) admitted += 1;
  return admitted;
}

// Red team MEDIUM 8: reconnect churn. The buckets, their refill and the abuse penalty.
describe("the push channel's connection rate", () => {
  it('admits twice the socket limit at once per session, then the refill, and says when to retry', () => {
    const clock = createClock();
    const rate = new ConnectRate({ perSession: 4, perAddress: 100 }, () => clock.now);
    expect(admitAll(rate, 's1', 'a')).toBe(8);
    const refusal = rate.admit('s1', 'a');
    expect(refusal).toMatchObject({ reason: 'connect-rate', messageKey: 'web.webSockets.tooFastForSession' });
    // Another session of the same address is not touched.
    expect(rate.admit('s2', 'a')).toBeNull();
    clock.tick(refusal!.retryInMs);
    expect(rate.admit('s1', 'a')).toBeNull();
    expect(rate.admit('s1', 'a')).not.toBeNull();
  });

  it('bounds the sessions of one address together', () => {
    const clock = createClock();
    const rate = new ConnectRate({ perSession: 100, perAddress: 3 }, () => clock.now);
    const admitted = ['s1', 's2', 's3', 's4'].map((session) => admitAll(rate, session, 'a'));
    expect(admitted).toEqual([6, 0, 0, 0]);
    expect(rate.admit('s5', 'a')?.messageKey).toBe('web.webSockets.tooFastFromAddress');
    expect(rate.admit('s5', 'b')).toBeNull();
  });

  it('charges a socket closed for abuse to its session and address, past what the burst held', () => {
    const clock = createClock();
    const rate = new ConnectRate({ perSession: 32, perAddress: 128 }, () => clock.now);
    expect(rate.admit('s1', 'a')).toBeNull();
    // Four abusive sockets put the session in debt: nothing until the refill paid it back.
    for (let i = 0; i < 4; i += 1) rate.penalize('s1', 'a');
    const refusal = rate.admit('s1', 'a');
    expect(refusal?.messageKey).toBe('web.webSockets.tooFastForSession');
    const perSecond = 64 / connectRefillSeconds;
    expect(refusal!.retryInMs).toBeGreaterThan(((4 * abusePenaltyConnects + 1 - 63) / perSecond) * 1000 - 1);
    clock.tick(refusal!.retryInMs);
    expect(rate.admit('s1', 'a')).toBeNull();
  });

  it('keeps, when pruning, the buckets not full: a penalty is not forgiven', () => {
    const clock = createClock();
    const rate = new ConnectRate({ perSession: 1, perAddress: 1 }, () => clock.now);
    rate.penalize('s1', 'a');
    rate.prune();
    expect(rate.admit('s1', 'a')).not.toBeNull();
  });
});
