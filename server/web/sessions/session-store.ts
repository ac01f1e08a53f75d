import { createRandomToken } from '../auth/create-random-token.ts';
import type { EventBus } from '../../core/events/event-bus.ts';
import type { AuthenticatedAccount } from '../../core/auth/authenticator.ts';

// One logged-in browser. `id` is the secret cookie value; `publicId` names it in pages and
// pushes (the "who is logged in" rows) without revealing the secret.
export interface WebSession {
  id: string;
  publicId: string;
  login: string;
  fullName: string;
  isAdmin: boolean;
  address: string;
  userAgent: string;
  createdAt: number;
  lastSeenAt: number;
  csrfToken: string;
  // Set at a login whose password must be changed first: the session reaches nothing else.
  mustChangePassword?: boolean;
}

export interface SessionStoreOptions {
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
  events: EventBus;
  now?: () => number;
}

// Server-side sessions in memory, with idle and absolute timeouts. Opening and closing a
// session emits `session-opened`/`session-closed` (facility `auth`) so live pages follow.
// Written here rather than with @fastify/session: the dashboard lists and pushes every open
// session, expiry must emit an event even when the browser never comes back, and its store
// interface offers neither enumeration nor expiry notifications.
export class SessionStore {
  readonly #sessions = new Map<string, WebSession>();
  readonly #options: SessionStoreOptions;
  readonly #now: () => number;
  #sweeper: NodeJS.Timeout | null = null;

  constructor(options: SessionStoreOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    // Sweep often enough that an expired session leaves the dashboards within ~10% of its
    // idle timeout, at most every second and at least every 30 s.
    const every = Math.min(30_000, Math.max(1000, options.idleTimeoutMs / 10));
    this.#sweeper = setInterval(() => this.sweep(), every);
    this.#sweeper.unref();
  }

  // Opens a session for an account that just proved its password.
  create(account: AuthenticatedAccount, address: string, userAgent: string): WebSession {
    const now = this.#now();
    const session: WebSession = {
      id: createRandomToken(),
      publicId: Buffer.from(createRandomToken(8), 'base64url').toString('hex'),
      login: account.login,
      fullName: account.fullName,
      isAdmin: account.isAdmin,
      address,
      userAgent: userAgent.slice(0, 200),
      createdAt: now,
      lastSeenAt: now,
      csrfToken: createRandomToken(),
    };
    this.#sessions.set(session.id, session);
    this.#options.events.emit('session-opened', 'auth', { sessionId: session.publicId });
    return session;
  }

  // Finds a live session by its secret id and marks it used; an expired one is closed.
  use(id: string | undefined): WebSession | null {
    const session = id ? this.#sessions.get(id) : undefined;
    if (!session) return null;
    const expiry = this.#getExpiry(session);
    if (expiry) {
      this.destroy(session.id, expiry);
      return null;
    }
    session.lastSeenAt = this.#now();
    return session;
  }

  // Finds a session by the id shown in pages, without touching it.
  getByPublicId(publicId: string): WebSession | null {
    for (const session of this.#sessions.values()) if (session.publicId === publicId) return session;
    return null;
  }

  // Every open session, oldest first.
  list(): WebSession[] {
    return [...this.#sessions.values()].sort((a, b) => a.createdAt - b.createdAt);
  }

  // Closes a session (logout, or expiry found by use() or the sweeper).
  destroy(id: string, reason: 'logout' | 'idle' | 'expired'): void {
    const session = this.#sessions.get(id);
    if (!session) return;
    this.#sessions.delete(id);
    this.#options.events.emit('session-closed', 'auth', { sessionId: session.publicId, reason });
  }

  // Closes every session past a timeout.
  sweep(): void {
    for (const session of [...this.#sessions.values()]) {
      const expiry = this.#getExpiry(session);
      if (expiry) this.destroy(session.id, expiry);
    }
  }

  // Stops the sweeper; sessions live in memory and end with the daemon.
  close(): void {
    if (this.#sweeper) clearInterval(this.#sweeper);
    this.#sweeper = null;
  }

  #getExpiry(session: WebSession): 'idle' | 'expired' | null {
    const now = this.#now();
    if (now - session.createdAt >= this.#options.absoluteTimeoutMs) return 'expired';
    if (now - session.lastSeenAt >= this.#options.idleTimeoutMs) return 'idle';
    return null;
  }
}
