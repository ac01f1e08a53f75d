import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventBus, type CoreEvent } from '../../../server/core/events/event-bus.ts';
import type { AccountAccess } from '../../../server/core/auth/authenticator.ts';
import { SessionStore } from '../../../server/web/sessions/session-store.ts';

const account = {
  login: 'alice',
  fullName: 'Alice',
  uid: 1000,
  gid: 100,
  primaryGroup: 'users',
  groups: [],
  memberships: [],
  home: '/home/alice',
  shell: '/bin/sh',
  locked: false,
  system: false,
  passwordChanged: 20000,
  expiry: null,
  version: 'v1',
  isAdmin: false,
};

// The account files as a session sees them: each change moves the revision, as the core's
// store does, and emits no event unless the test says so.
function createRights() {
  const access = (login: string, isAdmin: boolean, credential = 'c1'): AccountAccess => ({
    account: { ...account, login, isAdmin },
    refusal: null,
    credential,
    mustChangePassword: false,
  });
  const state = {
    revision: 1,
    accounts: { alice: access('alice', true), bob: access('bob', false) } as Record<string, AccountAccess | null>,
  };
  return {
    state,
    access,
    rights: {
      get revision() {
        return state.revision;
      },
      getAccess: (login: string) => state.accounts[login] ?? null,
    },
    change(login: string, next: AccountAccess | null) {
      state.accounts[login] = next;
      state.revision += 1;
    },
  };
}

