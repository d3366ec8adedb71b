import { createHash, randomUUID } from 'node:crypto';
import type { DbTx, Prisma } from '../../db/client';
import { isoDate, toCalendarDate } from '../../domain/dates';
import { Conflict, NotFound } from '../../domain/errors';
import { certificateIssuedMessage } from '../../mail/certificate-templates';
import { recordAudit, type Actor } from '../audit/trail';
import { queueNotification } from '../notifications/outbox';
import { queueProcessCommands, sendNotificationProcess } from '../processes/commands';
import { nextCertificateNumber } from './numbering';
import { qrCodePng, renderCertificatePdf } from './pdf';
import { certificatePolicyInForce } from './policy';
import { newVerificationCode } from './verification-codes';

/** How a certificate came to be. */
export type CertificateBasis = 'initial' | 'recertification' | 'late_recertification' | 'renewal_extend' | 'renewal_reissue' | 'import';

export interface IssueCertificateInput {
  tenantId: string;
  personId: string;
  certificationId: string;
  /** Calendar dates (UTC midnight). */
  issuedOn: Date;
  expiresOn: Date;
  /** Which cycle of this person and certification (1 = first issue): one certificate per cycle. */
  cycle: number;
  basis: CertificateBasis | string;
  /** The certificate this one follows: it is marked superseded (unless revoked or superseded already). */
  previousId: string | null;
  renewalRequestId?: string | null;
  actor: Actor;
  publicUrl: string;
  /**
   * The holder's e-mail is queued in the outbox (`notificationId`). With a task queue, the process
   * that sends it is queued in the same transaction too (`commandIds`: hand them to
   * `delivery.deliverNow` after commit); without, the caller delivers `notificationId` itself
   * (an activity with the mailer).
   */
  taskQueue?: string;
}

export interface IssuedCertificate {
  id: string;
  number: string;
  verificationCode: string;
  /** false: this cycle's certificate was issued before, and is returned as it is. */
  created: boolean;
  /** The holder's e-mail (null when the certificate existed). */
  notificationId: string | null;
  commandIds: bigint[];
}

