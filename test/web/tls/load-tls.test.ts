import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTls } from '../../../server/web/tls/load-tls.ts';
import { createSelfSignedCertificate } from '../../../server/web/tls/create-self-signed-certificate.ts';

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
    await expect(loadTls({ cert: join(dir, 'missing.crt'), key: join(dir, 'real.key'), dir })).rejects.toThrow(
      `tls.cert ${join(dir, 'missing.crt')}: cannot read (ENOENT)`,
    );
  });

  it('refuses a certificate that does not match its key', async () => {
    const a = await loadTls({ cert: '', key: '', dir: join(dir, 'a') });
    const b = await loadTls({ cert: '', key: '', dir: join(dir, 'b') });
    await writeFile(join(dir, 'a.crt'), a.cert);
    await writeFile(join(dir, 'b.key'), b.key);
    await expect(loadTls({ cert: join(dir, 'a.crt'), key: join(dir, 'b.key'), dir })).rejects.toThrow(
      /not a usable certificate and key/,
    );
  });

  it('makes a certificate that lives at most 397 days, the longest browsers accept', async () => {
    const { cert } = await loadTls({ cert: '', key: '', dir: join(dir, 'life') });
    const x509 = new X509Certificate(cert);
    const life = Date.parse(x509.validTo) - Date.parse(x509.validFrom);
    expect(life).toBeLessThanOrEqual(397 * 86_400_000);
    expect(life).toBeGreaterThan(396 * 86_400_000);
  });

  // Writes a pair into `certs` as openssl makes it: `days` long, from `offsetDays` ago.
  const writeOpensslPair = async (certs: string, subject: string, days: number) => {
    await mkdir(certs, { recursive: true });
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        String(days),
        '-subj',
        subject,
        '-keyout',
        join(certs, 'licorn.key'),
        '-out',
        join(certs, 'licorn.crt'),
      ],
      { stdio: 'ignore' },
    );
  };

  it('renews at start a generated certificate living 825 days (as older versions made) or expired', async () => {
    const old = join(dir, 'old');
    await writeOpensslPair(old, '/CN=wmi/O=Licorn WMI self-signed', 825);
    const before = await readFile(join(old, 'licorn.crt'), 'utf8');
    const renewed = await loadTls({ cert: '', key: '', dir: old });
    expect(renewed).toMatchObject({ generated: true, renewed: 'it lives longer than the 397 days browsers accept' });
    expect(renewed.cert).not.toBe(before);
    expect(await readFile(join(old, 'licorn.crt'), 'utf8')).toBe(renewed.cert);
    expect((await loadTls({ cert: '', key: '', dir: old })).generated).toBe(false);

    const expired = join(dir, 'expired');
    await mkdir(expired);
    const material = await createSelfSignedCertificate('wmi', new Date(Date.now() - 400 * 86_400_000));
    await writeFile(join(expired, 'licorn.crt'), material.cert);
    await writeFile(join(expired, 'licorn.key'), material.key);
    expect(await loadTls({ cert: '', key: '', dir: expired })).toMatchObject({
      generated: true,
      renewed: 'it has expired',
    });
  });

  it('never replaces a certificate it did not make', async () => {
    const foreign = join(dir, 'foreign');
    await writeOpensslPair(foreign, '/CN=wmi.example.org/O=Example', 825);
    const before = await readFile(join(foreign, 'licorn.crt'), 'utf8');
    expect(await loadTls({ cert: '', key: '', dir: foreign })).toMatchObject({ generated: false, cert: before });
  });

  it('makes the directory, several levels deep, and names one it cannot make', async () => {
    expect((await loadTls({ cert: '', key: '', dir: join(dir, 'deep/er/certs') })).generated).toBe(true);
    // Node's own recursive mkdir never returns under /proc: this must answer at once.
    await expect(loadTls({ cert: '', key: '', dir: '/proc/no-such-dir/certs' })).rejects.toThrow(
      'tls.dir /proc/no-such-dir/certs: cannot store the generated certificate (ENOENT)',
    );
  });
});
