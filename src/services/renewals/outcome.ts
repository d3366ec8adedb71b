import type { Db, DbTx } from '../../db/client';
import type { ActingPerson, FinalStatus, RenewalStatus } from '../../domain/approval-chain';
import { renewedExpiry } from '../../domain/certification-dates';
import { addDays, isoDate } from '../../domain/dates';
import { dayIn } from '../../domain/time-zones';
import { outcomeMessage, retrainingMessage, type RenewalSummary } from '../../mail/renewal-templates';
import { getRenewalPolicy } from './approval-chains';
import { recordAudit, SYSTEM } from '../audit/trail';
import { queueNotification } from '../notifications/outbox';
import { tenantTimeZone } from '../catalog/notification-policy';
import { issueCertificate } from '../certifications/issuance';
import { queueProcessCommands, queueTrainingWakeUps, wakeCertificationProcess } from '../processes/commands';
import { personActor, releaseWaitingApprovers } from './records';

const ENTITY = 'renewal_request';

export interface RenewalFinished {
  /** Outbox rows to deliver (queued once; a retry finds the same rows). */
  notificationIds: string[];
}

/** How the renewal's rows point at what they re-opened: the assignment's statusActor. */
export function renewalActorTag(requestId: string): string {
  return `renewal:${requestId}`;
}

/**
 * Closes a request with its final status. An approved renewal takes effect: the request records when,
 * and where the tenant's rule says so, the completed assignments of the renewed program (or of the
 * programs that contain the renewed course) are re-opened with a new due date. The requester is told
 * the outcome (why, when rejected); for an approval or rejection so are the approvers who decided;
 * and everyone sent back to training is told what and by when, and their training process (woken,
 * or started again) takes them through it: its wake-ups are written in the same transaction.
 */
export async function finishRenewal(
  db: Db,
  input: {
    tenantId: string;
    requestId: string;
    workflowId: string;
    taskQueue: string;
    /** Where certificates' verify pages live, for a certification renewal's new certificate. */
    publicUrl: string;
    status: FinalStatus;
    reason: string | null;
    actor: ActingPerson | null;
    openStepId: string | null;
    at: number;
  },
): Promise<RenewalFinished> {
  const { tenantId, requestId, at } = input;
  const when = new Date(at);
  const policy = await getRenewalPolicy(db, tenantId);
  const retrainDueDate = addDays(when, policy.retrainDueDays);
  const certificationRenewal = await db.renewalRequest.findFirst({
    where: { tenantId, id: requestId, kind: 'certification' },
    select: { certificationId: true, holderId: true },
  });

  await db.$transaction(async (tx) => {
    const closed = await tx.renewalRequest.updateMany({
      where: { tenantId, id: requestId, closedAt: null },
      data: { status: input.status, closedAt: when, ...(input.reason ? { outcomeReason: input.reason } : {}), ...(input.status === 'approved' ? { effectiveAt: when } : {}) },
    });
    if (closed.count === 0) return; // finished by an earlier attempt
    if (input.openStepId) {
      await tx.approvalStep.updateMany({
        where: { tenantId, id: input.openStepId, status: 'pending' },
        data: { status: input.status === 'cancelled' ? 'cancelled' : 'expired', closedAt: when },
      });
      await releaseWaitingApprovers(tx, tenantId, [input.openStepId]);
    }
    await recordAudit(tx, tenantId, input.actor ? personActor(input.actor) : SYSTEM, {
      action: `renewal.${input.status}`,
      entityType: ENTITY,
      entityId: requestId,
      ...(input.reason ? { reason: input.reason } : {}),
      data: input.actor ? { channel: input.actor.channel, ...(input.actor.apiClientId ? { apiClientId: input.actor.apiClientId } : {}) } : {},
      at: when,
    });
    if (input.status === 'approved' && certificationRenewal) {
      await renewCertificate(tx, { ...input, how: policy.certificationRenewal, renewal: certificationRenewal });
    } else if (input.status === 'approved') {
      const reopened = policy.retrainOnApproval ? await reopenCompletedAssignments(tx, tenantId, requestId, when, retrainDueDate) : [];
      const people = await tx.assignment.findMany({ where: { tenantId, id: { in: reopened } }, select: { personId: true }, distinct: ['personId'] });
      await queueTrainingWakeUps(tx, input.taskQueue, tenantId, people.map((p) => p.personId).sort(), null);
      await recordAudit(tx, tenantId, SYSTEM, {
        action: 'renewal.took_effect',
        entityType: ENTITY,
        entityId: requestId,
        data: {
          retrainOnApproval: policy.retrainOnApproval,
          reopenedAssignments: reopened.length,
          ...(reopened.length > 0 ? { retrainDueDate: isoDate(retrainDueDate) } : {}),
        },
        at: new Date(at + 1),
      });
    }
    // An approved certification renewal draws the new certificate's PDF in here.
  }, { timeout: 60_000, maxWait: 10_000 });

  return { notificationIds: await queueOutcomeNotifications(db, input) };
}

