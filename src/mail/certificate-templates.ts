/** A certificate as the holder's e-mail describes it. */
export interface IssuedCertificateMail {
  name: string;
  certificationTitle: string;
  number: string;
  /** YYYY-MM-DD */
  issuedOn: string;
  /** YYYY-MM-DD: the first day it is no longer valid. */
  expiresOn: string;
  issuerName: string;
  /** The public verify page anyone can open to check the certificate. */
  verifyUrl: string;
  /** The certificate as a PDF. */
  pdfUrl: string;
}

/** To the holder when a certificate is issued to them. */
export function certificateIssuedMessage(input: IssuedCertificateMail) {
  return {
    subject: `Your certificate: ${input.certificationTitle} (${input.number})`,
    text:
      `Hello ${input.name},\n\n${input.issuerName} has issued you a certificate for ${input.certificationTitle}.\n\n` +
      `Certificate number: ${input.number}\nIssued on: ${input.issuedOn}\nExpires on: ${input.expiresOn} (valid until the day before)\n\n` +
      `Your certificate as a PDF:\n${input.pdfUrl}\n\n` +
      `Anyone you show it to can check it on its verify page (the QR code on the certificate leads there too):\n${input.verifyUrl}\n`,
  };
}
