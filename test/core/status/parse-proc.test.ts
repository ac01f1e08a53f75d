import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  getCounterDelta,
  parseDiskstats,
  parseLoadavg,
  parseMeminfo,
  parseMountinfo,
  parseNetDev,
  parseProcStat,
} from '../../../server/core/status/parse-proc.ts';

// Files copied from a real machine's /proc (a 2-CPU Debian VM with its loop devices, zram,
// eth0, and the cgroup and tmpfs mounts of a container host).
const fixture = (name: string) => readFile(join(import.meta.dirname, '../../fixtures/proc/vm-2cpu', name), 'utf8');

describe("the /proc parsers, on a real machine's files", () => {
  it("reads every CPU's ticks from /proc/stat", async () => {
    const { total, cores } = parseProcStat(await fixture('stat'));
    expect(cores).toHaveLength(2);
    expect(total.user).toBe(277765);
    expect(total.idle).toBe(3601126);
    expect(cores[1]!.system).toBe(71369);
    // The total line is read at another instant than the cores': close, not equal.
    expect(Math.abs(cores[0]!.user + cores[1]!.user - total.user)).toBeLessThan(10);
    expect(() => parseProcStat('intr 1 2 3\n')).toThrow(/no "cpu" line/);
  });

  it('reads /proc/meminfo in bytes', async () => {
    const info = parseMeminfo(await fixture('meminfo'));
    expect(info.MemTotal).toBe(24684084 * 1024);
    expect(info['Active(anon)']).toBe(1504 * 1024);
    expect(info.SwapTotal).toBe(0);
    expect(info.HugePages_Total).toBe(0);
  });

  it('reads the load and the tasks from /proc/loadavg', async () => {
    expect(parseLoadavg(await fixture('loadavg'))).toEqual({
      one: 0.69,
      five: 1.51,
      fifteen: 1.64,
      running: 1,
      total: 79,
    });
    expect(() => parseLoadavg('nonsense')).toThrow(/not understood/);
  });

  it('reads each interface of /proc/net/dev', async () => {
    const interfaces = parseNetDev(await fixture('net-dev'));
    expect([...interfaces.keys()]).toEqual(['lo', 'ifb0', 'ifb1', 'eth0']);
    expect(interfaces.get('eth0')).toEqual({ rxBytes: 1088159663, rxErrors: 0, txBytes: 5454514, txErrors: 0 });
  });

  it('reads each block device of /proc/diskstats', async () => {
    const disks = parseDiskstats(await fixture('diskstats'));
    expect(disks.get('vda')).toEqual({ sectorsRead: 17066322, sectorsWritten: 22392928, busyMs: 100016 });
    expect(disks.has('loop0')).toBe(true);
  });

  it('keeps the real filesystems of /proc/self/mountinfo, each once, with escaped names', async () => {
    expect(parseMountinfo(await fixture('mountinfo'))).toEqual([{ device: '/dev/vda', mountPoint: '/', type: 'ext4' }]);
    const text = [
      '30 1 8:17 / /media/My\\040Disk rw - vfat /dev/sdb1 rw',
      '31 1 8:2 / /home rw shared:1 - ext4 /dev/sda2 rw',
      '32 1 8:2 / /home rw - ext4 /dev/sda2 rw',
      '33 1 0:40 / /run rw - tmpfs tmpfs rw',
      // Btrfs subvolumes are mounted by their root, the same device for all.
      '34 1 0:50 /@ / rw - btrfs /dev/nvme0n1p2 rw,subvol=/@',
      '35 1 0:50 /@srv /srv rw - btrfs /dev/nvme0n1p2 rw,subvol=/@srv',
    ].join('\n');
    expect(parseMountinfo(text).map((mount) => mount.mountPoint)).toEqual(['/media/My Disk', '/home', '/']);
  });

  it("skips bind mounts: a root other than the filesystem's, or the same device again", async () => {
    const text = await readFile(join(import.meta.dirname, '../../fixtures/proc/bind-mounts/mountinfo'), 'utf8');
    expect(parseMountinfo(text)).toEqual([{ device: '/dev/vda', mountPoint: '/', type: 'ext4' }]);
  });

  it('counts across a counter that wrapped, at 2^32 or 2^64', () => {
    expect(getCounterDelta(100, 250)).toBe(150);
    expect(getCounterDelta(2 ** 32 - 10, 5)).toBe(15);
    expect(getCounterDelta(2 ** 40, 7)).toBe(2 ** 64 - 2 ** 40 + 7);
  });
});
