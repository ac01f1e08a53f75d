import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWebBundle } from '../web/build.ts';
import { buildCliBundle, buildServerBundle } from '../server/build.ts';
import { createDemoRoot } from '../server/core/demo/create-demo-root.ts';
import { startLicornd } from '../test/helpers/licornd-process.ts';
import { testPasswords } from '../test/helpers/sandbox.ts';

// Builds the bundles, makes a demo sandbox with known passwords and starts licornd on a free
// port; the specs find it in LICORN_E2E_URL / LICORN_E2E_ROOT, and its local socket (beside the
// sandbox, for `licorn`) in LICORN_E2E_SOCKET. Returns the teardown.
export default async function globalSetup(): Promise<() => Promise<void>> {
  await buildWebBundle();
  await buildServerBundle();
  await buildCliBundle();
  const dir = await mkdtemp(join(tmpdir(), 'licorn-e2e-'));
  const root = join(dir, 'root');
  await createDemoRoot(root, { passwords: testPasswords });
  const configFile = join(dir, 'licorn.conf');
  await writeFile(configFile, 'auth.fail_delay = 0.2\n');
  const daemon = startLicornd(['--config', configFile, '--root', root, '--tls-dir', join(dir, 'certs'), '--port', '0']);
  process.env.LICORN_E2E_URL = await daemon.listening();
  process.env.LICORN_E2E_ROOT = root;
  process.env.LICORN_E2E_SOCKET = join(dir, 'licornd.sock');
  return async () => {
    daemon.child.kill('SIGTERM');
    await daemon.exited();
    await rm(dir, { recursive: true, force: true });
  };
}
