import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { LicornConfig } from '../../config/load-config.ts';
import { demoMarkerFile } from './create-demo-root.ts';
import { attachDemoVolumes, demoImages, getDemoVolumesRefusal } from './demo-volumes.ts';

// The demo volumes of this run: what to print once, and how to let them go at stop.
export interface StartedDemoVolumes {
  message: string | null;
  detach(): Promise<void>;
}

// In a demo sandbox (its marker file present) with `demo.volumes` on: attaches the demo's two
// volumes when licornd runs as root, or says why not (the Volumes page then shows the
// machine's volumes read-only, with the core's reason). Never fatal: a demo without its
// volumes is still a demo.
export async function startDemoVolumes(config: LicornConfig): Promise<StartedDemoVolumes> {
  const none = { message: null, detach: async () => {} };
  if (config.isRealMachine || !config.demo.volumes) return none;
  const isDemo = await access(join(config.root, demoMarkerFile)).then(
    () => true,
    () => false,
  );
  if (!isDemo) return none;
  const refusal = getDemoVolumesRefusal();
  if (refusal) return { ...none, message: `demo volumes: none (${refusal}); the Volumes page is read-only` };
  try {
    const attached = await attachDemoVolumes(config.root);
    const names = demoImages.map((image, index) => `${image.label} on ${attached.devices[index]}`).join(', ');
    return { message: `demo volumes: ${names} (detached at stop)`, detach: attached.detach };
  } catch (error) {
    return { ...none, message: `demo volumes: none (${(error as Error).message.split('\n')[0]})` };
  }
}
