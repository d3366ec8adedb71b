import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../db/client';
import { DEFAULT_NOTICE_POLICY, noticeKey, type NoticeKind, type NoticePolicy, type OpenAssignment } from '../domain/notices';
import type { PersonStatus } from '../generated/prisma/enums';
import { noticeMessage, welcomeMessage } from '../mail/templates';
import { issueLinkToken, type ApprovalLinkSettings } from '../services/identity/approval-links';
import { recordAudit } from '../services/audit/trail';
import { deliverNotification, queueNotification } from '../services/notifications/outbox';
import { RECERTIFICATION_SOURCE } from '../services/certifications/paths';
import { listAssignments, OPEN_STATUSES } from '../services/onboarding/assignments';
import type { ActivityDeps, PersonRef } from './deps';

export interface TrainingPlan {
  personStatus: PersonStatus;
  /** Open assignments, mandatory or not. */
  open: (OpenAssignment & { mandatory: boolean })[];
  policy: NoticePolicy;
}

export interface DueNoticeInput extends PersonRef {
  workflowId: string;
  assignmentId: string;
  dueDate: string;
  kind: NoticeKind;
  /** Earlier notices of this assignment whose moment passed unsent: this one replaces them. */
  supersedes?: NoticeKind[];
}

/**
 * The per-person training process's side effects. The records it reads were written, with the
 * command that woke it, by whoever changed them (a hire, a transfer, a completion, a matrix change).
 * Each activity is safe to run again with the same input.
 */
export function createOnboardingActivities({ db, mailer, publicUrl, approvalLinks }: ActivityDeps & { approvalLinks: ApprovalLinkSettings }) {
  /** The person's own link to the page of what they owe, issued once per message. */
  const learnerUrl = async (tenantId: string, personId: string, messageKey: string) =>
    `${publicUrl}/learner?token=${encodeURIComponent(await issueLinkToken(db, approvalLinks, { tenantId, key: `${messageKey}:learner`, purpose: 'learner', personId }))}`;

  return {
    /**
     * The first step of a run: for a hire, the welcome message listing what the person owes, sent once
     * per process (the outbox key carries the first run's id); then the plan to wait on. One activity,
     * so a hire costs the process one round trip before it waits.
     */
    async beginTraining(input: PersonRef & { workflowId: string; welcomeKey: string | null }): Promise<TrainingPlan> {
      if (input.welcomeKey) {
        const [person, assignments] = await Promise.all([
          db.person.findFirstOrThrow({ where: { id: input.personId, tenantId: input.tenantId }, select: { email: true, name: true } }),
          listAssignments(db, input.tenantId, input.personId),
        ]);
        const id = await queueNotification(db, {
          tenantId: input.tenantId,
          key: input.welcomeKey,
          personId: input.personId,
          toAddress: person.email,
          ...welcomeMessage({ name: person.name, assignments, learnerUrl: await learnerUrl(input.tenantId, input.personId, input.welcomeKey) }),
        });
        await deliverNotification(db, mailer, id);
      }
      return readPlan(db, input);
    },

    loadTrainingPlan(input: PersonRef): Promise<TrainingPlan> {
      return readPlan(db, input);
    },

    /**
     * Sends one reminder or escalation through the outbox (once per workflow, assignment, due date and
     * kind) and audits it once. Recipients are looked up now, so a manager change re-routes escalations
     * not yet sent. From the due date on, the assignment is marked overdue (also when a later notice
     * replaced the overdue notice).
     */
    async sendDueNotice(input: DueNoticeInput): Promise<{ sentTo: 'person' | 'manager' | 'compliance_officer' | null; skipped?: string }> {
      const { tenantId, personId, assignmentId, kind } = input;
      const key = `${input.workflowId}:${noticeKey(input)}`;
      const assignment = await db.assignment.findFirst({
        where: { id: assignmentId, tenantId, personId },
        include: {
          program: { select: { title: true } },
          person: { select: { name: true, email: true, status: true, manager: { select: { id: true, email: true, status: true } } } },
        },
      });
      if (!assignment || !(OPEN_STATUSES as readonly string[]).includes(assignment.status)) return { sentTo: null, skipped: 'assignment no longer open' };
      if (assignment.person.status !== 'active') return { sentTo: null, skipped: `person is ${assignment.person.status}` };
      const policy = (await db.notificationPolicy.findUnique({ where: { tenantId } })) ?? { ...DEFAULT_NOTICE_POLICY, complianceOfficerEmail: null };

      if (!kind.startsWith('reminder_')) {
        await db.assignment.updateMany({
          where: { id: assignmentId, status: { in: ['assigned', 'in_progress'] } },
          data: { status: 'overdue', statusAt: new Date(), statusActor: input.workflowId, statusReason: 'due date passed' },
        });
      }
      const audit = { entityType: 'assignment', entityId: assignmentId, idempotencyKey: key };
      const data = { kind, ...(input.supersedes?.length ? { supersedes: input.supersedes } : {}) };

      const recipient = pickRecipient(kind, assignment.person, policy.complianceOfficerEmail, policy.overdueNotice);
      if ('skipped' in recipient) {
        await recordAudit(db, tenantId, { type: 'system', id: input.workflowId }, { ...audit, action: 'notice.skipped', reason: recipient.skipped, data });
        return { sentTo: null, skipped: recipient.skipped };
      }
      const notificationId = await queueNotification(db, {
        tenantId,
        key,
        personId: recipient.role === 'person' ? personId : recipient.role === 'manager' ? assignment.person.manager!.id : undefined,
        toAddress: recipient.email,
        ...noticeMessage(
          kind,
          { personName: assignment.person.name, programTitle: assignment.program.title, dueDate: input.dueDate },
          recipient.role === 'person' ? await learnerUrl(tenantId, personId, key) : null,
        ),
      });
      await recordAudit(db, tenantId, { type: 'system', id: input.workflowId }, {
        ...audit,
        action: kind.startsWith('reminder') || kind === 'overdue' ? 'assignment.reminded' : 'assignment.escalated',
        data: { ...data, recipient: recipient.role, notificationId },
      });
      await deliverNotification(db, mailer, notificationId);
      return { sentTo: recipient.role };
    },
  };
}

