import type { Db, DbTx } from '../../db/client';
import { Duplicate, NotFound, StillInUse } from '../../domain/errors';
import type { Actor } from '../audit/trail';
import { auditChange, byKeyOrId, decodeCursor, inCatalogTransaction, sameView, toPage, type Page, type PageRequest } from './common';

/** An organisational role as the API shows it. */
export type RoleView = {
  id: string;
  key: string;
  name: string;
  createdAt: string;
};

export interface RoleInput {
  key: string;
  name: string;
}

export interface RoleChanges {
  name?: string;
}

type RoleRow = { id: string; key: string; name: string; createdAt: Date };

function view(row: RoleRow): RoleView {
  return { id: row.id, key: row.key, name: row.name, createdAt: row.createdAt.toISOString() };
}

/** The tenant's roles in key order. */
export async function listRoles(db: DbTx, tenantId: string, page: PageRequest): Promise<Page<RoleView>> {
  const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor, 1)[0];
  const rows = await db.role.findMany({
    where: { tenantId, ...(after === undefined ? {} : { key: { gt: after } }) },
    orderBy: { key: 'asc' },
    take: page.limit + 1,
  });
  return toPage(rows.map(view), page.limit, (role) => [role.key]);
}

export async function getRole(db: DbTx, tenantId: string, ref: string): Promise<RoleView> {
  return view(await findRole(db, tenantId, ref));
}

export async function createRole(db: Db, tenantId: string, actor: Actor, input: RoleInput): Promise<RoleView> {
  return inCatalogTransaction(db, tenantId, async (tx) => {
    const taken = await tx.role.findUnique({ where: { tenantId_key: { tenantId, key: input.key } }, select: { id: true } });
    if (taken) throw new Duplicate('role', `A role with key "${input.key}" already exists`, { key: input.key, id: taken.id });
    const created = view(await tx.role.create({ data: { tenantId, key: input.key, name: input.name } }));
    await auditChange(tx, tenantId, actor, { entityType: 'role', entityId: created.id, action: 'created', before: null, after: created });
    return created;
  });
}

export async function updateRole(db: Db, tenantId: string, actor: Actor, ref: string, changes: RoleChanges): Promise<RoleView> {
  return inCatalogTransaction(db, tenantId, async (tx) => {
    const before = view(await findRole(tx, tenantId, ref));
    const after: RoleView = { ...before, name: changes.name ?? before.name };
    if (sameView(before, after)) return before;
    await tx.role.update({ where: { id: before.id }, data: { name: after.name } });
    await auditChange(tx, tenantId, actor, { entityType: 'role', entityId: before.id, action: 'updated', before, after });
    return after;
  });
}

/** Deletes a role that nobody holds and no requirement names; otherwise 409 role_in_use. */
export async function deleteRole(db: Db, tenantId: string, actor: Actor, ref: string): Promise<RoleView> {
  return inCatalogTransaction(db, tenantId, async (tx) => {
    const before = view(await findRole(tx, tenantId, ref));
    const requirements = await tx.requirement.count({ where: { tenantId, roleId: before.id } });
    const people = await tx.personRole.count({ where: { tenantId, roleId: before.id } });
    const approvalLevels = await tx.approvalLevel.count({ where: { tenantId, approver: 'role', roleKey: before.key } });
    const documentTypes = await tx.documentTypeRole.count({ where: { tenantId, roleId: before.id } });
    if (requirements + people + approvalLevels + documentTypes > 0) throw new StillInUse('role', before.key, { requirements, people, approvalLevels, documentTypes });
    await tx.role.delete({ where: { id: before.id } });
    await auditChange(tx, tenantId, actor, { entityType: 'role', entityId: before.id, action: 'deleted', before, after: null });
    return before;
  });
}

async function findRole(db: DbTx, tenantId: string, ref: string): Promise<RoleRow> {
  const role = await db.role.findFirst({ where: byKeyOrId(tenantId, ref) });
  if (!role) throw new NotFound('role', ref);
  return role;
}
