import type { Db, DbTx } from '../../db/client';
import { certificateStatus, type CertificateStatus } from '../../domain/certificates';
import { isoDate } from '../../domain/dates';
import { Conflict, DomainError, NotFound } from '../../domain/errors';
import { dayIn } from '../../domain/time-zones';
import { recordAudit, type Actor } from '../audit/trail';
import { tenantTimeZone } from '../catalog/notification-policy';
import type { CommandDelivery } from '../processes/operations';
import { queueProcessCommands, wakeCertificationProcess } from '../processes/commands';
import { isUuid } from '../catalog/common';
import { certificatePdfUrl, verifyUrl, type CertificateSnapshot } from './issuance';
import { certificatePolicyInForce } from './policy';
import { tenantDay } from './reading';
import { canonicalVerificationCode } from './verification-codes';

/** A neighbour in the certificate chain (the one it follows, the one that follows it). */
export interface ChainLink {
  id: string;
  number: string;
  issuedOn: string;
  expiresOn: string;
  status: CertificateStatus;
}

/** A certificate as the API shows it. */
export interface CertificateView {
  id: string;
  number: string;
  verificationCode: string;
  /** The public page where anyone can check it. */
  verifyUrl: string;
  /** The public download of its PDF; null for certificates imported without one. */
  pdfUrl: string | null;
  pdfSha256: string | null;
  status: CertificateStatus;
  issuedOn: string;
  expiresOn: string;
  cycle: number;
  basis: string;
  source: string;
  holder: { id: string; externalId: string; name: string; email: string };
  certification: { id: string; key: string; title: string };
  issuerName: string | null;
  previous: ChainLink | null;
  next: ChainLink | null;
  supersededAt: string | null;
  revocation: { revokedAt: string; reason: string | null } | null;
  renewalRequestId: string | null;
  createdAt: string;
}

const CHAIN_SELECT = { id: true, number: true, issuedOn: true, expiresOn: true, revokedAt: true, supersededAt: true } as const;

type ChainRow = { id: string; number: string; issuedOn: Date; expiresOn: Date; revokedAt: Date | null; supersededAt: Date | null };

function chainLink(row: ChainRow | null, today: string): ChainLink | null {
  return row ? { id: row.id, number: row.number, issuedOn: isoDate(row.issuedOn), expiresOn: isoDate(row.expiresOn), status: certificateStatus(row, today) } : null;
}

/** The certificate that follows `id` in its chain: the newest not revoked, else the newest. */
function nextInChain(db: DbTx, tenantId: string, id: string) {
  return db.certificate.findFirst({ where: { tenantId, previousId: id }, orderBy: [{ revokedAt: { sort: 'desc', nulls: 'first' } }, { cycle: 'desc' }], select: CHAIN_SELECT });
}

/** The snapshot as issuance writes it; imports may carry less, so every field falls back to the records. */
function snapshotOf(value: unknown): Partial<CertificateSnapshot> {
  return value && typeof value === 'object' ? (value as Partial<CertificateSnapshot>) : {};
}

export async function getCertificate(db: DbTx, tenantId: string, id: string, publicUrl: string, now = Date.now()): Promise<CertificateView> {
  const row = isUuid(id)
    ? await db.certificate.findFirst({
        where: { tenantId, id },
        omit: { pdf: true },
        include: {
          person: { select: { id: true, externalId: true, name: true, email: true } },
          certification: { select: { id: true, key: true, title: true } },
          previous: { select: CHAIN_SELECT },
        },
      })
    : null;
  if (!row) throw new NotFound('certificate', id);
  const [today, next] = await Promise.all([tenantDay(db, tenantId, now).then((day) => day.today), nextInChain(db, tenantId, row.id)]);
  const snapshot = snapshotOf(row.snapshot);
  return {
    id: row.id,
    number: row.number,
    verificationCode: row.verificationCode,
    verifyUrl: verifyUrl(publicUrl, row.verificationCode),
    pdfUrl: row.pdfSha256 ? certificatePdfUrl(publicUrl, row.verificationCode) : null,
    pdfSha256: row.pdfSha256,
    status: certificateStatus(row, today),
    issuedOn: isoDate(row.issuedOn),
    expiresOn: isoDate(row.expiresOn),
    cycle: row.cycle,
    basis: row.basis,
    source: row.source,
    holder: { id: row.person.id, externalId: snapshot.holder?.externalId ?? row.person.externalId, name: snapshot.holder?.name ?? row.person.name, email: snapshot.holder?.email ?? row.person.email },
    certification: { id: row.certification.id, key: snapshot.certification?.key ?? row.certification.key, title: snapshot.certification?.title ?? row.certification.title },
    issuerName: snapshot.issuerName ?? null,
    previous: chainLink(row.previous, today),
    next: chainLink(next, today),
    supersededAt: row.supersededAt?.toISOString() ?? null,
    revocation: row.revokedAt ? { revokedAt: row.revokedAt.toISOString(), reason: row.revokedReason } : null,
    renewalRequestId: row.renewalRequestId,
    createdAt: row.createdAt.toISOString(),
  };
}

export class NoCertificatePdf extends DomainError {
  constructor(id: string) {
    super(404, 'no_certificate_pdf', `Certificate ${id} has no PDF (it was imported from an earlier system)`, { id });
  }
}

