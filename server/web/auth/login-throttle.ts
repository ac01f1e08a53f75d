// Counts failed logins per account name and per client address over a sliding window, and
// says when to refuse further attempts. Every name is counted alike, known or not, so a
// refusal reveals nothing about which accounts exist. Only failures count (unlike a request
// rate limiter), so an admin who logs in often is never slowed down.
//
// An attempt is reserved before its password is checked and counts as a failure while it is
// in flight: checking then counting let a burst of concurrent attempts all pass the check
// before the first failure was counted (150 at once had 108 passwords checked, limit 5).
// A success releases its reservation; a failure simply keeps it.

// A reserved attempt: release it when the password was right.
export interface LoginReservation {
  release(): void;
}

// What reserve() answers: a reservation, or how long to wait before trying again.
export type ReserveResult = { reservation: LoginReservation; retryIn: 0 } | { reservation: null; retryIn: number };

// Longer names are cut for the key: no login is longer than 32 characters, and a spray of
// huge names must not hold megabytes of keys.
const keyLength = 64;

// The throttle of the login form (one per app), described at the top of this file.
export class LoginThrottle {
  readonly #failures = new Map<string, number[]>();
  readonly #options: { maxPerAccount: number; maxPerAddress: number; windowMs: number; now?: () => number };

  constructor(options: { maxPerAccount: number; maxPerAddress: number; windowMs: number; now?: () => number }) {
    this.#options = options;
  }

  // Reserves an attempt of `login` from `address` when both are under their limits (it then
  // counts as a failure until released), or says in how many milliseconds to come back.
  reserve(login: string, address: string): ReserveResult {
    const retryIn = this.getRetryDelay(login, address);
    if (retryIn > 0) return { reservation: null, retryIn };
    const time = this.#now();
    const keys = this.#getKeys(login, address);
    this.#record(keys, time);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      for (const key of keys) this.#remove(key, time);
    };
    return { reservation: { release }, retryIn: 0 };
  }

  // Milliseconds until `login` from `address` may try again; 0 when it may now.
  getRetryDelay(login: string, address: string): number {
    const [accountKey, addressKey] = this.#getKeys(login, address);
    const { maxPerAccount, maxPerAddress } = this.#options;
    return Math.max(this.#getDelay(accountKey, maxPerAccount), this.#getDelay(addressKey, maxPerAddress));
  }

  // Records a failed attempt that was not reserved.
  recordFailure(login: string, address: string): void {
    this.#record(this.#getKeys(login, address), this.#now());
  }

  // Forgets an account's failures after it logged in.
  recordSuccess(login: string): void {
    this.#failures.delete(this.#getKeys(login, '')[0]);
  }

  #getKeys(login: string, address: string): [string, string] {
    // A local socket caller ("local:uid=N,pid=P") counts as its uid: a new process each try
    // must not make a new address.
    const caller = address.startsWith('local:') ? address.replace(/,pid=\d+$/, '') : address;
    return [`account:${login.slice(0, keyLength).toLowerCase()}`, `address:${caller}`];
  }

  #record(keys: string[], time: number): void {
    for (const key of keys) {
      const times = this.#prune(key, time);
      times.push(time);
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

  #remove(key: string, time: number): void {
    const times = this.#failures.get(key);
    const index = times?.indexOf(time) ?? -1;
    if (!times || index < 0) return;
    times.splice(index, 1);
    if (times.length === 0) this.#failures.delete(key);
  }

  #getDelay(key: string, max: number): number {
    const now = this.#now();
    const times = this.#prune(key, now);
    if (times.length < max) return 0;
    return Math.max(1, times[times.length - max]! + this.#options.windowMs - now);
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
