import { describe, expect, it } from 'vitest';
import { diffVolumes } from '../../../server/core/volumes/diff-volumes.ts';
import type { Volume } from '../../../server/core/volumes/volume-schema.ts';

const base: Volume = {
  name: 'sdb1',
  device: '/dev/sdb1',
  disk: 'sdb',
  size: 1024,
  removable: true,
  readOnly: false,
  loopFile: null,
  fsType: 'ext4',
  label: 'Key',
  uuid: 'u',
  mountPoint: null,
  mountOptions: null,
  usage: null,
  state: 'unmounted',
  system: false,
  reserved: false,
  actions: [],
};

describe('diffVolumes', () => {
  it('reports added and removed volumes', () => {
    const other = { ...base, name: 'sdc1' };
    expect(diffVolumes([base], [other])).toEqual([
      { name: 'volume-removed', data: { name: 'sdb1' } },
      { name: 'volume-added', data: { name: 'sdc1' } },
    ]);
  });

  it('reports a mount, a move, fields changed and usage', () => {
    const mounted = {
      ...base,
      mountPoint: '/media/Key',
      mountOptions: 'rw',
      state: 'mounted' as const,
      usage: { total: 10, used: 1, available: 9 },
    };
    expect(diffVolumes([base], [mounted])).toEqual([
      { name: 'volume-mounted', data: { name: 'sdb1', mountPoint: '/media/Key' } },
    ]);
    const moved = { ...mounted, mountPoint: '/media/Key-2' };
    expect(diffVolumes([mounted], [moved]).map((event) => event.name)).toEqual(['volume-unmounted', 'volume-mounted']);
    const changed = { ...mounted, label: 'New', reserved: true, usage: { total: 10, used: 2, available: 8 } };
    expect(diffVolumes([mounted], [changed])).toEqual([
      { name: 'volume-changed', data: { name: 'sdb1', fields: ['label', 'reserved'] } },
      { name: 'volume-usage', data: { name: 'sdb1' } },
    ]);
    expect(diffVolumes([mounted], [{ ...mounted }])).toEqual([]);
  });
});