async function programsRenewed(tx: DbTx, tenantId: string, requestId: string): Promise<string[]> {
  const request = await tx.renewalRequest.findFirstOrThrow({ where: { id: requestId, tenantId }, select: { programId: true, courseId: true } });
  if (request.programId) return [request.programId];
  const holding = await tx.programCourse.findMany({ where: { tenantId, courseId: request.courseId! }, select: { programId: true } });
  return holding.map((p) => p.programId);
}

/** Completed assignments of the renewed content go back to `assigned`, due `dueDate`. */
async function reopenCompletedAssignments(tx: DbTx, tenantId: string, requestId: string, when: Date, dueDate: Date): Promise<string[]> {
  const programIds = await programsRenewed(tx, tenantId, requestId);
  // People who have left (or are away) are not sent back to training.
  const completed = await tx.assignment.findMany({ where: { tenantId, programId: { in: programIds }, status: 'completed', person: { status: 'active' } }, select: { id: true } });
  if (completed.length === 0) return [];
  const ids = completed.map((a) => a.id);
  await tx.assignment.updateMany({
    where: { tenantId, id: { in: ids }, status: 'completed' },
    data: {
      status: 'assigned',
      assignedAt: when,
      dueDate,
      startedAt: null,
      progress: null,
      completedAt: null,
      completionsCountFrom: when,
      statusReason: 'The content was renewed: complete it again',
      statusActor: renewalActorTag(requestId),
      statusAt: when,
    },
  });
  await tx.auditEvent.createMany({
    data: ids.map((id) => ({
      tenantId,
      actorType: SYSTEM.type,
      actorId: renewalActorTag(requestId),
      action: 'assignment.reopened',
      entityType: 'assignment',
      entityId: id,
      reason: 'The content was renewed: complete it again',
      data: { renewalRequestId: requestId, dueDate: isoDate(dueDate) },
      at: when,
    })),
  });
  return ids;
}

export async function renewalSummary(db: Db, tenantId: string, requestId: string): Promise<RenewalSummary & { requesterId: string; requesterEmail: string; status: RenewalStatus; outcomeReason: string | null }> {
  const row = await db.renewalRequest.findFirstOrThrow({
    where: { tenantId, id: requestId },
    include: { program: { select: { title: true } }, course: { select: { title: true } }, certification: { select: { title: true } }, requester: { select: { name: true, email: true } } },
  });
  return {
    kind: row.kind,
    targetTitle: (row.program ?? row.course ?? row.certification)!.title,
    version: row.version,
    requesterName: row.requester.name,
    requesterEmail: row.requester.email,
    requesterId: row.requesterId,
    reason: row.reason,
    notes: row.notes,
    status: row.status,
    outcomeReason: row.outcomeReason,
  };
}

