// @peculiar/x509's dependency injection (tsyringe) needs the Reflect metadata polyfill.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { maxCertificateLifeMs, selfSignedOrganisation } from './certificate-rules.ts';

// Node's webcrypto is the Web Crypto API; the casts name x509's DOM-typed parameters without the DOM's globals.
x509.cryptoProvider.set(webcrypto as unknown as ReturnType<typeof x509.cryptoProvider.get>);

// A PEM certificate and its PKCS#8 private key.
export interface TlsMaterial {
  cert: string;
  key: string;
}

// Makes a self-signed ECDSA P-256 server certificate that lives 397 days, with the host name,
// localhost, 127.0.0.1 and ::1 as subject alternative names.
export async function createSelfSignedCertificate(hostname: string, now = new Date()): Promise<TlsMaterial> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const names = [...new Set([hostname, 'localhost'])];
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
      .toString('hex')
      .replace(/^[89a-f]/, '1'),
    name: `CN=${hostname.replace(/[,=+<>#;"\\]/g, '_')}, O=${selfSignedOrganisation}`,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() - 60_000 + maxCertificateLifeMs),
    signingAlgorithm: algorithm,
    keys: keys as unknown as x509.X509CertificateCreateSelfSignedParams['keys'],
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...names.map((value) => ({ type: 'dns' as const, value })),
        { type: 'ip', value: '127.0.0.1' },
        { type: 'ip', value: '::1' },
      ]),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const key = x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
  return { cert: cert.toString('pem') + '\n', key: key + '\n' };
}
