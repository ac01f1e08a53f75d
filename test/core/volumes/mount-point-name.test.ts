import { describe, expect, it } from 'vitest';
import { chooseFreeName, getMountName, getSafeName } from '../../../server/core/volumes/mount-point-name.ts';

describe('getSafeName', () => {
  it.each([
    ['../../etc', 'etc'],
    ['a/b', 'a_b'],
    ['my  disk', 'my_disk'],
    ['.', ''],
    ['..', ''],
    ['', ''],
    ['.hidden', 'hidden'],
    ['Données été', 'Données_été'],
    ['tab\there\u0000nul', 'tab_here_nul'],
    ['\ufffd\ufffdbad', 'bad'],
    ['back\\slash', 'back_slash'],
  ])('%j → %j', (label, expected) => {
    expect(getSafeName(label)).toBe(expected);
  });

  it('cuts a 255-byte label to 100 bytes without splitting a character', () => {
    const name = getSafeName('é'.repeat(127) + 'x');
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(100);
    expect(name).toBe('é'.repeat(50));
  });

  it('falls back to the UUID, then to the kernel name', () => {
    expect(getMountName('..', 'AB12-34CD', 'sdb1')).toBe('AB12-34CD');
    expect(getMountName(null, null, 'sdb1')).toBe('sdb1');
  });
});

describe('chooseFreeName', () => {
  it('adds -2, -3… until a name is free', async () => {
    const taken = new Set(['Key', 'Key-2']);
    expect(await chooseFreeName('Key', async (name) => !taken.has(name))).toBe('Key-3');
  });
});
