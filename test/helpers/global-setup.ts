import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWebBundle } from '../../web/build.ts';
import { buildCliBundle, buildServerBundle } from '../../server/build.ts';
import { createDemoRoot } from '../../server/core/demo/create-demo-root.ts';
import { demoTemplateVariable, testPasswords } from './sandbox.ts';

// The pages reference the hashed bundle through dist/web/manifest.json, and the process
// tests run licornd and licorn as shipped (dist/server/main.js, dist/cli/licorn.js): build them once.
// One demo root is made here too, and each sandbox is a copy of it: a demo root hashes the
// password of each of its 70-odd people with yescrypt (1.6 s of CPU), once per sandbox before.
export default async function setup(): Promise<() => Promise<void>> {
  await buildWebBundle();
  await buildServerBundle();
  await buildCliBundle();
  const dir = await mkdtemp(join(tmpdir(), 'licorn-test-template-'));
  await createDemoRoot(join(dir, 'root'), { passwords: testPasswords });
  process.env[demoTemplateVariable] = join(dir, 'root');
  return () => rm(dir, { recursive: true, force: true });
}
