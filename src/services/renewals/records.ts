import type { Db, DbTx } from '../../db/client';
import type {
  ActingPerson,
  Approver,
  ApproverRule,
  ApprovalMode,
  DecisionKind,
  OrgView,
  RenewalStatus,
  StepStatus,
} from '../../domain/approval-chain';
import { recordAudit, SYSTEM, type Actor } from '../audit/trail';

/**
 * The records the `renewal` process keeps as it goes. Each write is safe to repeat (activities are
 * retried): a guard on the record's state makes a repeat a no-op, audit entry included.
 */

const ENTITY = 'renewal_request';

/** A step has closed: approvers who had not acted are no longer needed (they stop showing as pending). */
export async function releaseWaitingApprovers(tx: DbTx, tenantId: string, stepIds: string[]): Promise<void> {
  if (stepIds.length === 0) return;
  await tx.approvalStepApprover.updateMany({ where: { tenantId, stepId: { in: stepIds }, status: 'pending' }, data: { status: 'not_needed' } });
}

export function personActor(acting: ActingPerson): Actor {
  return { type: 'person', id: acting.actorPersonId, requestId: acting.httpRequestId };
}

function actingData(acting: ActingPerson) {
  return { channel: acting.channel, ...(acting.apiClientId ? { apiClientId: acting.apiClientId } : {}) };
}

async function audit(tx: DbTx, tenantId: string, requestId: string, actor: Actor, at: number, action: string, reason: string | null, data: Record<string, unknown>) {
  // The process's own clock (strictly increasing per request) orders the trail.
  await recordAudit(tx, tenantId, actor, { action, entityType: ENTITY, entityId: requestId, ...(reason ? { reason } : {}), data: JSON.parse(JSON.stringify(data)), at: new Date(at) });
}

/**
 * What approver resolution needs: the requester and the named people with their managers two levels
 * up, and the active holders of the named roles.
 */
export async function loadOrganisation(db: Db, input: { tenantId: string; requesterId: string; personIds: string[]; roleKeys: string[] }): Promise<OrgView> {
  const { tenantId } = input;
  const holders = input.roleKeys.length
    ? await db.personRole.findMany({ where: { tenantId, role: { key: { in: input.roleKeys } } }, select: { personId: true, role: { select: { key: true } } } })
    : [];
  const roleHolders: Record<string, string[]> = Object.fromEntries(input.roleKeys.map((key) => [key, [] as string[]]));
  for (const h of holders) roleHolders[h.role.key]!.push(h.personId);

  const people: OrgView['people'] = {};
  let wanted = [...new Set([input.requesterId, ...input.personIds, ...holders.map((h) => h.personId)])];
  for (let hop = 0; hop < 3 && wanted.length > 0; hop++) {
    const rows = await db.person.findMany({ where: { tenantId, id: { in: wanted } }, select: { id: true, managerId: true, status: true } });
    for (const row of rows) people[row.id] = { managerId: row.managerId, active: row.status === 'active' };
    wanted = [...new Set(rows.flatMap((r) => (r.managerId && !people[r.managerId] ? [r.managerId] : [])))];
  }
  return { requesterId: input.requesterId, people, roleHolders };
}

export interface StepOpening {
  id: string;
  level: number;
  attempt: number;
  name: string;
  approverRule: ApproverRule;
  roleKey: string | null;
  mode: ApprovalMode;
  openedAtMs: number;
  dueAtMs: number;
}