async function queueOutcomeNotifications(db: Db, input: { tenantId: string; requestId: string; workflowId: string; status: FinalStatus }): Promise<string[]> {
  const { tenantId, requestId, workflowId } = input;
  const renewal = await renewalSummary(db, tenantId, requestId);
  const reopened = await db.assignment.findMany({
    where: { tenantId, statusActor: renewalActorTag(requestId) },
    include: { person: { select: { name: true, email: true } }, program: { select: { title: true } } },
  });
  const dueDate = reopened[0] ? isoDate(reopened[0].dueDate) : null;
  const ids: string[] = [];
  const outcome = (recipientName: string, isRequester: boolean) =>
    outcomeMessage({ recipientName, isRequester, renewal, status: input.status, reason: renewal.outcomeReason, retrained: reopened.length, retrainDueDate: dueDate });

  if (input.status !== 'cancelled') {
    ids.push(
      await queueNotification(db, { tenantId, key: `${workflowId}:outcome:requester`, personId: renewal.requesterId, toAddress: renewal.requesterEmail, ...outcome(renewal.requesterName, true) }),
    );
  }
  if (input.status === 'approved' || input.status === 'rejected') {
    const deciders = await db.approvalStepApprover.findMany({
      where: { tenantId, step: { requestId }, status: { in: ['approved', 'rejected', 'changes_requested'] }, personId: { not: renewal.requesterId } },
      include: { person: { select: { name: true, email: true } } },
      distinct: ['personId'],
    });
    for (const d of deciders) {
      ids.push(await queueNotification(db, { tenantId, key: `${workflowId}:outcome:${d.personId}`, personId: d.personId, toAddress: d.person.email, ...outcome(d.person.name, false) }));
    }
  }
  for (const a of reopened) {
    ids.push(
      await queueNotification(db, {
        tenantId,
        key: `${workflowId}:retrain:${a.id}`,
        personId: a.personId,
        toAddress: a.person.email,
        ...retrainingMessage({ name: a.person.name, programTitle: a.program.title, renewal, dueDate: isoDate(a.dueDate) }),
      }),
    );
  }
  return ids;
}

/**
 * An approved certification renewal issues the holder's next certificate, chained to the one in force
 * (which it supersedes): `extend` runs the active period on from the current expiry, `reissue` counts
 * as a recertification on the day of approval (in the tenant's time zone). The holder's certification
 * process is woken in the same transaction and takes the new certificate as its cycle's.
 */
async function renewCertificate(
  tx: DbTx,
  input: { tenantId: string; requestId: string; taskQueue: string; publicUrl: string; at: number; how: 'extend' | 'reissue'; renewal: { certificationId: string | null; holderId: string | null } },
): Promise<void> {
  const { tenantId, requestId } = input;
  const certificationId = input.renewal.certificationId!;
  const personId = input.renewal.holderId!;
  const certification = await tx.certification.findFirstOrThrow({ where: { tenantId, id: certificationId } });
  const zone = await tenantTimeZone(tx, tenantId);
  const current = await tx.certificate.findFirst({
    where: { tenantId, personId, certificationId, revokedAt: null, supersededAt: null },
    orderBy: { cycle: 'desc' },
    select: { id: true, expiresOn: true },
  });
  const approvedOn = dayIn(input.at, zone);
  const expiresOn = renewedExpiry(certification, input.how, approvedOn, current ? { expiresOn: isoDate(current.expiresOn) } : null);
  const last = await tx.certificate.aggregate({ where: { tenantId, personId, certificationId }, _max: { cycle: true } });
  const issued = await issueCertificate(tx, {
    tenantId,
    personId,
    certificationId,
    issuedOn: new Date(`${approvedOn}T00:00:00Z`),
    expiresOn: new Date(`${expiresOn}T00:00:00Z`),
    cycle: (last._max.cycle ?? 0) + 1,
    basis: `renewal_${input.how}`,
    previousId: current?.id ?? null,
    renewalRequestId: requestId,
    actor: { ...SYSTEM, id: renewalActorTag(requestId) },
    publicUrl: input.publicUrl,
    taskQueue: input.taskQueue,
  });
  await queueProcessCommands(tx, input.taskQueue, [wakeCertificationProcess(tenantId, certificationId, personId)]);
  await recordAudit(tx, tenantId, SYSTEM, {
    action: 'renewal.took_effect',
    entityType: ENTITY,
    entityId: requestId,
    data: { certificate: issued.number, how: input.how, expiresOn },
    at: new Date(input.at + 1),
  });
}