/** The certificate as anyone may check it, and its PDF: the verify page and its download. */
export function verifyUrl(publicUrl: string, verificationCode: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/verify/${verificationCode}`;
}

export function certificatePdfUrl(publicUrl: string, verificationCode: string): string {
  return `${verifyUrl(publicUrl, verificationCode)}/certificate.pdf`;
}

/** The holder and certification as they were at issue, kept with the certificate. */
export interface CertificateSnapshot {
  holder: { name: string; email: string; externalId: string };
  certification: { key: string; title: string };
  issuerName: string;
}

/**
 * Issues a person's certificate for one cycle of a certification, in the caller's transaction: the
 * next number of the tenant's pattern, an unguessable verification code, the PDF (with a QR code of
 * the verify page) and its SHA-256, the snapshot of holder and certification, the previous
 * certificate marked superseded, the audit entry and the holder's e-mail. Idempotent: when the
 * cycle's certificate exists it is returned (created false) and nothing else happens, so a retried
 * activity issues once.
 */
export async function issueCertificate(tx: DbTx, input: IssueCertificateInput): Promise<IssuedCertificate> {
  const { tenantId, personId, certificationId, cycle } = input;
  // Two issues of one cycle at once: the second waits here, then finds the first's certificate.
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`certificate:${tenantId}:${personId}:${certificationId}`}, 0))`;
  const existing = await tx.certificate.findUnique({
    where: { tenantId_personId_certificationId_cycle: { tenantId, personId, certificationId, cycle } },
    select: { id: true, number: true, verificationCode: true },
  });
  if (existing) return { ...existing, created: false, notificationId: null, commandIds: [] };

  const [person, certification] = await Promise.all([
    tx.person.findFirst({ where: { tenantId, id: personId }, select: { name: true, email: true, externalId: true } }),
    tx.certification.findFirst({ where: { tenantId, id: certificationId }, select: { key: true, title: true } }),
  ]);
  if (!person) throw new NotFound('person', personId);
  if (!certification) throw new NotFound('certification', certificationId);
  if (input.previousId) {
    const previous = await tx.certificate.findFirst({ where: { tenantId, id: input.previousId }, select: { personId: true, certificationId: true } });
    if (!previous) throw new NotFound('certificate', input.previousId);
    if (previous.personId !== personId || previous.certificationId !== certificationId) {
      throw new Conflict('certificate_chain_mismatch', `Certificate ${input.previousId} is not of this person and certification`, { previousId: input.previousId });
    }
  }

  const issuedOn = toCalendarDate(input.issuedOn);
  const expiresOn = toCalendarDate(input.expiresOn);
  const policy = await certificatePolicyInForce(tx, tenantId);
  const verificationCode = newVerificationCode();
  const qrPng = await qrCodePng(verifyUrl(input.publicUrl, verificationCode));
  // Taking the number locks its scope's counter until the transaction ends: as late as can be.
  const number = await nextCertificateNumber(tx, tenantId, policy.numberPattern, { certificationKey: certification.key, issuedOn });
  const snapshot: CertificateSnapshot = {
    holder: { name: person.name, email: person.email, externalId: person.externalId },
    certification: { key: certification.key, title: certification.title },
    issuerName: policy.issuerName,
  };
  const pdf = await renderCertificatePdf({
    issuerName: policy.issuerName,
    holderName: person.name,
    certificationTitle: certification.title,
    number,
    issuedOn,
    expiresOn,
    verificationCode,
    verifyUrl: verifyUrl(input.publicUrl, verificationCode),
  }, { qrPng });
  const pdfSha256 = createHash('sha256').update(pdf).digest('hex');

  const id = randomUUID();
  await tx.certificate.create({
    data: {
      id,
      tenantId,
      personId,
      certificationId,
      number,
      verificationCode,
      issuedOn,
      expiresOn,
      cycle,
      basis: input.basis,
      previousId: input.previousId,
      snapshot: snapshot as unknown as Prisma.InputJsonObject,
      pdf: new Uint8Array(pdf),
      pdfSha256,
      renewalRequestId: input.renewalRequestId ?? null,
    },
  });
  const superseded = input.previousId
    ? await tx.certificate.updateMany({ where: { tenantId, id: input.previousId, supersededAt: null, revokedAt: null }, data: { supersededAt: new Date() } })
    : { count: 0 };
  await recordAudit(tx, tenantId, input.actor, {
    action: 'certificate.issued',
    entityType: 'certificate',
    entityId: id,
    data: {
      number,
      personId,
      certificationId,
      certificationKey: certification.key,
      cycle,
      basis: input.basis,
      issuedOn: isoDate(issuedOn),
      expiresOn: isoDate(expiresOn),
      previousId: input.previousId,
      supersedes: superseded.count > 0 ? input.previousId : null,
      renewalRequestId: input.renewalRequestId ?? null,
      pdfSha256,
    },
  });

  const message = certificateIssuedMessage({
    name: person.name,
    certificationTitle: certification.title,
    number,
    issuedOn: isoDate(issuedOn),
    expiresOn: isoDate(expiresOn),
    issuerName: policy.issuerName,
    verifyUrl: verifyUrl(input.publicUrl, verificationCode),
    pdfUrl: certificatePdfUrl(input.publicUrl, verificationCode),
  });
  const notificationId = await queueNotification(tx, { tenantId, key: `certificate:${id}:issued`, personId, toAddress: person.email, ...message });
  const commandIds = input.taskQueue ? await queueProcessCommands(tx, input.taskQueue, [sendNotificationProcess(tenantId, notificationId)]) : [];
  return { id, number, verificationCode, created: true, notificationId, commandIds };
}