interface PlanRow {
  person_status: PersonStatus;
  open: { id: string; dueDate: string; assignedAt: string; mandatory: boolean }[];
  reminder_days_before_due: number[] | null;
  overdue_notice: boolean | null;
  manager_escalation_days_overdue: number | null;
  compliance_escalation_days_after: number | null;
  time_zone: string | null;
}

/** The person's status, their open assignments and the tenant's notice policy, in one statement (it runs on every wake-up). */
async function readPlan(db: Db, { tenantId, personId }: PersonRef): Promise<TrainingPlan> {
  const [row] = await db.$queryRaw<PlanRow[]>`
    SELECT p.status AS person_status,
           COALESCE((SELECT json_agg(json_build_object('id', a.id, 'dueDate', a.due_date, 'assignedAt', a.assigned_at, 'mandatory', a.mandatory) ORDER BY a.due_date, a.id)
                       FROM assignment a
                      WHERE a.tenant_id = p.tenant_id AND a.person_id = p.id AND a.status = ANY(${[...OPEN_STATUSES]}::"AssignmentStatus"[])
                        -- A recertification window's assignment is reminded by the certification's own process.
                        AND a.source <> ${RECERTIFICATION_SOURCE}), '[]'::json) AS open,
           np.reminder_days_before_due, np.overdue_notice, np.manager_escalation_days_overdue, np.compliance_escalation_days_after, np.time_zone
      FROM person p
      LEFT JOIN notification_policy np ON np.tenant_id = p.tenant_id
     WHERE p.id = ${personId}::uuid AND p.tenant_id = ${tenantId}::uuid`;
  if (!row) throw ApplicationFailure.nonRetryable('a record this step needs no longer exists', 'record_missing', { missing: 'person' });
  return {
    personStatus: row.person_status,
    open: row.open.map((a) => ({ id: a.id, dueDate: a.dueDate, assignedAt: new Date(a.assignedAt).toISOString(), mandatory: a.mandatory })),
    policy:
      row.time_zone === null
        ? DEFAULT_NOTICE_POLICY
        : {
            reminderDaysBeforeDue: row.reminder_days_before_due!,
            overdueNotice: row.overdue_notice!,
            managerEscalationDaysOverdue: row.manager_escalation_days_overdue!,
            complianceEscalationDaysAfter: row.compliance_escalation_days_after!,
            timeZone: row.time_zone,
          },
  };
}

type Recipient = { role: 'person' | 'manager' | 'compliance_officer'; email: string } | { skipped: string };

function pickRecipient(
  kind: NoticeKind,
  person: { email: string; manager: { email: string; status: string } | null },
  complianceOfficerEmail: string | null,
  overdueNotice: boolean,
): Recipient {
  if (kind === 'manager_escalation') {
    if (!person.manager || person.manager.status === 'terminated') return { skipped: 'the person has no active manager' };
    return { role: 'manager', email: person.manager.email };
  }
  if (kind === 'compliance_escalation') {
    if (!complianceOfficerEmail) return { skipped: 'the tenant has no compliance officer e-mail' };
    return { role: 'compliance_officer', email: complianceOfficerEmail };
  }
  if (kind === 'overdue' && !overdueNotice) return { skipped: 'overdue notices are off for this tenant' };
  return { role: 'person', email: person.email };
}
