import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProcFiles } from '../../../server/core/status/sampler.ts';
import { createCpuSampler } from '../../../server/core/status/samplers/cpu-sampler.ts';
import { createMemorySampler } from '../../../server/core/status/samplers/memory-sampler.ts';
import { createNetworkSampler } from '../../../server/core/status/samplers/network-sampler.ts';
import { createDiskSampler } from '../../../server/core/status/samplers/disk-sampler.ts';
import { createFilesystemSampler, type ReadStatfs } from '../../../server/core/status/samplers/filesystem-sampler.ts';
import { ToolTimeoutError } from '../../../server/core/volumes/run-tool.ts';
import { renderStatus } from '../../../server/cli/render/status-view.ts';
import { createLoadSampler } from '../../../server/core/status/samplers/load-sampler.ts';

const fixture = (name: string) => readFile(join(import.meta.dirname, '../../fixtures/proc/vm-2cpu', name), 'utf8');

// /proc as a sequence of readings: each call to `next()` moves to the next texts. The
// second readings are the real files with counters moved on by hand (a wrap, an interface
// that appears, one that goes).
function createReadings(readings: Partial<Record<string, string>>[]): ProcFiles & { next(): void } {
  let index = 0;
  return {
    next: () => {
      index += 1;
    },
    read: async (name) =>
      readings[index]?.[name] ??
      (await fixture(name === 'net/dev' ? 'net-dev' : name === 'self/mountinfo' ? 'mountinfo' : name)),
  };
}