function setUp(options: { file?: string; now?: number; maxPerAccount?: number } = {}) {
  let now = options.now ?? 1_000_000;
  const events = new EventBus();
  const seen: CoreEvent[] = [];
  events.onAny((event) => seen.push(event));
  const rights = createRights();
  const store = new SessionStore({
    idleTimeoutMs: 1000,
    absoluteTimeoutMs: 5000,
    events,
    now: () => now,
    rights: rights.rights,
    file: options.file,
    maxPerAccount: options.maxPerAccount,
  });
  return {
    store,
    seen,
    rights,
    events,
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('SessionStore', () => {
  it('opens sessions with 256-bit random ids and announces them', () => {
    const { store, seen } = setUp();
    const a = store.create(account, '127.0.0.1', 'test');
    const b = store.create(account, '127.0.0.1', 'test');
    expect(Buffer.from(a.id, 'base64url')).toHaveLength(32);
    expect(a.id).not.toBe(b.id);
    expect(a.csrfToken).not.toBe(a.id);
    expect(seen).toEqual([
      expect.objectContaining({ name: 'session-opened', facility: 'auth', data: { sessionId: a.publicId } }),
      expect.objectContaining({ name: 'session-opened', data: { sessionId: b.publicId } }),
    ]);
    store.close();
  });

  it('ends a session idle for too long', () => {
    const { store, seen, advance } = setUp();
    const session = store.create(account, '::1', 'test');
    advance(900);
    expect(store.use(session.id)).not.toBeNull();
    advance(900);
    expect(store.use(session.id)).not.toBeNull();
    advance(1000);
    expect(store.use(session.id)).toBeNull();
    expect(seen.at(-1)).toMatchObject({
      name: 'session-closed',
      data: { sessionId: session.publicId, reason: 'idle' },
    });
    store.close();
  });

  it('ends a session at its absolute timeout even when active', () => {
    const { store, seen, advance } = setUp();
    const session = store.create(account, '::1', 'test');
    for (let i = 0; i < 5; i += 1) {
      advance(999);
      store.use(session.id);
    }
    advance(10);
    expect(store.use(session.id)).toBeNull();
    expect(seen.at(-1)).toMatchObject({ name: 'session-closed', data: { reason: 'expired' } });
    store.close();
  });

  it('sweeps expired sessions that never come back', () => {
    const { store, seen, advance } = setUp();
    store.create(account, '::1', 'test');
    advance(1500);
    store.sweep();
    expect(store.list()).toEqual([]);
    expect(seen.at(-1)).toMatchObject({ name: 'session-closed', data: { reason: 'idle' } });
    store.close();
  });

  it('destroys at logout and ignores unknown ids', () => {
    const { store } = setUp();
    const session = store.create(account, '::1', 'test');
    store.destroy(session.id, 'logout');
    expect(store.use(session.id)).toBeNull();
    expect(store.use('forged')).toBeNull();
    expect(store.use(undefined)).toBeNull();
    store.close();
  });

  it('reads the rights again when the files moved, with no event: a demotion downgrades, a lock ends', () => {
    const { store, seen, rights } = setUp();
    const session = store.create({ ...account, isAdmin: true }, '::1', 'test');
    expect(store.use(session.id)?.isAdmin).toBe(true);
    rights.change('alice', rights.access('alice', false));
    expect(store.use(session.id)).toMatchObject({ login: 'alice', isAdmin: false });
    expect(seen.at(-1)).toMatchObject({
      name: 'session-changed',
      data: { sessionId: session.publicId, isAdmin: false },
    });
    rights.change('alice', { ...rights.access('alice', false), refusal: 'locked' });
    expect(store.use(session.id)).toBeNull();
    expect(seen.at(-1)).toMatchObject({
      name: 'session-closed',
      data: { sessionId: session.publicId, reason: 'account-locked' },
    });
    store.close();
  });

  it('checks every session on an account event, without waiting for their next request', () => {
    const { store, seen, rights, events } = setUp();
    const alices = [store.create(account, '::1', 'a'), store.create(account, '::1', 'b')];
    const bobs = store.create({ ...account, login: 'bob' }, '::1', 'c');
    rights.change('alice', null);
    events.emit('account-removed', 'accounts', { login: 'alice' });
    const closed = seen.filter((event) => event.name === 'session-closed').map((event) => event.data);
    expect(closed).toEqual(alices.map((session) => ({ sessionId: session.publicId, reason: 'account-removed' })));
    expect(store.list()).toEqual([bobs]);
    store.close();
  });

  it('ends the sessions of an expired account when the day comes, the files unchanged', () => {
    const midnight = 20_000 * 86_400_000;
    const { store, seen, rights, advance } = setUp({ now: midnight - 100 });
    const session = store.create(account, '::1', 'test');
    rights.rights.getAccess = (login: string, day?: number) =>
      day! >= 20_000 ? { ...rights.state.accounts[login]!, refusal: 'account-expired' } : rights.state.accounts[login]!;
    expect(store.use(session.id)).not.toBeNull();
    advance(200);
    expect(store.use(session.id)).toBeNull();
    expect(seen.at(-1)).toMatchObject({ name: 'session-closed', data: { reason: 'account-expired' } });
    store.close();
  });

  it('ends the other sessions of a new password, and keeps the one that set it', async () => {
    const { store, seen, rights, events } = setUp();
    const mine = store.create(account, '::1', 'mine');
    const other = store.create(account, '::1', 'other');
    await store.applyOwnPasswordChange(mine.id, async () => {
      rights.change('alice', rights.access('alice', true, 'c2'));
      events.emit('account-changed', 'accounts', { login: 'alice', fields: ['password', 'passwordChanged'] });
    });
    expect(store.use(mine.id)).not.toBeNull();
    expect(store.use(other.id)).toBeNull();
    expect(seen.filter((event) => event.name === 'session-closed').map((event) => event.data)).toEqual([
      { sessionId: other.publicId, reason: 'password-changed' },
    ]);
    // Someone else changes it later: this one ends too.
    rights.change('alice', rights.access('alice', true, 'c3'));
    expect(store.use(mine.id)).toBeNull();
    store.close();
  });

  it('keeps sessions across a restart in a 0600 file that holds no cookie id', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'licorn-sessions-'));
    const file = join(dir, 'sessions.json');
    try {
      const first = setUp({ file });
      const session = first.store.create(account, '192.0.2.1', 'test');
      first.store.use(session.id);
      // Must change its password first: a restart does not lift that.
      const expired = first.store.create(account, '192.0.2.1', 'expired', { mustChangePassword: true });
      await first.store.close();
      const text = await readFile(file, 'utf8');
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(text).not.toContain(session.id);
      expect(text).toContain(createHash('sha256').update(session.id).digest('hex'));

      const second = setUp({ file });
      await second.store.restore();
      const restored = second.store.use(session.id);
      expect(restored).toMatchObject({
        id: session.id,
        publicId: session.publicId,
        csrfToken: session.csrfToken,
        login: 'alice',
        address: '192.0.2.1',
      });
      expect(restored?.mustChangePassword).toBeUndefined();
      expect(second.store.use(expired.id)?.mustChangePassword).toBe(true);
      expect(second.store.use('not-the-id')).toBeNull();
      await second.store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('drops at restart the sessions past a timeout and those whose account changed meanwhile', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'licorn-sessions-'));
    const file = join(dir, 'sessions.json');
    try {
      const first = setUp({ file });
      const idle = first.store.create(account, '::1', 'idle');
      first.advance(600);
      const kept = first.store.create(account, '::1', 'kept');
      const bobs = first.store.create({ ...account, login: 'bob' }, '::1', 'bob');
      await first.store.close();

      const second = setUp({ file, now: first.now() + 500 });
      second.rights.change('bob', second.rights.access('bob', false, 'new-password'));
      await second.store.restore();
      expect(second.store.list().map((session) => session.publicId)).toEqual([kept.publicId]);
      expect(second.store.use(idle.id)).toBeNull();
      expect(second.store.use(bobs.id)).toBeNull();
      await second.store.close();
      expect(await readFile(file, 'utf8')).not.toContain(bobs.publicId);
      // A damaged file starts empty, with a word in the log.
      await writeFile(file, '{"version":1,"sessions":[{"key":"nope"}]', { mode: 0o600 });
      const warnings: string[] = [];
      const third = new SessionStore({
        idleTimeoutMs: 1000,
        absoluteTimeoutMs: 5000,
        events: new EventBus(),
        rights: createRights().rights,
        file,
        warn: (message) => warnings.push(message),
      });
      await third.restore();
      expect(third.list()).toEqual([]);
      expect(warnings.join()).toMatch(/sessions file .*sessions\.json: /);
      await third.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  // Red team's LOW 11: one plain account opened 110 sessions in 10 s, all on the dashboard.
  it("ends an account's oldest session at a login past sessions.max_per_account, and no other", () => {
    const { store, seen, advance } = setUp({ maxPerAccount: 3 });
    const bobs = store.create({ ...account, login: 'bob' }, '::1', 'bob');
    const alices = Array.from({ length: 3 }, (_, i) => {
      advance(10);
      return store.create(account, '::1', `alice ${i}`);
    });
    seen.length = 0;
    advance(10);
    const newest = store.create(account, '::1', 'alice 3');
    expect(store.use(alices[0]!.id)).toBeNull();
    expect(seen.map((event) => [event.name, event.data])).toEqual([
      ['session-opened', { sessionId: newest.publicId }],
      ['session-closed', { sessionId: alices[0]!.publicId, reason: 'too-many-sessions' }],
    ]);
    expect(store.list().map((session) => session.userAgent)).toEqual(['bob', 'alice 1', 'alice 2', 'alice 3']);
    for (const kept of [bobs, alices[1]!, alices[2]!, newest]) expect(store.use(kept.id)).not.toBeNull();
    // A burst of logins keeps the newest three, whatever the number.
    for (let i = 4; i < 110; i += 1) store.create(account, '::1', `alice ${i}`);
    expect(store.list().map((session) => session.userAgent)).toEqual(['bob', 'alice 107', 'alice 108', 'alice 109']);
    store.close();
  });

  it("keeps at restart each account's newest sessions within a cap lowered meanwhile", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'licorn-sessions-'));
    const file = join(dir, 'sessions.json');
    try {
      const first = setUp({ file });
      for (let i = 0; i < 4; i += 1) {
        first.advance(10);
        first.store.create(account, '::1', `alice ${i}`);
      }
      await first.store.close();
      const second = setUp({ file, now: first.now(), maxPerAccount: 2 });
      await second.store.restore();
      expect(second.store.list().map((session) => session.userAgent)).toEqual(['alice 2', 'alice 3']);
      await second.store.close();
      expect(await readFile(file, 'utf8')).not.toContain('alice 0');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
