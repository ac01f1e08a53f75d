import { createSecureContext } from 'node:tls';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { ConfigError } from '../../config/config-error.ts';
import type { TlsMaterial } from './create-self-signed-certificate.ts';
import { getRenewalReason } from './certificate-rules.ts';

// What loadTls() found: the pair, whether it was generated now, and why an older generated
// one was replaced.
export interface LoadedTls extends TlsMaterial {
  generated: boolean;
  renewed?: string;
}

// Loads the configured certificate and key, or the self-signed pair kept in `dir`
// (generated on first start, and again when the kept one is past its rules). Throws
// ConfigError naming the file on any problem.
export async function loadTls(options: { cert: string; key: string; dir: string }): Promise<LoadedTls> {
  if (options.cert) {
    const material = { cert: await readPem(options.cert, 'tls.cert'), key: await readPem(options.key, 'tls.key') };
    checkPair(material, `tls.cert ${options.cert} / tls.key ${options.key}`);
    return { ...material, generated: false };
  }
  const certFile = join(options.dir, 'licorn.crt');
  const keyFile = join(options.dir, 'licorn.key');
  const existing = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]).catch(() => null);
  const renewal = existing ? getRenewalReason(existing[0]) : null;
  if (existing && !renewal) {
    const material = { cert: existing[0], key: existing[1] };
    checkPair(material, `${certFile} / ${keyFile} (delete both to get a new pair)`);
    return { ...material, generated: false };
  }
  // Loaded only when needed: the X.509 library is a fifth of the daemon's start-up time.
  const { createSelfSignedCertificate } = await import('./create-self-signed-certificate.ts');
  const material = await createSelfSignedCertificate(hostname());
  try {
    await createDirectory(options.dir);
    await writeAtomically(keyFile, material.key, 0o600);
    await writeAtomically(certFile, material.cert, 0o644);
  } catch (error) {
    throw new ConfigError(
      `tls.dir ${options.dir}: cannot store the generated certificate ` +
        `(${(error as NodeJS.ErrnoException).code ?? error})`,
    );
  }
  return { ...material, generated: true, ...(renewal ? { renewed: renewal } : {}) };
}

async function readPem(path: string, key: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${key} ${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
}

function checkPair(material: TlsMaterial, where: string): void {
  try {
    createSecureContext(material);
  } catch (error) {
    throw new ConfigError(`${where}: not a usable certificate and key (${(error as Error).message})`);
  }
}

// mkdir -p, one level at a time: Node 20's own `recursive: true` spins forever on a path under
// /proc (`--tls-dir /proc/nope` hung the daemon at start, burning a core).
async function createDirectory(path: string): Promise<void> {
  try {
    await mkdir(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'ENOENT' || dirname(path) === path) throw error;
    await createDirectory(dirname(path));
    await mkdir(path).catch((again: NodeJS.ErrnoException) => {
      if (again.code !== 'EEXIST') throw again;
    });
  }
}

async function writeAtomically(path: string, text: string, mode: number): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, text, { mode });
  await chmod(temporary, mode);
  await rename(temporary, path);
}
