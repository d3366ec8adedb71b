import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/db/client';
import type { PersonStatus } from '../../src/generated/prisma/enums';

/** A certification with its initial path (a program of one course), written straight to the database. */
export async function givenCertification(db: Db, tenantId: string, key: string, title = key) {
  const course = await db.course.create({ data: { tenantId, key: `${key}-course`, title: `${title} course` } });
  const program = await db.program.create({ data: { tenantId, key: `${key}-path`, title: `${title} path`, courses: { create: [{ tenantId, courseId: course.id, position: 0 }] } } });
  return db.certification.create({
    data: { tenantId, key, title, initialProgramId: program.id, recertificationProgramId: program.id, activePeriod: 'P2Y', windowPeriod: 'P3M', expiryBase: 'completion_date' },
  });
}

/** A person on record (without the HR event), optionally holding roles. */
export async function givenHolder(db: Db, tenantId: string, spec: { name?: string; roles?: string[]; status?: PersonStatus; department?: string; location?: string } = {}) {
  const externalId = `E-${randomUUID().slice(0, 8)}`;
  const roles = await db.role.findMany({ where: { tenantId, key: { in: spec.roles ?? [] } } });
  return db.person.create({
    data: {
      tenantId,
      source: 'workday',
      externalId,
      email: `${externalId.toLowerCase()}@example.com`,
      name: spec.name ?? externalId,
      status: spec.status ?? 'active',
      department: spec.department ?? null,
      location: spec.location ?? null,
      hireDate: new Date('2024-01-08T00:00:00Z'),
      roles: { create: roles.map((role) => ({ tenantId, roleId: role.id })) },
    },
  });
}

/** A certificate as issuance would have left it (dates YYYY-MM-DD), written straight to the database. */
export async function givenCertificate(
  db: Db,
  tenantId: string,
  spec: {
    personId: string;
    certificationId: string;
    number?: string;
    issuedOn: string;
    expiresOn: string;
    cycle?: number;
    basis?: string;
    previousId?: string | null;
    superseded?: boolean;
    revoked?: string;
    pdf?: boolean;
  },
) {
  return db.certificate.create({
    data: {
      tenantId,
      personId: spec.personId,
      certificationId: spec.certificationId,
      number: spec.number ?? `N-${randomUUID().slice(0, 13)}`,
      verificationCode: randomUUID().toUpperCase(),
      issuedOn: new Date(`${spec.issuedOn}T00:00:00Z`),
      expiresOn: new Date(`${spec.expiresOn}T00:00:00Z`),
      cycle: spec.cycle ?? 1,
      basis: spec.basis ?? 'initial',
      previousId: spec.previousId ?? null,
      supersededAt: spec.superseded ? new Date() : null,
      revokedAt: spec.revoked ? new Date() : null,
      revokedReason: spec.revoked ?? null,
      snapshot: {},
      ...(spec.pdf === false ? {} : { pdf: Buffer.from('%PDF-1.7'), pdfSha256: 'a'.repeat(64) }),
    },
  });
}
