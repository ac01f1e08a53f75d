import { createHash } from 'node:crypto';
import { createRandomToken } from '../auth/create-random-token.ts';
import { getShadowDay } from '../../core/auth/get-login-refusal.ts';
import type { EventBus, SessionEndReason } from '../../core/events/event-bus.ts';
import type { AuthenticatedAccount } from '../../core/auth/authenticator.ts';
import { getBoundSessionVerdict, getSessionVerdict, type SessionRights } from './session-access.ts';
import { SessionFileKeeper } from './session-file-keeper.ts';
import type { StoredSession } from './session-file.ts';

export type { SessionRights } from './session-access.ts';

// One logged-in browser. `id` is the secret cookie value (empty for a session restored
// from the store file until its browser comes back: the file keeps only its digest);
// `publicId` names it in pages and pushes without revealing the secret. `isAdmin` and
// `fullName` follow the account files (SessionStore.use).
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
  // A session without a password (a local socket connection's, an API token's): the uid
  // its account must still have; never stored, its password's changes do not end it.
  boundUid?: number;
  // How it was opened: `local` (a local socket connection: no timeouts, it ends with the
  // connection), `token` (an API token's requests); absent for a login with a password.
  via?: 'local' | 'token';
}

export interface SessionStoreOptions {
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
  // Sessions one account may hold; a login past it ends the account's oldest (none: no cap).
  maxPerAccount?: number;
  events: EventBus;
  rights: SessionRights;
  // Where sessions are kept across restarts (mode 0600, ids hashed); null keeps none.
  file?: string | null;
  warn?: (message: string) => void;
  now?: () => number;
}

interface Entry {
  session: WebSession;
  // The account's password digest this session knows (AccountAccess.credential).
  credential: string;
  // The revision and day its rights were last read at.
  revision: number;
  day: number;
  // Own password changes in flight (applyOwnPasswordChange): a new password is this
  // session's doing, not a reason to end it.
  ownChanges: number;
}

// Who a local socket connection's peer is (LocalCaller): the account of its uid, or root.
export interface LocalAccount {
  login: string;
  fullName: string;
  isAdmin: boolean;
  uid: number;
  // Its password must be changed first: the session reaches nothing else (auth-guard.ts).
  mustChangePassword?: boolean;
}

