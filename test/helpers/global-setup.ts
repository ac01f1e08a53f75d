import { buildWebBundle } from '../../web/build.ts';
import { buildServerBundle } from '../../server/build.ts';

// The pages reference the hashed bundle through dist/web/manifest.json, and the process
// tests run licornd as shipped (dist/server/main.js): build both once.
export default async function setup(): Promise<void> {
  await buildWebBundle();
  await buildServerBundle();
}
