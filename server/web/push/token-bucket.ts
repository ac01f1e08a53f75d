// A token bucket: up to `burst` tokens, refilled at `perSecond`; an action that finds too
// few tokens is refused and takes none. Used for the push channel's per-socket rates and
// its connection rates (where a penalty may leave the bucket in debt, down to -burst).
export class TokenBucket {
  readonly #burst: number;
  readonly #perMs: number;
  readonly #now: () => number;
  #tokens: number;
  #updatedAt: number;

  constructor(burst: number, perSecond: number, now: () => number = Date.now) {
    this.#burst = burst;
    this.#perMs = perSecond / 1000;
    this.#now = now;
    this.#tokens = burst;
    this.#updatedAt = now();
  }

  // Takes `count` tokens if there are that many; says whether it did.
  take(count = 1): boolean {
    if (!this.has(count)) return false;
    this.#tokens -= count;
    return true;
  }

  // Whether `count` tokens are there now (none taken).
  has(count = 1): boolean {
    return this.#refill() >= count;
  }

  // Takes `count` tokens whatever is left, the bucket going into debt down to -burst: a
  // penalty, paid back by the refill before anything is allowed again.
  charge(count: number): void {
    this.#tokens = Math.max(-this.#burst, this.#refill() - count);
  }

  // Milliseconds until `count` tokens are there (0 when they already are).
  getWaitMs(count = 1): number {
    return Math.max(0, Math.ceil((count - this.#refill()) / this.#perMs));
  }

  // Whether the bucket is full: it then holds nothing a fresh one would not (it can be forgotten).
  isFull(): boolean {
    return this.#refill() >= this.#burst;
  }

  #refill(): number {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#updatedAt) * this.#perMs);
    this.#updatedAt = now;
    return this.#tokens;
  }
}
