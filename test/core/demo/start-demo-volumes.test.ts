import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoMarkerFile } from '../../../server/core/demo/create-demo-root.ts';
import { startDemoVolumes, type StartedDemoVolumes } from '../../../server/core/demo/start-demo-volumes.ts';
import { createSandbox } from '../../helpers/sandbox.ts';
import { createTestApp, type TestApp } from '../../helpers/test-app.ts';
import { LoopDevices, shouldSkipLoopTests } from '../../helpers/loop-devices.ts';

describe.skipIf(shouldSkipLoopTests())("the demo's volumes at start", () => {
  const started: StartedDemoVolumes[] = [];
  let t: TestApp | null = null;
  afterAll(async () => {
    for (const volumes of started) await volumes.detach();
    await t?.close();
  });

  it('attaches nothing when demo.volumes is off or the root is not a demo', async () => {
    const off = await createSandbox(['--demo-volumes', 'false']);
    try {
      expect(await startDemoVolumes(off.config)).toMatchObject({ message: null });
      await rm(join(off.root, demoMarkerFile));
      expect(await startDemoVolumes({ ...off.config, demo: { volumes: true } })).toMatchObject({ message: null });
    } finally {
      await off.remove();
    }
  });

  it('lists "Archives" and "USB-KEY" beside the machine\'s read-only disks, and detaches them', async () => {
    let volumes: StartedDemoVolumes | null = null;
    t = await createTestApp([], async (sandbox) => {
      volumes = await startDemoVolumes(sandbox.config);
      started.push(volumes);
    });
    expect(volumes!.message).toMatch(
      /^demo volumes: Archives on \/dev\/loop\d+, USB-KEY on \/dev\/loop\d+ \(detached at stop\)$/,
    );
    const list = t.app.core.volumes.list();
    const archives = list.find((volume) => volume.label === 'Archives' && volume.loopFile?.startsWith(t!.sandbox.root));
    const key = list.find((volume) => volume.label === 'USB-KEY' && volume.loopFile?.startsWith(t!.sandbox.root));
    const allowed = (volume: typeof archives) =>
      volume!.actions.filter((action) => action.allowed).map((a) => a.action);
    expect(allowed(archives)).toEqual(['mount', 'eject']);
    // vfat is not one of Licorn's filesystems: eject only, until volumes.mount_all_fs.
    expect(allowed(key)).toEqual(['eject']);
    for (const volume of list.filter((one) => !one.loopFile?.startsWith(t!.sandbox.root))) {
      expect(allowed(volume), volume.name).toEqual([]);
    }
    await volumes!.detach();
    expect(await LoopDevices.getBackingFile(archives!.name)).not.toBe(archives!.loopFile);
    expect(await LoopDevices.getBackingFile(key!.name)).not.toBe(key!.loopFile);
  });
});