export async function openApprovalStep(db: Db, input: { tenantId: string; requestId: string; step: StepOpening; approvers: Approver[]; at: number }): Promise<void> {
  const { tenantId, requestId, step, approvers, at } = input;
  await db.$transaction(async (tx) => {
    const existing = await tx.approvalStep.findFirst({ where: { id: step.id, tenantId }, select: { id: true } });
    if (existing) return;
    await tx.approvalStep.create({
      data: {
        id: step.id,
        tenantId,
        requestId,
        level: step.level,
        attempt: step.attempt,
        name: step.name,
        approverRule: step.approverRule,
        roleKey: step.roleKey,
        mode: step.mode,
        openedAt: new Date(step.openedAtMs),
        dueAt: new Date(step.dueAtMs),
      },
    });
    await tx.approvalStepApprover.createMany({
      data: approvers.map((a) => ({ tenantId, stepId: step.id, personId: a.personId, via: a.via, derivedFrom: a.derivedFrom, status: a.status, addedAt: new Date(at) })),
    });
    // A request cancelled meanwhile stays cancelled.
    await tx.renewalRequest.updateMany({ where: { id: requestId, tenantId, status: { in: ['pending', 'changes_requested'] } }, data: { currentLevel: step.level, status: 'pending' } });
    await audit(tx, tenantId, requestId, SYSTEM, at, 'approval.step_opened', null, {
      stepId: step.id,
      level: step.level,
      attempt: step.attempt,
      name: step.name,
      approvers: approvers.map((a) => ({ personId: a.personId, via: a.via })),
      dueAt: new Date(step.dueAtMs).toISOString(),
    });
  });
}

const DECISION_STATUS = { approve: 'approved', reject: 'rejected', request_changes: 'changes_requested' } as const;

export async function recordDecision(
  db: Db,
  input: {
    tenantId: string;
    requestId: string;
    stepId: string;
    level: number;
    decision: Exclude<DecisionKind, 'delegate'>;
    reason: string | null;
    actor: ActingPerson;
    stepStatus: StepStatus;
    requestStatus: RenewalStatus;
    at: number;
  },
): Promise<void> {
  const { tenantId, requestId, stepId, actor, at } = input;
  const status = DECISION_STATUS[input.decision];
  await db.$transaction(async (tx) => {
    const decided = await tx.approvalStepApprover.updateMany({
      where: { tenantId, stepId, personId: actor.actorPersonId, status: 'pending' },
      data: { status, decidedAt: new Date(at), reason: input.reason, channel: actor.channel },
    });
    if (decided.count === 0) return; // recorded by an earlier attempt
    if (input.stepStatus !== 'pending') {
      await tx.approvalStep.updateMany({ where: { id: stepId, tenantId }, data: { status: input.stepStatus, closedAt: new Date(at) } });
      await releaseWaitingApprovers(tx, tenantId, [stepId]);
    }
    if (input.requestStatus !== 'pending') {
      await tx.renewalRequest.updateMany({
        where: { id: requestId, tenantId },
        data: { status: input.requestStatus, ...(input.requestStatus !== 'approved' ? { outcomeReason: input.reason } : {}) },
      });
    }
    await audit(tx, tenantId, requestId, personActor(actor), at, `approval.${status}`, input.reason, {
      stepId,
      level: input.level,
      ...actingData(actor),
      stepStatus: input.stepStatus,
    });
  });
}

export type ApproverChange = 'delegated' | 'escalated' | 'rerouted';

/** Moves a step to other approvers (delegation, escalation, re-routing) and records who left and who joined. */
export async function changeApprovers(
  db: Db,
  input: {
    tenantId: string;
    requestId: string;
    stepId: string;
    change: ApproverChange;
    approvers: Approver[];
    added: string[];
    removed: string[];
    reason: string | null;
    actor: ActingPerson | null;
    dueAtMs?: number;
    data?: Record<string, unknown>;
    at: number;
  },
): Promise<void> {
  const { tenantId, requestId, stepId, at } = input;
  await db.$transaction(async (tx) => {
    const step = await tx.approvalStep.findFirstOrThrow({ where: { id: stepId, tenantId }, include: { approvers: true } });
    const current = new Map(step.approvers.map((a) => [a.personId, a]));
    const changed = input.approvers.filter((a) => {
      const row = current.get(a.personId);
      return !row || row.status !== a.status || row.via !== a.via;
    });
    const dueChanged = input.dueAtMs !== undefined && step.dueAt.getTime() !== input.dueAtMs;
    if (changed.length === 0 && !dueChanged) return; // recorded by an earlier attempt
    for (const a of changed) {
      await tx.approvalStepApprover.upsert({
        where: { tenantId_stepId_personId: { tenantId, stepId, personId: a.personId } },
        create: { tenantId, stepId, personId: a.personId, via: a.via, derivedFrom: a.derivedFrom, status: a.status, addedAt: new Date(at) },
        update: { via: a.via, derivedFrom: a.derivedFrom, status: a.status, ...(a.status === 'pending' ? { addedAt: new Date(at), decidedAt: null, reason: null } : {}) },
      });
    }
    if (input.change === 'escalated') {
      await tx.approvalStep.updateMany({ where: { id: stepId, tenantId }, data: { escalatedAt: new Date(at), ...(input.dueAtMs !== undefined ? { dueAt: new Date(input.dueAtMs) } : {}) } });
    }
    const actor = input.actor ? personActor(input.actor) : SYSTEM;
    await audit(tx, tenantId, requestId, actor, at, `approval.${input.change}`, input.reason, {
      stepId,
      level: step.level,
      from: input.removed,
      to: input.added,
      ...(input.actor ? actingData(input.actor) : {}),
      ...(input.dueAtMs !== undefined ? { dueAt: new Date(input.dueAtMs).toISOString() } : {}),
      ...(input.data ?? {}),
    });
  });
}

