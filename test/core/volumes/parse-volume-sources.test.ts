import { describe, expect, it } from 'vitest';
import { parseProbeAnswer } from '../../../server/core/volumes/parse-blkid.ts';
import { parseFstab, parseMountInfo, parseSwaps } from '../../../server/core/volumes/parse-mountinfo.ts';

describe('parseMountInfo', () => {
  it('decodes octal escapes and skips optional fields', () => {
    const text =
      '27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,errors=remount-ro\n' +
      '90 27 7:3 / /media/my\\040disk\\134x rw,nodev,noatime master:2 propagation_from:1 - xfs /dev/loop3 rw,attr2\n' +
      'short line\n';
    expect(parseMountInfo(text)).toEqual([
      {
        id: 27,
        parentId: 1,
        dev: '254:0',
        mountPoint: '/',
        mountOptions: 'rw,relatime',
        fsType: 'ext4',
        source: '/dev/vda',
        superOptions: 'rw,errors=remount-ro',
      },
      {
        id: 90,
        parentId: 27,
        dev: '7:3',
        mountPoint: '/media/my disk\\x',
        mountOptions: 'rw,nodev,noatime',
        fsType: 'xfs',
        source: '/dev/loop3',
        superOptions: 'rw,attr2',
      },
    ]);
  });

  it('reads swaps and fstab sources', () => {
    expect(parseSwaps('Filename\tType\tSize\n/dev/sda2   partition 100 0 -2\n/swap\\040file file 1 0 -3\n')).toEqual([
      '/dev/sda2',
      '/swap file',
    ]);
    const fstab =
      '# c\n\nUUID=abc / ext4 defaults 0 1\nLABEL="My\\040Disk" /srv xfs defaults\n/dev/sdb1 /data ext4\n' +
      'proc /proc proc\n';
    expect(parseFstab(fstab)).toEqual([
      { tag: 'UUID', value: 'abc', mountPoint: '/' },
      { tag: 'LABEL', value: 'My Disk', mountPoint: '/srv' },
      { tag: 'path', value: '/dev/sdb1', mountPoint: '/data' },
    ]);
  });
});

describe('parseProbeAnswer', () => {
  it("decodes libblkid's raw bytes; invalid UTF-8 becomes U+FFFD; a newline stays in the label", () => {
    const answer = {
      LABEL: Buffer.from([0x61, 0x0a, ...Buffer.from('ID_FS_TYPE=ntfs/é'), 0xff]),
      UUID: Buffer.from('1234-ABCD'),
      TYPE: Buffer.from('vfat'),
      USAGE: Buffer.from('filesystem'),
      PART_ENTRY_UUID: Buffer.from('0f0e-01'),
    };
    expect(parseProbeAnswer(answer)).toEqual({
      fsType: 'vfat',
      usage: 'filesystem',
      label: 'a\nID_FS_TYPE=ntfs/é\ufffd',
      uuid: '1234-ABCD',
      partUuid: '0f0e-01',
      partLabel: null,
    });
  });

  it("falls back to a FAT boot sector's label; nothing found gives nulls", () => {
    const answer = { LABEL_FATBOOT: Buffer.from('KEY A'), TYPE: Buffer.from('vfat') };
    expect(parseProbeAnswer(answer).label).toBe('KEY A');
    expect(parseProbeAnswer(null)).toMatchObject({ fsType: null, label: null, uuid: null });
    expect(parseProbeAnswer({ LABEL: Buffer.alloc(0) }).label).toBeNull();
  });
});