// The map key of a session: the sha256 of its cookie id, so neither memory dumps of the
// map nor the store file hold an id a browser could present.
function getSessionKey(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

// Account events after which a session's rights may differ (additions cannot matter).
const accountEvents = [
  'account-changed',
  'account-removed',
  'group-changed',
  'group-members-changed',
  'group-removed',
] as const;

// Server-side sessions, with idle and absolute timeouts, whose rights follow the account
// files: every use() reads them again when the files (their revision) or the day moved,
// and every account event checks them all, so a deleted, locked or expired account, or a
// new password, ends its sessions at once and a demotion downgrades them. Opening, closing
// and downgrading emit `session-opened`/`session-closed`/`session-changed` (facility
// `auth`); the push hub closes the sockets of those that end or lose rights. Sessions are
// kept in a store file across restarts (SessionFileKeeper).
// Written here rather than with @fastify/session: the dashboard lists and pushes every open
// session, expiry must emit an event even when the browser never comes back, and its store
// interface offers neither enumeration nor expiry notifications.
export class SessionStore {
  readonly #entries = new Map<string, Entry>();
  readonly #options: SessionStoreOptions;
  readonly #now: () => number;
  readonly #keeper: SessionFileKeeper | null;
  readonly #stopListening: (() => void)[];
  #sweeper: NodeJS.Timeout | null = null;

  constructor(options: SessionStoreOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    const warn = options.warn ?? (() => {});
    this.#keeper = options.file ? new SessionFileKeeper(options.file, () => this.#export(), warn) : null;
    // Sweep often enough that an expired session leaves the dashboards within ~10% of its
    // idle timeout, at most every second and at least every 30 s.
    const every = Math.min(30_000, Math.max(1000, options.idleTimeoutMs / 10));
    this.#sweeper = setInterval(() => this.sweep(), every);
    this.#sweeper.unref();
    this.#stopListening = accountEvents.map((name) => options.events.on(name, () => this.checkAll()));
  }

  // Takes back the sessions of the store file: those past a timeout, or whose account no
  // longer lets them in (deleted, locked, expired, new password), are dropped.
  async restore(): Promise<void> {
    if (!this.#keeper) return;
    const stored = await this.#keeper.read();
    for (const record of stored) {
      const { key, credential, ...fields } = record;
      const session: WebSession = { ...fields, id: '' };
      if (this.#entries.has(key) || this.#getExpiry(session)) continue;
      const verdict = getSessionVerdict(this.#options.rights.getAccess(session.login, this.#getDay()), credential);
      if (verdict.ends) continue;
      Object.assign(session, { isAdmin: verdict.isAdmin, fullName: verdict.fullName });
      const { revision } = this.#options.rights;
      this.#entries.set(key, { session, credential, revision, day: this.#getDay(), ownChanges: 0 });
    }
    // A cap lowered since they were saved keeps each account's newest.
    for (const login of new Set(stored.map((record) => record.login))) this.#endOldest(login);
    // Rewritten at once without what was dropped (and 0600 if it was not).
    this.#keeper.saveNow();
  }

  // Opens a session for an account that just proved its password.
  create(
    account: AuthenticatedAccount,
    address: string,
    userAgent: string,
    options: { mustChangePassword?: boolean } = {},
  ): WebSession {
    const session = this.#newSession(account, address, userAgent, !!options.mustChangePassword);
    const { rights } = this.#options;
    const day = this.#getDay();
    const credential = rights.getAccess(account.login, day)?.credential ?? '';
    this.#entries.set(getSessionKey(session.id), {
      session,
      credential,
      revision: rights.revision,
      day,
      ownChanges: 0,
    });
    this.#options.events.emit('session-opened', 'auth', { sessionId: session.publicId });
    this.#endOldest(session.login);
    this.#keeper?.saveNow();
    return session;
  }

  // A fresh session's fields: random ids and CSRF token, the account's name and rights now.
  #newSession(
    account: Pick<WebSession, 'login' | 'fullName' | 'isAdmin'>,
    address: string,
    userAgent: string,
    mustChangePassword: boolean,
  ): WebSession {
    const now = this.#now();
    return {
      ...(mustChangePassword ? { mustChangePassword: true } : {}),
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
  }

  // Opens a session without a password, for an account its caller checked: a local socket
  // connection's (its peer's uid; no timeouts, destroy() it with the connection) or an API
  // token's (its idle timeout applies). Not stored, not counted against
  // sessions.max_per_account (the local server bounds its connections, tokens their count).
  createBound(account: LocalAccount, address: string, via: 'local' | 'token', label: string): WebSession {
    const session: WebSession = {
      ...this.#newSession(account, address, label, !!account.mustChangePassword),
      boundUid: account.uid,
      via,
    };
    const { revision } = this.#options.rights;
    this.#entries.set(getSessionKey(session.id), {
      session,
      credential: '',
      revision,
      day: this.#getDay(),
      ownChanges: 0,
    });
    this.#options.events.emit('session-opened', 'auth', {
      sessionId: session.publicId,
      ...(via === 'local' ? { local: true as const } : {}),
    });
    return session;
  }

  // The lookup of every request and socket frame: the live session of a cookie id with
  // its current rights, marked used; null when it may no longer exist (unknown, past a
  // timeout, or its account no longer lets it in: then it is closed).
  use(id: string | undefined): WebSession | null {
    if (!id || id.length > 256) return null;
    const key = getSessionKey(id);
    const entry = this.#entries.get(key);
    if (!entry) return null;
    const expiry = this.#getExpiry(entry.session);
    if (expiry) {
      this.#end(key, expiry);
      return null;
    }
    if (!this.#check(key, entry)) return null;
    entry.session.id = id;
    entry.session.lastSeenAt = this.#now();
    if (entry.session.boundUid === undefined) this.#keeper?.saveLater();
    return entry.session;
  }

  // Finds a session by the id shown in pages, without touching it.
  getByPublicId(publicId: string): WebSession | null {
    for (const { session } of this.#entries.values()) if (session.publicId === publicId) return session;
    return null;
  }

  // Every open session, oldest first.
  list(): WebSession[] {
    return Array.from(this.#entries.values(), (entry) => entry.session).sort((a, b) => a.createdAt - b.createdAt);
  }

  // Closes a session by its cookie id (logout, or expiry found by use() or the sweeper).
  destroy(id: string, reason: SessionEndReason): void {
    this.#end(getSessionKey(id), reason);
  }

  // Lifts the "change your password first" mark of a session that just did (saved at once).
  clearMustChangePassword(id: string): void {
    const entry = this.#entries.get(getSessionKey(id));
    if (!entry?.session.mustChangePassword) return;
    delete entry.session.mustChangePassword;
    this.#keeper?.saveNow();
  }

  // Runs `change` (the session's account setting its own password) so that the new
  // password keeps this session; the account's other sessions end as for any new password.
  async applyOwnPasswordChange<T>(id: string, change: () => Promise<T>): Promise<T> {
    const key = getSessionKey(id);
    const entry = this.#entries.get(key);
    if (entry) entry.ownChanges += 1;
    try {
      return await change();
    } finally {
      if (entry) {
        entry.ownChanges -= 1;
        if (this.#entries.get(key) === entry) this.#check(key, entry, true);
      }
    }
  }

  // Reads every session's rights again if the files or the day moved (an account event,
  // the sweeper); costs one comparison a session when nothing did.
  checkAll(): void {
    for (const [key, entry] of [...this.#entries]) this.#check(key, entry);
  }

  // Closes every session past a timeout, and those the files no longer let in.
  sweep(): void {
    for (const [key, entry] of [...this.#entries]) {
      const expiry = this.#getExpiry(entry.session);
      if (expiry) this.#end(key, expiry);
      else this.#check(key, entry);
    }
  }

  // Stops the sweeper and the event listeners; saves the sessions one last time.
  async close(): Promise<void> {
    if (this.#sweeper) clearInterval(this.#sweeper);
    this.#sweeper = null;
    this.#stopListening.forEach((stop) => stop());
    await this.#keeper?.close();
  }

  // Applies what the files say of a session now; false when it ended.
  #check(key: string, entry: Entry, force = false): boolean {
    const { rights } = this.#options;
    const revision = rights.revision;
    const day = this.#getDay();
    if (!force && entry.revision === revision && entry.day === day) return true;
    const access = rights.getAccess(entry.session.login, day);
    const { boundUid } = entry.session;
    const verdict =
      boundUid === undefined
        ? getSessionVerdict(access, entry.credential, entry.ownChanges > 0 || force)
        : getBoundSessionVerdict(access, boundUid);
    if (verdict.ends) {
      this.#end(key, verdict.ends);
      return false;
    }
    Object.assign(entry, { revision, day, credential: verdict.credential });
    const { session } = entry;
    session.fullName = verdict.fullName;
    // A session without a password follows the files: it may not outlive a forced change.
    if (boundUid !== undefined) {
      if (verdict.mustChangePassword) session.mustChangePassword = true;
      else delete session.mustChangePassword;
    }
    if (session.isAdmin !== verdict.isAdmin) {
      session.isAdmin = verdict.isAdmin;
      this.#options.events.emit('session-changed', 'auth', { sessionId: session.publicId, isAdmin: verdict.isAdmin });
      this.#keeper?.saveNow();
    }
    return true;
  }

  // Ends an account's oldest sessions past sessions.max_per_account (red team's LOW 11: one
  // account opened 110 sessions in 10 s, each listed and pushed on the admins' dashboard).
  // The newest login wins, as on most sites: whoever just proved the password is kept.
  #endOldest(login: string): void {
    const max = this.#options.maxPerAccount ?? Infinity;
    const own = [...this.#entries].filter(
      ([, { session }]) => session.login === login && session.boundUid === undefined,
    );
    if (own.length <= max) return;
    own.sort(([, a], [, b]) => a.session.createdAt - b.session.createdAt);
    for (const [key] of own.slice(0, own.length - max)) this.#end(key, 'too-many-sessions');
  }

  #end(key: string, reason: SessionEndReason): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#options.events.emit('session-closed', 'auth', {
      sessionId: entry.session.publicId,
      reason,
      ...(entry.session.via === 'local' ? { local: true as const } : {}),
    });
    // At once: a session ended must not come back with a restart (a local one was never kept).
    if (entry.session.boundUid === undefined) this.#keeper?.saveNow();
  }

  #export(): StoredSession[] {
    const stored = [...this.#entries].filter(([, { session }]) => session.boundUid === undefined);
    return stored.map(([key, { session, credential }]) => {
      const { id: _secret, ...fields } = session;
      return { ...fields, key, credential };
    });
  }

  #getDay(): number {
    return getShadowDay(this.#now());
  }

  #getExpiry(session: WebSession): 'idle' | 'expired' | null {
    if (session.via === 'local') return null;
    const now = this.#now();
    if (now - session.createdAt >= this.#options.absoluteTimeoutMs) return 'expired';
    if (now - session.lastSeenAt >= this.#options.idleTimeoutMs) return 'idle';
    return null;
  }
}
