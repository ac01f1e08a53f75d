import { createHash, randomBytes } from 'node:crypto';
import { CoreError } from '../errors.ts';
import type { EventBus } from '../events/event-bus.ts';
import { readApiTokenFile, writeApiTokenFile, type StoredApiToken } from './api-token-file.ts';
import type { AccountAccess } from './authenticator.ts';
import { quoted, say } from '../messages.ts';

// An API token as its account sees it (never its secret, never its hash).
export interface ApiToken {
  id: string;
  login: string;
  uid: number;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
}

export interface ApiTokenStoreOptions {
  file: string;
  maxPerAccount: number;
  events: EventBus;
  // What the account files say of an account now (the Authenticator).
  rights: { getAccess(login: string): AccountAccess | null };
  // Told the tokens it dropped (their account changed): their sessions end.
  onRevoked?: (tokens: ApiToken[]) => void;
  warn?: (message: string) => void;
  now?: () => number;
}

// What a token looks like: a prefix that says what it is (secret scanners know such
// prefixes), then 256 random bits in base64url.
const secretPattern = /^licorn_[A-Za-z0-9_-]{43}$/;
// "last used" is saved within this long, not at every request.
const lastUsedSaveDelayMs = 10_000;

const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');
const toView = ({ hash: _hash, credential: _credential, ...token }: StoredApiToken): ApiToken => token;

// Account events after which a token may no longer hold (a new password, a lock, a deletion).
const accountEvents = ['account-changed', 'account-removed'] as const;

// The API tokens accounts make for their scripts and remote `licorn` commands: kept in a
// 0600 file by the sha256 of their secret (256 random bits: a fast hash is enough, nothing
// to brute-force), at most `maxPerAccount` per account. A token is bound to its account as
// it was made (uid and password digest): what would end the account's sessions revokes it
// for good (deleted, locked, expired, a new password set by anyone), checked at load (an
// account deleted while the daemon was stopped), at each account event and at each use.
export class ApiTokenStore {
  readonly #options: ApiTokenStoreOptions;
  readonly #byHash = new Map<string, StoredApiToken>();
  readonly #now: () => number;
  readonly #stopListening: (() => void)[];
  #saving: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | null = null;

  constructor(options: ApiTokenStoreOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#stopListening = accountEvents.map((name) => options.events.on(name, () => this.prune()));
  }

  // Takes back the tokens of the file, less those their account no longer vouches for.
  async load(): Promise<void> {
    for (const token of await readApiTokenFile(this.#options.file, this.#warn)) this.#byHash.set(token.hash, token);
    this.prune();
  }

  // An account's tokens, oldest first.
  list(login: string): ApiToken[] {
    return [...this.#byHash.values()].filter((token) => token.login === login).map(toView);
  }

  // Drops every token whose account no longer vouches for it (#isBound); returns them.
  prune(): ApiToken[] {
    const dropped = [...this.#byHash.values()].filter((token) => this.#isBound(token) !== null);
    this.#drop(dropped);
    return dropped.map(toView);
  }

  // Makes a token for an account: its view, and its secret (shown once, kept nowhere).
  async create(account: { login: string; uid: number }, name: string): Promise<{ token: ApiToken; secret: string }> {
    const access = this.#options.rights.getAccess(account.login);
    if (!access || access.account.uid !== account.uid) {
      throw new CoreError('not-found', say('tokens.accountGone', { login: quoted(account.login) }), { field: 'login' });
    }
    const trimmed = name.trim();
    if (trimmed === '' || trimmed.length > 64 || /[\p{Cc}\p{Cf}]/u.test(trimmed)) {
      const message = say('tokens.invalidName', { name: quoted(name.slice(0, 80)) });
      throw new CoreError('invalid-argument', message, { field: 'name' });
    }
    const { maxPerAccount } = this.#options;
    if (this.list(account.login).length >= maxPerAccount) {
      const message = say('tokens.tooMany', { login: quoted(account.login), max: maxPerAccount });
      throw new CoreError('conflict', message, { field: 'name' });
    }
    const secret = `licorn_${randomBytes(32).toString('base64url')}`;
    const stored: StoredApiToken = {
      id: randomBytes(8).toString('hex'),
      login: account.login,
      uid: account.uid,
      credential: access.credential,
      name: trimmed,
      createdAt: this.#now(),
      lastUsedAt: null,
      hash: hashSecret(secret),
    };
    this.#byHash.set(stored.hash, stored);
    await this.#save();
    return { token: toView(stored), secret };
  }

  // Deletes one of an account's tokens; another account's is "not found" (ids tell nothing).
  async remove(login: string, id: string): Promise<void> {
    const found = [...this.#byHash.values()].find((token) => token.id === id && token.login === login);
    if (!found)
      throw new CoreError('not-found', say('tokens.notFound', { id: quoted(id.slice(0, 40)), login: quoted(login) }), {
        field: 'id',
      });
    this.#byHash.delete(found.hash);
    await this.#save();
  }

  // The token a request presents, marked used; null for anything else (the same answer for
  // a malformed, unknown or deleted one; one its account no longer vouches for is deleted).
  find(secret: string): ApiToken | null {
    if (!secretPattern.test(secret)) return null;
    const stored = this.#byHash.get(hashSecret(secret));
    if (!stored) return null;
    if (this.#isBound(stored) !== null) {
      this.#drop([stored]);
      return null;
    }
    stored.lastUsedAt = this.#now();
    this.#timer ??= setTimeout(() => void this.#save(), lastUsedSaveDelayMs).unref();
    return toView(stored);
  }

  // Every account's tokens, oldest first (for admins: listing and revoking them).
  listAll(): ApiToken[] {
    return [...this.#byHash.values()].map(toView);
  }

  // Stops listening and saves the last "last used" times.
  async close(): Promise<void> {
    this.#stopListening.forEach((stop) => stop());
    await this.#save();
  }

  // Why a token no longer holds (null while it does): its account is gone or has another
  // uid, may not log in (locked, expired), or its password changed since it was made.
  #isBound(token: StoredApiToken): string | null {
    const access = this.#options.rights.getAccess(token.login);
    if (!access || access.account.uid !== token.uid) return 'its account no longer exists';
    if (access.refusal) return `its account may not log in (${access.refusal})`;
    if (access.credential !== token.credential) return "its account's password changed";
    return null;
  }

  #drop(tokens: StoredApiToken[]): void {
    if (tokens.length === 0) return;
    for (const token of tokens) {
      this.#warn(`API token ${token.id} of "${token.login}" revoked: ${this.#isBound(token) ?? 'deleted'}`);
      this.#byHash.delete(token.hash);
    }
    void this.#save();
    this.#options.onRevoked?.(tokens.map(toView));
  }

  readonly #warn = (message: string) => this.#options.warn?.(message);

  // Saves one at a time, each with the state of when it runs.
  #save(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#saving = this.#saving.then(() =>
      writeApiTokenFile(this.#options.file, [...this.#byHash.values()]).catch((error: NodeJS.ErrnoException) => {
        this.#warn(`tokens file ${this.#options.file}: cannot save (${error.code ?? error.message})`);
      }),
    );
    return this.#saving;
  }
}
