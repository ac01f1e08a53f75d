import { EventEmitter } from 'node:events';
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  closeBurst,
  closeCollections,
  closeWindowMs,
  collectEveryMs,
  SocketCloseBursts,
} from '../../../server/web/push/socket-close-bursts.ts';
import { PushHub } from '../../../server/web/push/push-hub.ts';
import type { Viewer } from '../../../server/web/push/stream-message.ts';

// A socket as the hub sees it, enough to open and close it.
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  send(): void {}
  close(): void {
    this.terminate();
  }
  pause(): void {}
  ping(): void {}
  terminate(): void {
    this.readyState = 3;
    this.emit('close');
  }
}

const log = { warn: () => {}, error: () => {}, debug: () => {} } as unknown as FastifyBaseLogger;
const admin: Viewer = { sessionId: 's-admin', publicId: 'p-admin', login: 'admin', isAdmin: true };
const hubs: PushHub[] = [];
afterEach(() => {
  for (const hub of hubs.splice(0)) hub.close();
  vi.useRealTimers();
});

// A burst counter on vitest's fake clock, and the times it asked for a collection.
function createBursts() {
  vi.useFakeTimers({ now: 0 });
  const collections: number[] = [];
  const bursts = new SocketCloseBursts(
    () => collections.push(Date.now()),
    () => Date.now(),
  );
  const burst = () => {
    for (let close = 0; close < closeBurst; close += 1) bursts.noteClose();
  };
  return { bursts, collections, burst };
}

describe('a burst of push sockets closed', () => {
  it('asks for one collection at the burst-th close within the window, none for fewer or slower', () => {
    const { bursts, collections } = createBursts();
    for (let close = 1; close < closeBurst; close += 1) bursts.noteClose();
    expect(collections).toEqual([]);
    vi.advanceTimersByTime(10);
    bursts.noteClose();
    expect(collections).toEqual([10]);
    // The next burst counts from zero.
    for (let close = 1; close < closeBurst; close += 1) bursts.noteClose();
    vi.advanceTimersByTime(closeWindowMs);
    // Closes spread over more than the window: a site's pages reloading, never a burst.
    for (let close = 0; close < closeBurst * 3; close += 1) {
      vi.advanceTimersByTime(closeWindowMs / (closeBurst - 2));
      bursts.noteClose();
    }
    expect(collections).toEqual([10]);
  });

  it('asks for a burst within collectEveryMs of the last one at the gap’s end, once', () => {
    const { collections, burst } = createBursts();
    burst();
    vi.advanceTimersByTime(100);
    burst();
    vi.advanceTimersByTime(100);
    burst();
    expect(collections).toEqual([0]);
    vi.advanceTimersByTime(collectEveryMs);
    expect(collections).toEqual([0, collectEveryMs]);
    vi.advanceTimersByTime(collectEveryMs * 5);
    expect(collections).toEqual([0, collectEveryMs]);
  });

  it('asks for closeCollections.burst at most, then one a minute, however many bursts', () => {
    const { collections, burst } = createBursts();
    // Users closing sockets on purpose: a burst every 100 ms for 5 minutes.
    for (let time = 0; time < 300_000; time += 100) {
      burst();
      vi.advanceTimersByTime(100);
    }
    const { burst: first, perMinute } = closeCollections;
    expect(collections.slice(0, first)).toEqual(Array.from({ length: first }, (_, i) => i * collectEveryMs));
    // The burst is spent in its first seconds; then one a minute (the bucket refilled).
    expect(collections.length).toBeGreaterThanOrEqual(first + 4 * perMinute);
    expect(collections.length).toBeLessThanOrEqual(first + 5 * perMinute);
  });

  it('asks for none once stopped, and drops the one waiting for its gap', () => {
    const { bursts, collections, burst } = createBursts();
    burst();
    burst();
    bursts.stop();
    burst();
    vi.advanceTimersByTime(collectEveryMs * 3);
    expect(collections).toEqual([0]);
  });

  it('is counted by the hub for the sockets it took as they close, and stops with it', () => {
    let collections = 0;
    const maxSockets = { perSession: closeBurst * 2, perAddress: closeBurst * 2 };
    const hub = new PushHub(log, { maxSockets, collect: () => (collections += 1) });
    hubs.push(hub);
    const open = () => {
      const socket = new FakeSocket();
      hub.handleSocket(socket as unknown as WebSocket, {
        viewer: admin,
        address: '192.0.2.1',
        locale: 'en',
        getViewer: () => admin,
      });
      return socket;
    };
    const sockets = Array.from({ length: closeBurst + 1 }, open);
    for (const socket of sockets.slice(0, closeBurst - 1)) socket.terminate();
    expect(hub.clientCount).toBe(2);
    expect(collections).toBe(0);
    sockets[closeBurst - 1]!.terminate();
    expect(collections).toBe(1);
    // Closed with the hub: none counted, no collection waiting.
    hub.close();
    sockets[closeBurst]!.terminate();
    expect(collections).toBe(1);
  });
});
