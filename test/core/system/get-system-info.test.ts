import { describe, expect, it } from 'vitest';
import { getSystemInfo, parseMemAvailable, parseOsRelease } from '../../../server/core/system/get-system-info.ts';

describe('system info', () => {
  it('reads PRETTY_NAME in its quoting styles', () => {
    expect(parseOsRelease('NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n')).toBe(
      'Debian GNU/Linux 12 (bookworm)',
    );
    expect(parseOsRelease("PRETTY_NAME='Alpine Linux v3.19'\n")).toBe('Alpine Linux v3.19');
    expect(parseOsRelease('PRETTY_NAME=Arch\n')).toBe('Arch');
    expect(parseOsRelease('PRETTY_NAME="say \\"hi\\""\n')).toBe('say "hi"');
    expect(parseOsRelease('NAME=x\n')).toBeNull();
  });

  it('reads MemAvailable in bytes', () => {
    expect(parseMemAvailable('MemTotal:       16318480 kB\nMemAvailable:    8000000 kB\n')).toBe(8_192_000_000);
    expect(parseMemAvailable('MemTotal: 1 kB\n')).toBeNull();
  });

  it('describes this machine', async () => {
    const info = await getSystemInfo();
    expect(info.cpuCount).toBeGreaterThan(0);
    expect(info.memoryTotalBytes).toBeGreaterThan(info.memoryAvailableBytes);
    expect(info.kernel).toMatch(/^Linux \d/);
    expect(info.distribution.length).toBeGreaterThan(0);
  });
});
