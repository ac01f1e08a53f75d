import { EventEmitter } from 'node:events';
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../../server/core/events/event-bus.ts';
import type { Volume } from '../../../server/core/volumes/volume-schema.ts';
import type { VolumesApi } from '../../../server/core/volumes/volumes-api.ts';
import { PushHub } from '../../../server/web/push/push-hub.ts';
import type { Viewer } from '../../../server/web/push/stream-message.ts';
import { createVolumesTopic } from '../../../server/web/push/topics/volumes-topic.ts';

// A socket as the hub sees it: what the hub sends is recorded.
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: string[] = [];
  send(frame: string): void {
    this.sent.push(frame);
  }
  close(): void {
    this.readyState = 3;
    this.emit('close');
  }
  ping(): void {}
}

const log = { warn: () => {}, error: () => {}, debug: () => {} } as unknown as FastifyBaseLogger;
const admin: Viewer = { sessionId: 's-admin', publicId: 'p-admin', login: 'admin', isAdmin: true };
const closers: (() => void)[] = [];
afterEach(() => closers.splice(0).forEach((close) => close()));

const makeVolume = (name: string): Volume => ({
  name,
  device: `/dev/${name}`,
  disk: null,
  size: 8 * 1024 * 1024,
  removable: false,
  readOnly: false,
  loopFile: null,
  fsType: 'ext4',
  label: null,
  uuid: null,
  mountPoint: null,
  mountOptions: null,
  usage: null,
  state: 'unmounted',
  system: false,
  reserved: false,
  actions: [],
});

// Waits, with a deadline, until `socket` has received a frame containing `text`.
async function waitForFrame(socket: FakeSocket, text: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!socket.sent.some((frame) => frame.includes(text))) {
    if (Date.now() > deadline) throw new Error(`no frame with ${text}: ${socket.sent.join('\n')}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('the volumes topic', () => {
  it('renders no row while nobody follows it (the start discovers every volume), then for its follower', async () => {
    const volumes = new Map<string, Volume>();
    const api = {
      list: () => [...volumes.values()],
      get: (name: string) => volumes.get(name) ?? null,
      writable: { allowed: true, reason: null },
      refreshUsage: async () => {},
    } as unknown as VolumesApi;
    const events = new EventBus();
    const hub = new PushHub(log, { maxSockets: { perSession: 16, perAddress: 16 } });
    const renders: string[] = [];
    const render = async (template: string, data: object) => {
      const name = (data as { row?: { volume: Volume } }).row?.volume.name ?? '';
      renders.push(`${template} ${name}`.trim());
      return `<tr id="volume-${name}"></tr>`;
    };
    const topic = createVolumesTopic(api, '/media', events, hub, render);
    hub.registerTopic(topic);
    closers.push(() => {
      hub.close();
      topic.close();
    });

    for (let i = 0; i < 50; i += 1) {
      volumes.set(`loop${i}`, makeVolume(`loop${i}`));
      events.emit('volume-added', 'volumes', { name: `loop${i}` });
    }
    // The batch runs after the turn it gathers in: a few turns later it has run.
    for (let i = 0; i < 10; i += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(renders).toEqual([]);

    const socket = new FakeSocket();
    hub.handleSocket(socket as unknown as WebSocket, {
      viewer: admin,
      address: '192.0.2.1',
      locale: 'en',
      getViewer: () => admin,
    });
    socket.emit('message', Buffer.from(JSON.stringify({ subscribe: ['volumes'] })), false);
    await waitForFrame(socket, 'volume-loop49');
    expect(renders.filter((render) => render.startsWith('volumes/_row.njk'))).toHaveLength(50);

    renders.length = 0;
    volumes.set('loop50', makeVolume('loop50'));
    events.emit('volume-added', 'volumes', { name: 'loop50' });
    await waitForFrame(socket, 'volume-loop50');
    expect(renders).toEqual(['volumes/_row.njk loop50']);
  });
});
