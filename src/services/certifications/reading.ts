import { Prisma, type DbTx } from '../../db/client';
import { certificateStatus, type CertificateStatus } from '../../domain/certificates';
import { addDays, isoDate } from '../../domain/dates';
import { NotFound } from '../../domain/errors';
import { dayIn, isTimeZone } from '../../domain/time-zones';
import { byKeyOrId, decodeCursor, invalidCursor, isUuid, toPage, type Page, type PageRequest } from '../catalog/common';
import { tenantTimeZone } from '../catalog/notification-policy';
import { certificatePdfUrl, verifyUrl } from './issuance';

/**
 * Reading certificates: a person's certificates with where each certification stands, and the
 * holders of a certification by expiry. Dates are the tenant's days (notification_policy.time_zone):
 * a certificate is valid up to the day before its expiry day (src/domain/certificates.ts).
 */

/** The tenant's time zone (UTC when it set none) and the day it is there now. */
export async function tenantDay(db: DbTx, tenantId: string, now = Date.now()): Promise<{ timeZone: string; today: string }> {
  const timeZone = await tenantTimeZone(db, tenantId);
  return { timeZone, today: dayIn(now, timeZone) };
}

export type CertificationState = 'assigned' | 'certified' | 'window_open' | 'expired' | 'inactive';

/** One certificate as its holder's list shows it. */
export interface PersonCertificate {
  id: string;
  number: string;
  /** valid | expired | revoked | superseded, on the tenant's today. */
  status: CertificateStatus;
  /** YYYY-MM-DD */
  issuedOn: string;
  /** YYYY-MM-DD: the first day it is no longer valid. */
  expiresOn: string;
  cycle: number;
  basis: string;
  source: string;
  verifyUrl: string;
  /** The public download of its PDF; null for imported certificates, which have none. */
  pdfUrl: string | null;
  /** The number of the certificate it follows in the chain. */
  previousNumber: string | null;
  supersededAt: string | null;
  revokedAt: string | null;
  revokedReason: string | null;
}

/** One certification of a person: where its process stands and every certificate, newest first. */
export interface PersonCertification {
  certification: { id: string; key: string; title: string };
  /** From the certification's process; null before it has run for this person. */
  state: CertificationState | null;
  /** The certificate the process runs on (certification_status), if any. */
  currentCertificateId: string | null;
  certificates: PersonCertificate[];
}

export interface PersonCertificates {
  person: { id: string; externalId: string; name: string; status: string };
  /** The tenant's day the statuses are computed for, and its time zone. */
  today: string;
  timeZone: string;
  /** In certification key order; every certification the person holds a certificate of or has a process for. */
  certifications: PersonCertification[];
}

interface PersonCertificateRow {
  id: string;
  certification_id: string;
  number: string;
  verification_code: string;
  issued_on: string;
  expires_on: string;
  cycle: number;
  basis: string;
  source: string;
  previous_number: string | null;
  superseded_at: Date | null;
  revoked_at: Date | null;
  revoked_reason: string | null;
  has_pdf: boolean;
}

