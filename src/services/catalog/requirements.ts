import type { DbTx, Prisma } from '../../db/client';
import { Duplicate, NotFound, UnknownReference } from '../../domain/errors';
import type { DueAnchor } from '../../generated/prisma/enums';
import type { Actor } from '../audit/trail';
import { auditChange, decodeCursor, invalidCursor, isUuid, sameView, toPage, type Page, type PageRequest } from './common';

/** A rule of the training matrix as the API shows it. */
export type RequirementView = {
  id: string;
  role: { id: string; key: string };
  program: { id: string; key: string };
  department: string | null;
  location: string | null;
  mandatory: boolean;
  dueOffsetDays: number;
  dueRelativeTo: DueAnchor;
  createdAt: string;
  updatedAt: string;
};

export interface RequirementInput {
  /** Role key */
  role: string;
  /** Program key */
  program: string;
  department?: string | null;
  location?: string | null;
  mandatory: boolean;
  dueOffsetDays: number;
  dueRelativeTo: DueAnchor;
}

/** Only what is given changes; null clears the department or location filter. */
export type RequirementChanges = Partial<RequirementInput>;

export interface RequirementFilter {
  role?: string;
  program?: string;
}

const withKeys = { role: { select: { id: true, key: true } }, program: { select: { id: true, key: true } } } as const;

type RequirementRow = Prisma.RequirementGetPayload<{ include: typeof withKeys }>;

function view(row: RequirementRow): RequirementView {
  return {
    id: row.id,
    role: { id: row.role.id, key: row.role.key },
    program: { id: row.program.id, key: row.program.key },
    department: row.department,
    location: row.location,
    mandatory: row.mandatory,
    dueOffsetDays: row.dueOffsetDays,
    dueRelativeTo: row.dueRelativeTo,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The tenant's requirements, oldest first, optionally only those of one role and/or program (by key). */
export async function listRequirements(db: DbTx, tenantId: string, filter: RequirementFilter, page: PageRequest): Promise<Page<RequirementView>> {
  const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor, 2);
  const afterAt = after ? new Date(after[0]!) : undefined;
  if (after && (Number.isNaN(afterAt!.getTime()) || !isUuid(after[1]!))) invalidCursor();
  const rows = await db.requirement.findMany({
    where: {
      tenantId,
      ...(filter.role === undefined ? {} : { role: { key: filter.role } }),
      ...(filter.program === undefined ? {} : { program: { key: filter.program } }),
      ...(after && afterAt ? { OR: [{ createdAt: { gt: afterAt } }, { createdAt: afterAt, id: { gt: after[1]! } }] } : {}),
    },
    include: withKeys,
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    take: page.limit + 1,
  });
  return toPage(rows.map(view), page.limit, (requirement) => [requirement.createdAt, requirement.id]);
}

export async function getRequirement(db: DbTx, tenantId: string, id: string): Promise<RequirementView> {
  return view(await findRequirement(db, tenantId, id));
}

/**
 * Adds a rule to the training matrix and returns it as saved. Unknown role or program keys are
 * 422 unknown_role / unknown_program; the same rule twice (role, program, department, location) is
 * 409 duplicate_requirement. Runs in the caller's catalog transaction (inCatalogTransaction), where
 * the change is recorded together with the operation that applies it.
 */
export async function createRequirement(tx: DbTx, tenantId: string, actor: Actor, input: RequirementInput): Promise<RequirementView> {
  const { roleId, programId } = await resolveKeys(tx, tenantId, input.role, input.program);
  const terms = {
    roleId,
    programId,
    department: input.department ?? null,
    location: input.location ?? null,
    mandatory: input.mandatory,
    dueOffsetDays: input.dueOffsetDays,
    dueRelativeTo: input.dueRelativeTo,
  };
  await refuseDuplicate(tx, tenantId, terms);
  const created = view(await tx.requirement.create({ data: { tenantId, ...terms }, include: withKeys }));
  await auditChange(tx, tenantId, actor, { entityType: 'requirement', entityId: created.id, action: 'created', before: null, after: created });
  return created;
}

/** Changes the given terms of a rule and returns it as saved (in the caller's catalog transaction). */
export async function updateRequirement(
  tx: DbTx,
  tenantId: string,
  actor: Actor,
  id: string,
  changes: RequirementChanges,
): Promise<RequirementView> {
  const before = view(await findRequirement(tx, tenantId, id));
  const { roleId, programId } = await resolveKeys(tx, tenantId, changes.role ?? before.role.key, changes.program ?? before.program.key);
  const terms = {
    roleId,
    programId,
    department: changes.department === undefined ? before.department : changes.department,
    location: changes.location === undefined ? before.location : changes.location,
    mandatory: changes.mandatory ?? before.mandatory,
    dueOffsetDays: changes.dueOffsetDays ?? before.dueOffsetDays,
    dueRelativeTo: changes.dueRelativeTo ?? before.dueRelativeTo,
  };
  const unchanged =
    roleId === before.role.id &&
    programId === before.program.id &&
    sameView([terms.department, terms.location, terms.mandatory, terms.dueOffsetDays, terms.dueRelativeTo], [
      before.department,
      before.location,
      before.mandatory,
      before.dueOffsetDays,
      before.dueRelativeTo,
    ]);
  if (unchanged) return before;
  await refuseDuplicate(tx, tenantId, terms, before.id);
  const after = view(await tx.requirement.update({ where: { id: before.id }, data: terms, include: withKeys }));
  await auditChange(tx, tenantId, actor, { entityType: 'requirement', entityId: before.id, action: 'updated', before, after });
  return after;
}

/**
 * Removes a rule from the training matrix and returns it as it was. Assignments it created stay
 * (their history is kept); they only lose the link to the rule. In the caller's catalog transaction.
 */
export async function deleteRequirement(tx: DbTx, tenantId: string, actor: Actor, id: string): Promise<RequirementView> {
  const before = view(await findRequirement(tx, tenantId, id));
  await tx.requirement.delete({ where: { id: before.id } });
  await auditChange(tx, tenantId, actor, { entityType: 'requirement', entityId: before.id, action: 'deleted', before, after: null });
  return before;
}

async function findRequirement(db: DbTx, tenantId: string, id: string): Promise<RequirementRow> {
  const requirement = await db.requirement.findFirst({ where: { tenantId, id }, include: withKeys });
  if (!requirement) throw new NotFound('requirement', id);
  return requirement;
}

async function resolveKeys(db: DbTx, tenantId: string, role: string, program: string): Promise<{ roleId: string; programId: string }> {
  const roleRow = await db.role.findUnique({ where: { tenantId_key: { tenantId, key: role } }, select: { id: true } });
  if (!roleRow) throw new UnknownReference('role', role);
  const programRow = await db.program.findUnique({ where: { tenantId_key: { tenantId, key: program } }, select: { id: true } });
  if (!programRow) throw new UnknownReference('program', program);
  return { roleId: roleRow.id, programId: programRow.id };
}

async function refuseDuplicate(
  db: DbTx,
  tenantId: string,
  terms: { roleId: string; programId: string; department: string | null; location: string | null },
  exceptId?: string,
): Promise<void> {
  const same = await db.requirement.findFirst({
    where: {
      tenantId,
      roleId: terms.roleId,
      programId: terms.programId,
      department: terms.department,
      location: terms.location,
      ...(exceptId ? { id: { not: exceptId } } : {}),
    },
    select: { id: true },
  });
  if (same) {
    throw new Duplicate('requirement', 'This role already has a requirement for this program with the same department and location', {
      id: same.id,
    });
  }
}
