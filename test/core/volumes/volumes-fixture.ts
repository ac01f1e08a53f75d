import { afterAll, beforeAll } from 'vitest';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Core, createCore } from '../../../server/core/core.ts';
import type { CoreEvent } from '../../../server/core/events/event-bus.ts';
import type { Deadlines } from '../../../server/core/volumes/unresponsive-devices.ts';
import type { VolumesSettings } from '../../../server/core/volumes/volumes-service.ts';
import { LoopDevices } from '../../helpers/loop-devices.ts';
import { createSandbox, type Sandbox } from '../../helpers/sandbox.ts';

// A sandbox, its image directory (inside the root: the core acts only on loop devices of
// image files inside its sandbox), the loop devices attached, and the cores opened over it.
export interface VolumesFixture {
  sandbox: Sandbox;
  images: string;
  loops: LoopDevices;
  events: CoreEvent[];
  auditFile: string;
  // `waitForReading`: return once the first reading of the devices is done (the default).
  openCore(
    settings?: Partial<VolumesSettings>,
    options?: { deadlines?: Partial<Deadlines>; waitForReading?: boolean },
  ): Promise<Core>;
  cleanUp(): Promise<void>;
}

export async function createVolumesFixture(): Promise<VolumesFixture> {
  const sandbox = await createSandbox();
  const images = join(sandbox.root, 'images');
  await mkdir(images);
  const loops = new LoopDevices();
  const events: CoreEvent[] = [];
  const cores: Core[] = [];
  const auditFile = join(sandbox.dir, 'audit.log');
  return {
    sandbox,
    images,
    loops,
    events,
    auditFile,
    async openCore(settings = {}, { deadlines, waitForReading = true } = {}) {
      const core = await createCore({
        root: sandbox.root,
        isRealMachine: false,
        pamService: 'licorn',
        adminGroups: ['admins'],
        auditFile,
        volumes: settings,
        volumeDeadlines: deadlines,
      });
      core.events.onAny((event) => {
        if (event.facility === 'volumes') events.push(event);
      });
      cores.push(core);
      // The core starts without waiting on the devices; most tests want them read.
      if (waitForReading) await core.volumes.whenRead();
      return core;
    },
    async cleanUp() {
      for (const core of cores) await core.close();
      await loops.cleanUp(sandbox.dir);
      await sandbox.remove();
    },
  };
}

// A describe block's fixture and core, opened in beforeAll and cleaned up in afterAll (cores
// closed, mounts and loop devices of the sandbox let go, even after a failure).
export interface VolumesCoreContext {
  readonly fixture: VolumesFixture;
  readonly core: Core;
  // Attaches an image file and reads its device in; the kernel name.
  attach(file: string): Promise<string>;
  // Closes the core and opens another over the same sandbox (a restart), which `core` becomes.
  reopen(settings?: Partial<VolumesSettings>): Promise<Core>;
}

export function useVolumesCore(settings: Partial<VolumesSettings> = {}): VolumesCoreContext {
  let fixture: VolumesFixture | undefined;
  let core: Core | undefined;
  beforeAll(async () => {
    fixture = await createVolumesFixture();
    core = await fixture.openCore(settings);
  });
  afterAll(async () => {
    await fixture?.cleanUp();
  });
  return {
    get fixture() {
      return fixture!;
    },
    get core() {
      return core!;
    },
    async attach(file) {
      const name = await fixture!.loops.attach(file);
      await core!.volumes.refresh({ name });
      return name;
    },
    async reopen(next = {}) {
      await core!.close();
      core = await fixture!.openCore(next);
      return core;
    },
  };
}
