import { z } from 'zod';
import type { Db } from '../../db/client';
import { getCertificate, getCertificatePdf, revokeCertificate } from '../../services/certifications/certificates';
import type { CommandDelivery } from '../../services/processes/operations';
import { operation } from '../operation';
import { errorResponse, idParams, standardErrors, text } from '../schemas/common';

const status = z.enum(['valid', 'expired', 'revoked', 'superseded']).meta({ description: "On today's date in the tenant's time zone: revoked, else superseded, else expired from its expiry day on, else valid" });

const chainLink = z
  .object({ id: z.uuid(), number: z.string(), issuedOn: z.string(), expiresOn: z.string(), status })
  .nullable()
  .meta({ id: 'CertificateChainLink' });

const certificateView = z
  .object({
    id: z.uuid(),
    number: z.string().meta({ description: "From the tenant's number pattern, unique in the tenant" }),
    verificationCode: z.string().meta({ description: 'Unguessable; names the public verify page' }),
    verifyUrl: z.string().meta({ description: 'The public page where anyone can check the certificate (also in its QR code)' }),
    pdfUrl: z.string().nullable().meta({ description: 'The public download of the PDF as issued; null for certificates imported without one' }),
    pdfSha256: z.string().nullable().meta({ description: "SHA-256 of the PDF's bytes, lowercase hex: the fingerprint the verify page checks a copy against" }),
    status,
    issuedOn: z.string().meta({ description: 'YYYY-MM-DD' }),
    expiresOn: z.string().meta({ description: 'YYYY-MM-DD: the first day it is no longer valid' }),
    cycle: z.number().int().meta({ description: 'Which cycle of this person and certification (1 = first issue)' }),
    basis: z.string().meta({ description: 'initial, recertification, late_recertification, renewal_extend, renewal_reissue or import' }),
    source: z.string(),
    holder: z.object({ id: z.uuid(), externalId: z.string(), name: z.string(), email: z.string() }).meta({ description: 'As at issue' }),
    certification: z.object({ id: z.uuid(), key: z.string(), title: z.string() }).meta({ description: 'As at issue' }),
    issuerName: z.string().nullable(),
    previous: chainLink.meta({ description: 'The certificate this one follows' }),
    next: chainLink.meta({ description: 'The certificate that follows this one' }),
    supersededAt: z.string().nullable(),
    revocation: z.object({ revokedAt: z.string(), reason: z.string().nullable() }).nullable(),
    renewalRequestId: z.uuid().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'Certificate' });

const revokeInput = z
  .strictObject({ reason: text(1000).meta({ description: 'Why it is revoked (issued in error, obtained by fraud …); shown on the public verify page' }) })
  .meta({ id: 'CertificateRevocation' });

const notFound = { 404: { description: 'No such certificate in this tenant', schema: errorResponse } } as const;

/** Issued certificates: read one, its PDF, and revoke it. */
export function certificateOperations(db: Db, delivery: CommandDelivery, publicUrl: string) {
  return [
    operation(
      {
        method: 'get',
        path: '/certificates/:id',
        summary: 'A certificate: number, dates, status, verify page, its chain and any revocation',
        tag: 'Certifications',
        scope: 'people:read',
        params: idParams,
        responses: { 200: { description: 'The certificate', schema: certificateView }, ...standardErrors, ...notFound },
      },
      async ({ params, principal }) => ({ status: 200, body: await getCertificate(db, principal.tenantId, params.id, publicUrl) }),
    ),
    operation(
      {
        method: 'get',
        path: '/certificates/:id/pdf',
        summary: 'The certificate as a PDF, exactly as issued',
        tag: 'Certifications',
        scope: 'people:read',
        params: idParams,
        responses: {
          200: { description: 'The PDF (its SHA-256 is the certificate\'s pdfSha256)', schema: z.string().meta({ format: 'binary' }), contentType: 'application/pdf' },
          ...standardErrors,
          404: { description: 'No such certificate in this tenant, or no_certificate_pdf: imported without one', schema: errorResponse },
        },
      },
      async ({ params, principal }) => {
        const { pdf, fileName } = await getCertificatePdf(db, principal.tenantId, params.id);
        return { status: 200, contentType: 'application/pdf', headers: { 'content-disposition': `attachment; filename="${fileName}"` }, body: Buffer.from(pdf) };
      },
    ),
    operation(
      {
        method: 'post',
        path: '/certificates/:id/revoke',
        summary: "Revoke a certificate: it is no longer valid, the verify page says so with the reason, and the holder's certification process puts them back on the initial path",
        tag: 'Certifications',
        scope: 'certifications:write',
        params: idParams,
        body: revokeInput,
        responses: {
          200: { description: 'The certificate as revoked', schema: certificateView },
          ...standardErrors,
          ...notFound,
          409: { description: 'certificate_revoked: it was revoked before; nothing changed', schema: errorResponse },
        },
      },
      async ({ params, body, principal, actor }) => ({ status: 200, body: await revokeCertificate(db, delivery, principal.tenantId, actor, params.id, body.reason, publicUrl) }),
    ),
  ];
}
