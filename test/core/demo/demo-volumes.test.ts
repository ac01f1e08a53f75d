import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachDemoVolumes, getDemoImageDir, type DemoVolumes } from '../../../server/core/demo/demo-volumes.ts';
import { shouldSkipLoopTests } from '../../helpers/loop-devices.ts';

const run = promisify(execFile);

const backingFile = (device: string) =>
  readFile(`/sys/class/block/${device.slice('/dev/'.length)}/loop/backing_file`, 'utf8').then(
    (text) => text.trim(),
    () => null,
  );

describe.skipIf(shouldSkipLoopTests())("the demo's volumes", () => {
  let dir = '';
  const started: DemoVolumes[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'licorn-demo-volumes-'));
  });
  afterAll(async () => {
    for (const volumes of started) await volumes.detach();
    await rm(dir, { recursive: true, force: true });
  });

  it('makes an ext4 "Archives" and a vfat "USB-KEY" in the sandbox, attached as loops, then detached', async () => {
    const volumes = await attachDemoVolumes(dir);
    started.push(volumes);
    expect(volumes.devices).toHaveLength(2);
    const probes = await Promise.all(
      volumes.devices.map(async (device) => (await run('blkid', ['-p', '-o', 'export', device])).stdout),
    );
    expect(probes[0]).toMatch(/^LABEL=Archives$/m);
    expect(probes[0]).toMatch(/^TYPE=ext4$/m);
    expect(probes[1]).toMatch(/^LABEL=USB-KEY$/m);
    expect(probes[1]).toMatch(/^TYPE=vfat$/m);
    expect(await backingFile(volumes.devices[0]!)).toBe(join(getDemoImageDir(dir), 'archives.img'));

    // A run killed before its stop left them attached: the next start takes them back.
    const again = await attachDemoVolumes(dir);
    started.push(again);
    expect(again.devices).toEqual(volumes.devices);

    await again.detach();
    // Detached: a number may already serve another file's loop (losetup -f, in parallel).
    for (const device of volumes.devices) expect((await backingFile(device)) ?? '').not.toContain(getDemoImageDir(dir));
  });

  it('never unmounts or detaches a loop device that reads another file since (an eject, then reuse)', async () => {
    const other = join(dir, 'other.img');
    await run('truncate', ['-s', '8M', other]);
    // Eject Archives, and have another file take its number at once (as another program
    // would): claimed by number, which fails only if someone else was quicker; then again.
    let volumes: DemoVolumes | null = null;
    let reused: string | null = null;
    for (let attempt = 0; attempt < 5 && !reused; attempt += 1) {
      volumes = await attachDemoVolumes(dir);
      started.push(volumes);
      const archives = volumes.devices[0]!;
      await run('losetup', ['--detach', archives]);
      reused = await run('losetup', [archives, other]).then(
        () => archives,
        () => null,
      );
    }
    expect(reused, 'a loop number claimed back').not.toBeNull();
    try {
      await volumes!.detach();
      expect(await backingFile(reused!)).toBe(other);
      expect(await backingFile(volumes!.devices[1]!)).toBeNull();
    } finally {
      await run('losetup', ['--detach', reused!]);
    }
  });
});
