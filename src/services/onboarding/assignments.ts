import { isoDate } from '../../domain/dates';
import { NotFound } from '../../domain/errors';
import type { DbTx } from '../../db/client';
import { syncAssignments, type MatrixSyncResult } from './assignment-sync';
import { SYSTEM, type Actor } from '../audit/trail';

/** An assignment the person still has to complete. */
export const OPEN_STATUSES = ['assigned', 'in_progress', 'overdue'] as const;

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
 * Brings one person's assignments up to date with the matrix and their completions. Completing a
 * prerequisite can make the next program due, whose courses may already be done: so it repeats
 * until nothing changes (at most as often as prerequisites are chained).
 */
export async function refreshPersonAssignments(
  db: DbTx,
  tenantId: string,
  personId: string,
  actor: Actor,
): Promise<{ changes: MatrixSyncResult; completedAssignmentIds: string[] }> {
  let changes = await syncAssignments(db, tenantId, actor, { personIds: [personId] });
  const completedAssignmentIds: string[] = [];
  for (let round = 0; round < 20; round++) {
    const completed = await applyCompletions(db, tenantId, personId);
    if (completed.length === 0) break;
    completedAssignmentIds.push(...completed);
    changes = merge(changes, await syncAssignments(db, tenantId, actor, { personIds: [personId] }));
  }
  return { changes, completedAssignmentIds };
}

function merge(a: MatrixSyncResult, b: MatrixSyncResult): MatrixSyncResult {
  const byProgram = { ...a.byProgram };
  for (const [key, counts] of Object.entries(b.byProgram)) {
    const current = byProgram[key] ?? { assigned: 0, waived: 0 };
    byProgram[key] = { assigned: current.assigned + counts.assigned, waived: current.waived + counts.waived };
  }
  const affectedPersonIds = [...new Set([...a.affectedPersonIds, ...b.affectedPersonIds])].sort();
  return {
    peopleAffected: affectedPersonIds.length,
    assigned: a.assigned + b.assigned,
    reassigned: a.reassigned + b.reassigned,
    waived: a.waived + b.waived,
    byProgram,
    affectedPersonIds,
  };
}

/**
 * Marks the person's open assignments completed once every course of their program has a passing
 * completion — counting, for an assignment re-opened by a renewal, only completions since then —
 * in one statement for all of the person's programs.
 */
export async function applyCompletions(db: DbTx, tenantId: string, personId: string): Promise<string[]> {
  const completed = await db.$queryRaw<{ id: string }[]>`
    UPDATE assignment a
       SET status = 'completed', completed_at = done.last_completed_at, status_at = now(),
           status_reason = NULL, status_actor = 'lms completion', updated_at = now()
      FROM (
        SELECT open.id, max(best.completed_at) AS last_completed_at
          FROM assignment open
          JOIN program_course pc ON pc.tenant_id = open.tenant_id AND pc.program_id = open.program_id
          LEFT JOIN LATERAL (
            SELECT min(c.completed_at) AS completed_at
              FROM completion c
             WHERE c.tenant_id = open.tenant_id AND c.person_id = open.person_id
               AND c.course_id = pc.course_id AND c.passed
               AND c.completed_at >= COALESCE(open.completions_count_from, '-infinity'::timestamp)
          ) best ON true
         WHERE open.tenant_id = ${tenantId}::uuid AND open.person_id = ${personId}::uuid
           AND open.status IN ('assigned', 'in_progress', 'overdue')
         GROUP BY open.id
        HAVING count(*) = count(best.completed_at)
      ) done
     WHERE a.id = done.id
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

/** A person's assignments, earliest due first (404 for a person the tenant does not have). */
export async function listPersonAssignments(db: DbTx, tenantId: string, personId: string): Promise<AssignmentView[]> {
  if (!(await db.person.findFirst({ where: { tenantId, id: personId }, select: { id: true } }))) throw new NotFound('person', personId);
  return listAssignments(db, tenantId, personId);
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
    dueDate: isoDate(row.dueDate),
    completedAt: row.completedAt?.toISOString() ?? null,
  }));
}
