import type { DbTx } from '../../db/client';
import { recordAudit, SYSTEM } from '../audit/trail';
import { wakeCertificationProcess, type ProcessCommand } from '../processes/commands';

/** Assignments of a certification's initial path: ordinary training, reminded by the person's training process. */
export const CERTIFICATION_SOURCE = 'certification';
/** Assignments of a recertification window: reminded by the certification's own process, due on the expiry day. */
export const RECERTIFICATION_SOURCE = 'recertification';

export interface PathAssignment {
  id: string;
  status: string;
  completedAt: Date | null;
}

/**
 * Makes the program's assignment open for this cycle: created, or re-opened when it was completed
 * before `countFrom` (earlier completions stay on record; only those from `countFrom` on count) or
 * closed. An assignment already open for the cycle keeps its progress; it takes this path's source and due date.
 */
export async function assignPath(
  tx: DbTx,
  input: { tenantId: string; personId: string; programId: string; source: string; dueDate: Date; countFrom: Date | null; at: Date; workflowId: string; reason: string },
): Promise<PathAssignment> {
  const { tenantId, personId, programId } = input;
  const existing = await tx.assignment.findUnique({ where: { tenantId_personId_programId: { tenantId, personId, programId } } });
  const open = existing && ['assigned', 'in_progress', 'overdue'].includes(existing.status);
  const countsForCycle = existing?.status === 'completed' && (input.countFrom === null || existing.completedAt! >= input.countFrom);
  if (existing && (open || countsForCycle)) {
    if (open && (existing.source !== input.source || existing.dueDate.getTime() !== input.dueDate.getTime())) {
      await tx.assignment.update({ where: { id: existing.id }, data: { source: input.source, dueDate: input.dueDate, ...(input.countFrom ? { completionsCountFrom: input.countFrom } : {}) } });
    }
    return { id: existing.id, status: existing.status, completedAt: existing.completedAt };
  }
  const fields = {
    status: 'assigned' as const,
    source: input.source,
    mandatory: true,
    workflowId: input.workflowId,
    assignedAt: input.at,
    dueDate: input.dueDate,
    startedAt: null,
    progress: null,
    completedAt: null,
    completionsCountFrom: input.countFrom,
    statusReason: input.reason,
    statusActor: input.workflowId,
    statusAt: input.at,
  };
  const row = existing
    ? await tx.assignment.update({ where: { id: existing.id }, data: fields })
    : await tx.assignment.create({ data: { tenantId, personId, programId, ...fields } });
  await recordAudit(tx, tenantId, { ...SYSTEM, id: input.workflowId }, {
    action: existing ? 'assignment.reopened' : 'assignment.assigned',
    entityType: 'assignment',
    entityId: row.id,
    reason: input.reason,
    data: { dueDate: input.dueDate.toISOString().slice(0, 10), source: input.source },
    at: input.at,
  });
  return { id: row.id, status: row.status, completedAt: null };
}

/** Closes the open assignment of a path no longer needed (a leaver, a role no longer requiring it, a lapsed window). */
export async function closePath(tx: DbTx, input: { tenantId: string; assignmentId: string; reason: string; at: Date; workflowId: string }): Promise<void> {
  const closed = await tx.assignment.updateMany({
    where: { tenantId: input.tenantId, id: input.assignmentId, status: { in: ['assigned', 'in_progress', 'overdue'] }, source: { in: [CERTIFICATION_SOURCE, RECERTIFICATION_SOURCE] } },
    data: { status: 'waived', statusReason: input.reason, statusActor: input.workflowId, statusAt: input.at },
  });
  if (closed.count > 0) {
    await recordAudit(tx, input.tenantId, { ...SYSTEM, id: input.workflowId }, { action: 'assignment.waived', entityType: 'assignment', entityId: input.assignmentId, reason: input.reason, at: input.at });
  }
}

/** Completions closed these assignments: the certification processes whose current path they are look again. */
export async function certificationCommandsForCompletedPaths(tx: DbTx, tenantId: string, assignmentIds: readonly string[]): Promise<ProcessCommand[]> {
  if (assignmentIds.length === 0) return [];
  const rows = await tx.certificationStatus.findMany({
    where: { tenantId, assignmentId: { in: [...assignmentIds] }, state: { not: 'inactive' } },
    select: { certificationId: true, personId: true },
  });
  return rows.map((row) => wakeCertificationProcess(tenantId, row.certificationId, row.personId));
}
