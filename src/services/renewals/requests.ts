import { randomUUID } from 'node:crypto';
import type { Db, DbTx } from '../../db/client';
import { Prisma } from '../../db/client';
import type { LevelSpec, RenewalKind, RenewalStatus } from '../../domain/approval-chain';
import { Conflict, DomainError, InvalidRequest, NotFound, UnknownReference } from '../../domain/errors';
import { renewalWorkflowId } from '../../domain/workflow-ids';
import type { RenewalInput } from '../../workflows/renewal';
import { queueProcessCommands, startRenewalProcess } from '../processes/commands';
import type { CommandDelivery } from '../processes/operations';
import { getApprovalChain, getRenewalPolicy } from './approval-chains';
import { recordAudit, type Actor } from '../audit/trail';

/** A renewal request as a caller makes it. */
export interface RenewalCommand {
  kind: RenewalKind;
  /** The program's or course's key. */
  targetKey: string;
  version?: string;
  reason: string;
  notes?: string;
  requesterId: string;
  /** A certification renewal: whose certificate (the requester's own when absent). */
  holderId?: string;
  source: string;
  externalId?: string;
}

/** What a request carries for its whole life: the chain as it stood when it was made. */
export interface ChainSnapshot {
  name: string;
  allowAutoApprove: boolean;
  levels: LevelSpec[];
}

export interface ApproverView {
  personId: string;
  name: string;
  via: string;
  status: string;
  decidedAt: string | null;
  reason: string | null;
}

export interface StepView {
  id: string;
  level: number;
  attempt: number;
  name: string;
  status: string;
  openedAt: string;
  dueAt: string;
  escalatedAt: string | null;
  closedAt: string | null;
  approvers: ApproverView[];
}

export interface RenewalView {
  id: string;
  kind: RenewalKind;
  target: { key: string; title: string };
  version: string | null;
  reason: string;
  notes: string | null;
  requester: { id: string; name: string };
  /** A certification renewal's holder; null for programs and courses. */
  holder: { id: string; name: string } | null;
  status: RenewalStatus;
  currentLevel: number | null;
  levels: number;
  outcomeReason: string | null;
  workflowId: string;
  createdAt: string;
  closedAt: string | null;
  effectiveAt: string | null;
  steps: StepView[];
}

export interface RenewalCreated {
  renewal: RenewalView;
  /** True when this request (source + externalId) was made before: nothing new was written. */
  duplicate: boolean;
}

/** How long a closed request's process stays to refuse late decisions itself before it ends. */
export const LATE_DECISION_WINDOW_MINUTES = 7 * 24 * 60;

/**
 * Records a renewal request with a snapshot of its chain, and the command that starts its approval
 * process, in one transaction; then hands the command to the dispatcher. One request per target may
 * be open at a time; a request repeated with the same source and externalId is the first one.
 */
