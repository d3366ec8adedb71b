import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/db/client';
import { SYSTEM } from '../../src/services/audit/trail';
import { issueCertificate, type IssueCertificateInput } from '../../src/services/certifications/issuance';

export const PUBLIC_URL = 'http://trainhub.test';

/** A certification with its two paths (programs), made directly in the database. */
export async function givenCertification(db: Db, tenantId: string, key = 'bls', title = 'Basic Life Support') {
  const [initial, recertification] = await Promise.all([
    db.program.create({ data: { tenantId, key: `${key}-initial`, title: `${title} (initial)` } }),
    db.program.create({ data: { tenantId, key: `${key}-refresher`, title: `${title} refresher` } }),
  ]);
  return db.certification.create({
    data: { tenantId, key, title, initialProgramId: initial.id, recertificationProgramId: recertification.id, activePeriod: 'P2Y', windowPeriod: 'P3M', expiryBase: 'completion_date' },
  });
}

/** A person of the tenant, as an HR system would have sent them. */
export async function givenPerson(db: Db, tenantId: string, name = 'Ada Lovelace') {
  const externalId = `E-${randomUUID().slice(0, 8)}`;
  return db.person.create({ data: { tenantId, source: 'workday', externalId, email: `${externalId.toLowerCase()}@example.com`, name, hireDate: new Date('2024-01-08') } });
}

export type IssueOverrides = Partial<IssueCertificateInput> & Pick<IssueCertificateInput, 'tenantId' | 'personId' | 'certificationId'>;

/**
 * Issues a certificate in a transaction of its own (cycle 1, issued 2026-03-14, expiring two years
 * later, unless told otherwise). Issues in one number scope queue up behind each other's PDF
 * rendering: on a busy test machine a handful at once takes longer than Prisma's default 5 s.
 */
export function issue(db: Db, input: IssueOverrides) {
  return db.$transaction(async (tx) =>
    issueCertificate(tx, {
      issuedOn: new Date('2026-03-14'),
      expiresOn: new Date('2028-03-14'),
      cycle: 1,
      basis: 'initial',
      previousId: null,
      actor: SYSTEM,
      publicUrl: PUBLIC_URL,
      ...input,
    }),
    { timeout: 30_000, maxWait: 30_000 },
  );
}

/** YYYY-MM-DD, `days` after today (UTC), as a calendar date. */
export function dayFromToday(days: number): Date {
  const today = new Date();
  return new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + days));
}
