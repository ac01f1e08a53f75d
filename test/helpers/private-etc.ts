import { execFile } from 'node:child_process';
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const projectDir = join(import.meta.dirname, '../..');

// A copy of the machine's whole /etc in a new temporary directory (`dir`, removed by the caller), to be
// bind-mounted over /etc in a private mount namespace: a single file can't be (renaming onto it fails with EBUSY).
export async function copyEtc(prefix: string): Promise<{ dir: string; etc: string }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const etc = join(dir, 'etc');
  await cp('/etc', etc, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
  return { dir, etc };
}

// Runs a TypeScript probe with `etc` bind-mounted over /etc in a private mount namespace that ends with the
// probe (the machine's own files are never touched), and resolves to what it printed.
export async function runProbeOverEtc(etc: string, probe: string, argument: string): Promise<string> {
  const script = 'mount --bind "$1" /etc && exec "$2" --import tsx "$3" "$4"';
  const { stdout } = await run(
    'unshare',
    ['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', etc, process.execPath, probe, argument],
    { cwd: projectDir },
  );
  return stdout;
}