export async function createRenewalRequest(db: Db, delivery: CommandDelivery, tenantId: string, actor: Actor, command: RenewalCommand): Promise<RenewalCreated> {
  if (command.externalId) {
    const previous = await findByExternalId(db, tenantId, command.source, command.externalId);
    if (previous) return repeated(db, tenantId, previous.id, command);
  }
  const where = { where: { tenantId_key: { tenantId, key: command.targetKey } }, select: { id: true } };
  const target =
    command.kind === 'program'
      ? await db.program.findUnique(where)
      : command.kind === 'course'
        ? await db.course.findUnique(where)
        : await db.certification.findUnique(where);
  if (!target) throw new UnknownReference(command.kind, command.targetKey);
  if (command.kind !== 'certification' && command.holderId) {
    throw new InvalidRequest('holderId is only for certification renewals', [{ path: 'holderId', message: 'is only for kind "certification"' }]);
  }
  const requester = await db.person.findFirst({ where: { tenantId, id: command.requesterId }, select: { id: true, status: true } });
  if (!requester) throw new UnknownReference('person', command.requesterId);
  if (requester.status !== 'active') {
    throw new DomainError(422, 'requester_inactive', `The requester is ${requester.status.replace('_', ' ')} and cannot request a renewal`, { requesterId: requester.id });
  }
  const chain = await getApprovalChain(db, tenantId, command.kind);
  if (!chain || chain.levels.length === 0) {
    throw new DomainError(422, 'no_approval_chain', `No approval chain is configured for ${command.kind} renewals; PUT /approval-chains/${command.kind} first`, { kind: command.kind });
  }
  const holderId = command.kind === 'certification' ? await certificateHolder(db, tenantId, target.id, command.holderId ?? requester.id) : null;
  const targetField =
    command.kind === 'program' ? { programId: target.id } : command.kind === 'course' ? { courseId: target.id } : { certificationId: target.id, holderId };
  const open = await db.renewalRequest.findFirst({
    where: { tenantId, ...targetField, status: { in: ['pending', 'changes_requested'] } },
    select: { id: true },
  });
  if (open) {
    throw new Conflict('renewal_in_progress', `A renewal of this ${command.kind}${holderId ? ' for this holder' : ''} is already under way (${open.id})`, { renewalId: open.id });
  }
  const policy = await getRenewalPolicy(db, tenantId);
  const snapshot: ChainSnapshot = { name: chain.name, allowAutoApprove: policy.allowAutoApprove, levels: chain.levels };

  const id = randomUUID();
  const createdAt = new Date();
  let commandIds: bigint[];
  try {
    commandIds = await db.$transaction(async (tx) => {
      await tx.renewalRequest.create({
        data: {
          id,
          createdAt,
          tenantId,
          source: command.source,
          externalId: command.externalId ?? null,
          kind: command.kind,
          ...targetField,
          version: command.version ?? null,
          reason: command.reason,
          notes: command.notes ?? null,
          requesterId: requester.id,
          chain: snapshot as unknown as Prisma.InputJsonValue,
          workflowId: renewalWorkflowId(tenantId, id),
        },
      });
      await recordAudit(tx, tenantId, actor, {
        action: 'renewal.requested',
        entityType: 'renewal_request',
        entityId: id,
        reason: command.reason,
        data: { kind: command.kind, target: command.targetKey, version: command.version ?? null, requesterId: requester.id, chain: chain.name, levels: chain.levels.length },
      });
      const input = processInput({ tenantId, requestId: id, requesterId: requester.id, chain: snapshot, createdAt });
      return queueProcessCommands(tx, delivery.taskQueue, [startRenewalProcess(input, renewalWorkflowId(tenantId, id))]);
    });
  } catch (error) {
    if (command.externalId && error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      const winner = await findByExternalId(db, tenantId, command.source, command.externalId);
      if (winner) return repeated(db, tenantId, winner.id, command);
    }
    throw error;
  }
  await delivery.deliverNow(commandIds);
  return { renewal: await getRenewal(db, tenantId, id), duplicate: false };
}

/** The same request made again is the first one; the same externalId asking for something else is 409. */
async function repeated(db: Db, tenantId: string, requestId: string, command: RenewalCommand): Promise<RenewalCreated> {
  const renewal = await getRenewal(db, tenantId, requestId);
  const same =
    renewal.kind === command.kind &&
    renewal.target.key === command.targetKey &&
    renewal.version === (command.version ?? null) &&
    renewal.reason === command.reason &&
    renewal.requester.id === command.requesterId &&
    (renewal.holder?.id ?? null) === (renewal.kind === 'certification' ? (command.holderId ?? command.requesterId) : null);
  if (!same) {
    throw new Conflict('external_id_reused', `Renewal request ${command.externalId} from ${command.source} was made before for something else; a new request needs a new externalId`, {
      renewalId: requestId,
    });
  }
  return { renewal, duplicate: true };
}

function findByExternalId(db: Db, tenantId: string, source: string, externalId: string) {
  return db.renewalRequest.findUnique({ where: { tenantId_source_externalId: { tenantId, source, externalId } }, select: { id: true } });
}

/** What the request's process starts with: the chain as it stood when the request was made. */
function processInput(request: { tenantId: string; requestId: string; requesterId: string; chain: ChainSnapshot; createdAt: Date }): RenewalInput {
  return {
    tenantId: request.tenantId,
    requestId: request.requestId,
    requesterId: request.requesterId,
    levels: request.chain.levels,
    allowAutoApprove: request.chain.allowAutoApprove,
    requestedAtMs: request.createdAt.getTime(),
    lateDecisionWindowMinutes: LATE_DECISION_WINDOW_MINUTES,
  };
}

