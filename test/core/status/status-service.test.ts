import { describe, expect, it } from 'vitest';
import { EventBus, type CoreEvent } from '../../../server/core/events/event-bus.ts';
import { StatusService } from '../../../server/core/status/status-service.ts';
import { testPasswords } from '../../helpers/sandbox.ts';
import { callApi, createTestApp, openApiSession } from '../../helpers/test-app.ts';

describe("the core's status", () => {
  it('says when sampling starts and stops, as status events', async () => {
    const events = new EventBus();
    const seen: CoreEvent[] = [];
    events.onAny((event) => seen.push(event));
    const status = await StatusService.open({ events, historyFile: null, monitor: { intervalMs: 50 } });
    try {
      const stop = status.listen(() => {});
      stop();
      const sampling = seen.filter((event) => event.name === 'status-sampling');
      expect(sampling.map((event) => [event.facility, event.data])).toEqual([
        ['status', { running: true }],
        ['status', { running: false }],
      ]);
    } finally {
      await status.close();
    }
  });

  it("gives the daemon's uptime, inotify watches and events/s, and the figures registered", async () => {
    const events = new EventBus();
    const status = await StatusService.open({ events, historyFile: null });
    try {
      let requests = 0;
      const stopGauge = status.registerFigure('things', { kind: 'gauge', read: () => 42 });
      status.registerFigure('requests', { kind: 'counter', read: () => (requests += 10) });
      expect(() => status.registerFigure('things', { kind: 'gauge', read: () => 1 })).toThrow(/already registered/);
      const { values } = await status.getCurrent();
      expect(values['daemon.things']).toBe(42);
      // Two readings a quarter second apart, 10 requests between them.
      expect(values['daemon.requests']).toBeGreaterThan(10);
      expect(values['daemon.uptime']).toBeGreaterThanOrEqual(0);
      expect(values['daemon.watches']).toEqual(expect.any(Number));
      expect(values['daemon.events']).toEqual(expect.any(Number));
      stopGauge();
      expect((await status.getCurrent()).values).not.toHaveProperty('daemon.things');
    } finally {
      await status.close();
    }
  });

  it("is the app's: GET /api/v1/status reads it, with the web's figures and the core's watchers", async () => {
    const t = await createTestApp();
    try {
      const admin = await openApiSession(t.app, 'admin', testPasswords.admin);
      const answer = await callApi(t.app, admin, 'GET', '/api/v1/status?metric=daemon.');
      expect(answer.statusCode).toBe(200);
      const { time, values } = answer.json() as { time: number; values: Record<string, number> };
      expect(time).toEqual(expect.any(Number));
      expect(values['daemon.sessions']).toBe(1);
      expect(values['daemon.sockets']).toBe(0);
      expect(values['daemon.requests']).toEqual(expect.any(Number));
      expect(values['daemon.uptime']).toBeGreaterThanOrEqual(0);
      // The accounts watcher (etc) at least, and the volumes watcher's /dev.
      expect(values['daemon.watches']).toBeGreaterThanOrEqual(2);
      expect(Object.keys(values).every((key) => key.startsWith('daemon.'))).toBe(true);
    } finally {
      await t.close();
    }
  });
});
