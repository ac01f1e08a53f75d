import { TokenBucket } from './token-bucket.ts';
import { abusePenaltyConnects, connectRefillSeconds } from './push-limits.ts';
import type { RefusalReason } from './push-refusals.ts';
import type { SocketLimits } from './push-client.ts';

// Why a connection was refused (the hub's count, the words said: answer-connect-refusal.ts),
// and when to try again.
export interface ConnectRefusal {
  reason: RefusalReason;
  messageKey: 'web.webSockets.tooFastForSession' | 'web.webSockets.tooFastFromAddress';
  retryInMs: number;
}

// Bounds how fast one session and one client address may open push sockets (issue 11, red
// team's MEDIUM 8: a script reconnecting at once after each close opened ~1,700 sockets in
// 8 s). Each has a token bucket of twice its socket limit (every tab reconnecting at once
// after a restart, twice over), refilled in connectRefillSeconds; a socket closed for abuse
// charges abusePenaltyConnects more to both, so closing and reconnecting gains nothing.
export class ConnectRate {
  readonly #bySession = new Map<string, TokenBucket>();
  readonly #byAddress = new Map<string, TokenBucket>();
  readonly #limits: SocketLimits;
  readonly #now: () => number;

  constructor(limits: SocketLimits, now: () => number) {
    this.#limits = limits;
    this.#now = now;
  }

  // Takes one connection from the session's and the address's buckets, or says why not
  // (then takes none).
  admit(sessionKey: string, address: string): ConnectRefusal | null {
    const session = this.#get(this.#bySession, sessionKey, this.#limits.perSession);
    const fromAddress = this.#get(this.#byAddress, address, this.#limits.perAddress);
    if (!session.has()) {
      const retryInMs = session.getWaitMs();
      return { reason: 'connect-rate', retryInMs, messageKey: 'web.webSockets.tooFastForSession' };
    }
    if (!fromAddress.has()) {
      const retryInMs = fromAddress.getWaitMs();
      return { reason: 'connect-rate', retryInMs, messageKey: 'web.webSockets.tooFastFromAddress' };
    }
    session.take();
    fromAddress.take();
    return null;
  }

  // Charges the penalty of a socket closed for abuse to its session and address.
  penalize(sessionKey: string, address: string): void {
    this.#get(this.#bySession, sessionKey, this.#limits.perSession).charge(abusePenaltyConnects);
    this.#get(this.#byAddress, address, this.#limits.perAddress).charge(abusePenaltyConnects);
  }

  // Forgets the full buckets (run now and then): what is kept is bounded by the sessions and
  // addresses that connected within one refill time.
  prune(): void {
    for (const buckets of [this.#bySession, this.#byAddress]) {
      for (const [key, bucket] of buckets) if (bucket.isFull()) buckets.delete(key);
    }
  }

  #get(buckets: Map<string, TokenBucket>, key: string, socketLimit: number): TokenBucket {
    let bucket = buckets.get(key);
    if (!bucket) {
      const burst = 2 * socketLimit;
      bucket = new TokenBucket(burst, burst / connectRefillSeconds, this.#now);
      buckets.set(key, bucket);
    }
    return bucket;
  }
}