export async function getRenewal(db: Db, tenantId: string, requestId: string): Promise<RenewalView> {
  const row = await db.renewalRequest.findFirst({
    where: { tenantId, id: requestId },
    include: {
      program: { select: { key: true, title: true } },
      course: { select: { key: true, title: true } },
      certification: { select: { key: true, title: true } },
      requester: { select: { id: true, name: true } },
      holder: { select: { id: true, name: true } },
      steps: {
        orderBy: [{ openedAt: 'asc' }, { level: 'asc' }, { attempt: 'asc' }],
        include: { approvers: { orderBy: [{ addedAt: 'asc' }, { person: { name: 'asc' } }], include: { person: { select: { name: true } } } } },
      },
    },
  });
  if (!row) throw new NotFound('renewal request', requestId);
  const target = (row.program ?? row.course ?? row.certification)!;
  return {
    id: row.id,
    kind: row.kind,
    target: { key: target.key, title: target.title },
    version: row.version,
    reason: row.reason,
    notes: row.notes,
    requester: row.requester,
    holder: row.holder,
    status: row.status,
    currentLevel: row.currentLevel,
    levels: (row.chain as unknown as ChainSnapshot).levels.length,
    outcomeReason: row.outcomeReason,
    workflowId: row.workflowId,
    createdAt: row.createdAt.toISOString(),
    closedAt: row.closedAt?.toISOString() ?? null,
    effectiveAt: row.effectiveAt?.toISOString() ?? null,
    steps: row.steps.map((step) => ({
      id: step.id,
      level: step.level,
      attempt: step.attempt,
      name: step.name,
      status: step.status,
      openedAt: step.openedAt.toISOString(),
      dueAt: step.dueAt.toISOString(),
      escalatedAt: step.escalatedAt?.toISOString() ?? null,
      closedAt: step.closedAt?.toISOString() ?? null,
      approvers: step.approvers.map((a) => ({
        personId: a.personId,
        name: a.person.name,
        via: a.via,
        status: a.status,
        decidedAt: a.decidedAt?.toISOString() ?? null,
        reason: a.reason,
      })),
    })),
  };
}

/**
 * The renewal processes an HR change to these people may touch: pending steps that they approve, or
 * whose approver was derived from them (their manager, their manager's manager), or that a role of
 * theirs approves.
 */
export async function findRequestsToReroute(db: DbTx, tenantId: string, personIds: readonly string[]): Promise<{ requestId: string; workflowId: string }[]> {
  if (personIds.length === 0) return [];
  const ids = [...personIds];
  const heldRoles = await db.personRole.findMany({ where: { tenantId, personId: { in: ids } }, select: { role: { select: { key: true } } } });
  const roleKeys = [...new Set(heldRoles.map((r) => r.role.key))];
  const steps = await db.approvalStep.findMany({
    where: {
      tenantId,
      status: 'pending',
      OR: [
        { approvers: { some: { tenantId, status: 'pending', OR: [{ personId: { in: ids } }, { derivedFrom: { hasSome: ids } }] } } },
        { approverRule: { in: ['manager', 'managers_manager'] }, request: { requesterId: { in: ids } } },
        ...(roleKeys.length > 0 ? [{ approverRule: 'role' as const, roleKey: { in: roleKeys } }] : []),
      ],
    },
    select: { requestId: true, request: { select: { workflowId: true } } },
  });
  const unique = new Map(steps.map((s) => [s.requestId, s.request.workflowId]));
  return [...unique].map(([requestId, workflowId]) => ({ requestId, workflowId }));
}

/**
 * A certification renewal acts on a certificate: the holder must be an active person of the tenant with
 * a certificate of this certification in force or lapsed (not revoked, not superseded).
 */
async function certificateHolder(db: Db, tenantId: string, certificationId: string, holderId: string): Promise<string> {
  const holder = await db.person.findFirst({ where: { tenantId, id: holderId }, select: { id: true, status: true } });
  if (!holder) throw new UnknownReference('person', holderId);
  if (holder.status !== 'active') {
    throw new DomainError(422, 'holder_inactive', `The holder is ${holder.status.replace('_', ' ')}: their certificate cannot be renewed`, { holderId });
  }
  const held = await db.certificate.findFirst({ where: { tenantId, personId: holderId, certificationId, revokedAt: null, supersededAt: null }, select: { id: true } });
  if (!held) {
    throw new DomainError(422, 'no_certificate', 'The holder has no certificate of this certification to renew; they earn one by completing its path', { holderId });
  }
  return holder.id;
}
