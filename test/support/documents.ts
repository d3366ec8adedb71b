import { createHash, randomUUID } from 'node:crypto';
import type { Db } from '../../src/db/client';

/**
 * A controlled document as a test needs it: its type touching `roles`, the training it requires and
 * a draft version (what a document system's admin sets up before approving).
 */
export async function givenDocument(
  db: Db,
  tenantId: string,
  spec: { key?: string; roles: string[]; training: { kind: 'acknowledgement' } | { kind: 'course'; course: string } | { kind: 'program'; program: string }; defaultImpact?: 'retraining' | 'minor'; dueOffsetDays?: number; closeSuperseded?: boolean },
) {
  const key = spec.key ?? `sop-${randomUUID().slice(0, 8)}`;
  const roles = await db.role.findMany({ where: { tenantId, key: { in: spec.roles } } });
  const type = await db.documentType.create({ data: { tenantId, key: `type-${key}`, name: 'SOP', defaultImpact: spec.defaultImpact ?? 'retraining' } });
  await db.documentTypeRole.createMany({ data: roles.map((r) => ({ tenantId, documentTypeId: type.id, roleId: r.id })) });
  const course = spec.training.kind === 'course' ? await db.course.findUniqueOrThrow({ where: { tenantId_key: { tenantId, key: spec.training.course } } }) : null;
  const program = spec.training.kind === 'program' ? await db.program.findUniqueOrThrow({ where: { tenantId_key: { tenantId, key: spec.training.program } } }) : null;
  const document = await db.document.create({
    data: {
      tenantId,
      key,
      title: `Handling of samples (${key})`,
      documentTypeId: type.id,
      training: spec.training.kind,
      courseId: course?.id ?? null,
      programId: program?.id ?? null,
      dueOffsetDays: spec.dueOffsetDays ?? 0,
      closeSuperseded: spec.closeSuperseded ?? true,
    },
  });
  const draft = (version: string, effectiveDate: string, authorIds: string[] = []) =>
    db.documentVersion.create({
      data: { tenantId, documentId: document.id, version, title: `${document.title} v${version}`, effectiveDate: new Date(`${effectiveDate}T00:00:00Z`), contentHash: createHash('sha256').update(`${key}:${version}`).digest('hex'), authorIds },
    });
  return { document, draft };
}

/** The body of a document system's event. */
export function documentEvent(type: 'approved' | 'effective' | 'superseded' | 'withdrawn', document: string, version: string, extra: Record<string, unknown> = {}) {
  return { source: 'veeva-vault', eventId: `ev-${randomUUID()}`, type, document, version, ...extra };
}

/** A person on record, named and identified as HR sent them (without the HR event: for tests of reading). */
export async function givenPerson(db: Db, tenantId: string, name: string) {
  const externalId = `E-${randomUUID().slice(0, 8)}`;
  return db.person.create({
    data: { tenantId, source: 'workday', externalId, email: `${externalId.toLowerCase()}@example.com`, name, hireDate: new Date('2026-03-02T00:00:00Z') },
  });
}