/** Every certificate of a person, newest first, grouped by certification with the process's state. */
export async function personCertificates(db: DbTx, tenantId: string, personId: string, publicUrl: string, now = Date.now()): Promise<PersonCertificates> {
  const person = isUuid(personId)
    ? await db.person.findFirst({ where: { tenantId, id: personId }, select: { id: true, externalId: true, name: true, status: true } })
    : null;
  if (!person) throw new NotFound('person', personId);
  const [{ timeZone, today }, rows, statuses] = await Promise.all([
    tenantDay(db, tenantId, now),
    db.$queryRaw<PersonCertificateRow[]>`
      SELECT c.id, c.certification_id, c.number, c.verification_code, to_char(c.issued_on, 'YYYY-MM-DD') AS issued_on,
             to_char(c.expires_on, 'YYYY-MM-DD') AS expires_on, c.cycle, c.basis, c.source, prev.number AS previous_number,
             c.superseded_at, c.revoked_at, c.revoked_reason, c.pdf_sha256 IS NOT NULL AS has_pdf
        FROM certificate c LEFT JOIN certificate prev ON prev.id = c.previous_id
       WHERE c.tenant_id = ${tenantId}::uuid AND c.person_id = ${personId}::uuid
       ORDER BY c.issued_on DESC, c.cycle DESC, c.id`,
    db.certificationStatus.findMany({ where: { tenantId, personId }, select: { certificationId: true, state: true, certificateId: true } }),
  ]);
  const certificationIds = [...new Set([...rows.map((r) => r.certification_id), ...statuses.map((s) => s.certificationId)])];
  const certifications = await db.certification.findMany({ where: { tenantId, id: { in: certificationIds } }, select: { id: true, key: true, title: true }, orderBy: { key: 'asc' } });
  const statusOf = new Map(statuses.map((s) => [s.certificationId, s]));
  return {
    person,
    today,
    timeZone,
    certifications: certifications.map((certification) => ({
      certification,
      state: statusOf.get(certification.id)?.state ?? null,
      currentCertificateId: statusOf.get(certification.id)?.certificateId ?? null,
      certificates: rows
        .filter((row) => row.certification_id === certification.id)
        .map((row) => ({
          id: row.id,
          number: row.number,
          status: certificateStatus({ expiresOn: row.expires_on, revokedAt: row.revoked_at, supersededAt: row.superseded_at }, today),
          issuedOn: row.issued_on,
          expiresOn: row.expires_on,
          cycle: row.cycle,
          basis: row.basis,
          source: row.source,
          verifyUrl: verifyUrl(publicUrl, row.verification_code),
          pdfUrl: row.has_pdf ? certificatePdfUrl(publicUrl, row.verification_code) : null,
          previousNumber: row.previous_number,
          supersededAt: row.superseded_at?.toISOString() ?? null,
          revokedAt: row.revoked_at?.toISOString() ?? null,
          revokedReason: row.revoked_reason,
        })),
    })),
  };
}

// ─── Holders ──────────────────────────────────────────────────────────────────────────────────

/** valid: expires after today; expiring: valid and expires within `withinDays`; expired: its expiry day has come. */
export type HolderFilter = 'valid' | 'expiring' | 'expired';

export interface HoldersQuery extends PageRequest {
  status?: HolderFilter;
  /** For `expiring`: how many days ahead (default 30). */
  withinDays?: number;
}

/** A holder of a certificate in force (neither superseded nor revoked). */
export interface Holder {
  person: { id: string; externalId: string; name: string; status: string };
  certificate: {
    id: string;
    number: string;
    status: 'valid' | 'expired';
    issuedOn: string;
    expiresOn: string;
    cycle: number;
    basis: string;
    verifyUrl: string;
  };
  /** Days from today to the expiry day (0 or less: expired). */
  daysToExpiry: number;
}

export interface HoldersPage extends Page<Holder> {
  certification: { id: string; key: string; title: string };
  today: string;
  timeZone: string;
}

interface HolderRow {
  id: string;
  number: string;
  verification_code: string;
  issued_on: string;
  expires_on: string;
  cycle: number;
  basis: string;
  person_id: string;
  external_id: string;
  name: string;
  person_status: string;
}

/**
 * The holders of a certification's certificates in force, soonest expiry first, keyset-paginated by
 * (expiresOn, id). One query over the partial index certificate_current_idx (tenant, certification,
 * expires_on WHERE not superseded and not revoked): the filter is a range of expiry days.
 */
