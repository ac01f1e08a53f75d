import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAllLicornd, startLicornd, type LicorndProcess } from '../../helpers/licornd-process.ts';
import { tls12Ciphers } from '../../../server/web/tls/tls-options.ts';

const run = promisify(execFile);
let dir: string;
let daemon: LicorndProcess;
let port: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'licornd-tls-'));
  await writeFile(join(dir, 'empty.conf'), '');
  daemon = startLicornd([
    '--config',
    join(dir, 'empty.conf'),
    '--root',
    join(dir, 'demo'),
    '--tls-dir',
    join(dir, 'certs'),
    '--port',
    '0',
  ]);
  port = new URL(await daemon.listening()).port;
});
afterAll(async () => {
  killAllLicornd();
  await rm(dir, { recursive: true, force: true });
});

// The cipher openssl s_client negotiated with the daemon under `args`, or null when the
// handshake failed.
async function negotiate(args: string[]): Promise<string | null> {
  const client = execFile(
    'openssl',
    ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', ...args],
    { timeout: 10_000 },
  );
  client.stdin!.end(); // no input: s_client hangs up right after the handshake
  let stdout = '';
  client.stdout!.on('data', (chunk) => {
    stdout += chunk;
  });
  await new Promise((resolve) => client.on('close', resolve));
  const cipher = /Cipher is (\S+)/.exec(stdout)?.[1];
  return cipher && cipher !== '(NONE)' ? cipher : null;
}

describe("the daemon's TLS", () => {
  it('accepts on TLS 1.2 only ECDHE suites with AES-GCM or ChaCha20-Poly1305, tried one by one', async () => {
    // Every TLS 1.2 (and older) suite this openssl knows, weak ones included.
    const { stdout } = await run('openssl', ['ciphers', 'ALL:COMPLEMENTOFALL:@SECLEVEL=0']);
    const suites = stdout
      .trim()
      .split(':')
      .filter((name) => !name.startsWith('TLS_'));
    expect(suites.length).toBeGreaterThan(50);
    const accepted: string[] = [];
    for (const suite of suites) {
      const cipher = await negotiate(['-tls1_2', '-cipher', `${suite}:@SECLEVEL=0`]);
      if (cipher) accepted.push(cipher);
    }
    // The certificate is ECDSA: the RSA-authenticated AEAD suites cannot be negotiated with it.
    expect(accepted.sort()).toEqual([
      'ECDHE-ECDSA-AES128-GCM-SHA256',
      'ECDHE-ECDSA-AES256-GCM-SHA384',
      'ECDHE-ECDSA-CHACHA20-POLY1305',
    ]);
    expect(accepted.every((cipher) => tls12Ciphers.includes(cipher))).toBe(true);
    const cbc = 'ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA:@SECLEVEL=0';
    expect(await negotiate(['-tls1_2', '-cipher', cbc])).toBeNull();
  }, 120_000); // some 150 handshakes, each its own openssl process

  it('keeps TLS 1.3 with each of its suites, and refuses TLS 1.1', async () => {
    for (const suite of ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']) {
      expect(await negotiate(['-tls1_3', '-ciphersuites', suite])).toBe(suite);
    }
    expect(await negotiate(['-tls1_1', '-cipher', 'ALL:@SECLEVEL=0'])).toBeNull();
  });
});
