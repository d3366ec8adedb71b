import type { Db, DbTx, Prisma } from '../../db/client';
import { Duplicate, NotFound, UnknownReference } from '../../domain/errors';
import type { Actor } from '../audit/trail';
import { auditChange, decodeCursor, inCatalogTransaction, invalidCursor, isUuid, toPage, type Page, type PageRequest } from '../catalog/common';
import { queueCertificationWakeUps } from '../processes/commands';
import type { CommandDelivery } from '../processes/operations';

/** That people in a role (optionally only in a department and/or location) must hold a certification. */
export type CertificationRequirementView = {
  id: string;
  role: { id: string; key: string };
  certification: { id: string; key: string };
  department: string | null;
  location: string | null;
  createdAt: string;
};

export interface CertificationRequirementInput {
  roleKey: string;
  certificationKey: string;
  department?: string | null;
  location?: string | null;
}

export interface CertificationRequirementFilter {
  role?: string;
  certification?: string;
}

/** A requirement change, and how many certification processes it woke. */
export interface CertificationRequirementChange {
  requirement: CertificationRequirementView;
  processesWoken: number;
}

const withKeys = { role: { select: { id: true, key: true } }, certification: { select: { id: true, key: true } } } as const;

type RequirementRow = Prisma.CertificationRequirementGetPayload<{ include: typeof withKeys }>;

function view(row: RequirementRow): CertificationRequirementView {
  return {
    id: row.id,
    role: { id: row.role.id, key: row.role.key },
    certification: { id: row.certification.id, key: row.certification.key },
    department: row.department,
    location: row.location,
    createdAt: row.createdAt.toISOString(),
  };
}

/** The tenant's certification requirements, oldest first, optionally only those of one role and/or certification (by key). */
export async function listCertificationRequirements(
  db: DbTx,
  tenantId: string,
  filter: CertificationRequirementFilter,
  page: PageRequest,
): Promise<Page<CertificationRequirementView>> {
  const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor, 2);
  const afterAt = after ? new Date(after[0]!) : undefined;
  if (after && (Number.isNaN(afterAt!.getTime()) || !isUuid(after[1]!))) invalidCursor();
  const rows = await db.certificationRequirement.findMany({
    where: {
      tenantId,
      ...(filter.role === undefined ? {} : { role: { key: filter.role } }),
      ...(filter.certification === undefined ? {} : { certification: { key: filter.certification } }),
      ...(after && afterAt ? { OR: [{ createdAt: { gt: afterAt } }, { createdAt: afterAt, id: { gt: after[1]! } }] } : {}),
    },
    include: withKeys,
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    take: page.limit + 1,
  });
  return toPage(rows.map(view), page.limit, (requirement) => [requirement.createdAt, requirement.id]);
}

export async function getCertificationRequirement(db: DbTx, tenantId: string, id: string): Promise<CertificationRequirementView> {
  return view(await findRequirement(db, tenantId, id));
}

/**
 * Adds a certification requirement. Unknown role or certification keys are 422 unknown_role /
 * unknown_certification; the same requirement twice (role, certification, department, location) is
 * 409 duplicate_certification_requirement. In the same transaction the certification process of
 * every active (or on leave) person it applies to is woken (bulk priority): it starts the initial
 * path for those who hold no certificate.
 */
export async function createCertificationRequirement(
  db: Db,
  delivery: CommandDelivery,
  tenantId: string,
  actor: Actor,
  input: CertificationRequirementInput,
): Promise<CertificationRequirementChange> {
  const { change, commandIds } = await inCatalogTransaction(db, tenantId, async (tx) => {
    const role = await tx.role.findUnique({ where: { tenantId_key: { tenantId, key: input.roleKey } }, select: { id: true } });
    if (!role) throw new UnknownReference('role', input.roleKey);
    const certification = await tx.certification.findUnique({ where: { tenantId_key: { tenantId, key: input.certificationKey } }, select: { id: true } });
    if (!certification) throw new UnknownReference('certification', input.certificationKey);
    const terms = { roleId: role.id, certificationId: certification.id, department: input.department ?? null, location: input.location ?? null };
    const same = await tx.certificationRequirement.findFirst({ where: { tenantId, ...terms }, select: { id: true } });
    if (same) {
      throw new Duplicate('certification_requirement', 'This role already requires this certification for the same department and location', { id: same.id });
    }
    const created = view(await tx.certificationRequirement.create({ data: { tenantId, ...terms }, include: withKeys }));
    await auditChange(tx, tenantId, actor, { entityType: 'certification_requirement', entityId: created.id, action: 'created', before: null, after: created });
    const commandIds = await wakeThoseAffected(tx, delivery, tenantId, terms);
    return { change: { requirement: created, processesWoken: commandIds.length }, commandIds };
  });
  await delivery.deliverNow(commandIds);
  return change;
}

/**
 * Removes a certification requirement and returns it as it was. The processes of the people it
 * applied to are woken in the same transaction: where no other requirement asks for the
 * certification, theirs stops (its certificates stay on record).
 */
export async function deleteCertificationRequirement(
  db: Db,
  delivery: CommandDelivery,
  tenantId: string,
  actor: Actor,
  id: string,
): Promise<CertificationRequirementChange> {
  const { change, commandIds } = await inCatalogTransaction(db, tenantId, async (tx) => {
    const row = await findRequirement(tx, tenantId, id);
    const before = view(row);
    const commandIds = await wakeThoseAffected(tx, delivery, tenantId, row);
    await tx.certificationRequirement.delete({ where: { id: row.id } });
    await auditChange(tx, tenantId, actor, { entityType: 'certification_requirement', entityId: row.id, action: 'deleted', before, after: null });
    return { change: { requirement: before, processesWoken: commandIds.length }, commandIds };
  });
  await delivery.deliverNow(commandIds);
  return change;
}

/** Queues the wake-ups of everyone (active or on leave) a requirement's terms apply to; returns the commands' ids. */
async function wakeThoseAffected(
  tx: DbTx,
  delivery: CommandDelivery,
  tenantId: string,
  terms: { roleId: string; certificationId: string; department: string | null; location: string | null },
): Promise<bigint[]> {
  const people = await tx.$queryRaw<{ id: string }[]>`
    SELECT p.id FROM person_role pr JOIN person p ON p.id = pr.person_id
     WHERE pr.tenant_id = ${tenantId}::uuid AND pr.role_id = ${terms.roleId}::uuid
       AND p.status IN ('active', 'on_leave')
       AND (${terms.department}::text IS NULL OR p.department = ${terms.department}::text)
       AND (${terms.location}::text IS NULL OR p.location = ${terms.location}::text)
     ORDER BY p.id`;
  return queueCertificationWakeUps(tx, delivery.taskQueue, tenantId, people.map((p) => ({ personId: p.id, certificationId: terms.certificationId })));
}

async function findRequirement(db: DbTx, tenantId: string, id: string): Promise<RequirementRow> {
  const requirement = await db.certificationRequirement.findFirst({ where: { tenantId, id }, include: withKeys });
  if (!requirement) throw new NotFound('certification requirement', id);
  return requirement;
}
