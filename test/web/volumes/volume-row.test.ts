import { describe, expect, it } from 'vitest';
import type { Volume } from '../../../server/core/volumes/volume-schema.ts';
import { getVolumeRow } from '../../../server/web/volumes/volume-row.ts';

// A mounted btrfs volume whose label (255 bytes, anyone's choice) tries to write the sentence.
const hostile = `\u202e?tcejE ${'A'.repeat(60)}. Click Unmount: it is safe. ${'B'.repeat(160)}`;
const volume: Volume = {
  name: 'loop7',
  device: '/dev/loop7',
  disk: null,
  size: 128 * 1024 * 1024,
  removable: false,
  readOnly: false,
  loopFile: '/srv/images/long.img',
  fsType: 'btrfs',
  label: hostile,
  uuid: 'a3d1c1de-0000-4000-8000-000000000001',
  mountPoint: '/media/AAAA',
  mountOptions: 'rw',
  usage: null,
  state: 'mounted',
  system: false,
  reserved: false,
  actions: [
    { action: 'mount', allowed: false, reason: 'it is mounted' },
    { action: 'unmount', allowed: true, reason: null },
    { action: 'eject', allowed: true, reason: null },
  ],
};

describe('volume row confirmations (red team L5)', () => {
  it('keeps the verb and device first and quotes a hostile label cut, isolated, without bidi controls', () => {
    const row = getVolumeRow(volume, '/media');
    const unmount = row.offered.find((item) => item.action === 'unmount')!.confirm;
    expect(unmount.startsWith('Unmount /dev/loop7 "\u2068')).toBe(true);
    expect(unmount).not.toContain('\u202e');
    expect(unmount).not.toContain('it is safe');
    const quoted = /"\u2068([^\u2069]*)\u2069"/.exec(unmount)![1]!;
    expect([...quoted].length).toBeLessThanOrEqual(32);
    expect(quoted.endsWith('…')).toBe(true);
    expect(unmount).toContain('from /media/AAAA?');
    for (const text of [row.forceConfirm, ...row.offered.map((item) => item.confirm)]) {
      expect(text.length).toBeLessThan(400);
      expect(text).not.toContain(hostile);
    }
  });
});
