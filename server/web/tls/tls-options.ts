import type { TlsMaterial } from './create-self-signed-certificate.ts';

// The suites offered on TLS 1.2: ECDHE key exchange with an AEAD cipher only (no CBC, no
// static RSA, no SHA-1 MACs), as Mozilla's "intermediate" profile. TLS 1.3 suites are all
// AEAD and stay as Node offers them.
export const tls12Ciphers = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
];

const tls13Ciphers = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];

// The `https` options of the daemon (and of the benchmarks' baseline, so both negotiate alike).
export function getHttpsOptions(material: TlsMaterial) {
  return {
    key: material.key,
    cert: material.cert,
    minVersion: 'TLSv1.2' as const,
    ciphers: [...tls13Ciphers, ...tls12Ciphers].join(':'),
    honorCipherOrder: true,
  };
}
