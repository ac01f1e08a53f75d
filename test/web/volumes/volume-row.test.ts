import { describe, expect, it } from 'vitest';
import type { Volume } from '../../../server/core/volumes/volume-schema.ts';
import { getVolumeRow } from '../../../server/web/volumes/volume-row.ts';
import { renderMessage, say } from '../../../server/core/messages.ts';

const mounted = say('volumes.reason.mounted', { mountPoint: '/media/AAAA' });

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
    { action: 'mount', allowed: false, reason: 'already mounted on /media/AAAA', reasonMessage: mounted },
    { action: 'unmount', allowed: true, reason: null, reasonMessage: null },
    { action: 'eject', allowed: true, reason: null, reasonMessage: null },
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

describe("volume row refusals (issue 17: the core's reasons in the row's language)", () => {
  // The machine's own partition: every action refused with one reason, a message nested in another.
  const reason = say('volumes.reason.system', { reason: say('volumes.system.holds', { mountPoint: '/' }) });
  const english = renderMessage(reason, 'en');
  const refusedAll = (['mount', 'unmount', 'eject'] as const).map((action) => ({
    action,
    allowed: false,
    reason: english,
    reasonMessage: reason,
  }));
  const system: Volume = { ...volume, label: null, system: true, actions: refusedAll };

  it('says the reason of a system volume in English and in French', () => {
    expect(english).toBe("one of the machine's own volumes: it holds /");
    expect(getVolumeRow(system, '/media', 'en').refusal).toBe(english);
    expect(getVolumeRow(system, '/media', 'fr').refusal).toBe('un des volumes propres à la machine\u00a0: il porte /');
  });

  it('says why an unmounted volume is not mounted, in French', () => {
    const notLicorn = say('volumes.reason.notLicorn', { fsType: 'vfat', list: 'ext4, btrfs' });
    const unmounted: Volume = {
      ...volume,
      mountPoint: null,
      state: 'unmounted',
      actions: [
        { action: 'mount', allowed: false, reason: renderMessage(notLicorn, 'en'), reasonMessage: notLicorn },
        {
          action: 'unmount',
          allowed: false,
          reason: 'it is not mounted',
          reasonMessage: say('volumes.reason.notMounted'),
        },
        { action: 'eject', allowed: true, reason: null, reasonMessage: null },
      ],
    };
    expect(getVolumeRow(unmounted, '/media', 'fr').refusal).toBe(
      'vfat n’est pas un des systèmes de fichiers de Licorn (ext4, btrfs)\u00a0; le réglage ' +
        'volumes.mount_all_fs l’autorise',
    );
  });
});
