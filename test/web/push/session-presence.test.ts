import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SessionPresence } from '../../../server/web/push/session-presence.ts';

describe('SessionPresence', () => {
  let presence: SessionPresence;
  let changes: [string, boolean][];
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
    presence = new SessionPresence({ graceMs: 2000 });
    changes = [];
    presence.onChange((publicId, connected) => changes.push([publicId, connected]));
  });
  afterEach(() => {
    presence.close();
    vi.useRealTimers();
  });

  it('announces the first page of a session, and its departure once its last page is closed for the grace time', () => {
    presence.addSocket('a');
    presence.addSocket('a');
    expect(changes).toEqual([['a', true]]);
    presence.removeSocket('a');
    presence.removeSocket('a');
    expect(presence.isConnected('a')).toBe(true);
    vi.advanceTimersByTime(1999);
    expect(changes).toEqual([['a', true]]);
    vi.advanceTimersByTime(1);
    expect(changes).toEqual([
      ['a', true],
      ['a', false],
    ]);
    expect(presence.isConnected('a')).toBe(false);
    // Last seen when its last page closed, not when the grace time ran out.
    expect(presence.getLastSeen('a')).toBe(1_000_000);
  });

  it('says nothing when a click to another page closes a socket and opens the next', () => {
    presence.addSocket('a');
    presence.removeSocket('a');
    vi.advanceTimersByTime(300);
    presence.addSocket('a');
    vi.advanceTimersByTime(10_000);
    expect(changes).toEqual([['a', true]]);
    expect(presence.isConnected('a')).toBe(true);
  });

  it('forgets an ended session: its sockets closing after it announce nothing', () => {
    presence.addSocket('a');
    presence.forget('a');
    presence.removeSocket('a');
    vi.advanceTimersByTime(10_000);
    expect(changes).toEqual([['a', true]]);
    expect(presence.isConnected('a')).toBe(false);
    expect(presence.getLastSeen('a')).toBeUndefined();
  });
});
