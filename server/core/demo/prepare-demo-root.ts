import { access, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreError } from '../errors.ts';
import { createDemoRoot, type DemoCredentials } from './create-demo-root.ts';
import { quoted, say } from '../messages.ts';

// Makes sure a sandbox root is usable: creates the demo there when the directory does not
// exist yet (returning the admin credentials to print once), or checks it holds etc/passwd.
export async function prepareSandboxRoot(root: string): Promise<DemoCredentials | null> {
  const exists = await stat(root).then(
    () => true,
    () => false,
  );
  if (!exists) return createDemoRoot(root);
  try {
    await access(join(root, 'etc/passwd'));
    await access(join(root, 'etc/group'));
  } catch (error) {
    throw new CoreError('not-found', say('demo.notSandbox', { root: quoted(root) }), { field: 'root', cause: error });
  }
  return null;
}
