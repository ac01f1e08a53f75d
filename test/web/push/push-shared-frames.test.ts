import { EventEmitter } from 'node:events';
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import { PushHub } from '../../../server/web/push/push-hub.ts';
import { createStatusTopic } from '../../../server/web/push/topics/status-topic.ts';
import type { EventBus } from '../../../server/core/events/event-bus.ts';
import type { StatusMonitor, StatusSample } from '../../../server/core/status/status-monitor.ts';

// A socket as the hub sees it: what it is sent, as given (a buffer shared by every socket
// is the same object in each), and whether it goes as text.
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: { frame: unknown; binary: boolean | undefined }[] = [];
  send(frame: unknown, options?: { binary?: boolean }): void {
    this.sent.push({ frame, binary: options?.binary });
  }
  close(): void {}
  ping(): void {}
  terminate(): void {}
}

const log = { warn: () => {}, error: () => {}, debug: () => {} } as unknown as FastifyBaseLogger;

// A monitor with ten minutes of history that counts how often the history is read.
function createMonitor(): StatusMonitor & { reads: number; emit(sample: StatusSample): void } {
  const now = Date.now();
  const history = Array.from({ length: 600 }, (_, index) => ({
    time: now - (600 - index) * 1000,
    values: { 'cpu.user': index % 100, 'memory.used': index * 1e6 },
  }));
  const listeners = new Set<(sample: StatusSample) => void>();
  return {
    reads: 0,
    revision: 1,
    getHistory(this: { reads: number }) {
      this.reads += 1;
      return history;
    },
    listen(listener: (sample: StatusSample) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(sample: StatusSample) {
      for (const listener of listeners) listener(sample);
    },
  } as unknown as StatusMonitor & { reads: number; emit(sample: StatusSample): void };
}

describe('1,000 status followers cost one rendered frame, not 1,000', () => {
  it('packs the snapshot once and sends every follower the same buffer, as text', async () => {
    const hub = new PushHub(log, { maxSockets: { perSession: 2000, perAddress: 2000 } });
    const monitor = createMonitor();
    const events = { on: () => () => {} } as unknown as EventBus;
    const topic = createStatusTopic(monitor, hub, events);
    hub.registerTopic(topic);
    const viewer = { sessionId: 's', publicId: 'p', login: 'admin', isAdmin: true };
    const sockets = Array.from({ length: 1000 }, () => new FakeSocket());
    const firstSecond = Math.floor(Date.now() / 1000);
    for (const socket of sockets) {
      hub.handleSocket(socket as unknown as WebSocket, {
        viewer,
        address: '127.0.0.1',
        locale: 'en',
        getViewer: () => viewer,
      });
      socket.emit('message', Buffer.from('{"subscribe":["status"]}'), false);
    }
    const end = Date.now() + 10_000;
    while (sockets.some((socket) => socket.sent.length === 0) && Date.now() < end)
      await new Promise((resolve) => setImmediate(resolve));
    // The seconds the renders spanned: 1, or 2 across a boundary; more on a machine loaded
    // enough (a full suite beside other work) that 1,000 subscriptions take over a second.
    const seconds = Math.max(2, Math.floor(Date.now() / 1000) - firstSecond + 1);
    const snapshots = sockets.map((socket) => socket.sent[0]!);
    expect(Buffer.isBuffer(snapshots[0]!.frame)).toBe(true);
    // (The window slides each second: each second boundary during the renders makes one more.)
    expect(new Set(snapshots.map((sent) => sent.frame)).size).toBeLessThanOrEqual(seconds);
    expect(snapshots.every((sent) => sent.binary === false)).toBe(true);
    expect(JSON.parse(String(snapshots[0]!.frame))[0].data.history.times).toHaveLength(600);
    // Renders within the same second and revision read the history once.
    expect(monitor.reads).toBeLessThanOrEqual(seconds);

    // Each tick: one buffer for all.
    monitor.emit({ time: Date.now(), values: { 'cpu.user': 1 } });
    const ticks = sockets.map((socket) => socket.sent[1]!);
    expect(ticks.every((sent) => sent.frame === ticks[0]!.frame && sent.binary === false)).toBe(true);
    topic.close();
    hub.close();
  });
});
