import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createDemoRoot } from '../../server/core/demo/create-demo-root.ts';
import { loadConfig, type LicornConfig } from '../../server/config/load-config.ts';

// Known passwords for the accounts the tests log in as (demo people keep random ones).
export const testPasswords = {
  admin: 'Admin-pass-1234',
  blefevre: 'Bruno-pass-1234', // an admin too
  dnguyen: 'David-pass-1234', // a plain member of developers
  ndupont: 'Nicolas-pass-1234', // locked in the demo
  qrousseau: 'Quentin-pass-1234', // account expired in the demo
};

export interface Sandbox {
  dir: string;
  root: string;
  config: LicornConfig;
  remove(): Promise<void>;
}

// Where global-setup.ts leaves the demo root (with testPasswords) that each sandbox copies.
export const demoTemplateVariable = 'LICORN_TEST_DEMO_TEMPLATE';

// A fresh demo root at `root`: a copy of the run's template (owners, modes and the shares'
// ACLs kept: cp -a) where there is one, else made anew (a run without the global setup).
async function makeDemoRoot(root: string): Promise<void> {
  const template = process.env[demoTemplateVariable];
  if (template) await promisify(execFile)('cp', ['-a', template, root]);
  else await createDemoRoot(root, { passwords: testPasswords });
}

// Makes a temporary directory holding a demo root (with testPasswords), an empty config
// file and a certs/ dir, and the configuration licornd would load for it.
export async function createSandbox(flags: string[] = []): Promise<Sandbox> {
  const dir = await mkdtemp(join(tmpdir(), 'licorn-test-'));
  const root = join(dir, 'root');
  await makeDemoRoot(root);
  const configFile = join(dir, 'licorn.conf');
  await writeFile(configFile, '# test configuration\n');
  const config = loadConfig({
    argv: [
      '--config',
      configFile,
      '--root',
      root,
      '--tls-dir',
      join(dir, 'certs'),
      '--port',
      '0',
      '--auth-fail-delay',
      '0.2',
      ...flags,
    ],
    env: {},
  });
  return { dir, root, config, remove: () => rm(dir, { recursive: true, force: true }) };
}