export async function listHolders(db: DbTx, tenantId: string, certificationRef: string, query: HoldersQuery, publicUrl: string, now = Date.now()): Promise<HoldersPage> {
  // The certification and the tenant's time zone in one statement: a list is read often (the holders' query is the other).
  const ref = byKeyOrId(tenantId, certificationRef);
  const [found] = await db.$queryRaw<{ id: string; key: string; title: string; time_zone: string | null }[]>`
    SELECT c.id, c.key, c.title, (SELECT np.time_zone FROM notification_policy np WHERE np.tenant_id = c.tenant_id) AS time_zone
      FROM certification c
     WHERE c.tenant_id = ${tenantId}::uuid AND ${'id' in ref ? Prisma.sql`c.id = ${ref.id}::uuid` : Prisma.sql`c.key = ${ref.key}`}`;
  if (!found) throw new NotFound('certification', certificationRef);
  const certification = { id: found.id, key: found.key, title: found.title };
  const timeZone = found.time_zone && isTimeZone(found.time_zone) ? found.time_zone : 'UTC';
  const today = dayIn(now, timeZone);
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, 2);
  if (after && (!/^\d{4}-\d{2}-\d{2}$/.test(after[0]!) || !isUuid(after[1]!))) invalidCursor();
  const { from, to } = expiryRange(today, query.status, query.withinDays ?? 30);
  const rows = await holdersSql(db, tenantId, certification.id, { from, to, after: after ? { expiresOn: after[0]!, id: after[1]! } : null, limit: query.limit });
  const todayMs = Date.parse(`${today}T00:00:00Z`);
  const page = toPage(rows, query.limit, (row) => [row.expires_on, row.id]);
  return {
    certification,
    today,
    timeZone,
    data: page.data.map((row) => ({
      person: { id: row.person_id, externalId: row.external_id, name: row.name, status: row.person_status },
      certificate: {
        id: row.id,
        number: row.number,
        status: row.expires_on > today ? 'valid' : 'expired',
        issuedOn: row.issued_on,
        expiresOn: row.expires_on,
        cycle: row.cycle,
        basis: row.basis,
        verifyUrl: verifyUrl(publicUrl, row.verification_code),
      },
      daysToExpiry: Math.round((Date.parse(`${row.expires_on}T00:00:00Z`) - todayMs) / 86_400_000),
    })),
    nextCursor: page.nextCursor,
  };
}

/** The expiry days a filter takes, as a half-open range [from, to): null ends are open. */
export function expiryRange(today: string, status: HolderFilter | undefined, withinDays: number): { from: string | null; to: string | null } {
  const dayAfter = (days: number) => isoDate(addDays(new Date(`${today}T00:00:00Z`), days));
  switch (status) {
    case 'valid':
      return { from: dayAfter(1), to: null };
    case 'expiring':
      return { from: dayAfter(1), to: dayAfter(withinDays + 1) };
    case 'expired':
      return { from: null, to: dayAfter(1) };
    default:
      return { from: null, to: null };
  }
}

/**
 * The holders query itself (also what the benchmark compares the API with): certificates in force of
 * one certification whose expiry day lies in [from, to), after the keyset position, `limit + 1` rows.
 */
export function holdersSql(
  db: DbTx,
  tenantId: string,
  certificationId: string,
  range: { from: string | null; to: string | null; after: { expiresOn: string; id: string } | null; limit: number },
): Promise<HolderRow[]> {
  return db.$queryRaw<HolderRow[]>(holdersStatement(tenantId, certificationId, range));
}

export function holdersStatement(
  tenantId: string,
  certificationId: string,
  range: { from: string | null; to: string | null; after: { expiresOn: string; id: string } | null; limit: number },
): Prisma.Sql {
  // Both ends of the range are bounds of the index scan (also in a generic plan), and it reads in (expires_on, id) order.
  const after = { expiresOn: range.after?.expiresOn ?? null, id: range.after?.id ?? null };
  return Prisma.sql`
    SELECT c.id, c.number, c.verification_code, to_char(c.issued_on, 'YYYY-MM-DD') AS issued_on, to_char(c.expires_on, 'YYYY-MM-DD') AS expires_on,
           c.cycle, c.basis, p.id AS person_id, p.external_id, p.name, p.status::text AS person_status
      FROM certificate c JOIN person p ON p.id = c.person_id
     WHERE c.tenant_id = ${tenantId}::uuid AND c.certification_id = ${certificationId}::uuid
       AND c.superseded_at IS NULL AND c.revoked_at IS NULL
       AND c.expires_on >= COALESCE(GREATEST(${range.from}::date, ${after.expiresOn}::date), '-infinity'::date)
       AND c.expires_on < COALESCE(${range.to}::date, 'infinity'::date)
       AND (c.expires_on, c.id) > (COALESCE(${after.expiresOn}::date, '-infinity'::date), COALESCE(${after.id}::uuid, '00000000-0000-0000-0000-000000000000'::uuid))
     ORDER BY c.expires_on, c.id
     LIMIT ${range.limit + 1}`;
}