describe('the samplers', () => {
  it('turn CPU ticks into shares of the interval, for all cores and each', async () => {
    const stat = await fixture('stat');
    const later = stat
      .replace(/^cpu  .*$/m, 'cpu  277865 12313 130393 3601476 5232 0 6208 158 0 0')
      .replace(/^cpu0 .*$/m, 'cpu0 134066 5940 59024 1814071 826 0 2609 75 0 0')
      .replace(/^cpu1 .*$/m, 'cpu1 143798 6373 71369 1787404 4405 0 3599 83 0 0');
    const proc = createReadings([{ stat }, { stat: later }]);
    const sampler = createCpuSampler(proc);
    expect(await sampler.sample(0)).toEqual({ 'cpu.cores': 2 });
    proc.next();
    const values = await sampler.sample(1000);
    // 100 user + 50 system + 350 idle = 500 ticks.
    expect(values['cpu.user']).toBeCloseTo(20);
    expect(values['cpu.system']).toBeCloseTo(10);
    expect(values['cpu.idle']).toBeCloseTo(70);
    expect(values['cpu0.user']).toBeCloseTo((100 * 100) / 150);
    expect(values['cpu1.idle']).toBeCloseTo(100);
    sampler.stop();
    expect(await sampler.sample(2000)).toEqual({ 'cpu.cores': 2 });
  });

  it('split memory as free(1) does: used, buffers, cache and free add up to the total', async () => {
    const values = await createMemorySampler(createReadings([{}])).sample(0);
    expect(values['memory.used']! + values['memory.buffers']! + values['memory.cache']! + values['memory.free']!).toBe(
      values['memory.total'],
    );
    expect(values['swap.total']).toBe(0);
  });

  it('give network rates across a wrapped counter, for interfaces that stay; loopback hidden', async () => {
    const netDev = await fixture('net-dev');
    const later = netDev
      .replace(
        /^\s*eth0:.*$/m,
        '  eth0:      1000   45400    0    0    0     0          0         0  5464514   39300    2    0    0   ' +
          '  0       0          0',
      )
      .replace(
        /^\s*ifb1:.*$/m,
        '  wlan0:   500       5    0    0    0     0          0         0      800       8    0    0    0     ' +
          '0       0          0',
      );
    const proc = createReadings([{ 'net/dev': netDev }, { 'net/dev': later }, { 'net/dev': later }]);
    const sampler = createNetworkSampler(proc);
    expect(await sampler.sample(0)).toEqual({});
    proc.next();
    const values = await sampler.sample(2000);
    // eth0's received bytes wrapped at 2^32 (1,088,159,663 → 1,000) over 2 s.
    expect(values['net.eth0.rx']).toBe((2 ** 32 - 1088159663 + 1000) / 2);
    expect(values['net.eth0.tx']).toBe(5000);
    expect(values['net.eth0.errors']).toBe(1);
    expect(values).not.toHaveProperty('net.lo.rx');
    // ifb1 went, wlan0 came: no rate for either yet.
    expect(Object.keys(values).some((key) => key.startsWith('net.ifb1') || key.startsWith('net.wlan0'))).toBe(false);
    proc.next();
    expect((await sampler.sample(3000))['net.wlan0.rx']).toBe(0);
    const withLoopback = createNetworkSampler(createReadings([{}, {}]), { includeLoopback: true });
    await withLoopback.sample(0);
    expect(await withLoopback.sample(1000)).toHaveProperty('net.lo.rx', 0);
  });

  it('follow an interface that appears, carries traffic and goes (in a private network namespace)', async () => {
    // Captured by test/fixtures/proc/netns-veth/capture.sh.
    const readings = await Promise.all(
      [1, 2, 3, 4].map((index) =>
        readFile(join(import.meta.dirname, `../../fixtures/proc/netns-veth/net-dev-${index}`), 'utf8'),
      ),
    );
    let index = 0;
    const proc: ProcFiles = { read: async () => readings[index]! };
    const sampler = createNetworkSampler(proc);
    const withLoopback = createNetworkSampler(proc, { includeLoopback: true });
    const sampleBoth = async (reading: number, time: number) => {
      index = reading;
      return [await sampler.sample(time), await withLoopback.sample(time)] as const;
    };
    expect(await sampleBoth(0, 0)).toEqual([{}, {}]);
    // v0 appeared: no rate until its second reading.
    expect((await sampleBoth(1, 1000))[0]).toEqual({});
    const [values, loopback] = await sampleBoth(2, 3000);
    expect(values).toEqual({ 'net.v0.rx': (4008 - 3848) / 2, 'net.v0.tx': (73498 - 52568) / 2, 'net.v0.errors': 0 });
    expect(loopback['net.lo.rx']).toBe((75880 - 54200) / 2);
    // v0 was deleted: it is simply no longer there.
    expect((await sampleBoth(3, 4000))[0]).toEqual({});
  });

  it('give disk rates and busy time for whole disks only', async () => {
    const diskstats = await fixture('diskstats');
    const later = diskstats.replace(
      / vda .*$/m,
      ' vda 228300 33802 17068370 211370 561400 216689 22397024 87148 0 100516 330992 304062 400 17565696 ' +
        '26340 140440 6132',
    );
    const proc = createReadings([{ diskstats }, { diskstats: later }]);
    const sampler = createDiskSampler(proc, async () => new Set(['vda', 'zram0']));
    await sampler.sample(0);
    proc.next();
    const values = await sampler.sample(1000);
    expect(values['disk.vda.read']).toBe(2048 * 512);
    expect(values['disk.vda.write']).toBe(4096 * 512);
    expect(values['disk.vda.busy']).toBe(50);
    expect(values['disk.zram0.read']).toBe(0);
    expect(Object.keys(values).some((key) => key.startsWith('disk.loop'))).toBe(false);
  });

  it('measure each real filesystem, and read the load', async () => {
    const values = await createFilesystemSampler(createReadings([{}])).sample(0);
    expect(values['fs./.size']).toBeGreaterThan(0);
    expect(values['fs./.used']).toBeLessThanOrEqual(values['fs./.size']!);
    expect(await createLoadSampler(createReadings([{}])).sample(0)).toEqual({
      'load.1': 0.69,
      'load.5': 1.51,
      'load.15': 1.64,
      'tasks.running': 1,
      'tasks.total': 79,
    });
  });

  it('leave bind mounts out of the filesystems (issue 12, item 8)', async () => {
    // Both tables of one private mount namespace with /etc, a directory and the whole root
    // bound elsewhere (fixtures/proc/bind-mounts/capture.sh).
    const dir = join(import.meta.dirname, '../../fixtures/proc/bind-mounts');
    const proc: ProcFiles = { read: (name) => readFile(join(dir, name.replace('self/', '')), 'utf8') };
    const stats: ReadStatfs = async (requests) =>
      requests.map(() => ({ answer: { blocks: 100, free: 40, available: 30, blockSize: 4096 } }));
    const values = await createFilesystemSampler(proc, stats).sample(0);
    expect(Object.keys(values)).toEqual(['fs./.size', 'fs./.used', 'fs./.available']);
    expect(values['fs./.used']).toBe(60 * 4096);
  });

  it('show a filesystem that misses its statfs deadline as not answering, never read twice at once', async () => {
    // A dead NFS server: statfs of /mnt/dead never returns; its thread is abandoned.
    const proc: ProcFiles = {
      read: async () => '22 1 8:1 / / rw - ext4 /dev/sda1 rw\n23 22 0:50 / /mnt/dead rw - nfs4 server:/export rw\n',
    };
    const asked: string[][] = [];
    let endThread = () => {};
    const exited = new Promise<void>((resolve) => {
      endThread = resolve;
    });
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const stats: ReadStatfs = async (requests, timeoutMs) => {
      asked.push(requests.map(([, mountPoint]) => mountPoint));
      await held;
      return requests.map(([, mountPoint]) =>
        mountPoint === '/mnt/dead'
          ? { timeout: new ToolTimeoutError('statfs', timeoutMs, exited) }
          : { answer: { blocks: 10, free: 5, available: 5, blockSize: 1024 } },
      );
    };
    const sampler = createFilesystemSampler(proc, stats, 50);
    // Two callers at once (the tick and the status API) share one reading.
    const [first, second] = [sampler.sample(0), sampler.sample(0)];
    release();
    expect(await first).toEqual(await second);
    expect(asked).toEqual([['/', '/mnt/dead']]);
    expect(await first).toMatchObject({ 'fs./.size': 10 * 1024, 'fs./mnt/dead.notAnswering': 1 });
    expect(Object.keys(await first)).not.toContain('fs./mnt/dead.size');
    // Its read still hangs: not asked again, still shown as not answering.
    expect(await sampler.sample(0)).toMatchObject({ 'fs./mnt/dead.notAnswering': 1 });
    expect(asked.at(-1)).toEqual(['/']);
    // The abandoned read ended: asked again.
    endThread();
    await exited;
    await sampler.sample(0);
    expect(asked.at(-1)).toEqual(['/', '/mnt/dead']);
    const view = renderStatus(
      { colors: false, isTerminal: false, write: () => true },
      { time: 0, values: await first },
      'here',
    ).join('\n');
    expect(view).toMatch(/\/mnt\/dead not answering/);
  });
});
