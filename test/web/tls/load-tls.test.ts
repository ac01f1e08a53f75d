import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTls } from '../../../server/web/tls/load-tls.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'licorn-tls-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('loadTls', () => {
  it('generates an ECDSA P-256 certificate for this host, key mode 0600, and reuses it', async () => {
    const certs = join(dir, 'certs');
    const first = await loadTls({ cert: '', key: '', dir: certs });
    expect(first.generated).toBe(true);
    const cert = new X509Certificate(first.cert);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(cert.subjectAltName).toContain(`DNS:${hostname()}`);
    expect(cert.subjectAltName).toContain('DNS:localhost');
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(cert.subjectAltName).toMatch(/IP Address:(::1|0:0:0:0:0:0:0:1)/);
    expect(cert.checkPrivateKey(createPrivateKey(first.key))).toBe(true);
    expect((await stat(join(certs, 'licorn.key'))).mode & 0o777).toBe(0o600);

    const second = await loadTls({ cert: '', key: '', dir: certs });
    expect(second.generated).toBe(false);
    expect(second.cert).toBe(first.cert);
  });

  it('uses a configured pair, and names the file it cannot read', async () => {
    const generated = await loadTls({ cert: '', key: '', dir: join(dir, 'other') });
    await writeFile(join(dir, 'real.crt'), generated.cert);
    await writeFile(join(dir, 'real.key'), generated.key);
    const loaded = await loadTls({ cert: join(dir, 'real.crt'), key: join(dir, 'real.key'), dir: join(dir, 'unused') });
    expect(loaded).toMatchObject({ cert: generated.cert, generated: false });
    await expect(loadTls({ cert: join(dir, 'missing.crt'), key: join(dir, 'real.key'), dir }))
      .rejects.toThrow(`tls.cert ${join(dir, 'missing.crt')}: cannot read (ENOENT)`);
  });

  it('refuses a certificate that does not match its key', async () => {
    const a = await loadTls({ cert: '', key: '', dir: join(dir, 'a') });
    const b = await loadTls({ cert: '', key: '', dir: join(dir, 'b') });
    await writeFile(join(dir, 'a.crt'), a.cert);
    await writeFile(join(dir, 'b.key'), b.key);
    await expect(loadTls({ cert: join(dir, 'a.crt'), key: join(dir, 'b.key'), dir })).rejects.toThrow(/not a usable certificate and key/);
  });
});
