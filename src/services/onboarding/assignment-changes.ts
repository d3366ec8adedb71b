import type { Db } from '../../db/client';
import type { Prisma } from '../../db/client';
import { Conflict, NotFound, UnknownReference } from '../../domain/errors';
import { recordAudit, type Actor } from '../audit/trail';
import { queueProcessCommands, wakeTrainingProcess } from '../processes/commands';
import type { CommandDelivery } from '../processes/operations';
import { OPEN_STATUSES } from './assignments';
import { resolvePerson, type PersonReference } from './person-references';

/**
 * An authorised user exempts a person from an open assignment; the reason is kept and audited, and
 * the person's training process re-reads its plan (it may now be done).
 */
export async function waiveAssignment(db: Db, delivery: CommandDelivery, tenantId: string, actor: Actor, assignmentId: string, reason: string) {
  const { waived, commandIds } = await db.$transaction(async (tx) => {
    const assignment = await tx.assignment.findFirst({ where: { id: assignmentId, tenantId } });
    if (!assignment) throw new NotFound('assignment', assignmentId);
    if (!(OPEN_STATUSES as readonly string[]).includes(assignment.status)) {
      throw new Conflict('assignment_not_open', `The assignment is ${assignment.status}; only open assignments can be waived`, { status: assignment.status });
    }
    const waived = await tx.assignment.update({
      where: { id: assignmentId },
      data: { status: 'waived', statusReason: reason, statusActor: actor.id ?? actor.type, statusAt: new Date() },
    });
    await recordAudit(tx, tenantId, actor, { action: 'assignment.waived', entityType: 'assignment', entityId: assignmentId, reason });
    return { waived, commandIds: await queueProcessCommands(tx, delivery.taskQueue, [wakeTrainingProcess(tenantId, waived.personId)]) };
  });
  await delivery.deliverNow(commandIds);
  return waived;
}

export interface ProgressCommand {
  source: string;
  person: PersonReference;
  courseKey: string;
  /** Percent of the course done; `started` without a number means just begun. */
  progress?: number;
  reportedAt: Date;
}

/**
 * An LMS reports that a course was started or how far it got: the person's open assignments whose
 * program contains the course move to in_progress (overdue ones stay overdue) with the program's
 * share done, counting completed courses as whole.
 */
export async function recordProgress(db: Db, tenantId: string, actor: Actor, command: ProgressCommand) {
  const personId = await resolvePerson(db, tenantId, command.person);
  const course = await db.course.findUnique({ where: { tenantId_key: { tenantId, key: command.courseKey } }, select: { id: true } });
  if (!course) throw new UnknownReference('course', command.courseKey);
  const coursePercent = command.progress ?? 0;
  return db.$transaction(async (tx) => {
    const updated = await tx.$queryRaw<{ id: string; status: string; progress: number }[]>`
      UPDATE assignment a
         SET status = CASE WHEN a.status = 'assigned' THEN 'in_progress'::"AssignmentStatus" ELSE a.status END,
             started_at = COALESCE(a.started_at, ${command.reportedAt}),
             progress = GREATEST(COALESCE(a.progress, 0), p.percent),
             status_at = CASE WHEN a.status = 'assigned' THEN now() ELSE a.status_at END,
             updated_at = now()
        FROM (
          SELECT pc.program_id,
                 floor(100.0 * (count(done.course_id) + ${coursePercent}::numeric / 100) / count(*))::int AS percent
            FROM program_course pc
            LEFT JOIN (SELECT DISTINCT c.course_id FROM completion c
                        WHERE c.tenant_id = ${tenantId}::uuid AND c.person_id = ${personId}::uuid AND c.passed) done
                   ON done.course_id = pc.course_id AND pc.course_id <> ${course.id}::uuid
           WHERE pc.tenant_id = ${tenantId}::uuid
             AND pc.program_id IN (SELECT program_id FROM program_course WHERE tenant_id = ${tenantId}::uuid AND course_id = ${course.id}::uuid)
           GROUP BY pc.program_id
        ) p
       WHERE a.tenant_id = ${tenantId}::uuid AND a.person_id = ${personId}::uuid AND a.program_id = p.program_id
         AND a.status IN ('assigned', 'in_progress', 'overdue')
      RETURNING a.id, a.status::text AS status, a.progress`;
    for (const row of updated) {
      await recordAudit(tx, tenantId, actor, {
        action: 'assignment.progressed',
        entityType: 'assignment',
        entityId: row.id,
        data: { source: command.source, course: command.courseKey, progress: row.progress } satisfies Prisma.InputJsonValue,
      });
    }
    return { personId, assignments: updated.map((row) => ({ id: row.id, status: row.status, progress: row.progress })) };
  });
}
