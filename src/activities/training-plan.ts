import { isoDate } from '../domain/dates';
import type { PersonStatus } from '../generated/prisma/enums';
import { DEFAULT_NOTICE_POLICY, noticeKey, type NoticeKind, type NoticePolicy, type OpenAssignment } from '../domain/notices';
import { noticeMessage } from '../mail/templates';
import { recordAudit } from '../services/audit/trail';
import { deliverNotification, queueNotification } from '../services/notifications/outbox';
import type { ActivityDeps, PersonRef } from './onboarding';

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
}

const OPEN = ['assigned', 'in_progress', 'overdue'] as const;

/** What the per-person workflow needs to plan its reminders, read fresh from the records. */
export function createTrainingPlanActivities({ db, mailer, publicUrl, processes }: ActivityDeps) {
  return {
    /** Tells these people's training processes to re-read their plans, starting them where none runs. */
    async wakeTrainingProcesses({ tenantId, personIds }: { tenantId: string; personIds: string[] }): Promise<void> {
      await processes.peopleChanged(tenantId, personIds);
    },

    async loadTrainingPlan({ tenantId, personId }: PersonRef): Promise<TrainingPlan> {
      const [person, open, policy] = await Promise.all([
        db.person.findFirstOrThrow({ where: { id: personId, tenantId }, select: { status: true } }),
        db.assignment.findMany({
          where: { tenantId, personId, status: { in: [...OPEN] } },
          select: { id: true, dueDate: true, assignedAt: true, mandatory: true },
          orderBy: { dueDate: 'asc' },
        }),
        db.notificationPolicy.findUnique({ where: { tenantId } }),
      ]);
      return {
        personStatus: person.status,
        open: open.map((a) => ({
          id: a.id,
          dueDate: isoDate(a.dueDate),
          assignedAt: a.assignedAt.toISOString(),
          mandatory: a.mandatory,
        })),
        policy: policy
          ? {
              reminderDaysBeforeDue: policy.reminderDaysBeforeDue,
              overdueNotice: policy.overdueNotice,
              managerEscalationDaysOverdue: policy.managerEscalationDaysOverdue,
              complianceEscalationDaysAfter: policy.complianceEscalationDaysAfter,
            }
          : DEFAULT_NOTICE_POLICY,
      };
    },

    /**
     * Sends one reminder or escalation through the outbox (once per workflow, assignment, due date and
     * kind). Recipients are looked up now, so a manager change re-routes escalations not yet sent.
     * The overdue notice also marks the assignment overdue.
     */
    async sendDueNotice(input: DueNoticeInput): Promise<{ sentTo: 'person' | 'manager' | 'compliance_officer' | null; skipped?: string }> {
      const { tenantId, personId, assignmentId, kind } = input;
      const assignment = await db.assignment.findFirst({
        where: { id: assignmentId, tenantId, personId },
        include: {
          program: { select: { title: true } },
          person: { select: { name: true, email: true, status: true, manager: { select: { id: true, email: true, status: true } } } },
        },
      });
      if (!assignment || !(OPEN as readonly string[]).includes(assignment.status)) return { sentTo: null, skipped: 'assignment no longer open' };
      if (assignment.person.status !== 'active') return { sentTo: null, skipped: `person is ${assignment.person.status}` };
      const policy = (await db.notificationPolicy.findUnique({ where: { tenantId } })) ?? { ...DEFAULT_NOTICE_POLICY, complianceOfficerEmail: null };

      if (kind === 'overdue') {
        await db.assignment.updateMany({
          where: { id: assignmentId, status: { in: ['assigned', 'in_progress'] } },
          data: { status: 'overdue', statusAt: new Date(), statusActor: input.workflowId, statusReason: 'due date passed' },
        });
      }

      const recipient = pickRecipient(kind, assignment.person, policy.complianceOfficerEmail, policy.overdueNotice);
      if ('skipped' in recipient) {
        await recordAudit(db, tenantId, { type: 'system', id: input.workflowId }, {
          action: 'notice.skipped',
          entityType: 'assignment',
          entityId: assignmentId,
          reason: recipient.skipped,
          data: { kind },
        });
        return { sentTo: null, skipped: recipient.skipped };
      }
      const message = noticeMessage(
        kind,
        { personName: assignment.person.name, programTitle: assignment.program.title, dueDate: input.dueDate },
        publicUrl,
      );
      const notificationId = await queueNotification(db, {
        tenantId,
        key: `${input.workflowId}:${noticeKey(input)}`,
        personId: recipient.role === 'person' ? personId : recipient.role === 'manager' ? assignment.person.manager!.id : undefined,
        toAddress: recipient.email,
        ...message,
      });
      await deliverNotification(db, mailer, notificationId);
      await recordAudit(db, tenantId, { type: 'system', id: input.workflowId }, {
        action: kind.startsWith('reminder') || kind === 'overdue' ? 'assignment.reminded' : 'assignment.escalated',
        entityType: 'assignment',
        entityId: assignmentId,
        data: { kind, recipient: recipient.role, notificationId },
      });
      return { sentTo: recipient.role };
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
