// How long a session whose last page closed still counts as connected: a click from one page
// to the next closes a socket and opens another, which is no reason to show it gone and back.
export const presenceGraceMs = 2000;

type PresenceListener = (publicId: string, connected: boolean) => void;

// Who is connected now: the sessions holding at least one push socket (an open page), by
// public id, and when each was last seen connected. Listeners hear a session arrive at its
// first socket and leave once its last one has been closed for `graceMs`.
export class SessionPresence {
  readonly #sockets = new Map<string, number>();
  readonly #leaving = new Map<string, NodeJS.Timeout>();
  readonly #lastSeen = new Map<string, number>();
  readonly #listeners = new Set<PresenceListener>();
  readonly #graceMs: number;
  readonly #now: () => number;

  constructor(options: { graceMs?: number; now?: () => number } = {}) {
    this.#graceMs = options.graceMs ?? presenceGraceMs;
    this.#now = options.now ?? Date.now;
  }

  // Listens to arrivals and departures; returns what stops listening.
  onChange(listener: PresenceListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // Whether the session has a page open now (or closed its last one within the grace time).
  isConnected(publicId: string): boolean {
    return this.#sockets.has(publicId) || this.#leaving.has(publicId);
  }

  // When the session was last seen with a page open, if it ever was since the daemon started.
  getLastSeen(publicId: string): number | undefined {
    return this.isConnected(publicId) ? this.#now() : this.#lastSeen.get(publicId);
  }

  // A socket of the session opened.
  addSocket(publicId: string): void {
    this.#sockets.set(publicId, (this.#sockets.get(publicId) ?? 0) + 1);
    const leaving = this.#leaving.get(publicId);
    if (leaving) {
      clearTimeout(leaving);
      this.#leaving.delete(publicId);
      return;
    }
    if (this.#sockets.get(publicId) === 1) this.#emit(publicId, true);
  }

  // A socket of the session closed; its last one starts the grace time.
  removeSocket(publicId: string): void {
    const open = this.#sockets.get(publicId);
    // A forgotten (ended) session's sockets close after it: nothing to announce.
    if (open === undefined) return;
    const left = open - 1;
    if (left > 0) {
      this.#sockets.set(publicId, left);
      return;
    }
    this.#sockets.delete(publicId);
    this.#lastSeen.set(publicId, this.#now());
    const timer = setTimeout(() => {
      this.#leaving.delete(publicId);
      this.#lastSeen.set(publicId, this.#now() - this.#graceMs);
      this.#emit(publicId, false);
    }, this.#graceMs);
    timer.unref();
    this.#leaving.set(publicId, timer);
  }

  // Forgets an ended session (its sockets are being closed: no departure is announced).
  forget(publicId: string): void {
    clearTimeout(this.#leaving.get(publicId));
    this.#leaving.delete(publicId);
    this.#lastSeen.delete(publicId);
    this.#sockets.delete(publicId);
  }

  // Stops the grace timers (shutdown).
  close(): void {
    for (const timer of this.#leaving.values()) clearTimeout(timer);
    this.#leaving.clear();
    this.#listeners.clear();
  }

  #emit(publicId: string, connected: boolean): void {
    for (const listener of this.#listeners) listener(publicId, connected);
  }
}
