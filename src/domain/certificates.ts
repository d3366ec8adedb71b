/** What a certificate says about its holder on a given day: the one rule the verify page, holders' lists and the process share. */
export type CertificateStatus = 'valid' | 'expired' | 'revoked' | 'superseded';

export function certificateStatus(
  certificate: { expiresOn: Date | string; revokedAt: Date | null; supersededAt: Date | null },
  /** YYYY-MM-DD in the tenant's time zone */
  today: string,
): CertificateStatus {
  if (certificate.revokedAt) return 'revoked';
  if (certificate.supersededAt) return 'superseded';
  const expiresOn = typeof certificate.expiresOn === 'string' ? certificate.expiresOn : certificate.expiresOn.toISOString().slice(0, 10);
  // A certificate is valid up to the day before it expires: on its expiry day it has lapsed.
  return today >= expiresOn ? 'expired' : 'valid';
}
