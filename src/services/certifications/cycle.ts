import type { Db, DbTx } from '../../db/client';
import { nextExpiry, reminderDays, windowOpensOn, type ExpiryRule } from '../../domain/certification-dates';
import { addDays, isoDate } from '../../domain/dates';
import { NOTICE_HOUR } from '../../domain/notices';
import { dayIn, localTime } from '../../domain/time-zones';
import type { CertificationState } from '../../generated/prisma/enums';
import {
  certificationExpiredMessage,
  certificationLapsedMessage,
  certificationRequiredMessage,
  recertificationReminderMessage,
  recertificationWindowMessage,
} from '../../mail/certification-templates';
import type { CertificationInput, CertificationProgress } from '../../workflows/certification';
import { recordAudit, SYSTEM, type Actor } from '../audit/trail';
import { tenantTimeZone } from '../catalog/notification-policy';
import { queueNotification, type OutgoingMessage } from '../notifications/outbox';
import { NO_LONGER_REQUIRED, PERSON_TERMINATED } from '../onboarding/assignment-sync';
import { queueProcessCommands, sendNotificationProcess, wakeTrainingProcess, type ProcessCommand } from '../processes/commands';
import { issueCertificate } from './issuance';
import { assignPath, CERTIFICATION_SOURCE, closePath, RECERTIFICATION_SOURCE } from './paths';
import { requiredCertifications } from './required';

export interface AdvanceInput extends CertificationInput {
  workflowId: string;
  /** Where the process runs: the commands the step writes go to its dispatchers. */
  taskQueue: string;
  /** The process's clock (epoch ms): every date the step computes follows from it, never from the machine's. */
  at: number;
}

export interface AdvanceDeps {
  publicUrl: string;
  /** The person's link to their training page, for messages. */
  learnerUrl: (tenantId: string, personId: string, key: string, at: Date) => Promise<string>;
}

/** Why a path's open assignment closes when a certificate is in force. */
const IN_FORCE = 'certificate in force';

/** A step may issue a certificate (its PDF drawn in the transaction, waiting for the number's counter). */
const ISSUING = { timeout: 60_000, maxWait: 10_000 };

type Held = { id: string; number: string; expiresOn: string; cycle: number };

/**
 * One step of a person's certification process, from the records and the moment `at`: adopts a
 * certificate issued meanwhile (a renewal, an import) and drops a revoked one; issues the certificate
 * a completed path earns (its expiry by the certification's rule); opens the recertification window
 * (the path assigned, completions counting from then, the holder told), sends the latest reminder
 * due, and at expiry marks the lapse (holder, manager and compliance officer told; back on the
 * initial path). A leaver or someone no role requires it of stops. Each message goes through the
 * outbox under a key of the process and the certificate, with a command to deliver it, written in the
 * step's transaction: a retried step changes and sends nothing twice.
 */
