import { describe, expect, it } from 'vitest';
import { EventBus, type CoreEvent } from '../../../server/core/events/event-bus.ts';
import { SessionStore } from '../../../server/web/sessions/session-store.ts';

const account = {
  login: 'alice', fullName: 'Alice', uid: 1000, gid: 100, primaryGroup: 'users', groups: [], home: '/home/alice', shell: '/bin/sh',
  locked: false, system: false, passwordChanged: 20000, expiry: null, version: "v1", isAdmin: false,
};

function setUp() {
  let now = 1_000_000;
  const events = new EventBus();
  const seen: CoreEvent[] = [];
  events.onAny((event) => seen.push(event));
  const store = new SessionStore({ idleTimeoutMs: 1000, absoluteTimeoutMs: 5000, events, now: () => now });
  return { store, seen, advance: (ms: number) => { now += ms; } };
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
    expect(seen.at(-1)).toMatchObject({ name: 'session-closed', data: { sessionId: session.publicId, reason: 'idle' } });
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
});
