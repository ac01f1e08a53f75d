// Counts failed logins per account name and per client address over a sliding window, and
// says when to refuse further attempts. Every name is counted alike, known or not, so a
// refusal reveals nothing about which accounts exist. Only failures count (unlike a request
// rate limiter), so an admin who logs in often is never slowed down.
export class LoginThrottle {
  readonly #failures = new Map<string, number[]>();
  readonly #options: { maxPerAccount: number; maxPerAddress: number; windowMs: number; now?: () => number };

  constructor(options: { maxPerAccount: number; maxPerAddress: number; windowMs: number; now?: () => number }) {
    this.#options = options;
  }

  // Milliseconds until `login` from `address` may try again; 0 when it may now.
  getRetryDelay(login: string, address: string): number {
    return Math.max(
      this.#getDelay(`account:${login.toLowerCase()}`, this.#options.maxPerAccount),
      this.#getDelay(`address:${address}`, this.#options.maxPerAddress),
    );
  }

  // Records a failed attempt.
  recordFailure(login: string, address: string): void {
    const now = this.#now();
    for (const key of [`account:${login.toLowerCase()}`, `address:${address}`]) {
      const times = this.#prune(key, now);
      times.push(now);
      this.#failures.set(key, times);
    }
    // Bound memory under a spray of random names: drop the oldest keys past 100,000.
    if (this.#failures.size > 100_000) {
      const excess = this.#failures.size - 100_000;
      let removed = 0;
      for (const key of this.#failures.keys()) {
        if (removed++ >= excess) break;
        this.#failures.delete(key);
      }
    }
  }

  // Forgets an account's failures after it logged in.
  recordSuccess(login: string): void {
    this.#failures.delete(`account:${login.toLowerCase()}`);
  }

  #getDelay(key: string, max: number): number {
    const now = this.#now();
    const times = this.#prune(key, now);
    if (times.length < max) return 0;
    return times[times.length - max]! + this.#options.windowMs - now;
  }

  #prune(key: string, now: number): number[] {
    const times = (this.#failures.get(key) ?? []).filter((time) => now - time < this.#options.windowMs);
    if (times.length === 0) this.#failures.delete(key);
    else this.#failures.set(key, times);
    return times;
  }

  #now(): number {
    return this.#options.now?.() ?? Date.now();
  }
}
