import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../server/core/events/event-bus.ts';
import type { Volume } from '../../../server/core/volumes/volume-schema.ts';
import type { VolumesApi } from '../../../server/core/volumes/volumes-api.ts';
import { createVolumesTopic } from '../../../server/web/push/topics/volumes-topic.ts';
import { openTestHub, waitForFrame } from '../../helpers/push-followers.ts';

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
    const renders: string[] = [];
    const render = async (template: string, data: object) => {
      const name = (data as { row?: { volume: Volume } }).row?.volume.name ?? '';
      renders.push(`${template} ${name}`.trim());
      return `<tr id="volume-${name}"></tr>`;
    };
    const { follow } = openTestHub((hub) => [createVolumesTopic(api, '/media', events, hub, render)]);

    for (let i = 0; i < 50; i += 1) {
      volumes.set(`loop${i}`, makeVolume(`loop${i}`));
      events.emit('volume-added', 'volumes', { name: `loop${i}` });
    }
    // The batch runs after the turn it gathers in: a few turns later it has run.
    for (let i = 0; i < 10; i += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(renders).toEqual([]);

    const socket = follow(['volumes']);
    await waitForFrame(socket, 'volume-loop49');
    expect(renders.filter((render) => render.startsWith('volumes/_row.njk'))).toHaveLength(50);

    renders.length = 0;
    volumes.set('loop50', makeVolume('loop50'));
    events.emit('volume-added', 'volumes', { name: 'loop50' });
    await waitForFrame(socket, 'volume-loop50');
    expect(renders).toEqual(['volumes/_row.njk loop50']);
  });
});