/** A step the process itself closes: approved or rejected automatically on timeout, or expired. */
export async function closeStep(
  db: Db,
  input: { tenantId: string; requestId: string; stepId: string; level: number; status: StepStatus; requestStatus: RenewalStatus; reason: string; action: string; at: number },
): Promise<void> {
  const { tenantId, requestId, stepId, at } = input;
  await db.$transaction(async (tx) => {
    const closed = await tx.approvalStep.updateMany({ where: { tenantId, id: stepId, status: 'pending' }, data: { status: input.status, closedAt: new Date(at) } });
    if (closed.count === 0) return;
    await releaseWaitingApprovers(tx, tenantId, [stepId]);
    if (input.requestStatus !== 'pending') {
      await tx.renewalRequest.updateMany({ where: { id: requestId, tenantId }, data: { status: input.requestStatus, outcomeReason: input.reason } });
    }
    await audit(tx, tenantId, requestId, SYSTEM, at, input.action, input.reason, { stepId, level: input.level, stepStatus: input.status });
  });
}

export async function recordResubmission(db: Db, input: { tenantId: string; requestId: string; notes: string | null; actor: ActingPerson; at: number }): Promise<void> {
  const { tenantId, requestId, actor, at } = input;
  await db.$transaction(async (tx) => {
    const reopened = await tx.renewalRequest.updateMany({
      where: { tenantId, id: requestId, status: 'changes_requested' },
      data: { status: 'pending', outcomeReason: null, ...(input.notes ? { notes: input.notes } : {}) },
    });
    if (reopened.count === 0) return;
    await audit(tx, tenantId, requestId, personActor(actor), at, 'renewal.resubmitted', input.notes, actingData(actor));
  });
}

/**
 * Closes a request whose process stopped on a step no retry could mend (a record deleted underneath
 * it): status failed with the reason, its open step cancelled, audited once. A request that no longer
 * exists leaves nothing to record.
 */
export async function failRequest(db: Db, input: { tenantId: string; requestId: string; workflowId: string; reason: string; code: string; at: number }): Promise<void> {
  const { tenantId, requestId, at } = input;
  await db.$transaction(async (tx) => {
    const closed = await tx.renewalRequest.updateMany({
      where: { tenantId, id: requestId, closedAt: null },
      data: { status: 'failed', outcomeReason: input.reason.slice(0, 2000), closedAt: new Date(at) },
    });
    if (closed.count === 0) return;
    const open = await tx.approvalStep.findMany({ where: { tenantId, requestId, status: 'pending' }, select: { id: true } });
    await tx.approvalStep.updateMany({ where: { tenantId, requestId, status: 'pending' }, data: { status: 'cancelled', closedAt: new Date(at) } });
    await releaseWaitingApprovers(tx, tenantId, open.map((step) => step.id));
    await audit(tx, tenantId, requestId, SYSTEM, at, 'renewal.failed', input.reason.slice(0, 2000), { code: input.code, workflowId: input.workflowId });
  });
}
