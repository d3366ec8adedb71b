import type { Db, DbTx } from '../db/client';
import { NotFound } from '../domain/errors';
import { resolveOwedPrograms } from '../domain/requirements';
import { SYSTEM } from './audit';

export interface AssignmentView {
  id: string;
  programKey: string;
  programTitle: string;
  mandatory: boolean;
  status: string;
  assignedAt: string;
  dueDate: string;
  completedAt: string | null;
}

/**
 * Creates the assignments a person's roles require, keyed by (person, program) so calling it again
 * creates nothing new. Completions already on record are applied straight away.
 */
export async function assignRequiredPrograms(
  db: Db,
  input: { tenantId: string; personId: string; workflowId: string; source: string },
): Promise<AssignmentView[]> {
  const { tenantId, personId } = input;
  const person = await db.person.findFirst({ where: { id: personId, tenantId }, select: { hireDate: true } });
  if (!person) throw new NotFound('person', personId);
  const rules = await db.requirement.findMany({
    where: { tenantId, role: { people: { some: { tenantId, personId } } } },
    select: { id: true, roleId: true, programId: true, mandatory: true, dueOffsetDays: true },
  });
  const owed = resolveOwedPrograms(
    rules.map((rule) => ({ ...rule, requirementId: rule.id })),
    person.hireDate,
  );
  const created = await db.assignment.createManyAndReturn({
    data: owed.map((item) => ({
      tenantId,
      personId,
      programId: item.programId,
      requirementId: item.requirementId,
      mandatory: item.mandatory,
      dueDate: item.dueDate,
      source: input.source,
      workflowId: input.workflowId,
    })),
    skipDuplicates: true,
    select: { id: true },
  });
  if (created.length > 0) {
    await db.auditEvent.createMany({
      data: created.map((row) => ({
        tenantId,
        actorType: SYSTEM.type,
        actorId: input.workflowId,
        action: 'assignment.created',
        entityType: 'assignment',
        entityId: row.id,
      })),
    });
  }
  await applyCompletions(db, tenantId, personId);
  return listAssignments(db, tenantId, personId);
}

/**
 * Marks open assignments completed once every course of their program has a passing completion,
 * in one statement for all of the person's programs.
 */
export async function applyCompletions(db: DbTx, tenantId: string, personId: string): Promise<string[]> {
  const completed = await db.$queryRaw<{ id: string }[]>`
    UPDATE assignment a
       SET status = 'completed', completed_at = done.last_completed_at, updated_at = now()
      FROM (
        SELECT pc.program_id, max(best.completed_at) AS last_completed_at
          FROM program_course pc
          LEFT JOIN LATERAL (
            SELECT min(c.completed_at) AS completed_at
              FROM completion c
             WHERE c.tenant_id = pc.tenant_id AND c.person_id = ${personId}::uuid
               AND c.course_id = pc.course_id AND c.passed
          ) best ON true
         WHERE pc.tenant_id = ${tenantId}::uuid
         GROUP BY pc.program_id
        HAVING count(*) = count(best.completed_at)
      ) done
     WHERE a.tenant_id = ${tenantId}::uuid AND a.person_id = ${personId}::uuid
       AND a.program_id = done.program_id
       AND a.status IN ('assigned', 'in_progress', 'overdue')
    RETURNING a.id`;
  if (completed.length > 0) {
    await db.auditEvent.createMany({
      data: completed.map(({ id }) => ({
        tenantId,
        actorType: SYSTEM.type,
        action: 'assignment.completed',
        entityType: 'assignment',
        entityId: id,
      })),
    });
  }
  return completed.map((row) => row.id);
}

export async function listAssignments(db: DbTx, tenantId: string, personId: string): Promise<AssignmentView[]> {
  const rows = await db.assignment.findMany({
    where: { tenantId, personId },
    include: { program: { select: { key: true, title: true } } },
    orderBy: [{ dueDate: 'asc' }, { assignedAt: 'asc' }],
  });
  return rows.map((row) => ({
    id: row.id,
    programKey: row.program.key,
    programTitle: row.program.title,
    mandatory: row.mandatory,
    status: row.status,
    assignedAt: row.assignedAt.toISOString(),
    dueDate: row.dueDate.toISOString().slice(0, 10),
    completedAt: row.completedAt?.toISOString() ?? null,
  }));
}

export async function outstandingMandatoryAssignmentIds(db: Db, tenantId: string, personId: string): Promise<string[]> {
  const rows = await db.assignment.findMany({
    where: { tenantId, personId, mandatory: true, status: { in: ['assigned', 'in_progress', 'overdue'] } },
    select: { id: true },
  });
  return rows.map((row) => row.id);
}
