import { X509Certificate } from 'node:crypto';

// The longest life browsers accept for a server certificate (CA/Browser Forum, since 2020),
// from notBefore to notAfter.
export const maxCertificateLifeMs = 397 * 86_400_000;

// The organisation named in the certificates licornd makes: tells them from one put in tls.dir.
export const selfSignedOrganisation = 'Licorn WMI self-signed';

// A generated certificate this close to its end is renewed at start rather than left to
// expire while the daemon runs.
const renewBeforeMs = 30 * 86_400_000;

// Why a certificate licornd generated must be made again at start (expired, about to, or
// living longer than browsers accept, as the 825-day ones of earlier versions did); null when
// it is fine or was not made by licornd (a certificate put in tls.dir is never replaced).
export function getRenewalReason(pem: string, now = Date.now()): string | null {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch {
    return null; // unreadable: checking the pair reports it, naming the files
  }
  if (!cert.subject.split('\n').includes(`O=${selfSignedOrganisation}`)) return null;
  const notBefore = Date.parse(cert.validFrom);
  const notAfter = Date.parse(cert.validTo);
  if (notAfter <= now) return 'it has expired';
  if (notAfter - notBefore > maxCertificateLifeMs) return 'it lives longer than the 397 days browsers accept';
  if (notAfter - now < renewBeforeMs) return 'it expires within 30 days';
  if (notBefore > now + 86_400_000) return 'it is not valid yet';
  return null;
}