/** The PDF as issued, and the name to save it under. */
export async function getCertificatePdf(db: DbTx, tenantId: string, id: string): Promise<{ pdf: Uint8Array; fileName: string }> {
  const row = isUuid(id) ? await db.certificate.findFirst({ where: { tenantId, id }, select: { id: true, number: true, pdf: true } }) : null;
  if (!row) throw new NotFound('certificate', id);
  if (!row.pdf) throw new NoCertificatePdf(id);
  return { pdf: row.pdf, fileName: pdfFileName(row.number) };
}

/** "BLS-2026-000001.pdf": the number with anything unsafe in a file name replaced. */
export function pdfFileName(number: string): string {
  return `certificate-${number.replace(/[^A-Za-z0-9._-]+/g, '_')}.pdf`;
}

/**
 * Revokes a certificate (it was issued in error, or obtained by fraud): revokedAt and the reason,
 * audited, and the holder's certification process woken in the same transaction — it puts the
 * person back on the initial path. A certificate is revoked once; again is 409.
 */
export async function revokeCertificate(db: Db, delivery: CommandDelivery, tenantId: string, actor: Actor, id: string, reason: string, publicUrl: string): Promise<CertificateView> {
  const commandIds = await db.$transaction(async (tx) => {
    const [row] = isUuid(id)
      ? await tx.$queryRaw<{ id: string; person_id: string; certification_id: string; number: string; revoked_at: Date | null }[]>`
          SELECT id::text, person_id::text, certification_id::text, number, revoked_at FROM certificate WHERE tenant_id = ${tenantId}::uuid AND id = ${id}::uuid FOR UPDATE`
      : [];
    if (!row) throw new NotFound('certificate', id);
    if (row.revoked_at) {
      throw new Conflict('certificate_revoked', `Certificate ${row.number} was revoked on ${row.revoked_at.toISOString()}`, { id, revokedAt: row.revoked_at.toISOString() });
    }
    const revokedAt = new Date();
    await tx.certificate.update({ where: { id: row.id }, data: { revokedAt, revokedReason: reason } });
    await recordAudit(tx, tenantId, actor, {
      action: 'certificate.revoked',
      entityType: 'certificate',
      entityId: row.id,
      reason,
      data: { number: row.number, personId: row.person_id, certificationId: row.certification_id, reason },
    });
    return queueProcessCommands(tx, delivery.taskQueue, [wakeCertificationProcess(tenantId, row.certification_id, row.person_id)]);
  });
  await delivery.deliverNow(commandIds);
  return getCertificate(db, tenantId, id, publicUrl);
}

/** A certificate as its public verify page shows it: no ids, nothing of the tenant beyond the issuer's name. */
export interface VerifiedCertificate {
  verificationCode: string;
  number: string;
  holderName: string;
  certificationTitle: string;
  issuerName: string;
  issuedOn: string;
  expiresOn: string;
  status: CertificateStatus;
  /** The day the status was judged on (in the issuer's time zone). */
  today: string;
  revocation: { revokedOn: string; reason: string | null } | null;
  supersededBy: { number: string; issuedOn: string; expiresOn: string } | null;
  pdfSha256: string | null;
}

/** The certificate a verification code names (as a person may type it), or null. */
export async function verifyCertificate(db: DbTx, code: string, now = Date.now()): Promise<VerifiedCertificate | null> {
  const canonical = canonicalVerificationCode(code);
  if (!canonical) return null;
  const row = await db.certificate.findUnique({
    where: { verificationCode: canonical },
    omit: { pdf: true },
    include: { person: { select: { name: true } }, certification: { select: { title: true } } },
  });
  if (!row) return null;
  const [zone, next, policy] = await Promise.all([
    tenantTimeZone(db, row.tenantId),
    row.supersededAt ? nextInChain(db, row.tenantId, row.id) : null,
    certificatePolicyInForce(db, row.tenantId),
  ]);
  const today = dayIn(now, zone);
  const snapshot = snapshotOf(row.snapshot);
  return {
    verificationCode: row.verificationCode,
    number: row.number,
    holderName: snapshot.holder?.name ?? row.person.name,
    certificationTitle: snapshot.certification?.title ?? row.certification.title,
    issuerName: snapshot.issuerName ?? policy.issuerName,
    issuedOn: isoDate(row.issuedOn),
    expiresOn: isoDate(row.expiresOn),
    status: certificateStatus(row, today),
    today,
    revocation: row.revokedAt ? { revokedOn: dayIn(row.revokedAt.getTime(), zone), reason: row.revokedReason } : null,
    supersededBy: next ? { number: next.number, issuedOn: isoDate(next.issuedOn), expiresOn: isoDate(next.expiresOn) } : null,
    pdfSha256: row.pdfSha256,
  };
}

/** The PDF a verification code names, for its public download. */
export async function verifiedCertificatePdf(db: DbTx, code: string): Promise<{ pdf: Uint8Array; fileName: string } | null> {
  const canonical = canonicalVerificationCode(code);
  if (!canonical) return null;
  const row = await db.certificate.findUnique({ where: { verificationCode: canonical }, select: { number: true, pdf: true } });
  return row?.pdf ? { pdf: row.pdf, fileName: pdfFileName(row.number) } : null;
}