export async function advanceCertification(db: Db, deps: AdvanceDeps, input: AdvanceInput): Promise<CertificationProgress> {
  const { tenantId, certificationId, personId, workflowId } = input;
  const at = new Date(input.at);
  const policy = await db.notificationPolicy.findUnique({ where: { tenantId }, select: { complianceOfficerEmail: true } });
  const zone = await tenantTimeZone(db, tenantId);
  const today = dayIn(input.at, zone);
  const learnerUrl = await deps.learnerUrl(tenantId, personId, `${workflowId}:learner:${today}`, at);

  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${workflowId}, 0))`;
    const certification = await tx.certification.findFirstOrThrow({
      where: { id: certificationId, tenantId },
      include: { initialProgram: { select: { id: true, title: true } }, recertificationProgram: { select: { id: true, title: true } } },
    });
    const person = await tx.person.findFirstOrThrow({
      where: { id: personId, tenantId },
      select: { name: true, email: true, status: true, manager: { select: { id: true, name: true, email: true, status: true } } },
    });
    const rule: ExpiryRule = certification;
    const actor: Actor = { ...SYSTEM, id: workflowId };
    const commands: ProcessCommand[] = [];
    const notify = async (key: string, message: Omit<OutgoingMessage, 'tenantId' | 'key'>) => {
      const existing = await tx.notification.findUnique({ where: { tenantId_key: { tenantId, key } }, select: { id: true } });
      if (existing) return false;
      const id = await queueNotification(tx, { tenantId, key, ...message });
      commands.push(sendNotificationProcess(tenantId, id));
      return true;
    };
    const message = { name: person.name, certification: certification.title, learnerUrl };

    const status =
      (await tx.certificationStatus.findUnique({ where: { tenantId_personId_certificationId: { tenantId, personId, certificationId } } })) ??
      (await tx.certificationStatus.create({ data: { tenantId, personId, certificationId, state: 'assigned', workflowId } }));
    let state: CertificationState = status.state;
    let cycleStartedAt = status.cycleStartedAt;
    let assignmentId = status.assignmentId;

    // The certificate in force: the newest neither revoked nor superseded (a renewal or an import may have issued one).
    const latest = async (): Promise<Held | null> => {
      const row = await tx.certificate.findFirst({
        where: { tenantId, personId, certificationId, revokedAt: null, supersededAt: null },
        orderBy: { cycle: 'desc' },
        select: { id: true, number: true, expiresOn: true, cycle: true },
      });
      return row ? { ...row, expiresOn: isoDate(row.expiresOn) } : null;
    };
    let held = await latest();
    let revoked: Date | null = null;
    if (status.certificateId && held?.id !== status.certificateId) {
      const previous = await tx.certificate.findUnique({ where: { id: status.certificateId }, select: { revokedAt: true } });
      if (previous?.revokedAt && !held) revoked = previous.revokedAt;
      else if (held) {
        // A renewal or an import issued the certificate this cycle now runs on (the loop below closes a path no longer owed).
        state = 'certified';
        cycleStartedAt = null;
      }
    }

    const required = person.status !== 'terminated' && (await requiredCertifications(tx, tenantId, [personId])).some((r) => r.certificationId === certificationId);
    if (!required) {
      if (assignmentId) await closePath(tx, { tenantId, assignmentId, reason: person.status === 'terminated' ? PERSON_TERMINATED : NO_LONGER_REQUIRED, at, workflowId });
      assignmentId = null;
      if (state !== 'inactive') {
        await recordAudit(tx, tenantId, actor, { action: 'certification.stopped', entityType: 'person', entityId: personId, reason: person.status === 'terminated' ? PERSON_TERMINATED : NO_LONGER_REQUIRED, data: { certificationId }, at });
      }
      // Still pointing at the certificate it ran on: a rehire then sees a revocation made meanwhile.
      await save('inactive', held?.id ?? status.certificateId);
      return progress('inactive', null, true);
    }

    if (revoked) {
      // Completions before the revocation do not earn the next certificate.
      cycleStartedAt = revoked;
      state = 'assigned';
      if (assignmentId) await closePath(tx, { tenantId, assignmentId, reason: 'certificate revoked', at, workflowId });
      assignmentId = null;
      await pathAssigned('revoked');
    }

    for (let step = 0; step < 3; step++) {
      const moments = held ? momentsOf(held) : null;
      const phase: 'initial' | 'certified' | 'window' | 'lapsed' = !held ? 'initial' : input.at < moments!.windowAt ? 'certified' : input.at < moments!.expiryAt ? 'window' : 'lapsed';

      // A path completed for this cycle earns the next certificate.
      const earned = await completedPath(phase, moments);
      if (earned) {
        const completedOn = dayIn(earned.completedAt.getTime(), zone);
        const next = nextExpiry(rule, completedOn, held);
        await issueCertificate(tx, {
          tenantId,
          personId,
          certificationId,
          issuedOn: new Date(`${completedOn}T00:00:00Z`),
          expiresOn: new Date(`${next.expiresOn}T00:00:00Z`),
          cycle: (await lastCycle()) + 1,
          basis: next.basis,
          previousId: held?.id ?? null,
          actor,
          publicUrl: deps.publicUrl,
          taskQueue: input.taskQueue,
        });
        held = await latest();
        state = 'certified';
        cycleStartedAt = null;
        continue;
      }

      if (phase === 'certified') {
        // Certified (also by an import or a renewal): no path is owed until the window opens.
        if (assignmentId) await closePath(tx, { tenantId, assignmentId, reason: IN_FORCE, at, workflowId });
        assignmentId = null;
        state = 'certified';
        break;
      }
      if (phase === 'window') {
        if (state !== 'window_open') {
          state = 'window_open';
          cycleStartedAt = new Date(moments!.windowAt);
          const assignment = await assignPath(tx, {
            tenantId, personId, programId: certification.recertificationProgramId, source: RECERTIFICATION_SOURCE,
            dueDate: new Date(`${held!.expiresOn}T00:00:00Z`), countFrom: cycleStartedAt, at, workflowId,
            reason: `Recertification window of ${certification.title} (expires ${held!.expiresOn})`,
          });
          if (assignmentId && assignmentId !== assignment.id) await closePath(tx, { tenantId, assignmentId, reason: IN_FORCE, at, workflowId });
          assignmentId = assignment.id;
          await recordAudit(tx, tenantId, actor, { action: 'certification.window_opened', entityType: 'certificate', entityId: held!.id, data: { expiresOn: held!.expiresOn, assignmentId }, at });
          await notify(`${workflowId}:${held!.id}:window`, {
            personId, toAddress: person.email,
            ...recertificationWindowMessage({ ...message, program: certification.recertificationProgram.title, expiresOn: held!.expiresOn }),
          });
        }
        // Only the latest reminder whose moment has come: after a gap, earlier ones are pointless.
        const due = reminderDays(rule, held!.expiresOn, certification.reminderDaysBeforeExpiry).filter((r) => localTime(r.on, NOTICE_HOUR, zone) <= input.at).pop();
        if (due) {
          const sent = await notify(`${workflowId}:${held!.id}:reminder_${due.daysBefore}d`, {
            personId, toAddress: person.email,
            ...recertificationReminderMessage({ ...message, program: certification.recertificationProgram.title, expiresOn: held!.expiresOn, daysLeft: due.daysBefore }),
          });
          if (sent) await recordAudit(tx, tenantId, actor, { action: 'certification.reminder_sent', entityType: 'certificate', entityId: held!.id, data: { daysBefore: due.daysBefore, on: due.on }, at });
        }
        break;
      }
      // The lapse is handled once per certificate (an imported history may arrive already marked expired),
      // and the initial path assigned again whenever the process comes back to it (a rehire).
      const recorded = phase === 'lapsed' && (await lapseRecorded(held!.id));
      if (phase === 'lapsed' && (!recorded || state !== 'expired')) {
        state = 'expired';
        cycleStartedAt = new Date(moments!.expiryAt);
        if (assignmentId) await closePath(tx, { tenantId, assignmentId, reason: 'certificate expired: back on the initial path', at, workflowId });
        // Due counting from the lapse, or from today for a history imported long lapsed.
        const dueDate = addDays(new Date(`${today}T00:00:00Z`), certification.dueOffsetDays);
        const assignment = await assignPath(tx, {
          tenantId, personId, programId: certification.initialProgramId, source: CERTIFICATION_SOURCE, dueDate, countFrom: cycleStartedAt, at, workflowId,
          reason: `${certification.title} expired on ${held!.expiresOn}`,
        });
        assignmentId = assignment.id;
        commands.push(wakeTrainingProcess(tenantId, personId));
        if (!recorded) await recordAudit(tx, tenantId, actor, { action: 'certificate.expired', entityType: 'certificate', entityId: held!.id, data: { expiresOn: held!.expiresOn }, at });
        const lapse = { person: person.name, certification: certification.title, expiresOn: held!.expiresOn };
        await notify(`${workflowId}:${held!.id}:expired`, {
          personId, toAddress: person.email,
          ...certificationExpiredMessage({ ...message, program: certification.initialProgram.title, expiresOn: held!.expiresOn, dueDate: isoDate(dueDate) }),
        });
        if (person.manager && person.manager.status !== 'terminated') {
          await notify(`${workflowId}:${held!.id}:expired:manager`, { personId: person.manager.id, toAddress: person.manager.email, ...certificationLapsedMessage({ ...lapse, to: 'manager', recipientName: person.manager.name }) });
        }
        if (policy?.complianceOfficerEmail) {
          await notify(`${workflowId}:${held!.id}:expired:compliance`, { toAddress: policy.complianceOfficerEmail, ...certificationLapsedMessage({ ...lapse, to: 'compliance_officer', recipientName: null }) });
        }
        break;
      }
      if (phase === 'initial' && (state !== 'assigned' || !assignmentId)) {
        state = 'assigned';
        await pathAssigned('required');
      }
      break;
    }

    await save(state, held?.id ?? null);
    const moments = held ? momentsOf(held) : null;
    const upcoming = held
      ? [moments!.windowAt, ...reminderDays(rule, held.expiresOn, certification.reminderDaysBeforeExpiry).map((r) => localTime(r.on, NOTICE_HOUR, zone)), moments!.expiryAt]
          .filter((t) => t > input.at)
      : [];
    return progress(state, upcoming.length > 0 ? new Date(Math.min(...upcoming)).toISOString() : null, false);

    /** The window opens when its notice goes (09:00, tenant zone); the certificate lapses at 00:00 of its expiry day. */
    function momentsOf(h: Held) {
      const opens = windowOpensOn(rule, h.expiresOn);
      return { opens, windowAt: localTime(opens, NOTICE_HOUR, zone), expiryAt: localTime(h.expiresOn, 0, zone) };
    }

    async function lapseRecorded(certificateId: string): Promise<boolean> {
      const entry = await tx.auditEvent.findFirst({ where: { tenantId, entityType: 'certificate', entityId: certificateId, action: 'certificate.expired' }, select: { id: true } });
      return entry !== null;
    }

    async function lastCycle(): Promise<number> {
      const row = await tx.certificate.aggregate({ where: { tenantId, personId, certificationId }, _max: { cycle: true } });
      return row._max.cycle ?? 0;
    }

    /** The completion that meets this cycle's path: the path's assignment completed since the cycle began. */
    async function completedPath(phase: string, moments: ReturnType<typeof momentsOf> | null): Promise<{ completedAt: Date } | null> {
      const done = async (programId: string, from: Date | null, before: number | null) => {
        const a = await tx.assignment.findUnique({ where: { tenantId_personId_programId: { tenantId, personId, programId } }, select: { status: true, completedAt: true } });
        if (a?.status !== 'completed' || !a.completedAt) return null;
        if (from && a.completedAt < from) return null;
        if (before !== null && a.completedAt.getTime() >= before) return null;
        return { completedAt: a.completedAt };
      };
      if (phase === 'initial') return done(certification.initialProgramId, cycleStartedAt, null);
      if (phase === 'window') return done(certification.recertificationProgramId, new Date(moments!.windowAt), null);
      if (phase === 'lapsed') {
        // Recertified in time but reported late: it still counts as on time.
        return (
          (await done(certification.recertificationProgramId, new Date(moments!.windowAt), moments!.expiryAt)) ??
          (await done(certification.initialProgramId, new Date(moments!.expiryAt), null))
        );
      }
      return null;
    }

    async function pathAssigned(reason: 'required' | 'revoked') {
      const dueDate = addDays(new Date(`${today}T00:00:00Z`), certification.dueOffsetDays);
      const assignment = await assignPath(tx, {
        tenantId, personId, programId: certification.initialProgramId, source: CERTIFICATION_SOURCE, dueDate, countFrom: cycleStartedAt, at, workflowId,
        reason: reason === 'revoked' ? `${certification.title} certificate revoked` : `Required certification: ${certification.title}`,
      });
      assignmentId = assignment.id;
      if (assignment.status === 'completed') return; // met already: the loop issues the certificate
      commands.push(wakeTrainingProcess(tenantId, personId));
      await notify(`${workflowId}:assigned:${assignment.id}:${at.toISOString()}`, {
        personId, toAddress: person.email,
        ...certificationRequiredMessage({ ...message, program: certification.initialProgram.title, dueDate: isoDate(dueDate), reason }),
      });
    }

    async function save(next: CertificationState, certificateId: string | null) {
      await tx.certificationStatus.update({
        where: { tenantId_personId_certificationId: { tenantId, personId, certificationId } },
        data: { state: next, certificateId, cycleStartedAt, assignmentId },
      });
      await queueProcessCommands(tx, input.taskQueue, commands);
    }

    function progress(s: CertificationState, nextAt: string | null, ended: boolean): CertificationProgress {
      return {
        state: s,
        certificateNumber: held?.number ?? null,
        expiresOn: held?.expiresOn ?? null,
        windowOpensOn: held ? windowOpensOn(rule, held.expiresOn) : null,
        nextAt,
        ended,
      };
    }
  }, ISSUING);
}
