import { buildWebBundle } from '../../web/build.ts';

// The pages reference the hashed bundle through dist/web/manifest.json: build it once.
export default async function setup(): Promise<void> {
  await buildWebBundle();
}
