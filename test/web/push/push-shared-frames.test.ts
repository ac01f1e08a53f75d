import { EventEmitter } from 'node:events';
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import { PushHub } from '../../../server/web/push/push-hub.ts';
import { createStatusTopics } from '../../../server/web/push/topics/status-topic.ts';
import { statusPageTopic } from '../../../common/status-charts.ts';
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

// A monitor with ten minutes of history that counts how often the history is read. Its
// snapshot stays under 16 KiB: a larger frame goes in fragments (frame-outbox.ts).
function createMonitor(): StatusMonitor & { reads: number; emit(sample: StatusSample): void } {
  const now = Date.now();
  const history = Array.from({ length: 600 }, (_, index) => ({
    time: now - (600 - index) * 1000,
    values: { 'cpu.user': index % 100, 'memory.used': index * 1e3, 'daemon.rss': index % 10 },
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
  it("packs each topic's snapshot once and sends every follower the same buffer, as text", async () => {
    const hub = new PushHub(log, { maxSockets: { perSession: 2000, perAddress: 2000 } });
    const monitor = createMonitor();
    const events = { on: () => () => {} } as unknown as EventBus;
    const status = createStatusTopics(monitor, hub, events);
    status.topics.forEach((topic) => hub.registerTopic(topic));
    const viewer = { sessionId: 's', publicId: 'p', login: 'admin', isAdmin: true };
    const sockets = Array.from({ length: 1000 }, () => new FakeSocket());
    const firstSecond = Math.floor(Date.now() / 1000);
    // Half follow every metric's history (`status`), half the Status page's charts'.
    const topicOf = (index: number) => (index % 2 === 0 ? 'status' : statusPageTopic);
    for (const [index, socket] of sockets.entries()) {
      hub.handleSocket(socket as unknown as WebSocket, {
        viewer,
        address: '127.0.0.1',
        locale: 'en',
        getViewer: () => viewer,
      });
      socket.emit('message', Buffer.from(JSON.stringify({ subscribe: [topicOf(index)] })), false);
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
    for (const parity of [0, 1]) {
      const ofTopic = snapshots.filter((_sent, index) => index % 2 === parity);
      expect(new Set(ofTopic.map((sent) => sent.frame)).size).toBeLessThanOrEqual(seconds);
    }
    expect(snapshots.every((sent) => sent.binary === false)).toBe(true);
    const [all, page] = [0, 1].map((index) => JSON.parse(String(snapshots[index]!.frame))[0].data);
    expect(all.history.times).toHaveLength(600);
    expect(Object.keys(all.history.values)).toEqual(['cpu.user', 'memory.used', 'daemon.rss']);
    expect(all.latest).toBeUndefined();
    // The page's charts draw the first two over time; the third is in the last sample only.
    expect(page.history.times).toHaveLength(600);
    expect(Object.keys(page.history.values)).toEqual(['cpu.user', 'memory.used']);
    expect(page.latest.values['daemon.rss']).toBe(9);
    // Renders within the same second and revision read the history once per topic.
    expect(monitor.reads).toBeLessThanOrEqual(2 * seconds);

    // Each tick: one buffer for all, whatever topic they follow.
    monitor.emit({ time: Date.now(), values: { 'cpu.user': 1 } });
    const ticks = sockets.map((socket) => socket.sent[1]!);
    expect(ticks.every((sent) => sent.frame === ticks[0]!.frame && sent.binary === false)).toBe(true);
    status.close();
    hub.close();
  });
});
