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
  for (let round = 0; round < MAX_PREREQUISITE_DEPTH; round++) {
    const completed = await applyCompletions(db, tenantId, [personId]);
    if (completed.length === 0) break;
    completedAssignmentIds.push(...completed.map((a) => a.id));
    changes = merge(changes, await syncAssignments(db, tenantId, actor, { personIds: [personId] }));
  }
  return { changes, completedAssignmentIds };
}

/** How many rounds of "completed, so the next program is due, which is complete already" are followed. */
const MAX_PREREQUISITE_DEPTH = 20;

/**
 * After new completions: marks the assignments they complete. Only where a completed program is a
 * prerequisite of another is the matrix read again, for those people only (the next program may now
 * be due, and may be complete already): nothing else a completion changes can alter what people owe.
 */
export async function applyNewCompletions(
  db: DbTx,
  tenantId: string,
  personIds: readonly string[],
  actor: Actor,
): Promise<{ completed: CompletedAssignment[]; assignedPersonIds: string[] }> {
  const completed = await applyCompletions(db, tenantId, personIds);
  const assigned = new Set<string>();
  let latest = completed;
  for (let round = 0; round < MAX_PREREQUISITE_DEPTH && latest.length > 0; round++) {
    const unlocking = await db.$queryRaw<{ program_id: string }[]>`
      SELECT DISTINCT prerequisite_id AS program_id FROM program_prerequisite
       WHERE tenant_id = ${tenantId}::uuid AND prerequisite_id = ANY(${[...new Set(latest.map((a) => a.programId))]}::uuid[])`;
    if (unlocking.length === 0) break;
    const programs = new Set(unlocking.map((row) => row.program_id));
    const people = [...new Set(latest.filter((a) => programs.has(a.programId)).map((a) => a.personId))];
    for (const id of (await syncAssignments(db, tenantId, actor, { personIds: people })).affectedPersonIds) assigned.add(id);
    latest = await applyCompletions(db, tenantId, people);
    completed.push(...latest);
  }
  return { completed, assignedPersonIds: [...assigned] };
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

export interface CompletedAssignment {
  id: string;
  personId: string;
  programId: string;
}

/**
 * Marks these people's open assignments completed once every course of their program has a passing
 * completion — counting, for an assignment re-opened by a renewal, only completions since then —
 * in one statement for all of their programs.
 */
export async function applyCompletions(db: DbTx, tenantId: string, personIds: readonly string[]): Promise<CompletedAssignment[]> {
  // Marked and audited in one statement, however many people a batch names.
  const completed = await db.$queryRaw<{ id: string; person_id: string; program_id: string }[]>`
    WITH marked AS (
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
           WHERE open.tenant_id = ${tenantId}::uuid AND open.person_id = ANY(${personIds}::uuid[])
             AND open.status IN ('assigned', 'in_progress', 'overdue')
           GROUP BY open.id
          HAVING count(*) = count(best.completed_at)
        ) done
       WHERE a.id = done.id
      RETURNING a.id, a.person_id, a.program_id
    ),
    audited AS (
      INSERT INTO audit_event (id, tenant_id, actor_type, action, entity_type, entity_id)
      SELECT gen_random_uuid(), ${tenantId}::uuid, ${SYSTEM.type}::"ActorType", 'assignment.completed', 'assignment', marked.id::text FROM marked
    )
    SELECT id, person_id, program_id FROM marked`;
  return completed.map((row) => ({ id: row.id, personId: row.person_id, programId: row.program_id }));
}

/** A person's assignments, earliest due first (404 for a person the tenant does not have); one statement. */
export async function listPersonAssignments(db: DbTx, tenantId: string, personId: string): Promise<AssignmentView[]> {
  const rows = await assignmentRows(db, tenantId, personId);
  if (rows.length === 0) throw new NotFound('person', personId);
  return rows.filter((row) => row.id !== null).map(toView);
}

export async function listAssignments(db: DbTx, tenantId: string, personId: string): Promise<AssignmentView[]> {
  return (await assignmentRows(db, tenantId, personId)).filter((row) => row.id !== null).map(toView);
}

interface AssignmentRow {
  id: string | null;
  program_key: string;
  program_title: string;
  mandatory: boolean;
  status: string;
  assigned_at: Date;
  due_date: Date;
  completed_at: Date | null;
}

/** The person (one row with nulls when they have no assignment; none when there is no such person) and their assignments. */
function assignmentRows(db: DbTx, tenantId: string, personId: string): Promise<AssignmentRow[]> {
  return db.$queryRaw<AssignmentRow[]>`
    SELECT a.id, pg.key AS program_key, pg.title AS program_title, a.mandatory, a.status::text AS status,
           a.assigned_at, a.due_date, a.completed_at
      FROM person p
      LEFT JOIN assignment a ON a.tenant_id = p.tenant_id AND a.person_id = p.id
      LEFT JOIN program pg ON pg.id = a.program_id
     WHERE p.tenant_id = ${tenantId}::uuid AND p.id = ${personId}::uuid
     ORDER BY a.due_date, a.assigned_at, a.id`;
}

function toView(row: AssignmentRow): AssignmentView {
  return {
    id: row.id!,
    programKey: row.program_key,
    programTitle: row.program_title,
    mandatory: row.mandatory,
    status: row.status,
    assignedAt: row.assigned_at.toISOString(),
    dueDate: isoDate(row.due_date),
    completedAt: row.completed_at?.toISOString() ?? null,
  };
}
