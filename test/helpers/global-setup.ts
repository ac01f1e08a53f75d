import { buildWebBundle } from '../../web/build.ts';
import { buildCliBundle, buildServerBundle } from '../../server/build.ts';

// The pages reference the hashed bundle through dist/web/manifest.json, and the process
// tests run licornd and licorn as shipped (dist/server/main.js, dist/cli/licorn.js): build them once.
export default async function setup(): Promise<void> {
  await buildWebBundle();
  await buildServerBundle();
  await buildCliBundle();
}
