import type { DocumentGapInput, DocumentGapPlan } from '../workflows/document-gap';
import { isoDate } from '../domain/dates';
import { NotFound } from '../domain/errors';
import { noticeTime } from '../domain/notices';
import { documentComplianceMessage, documentManagerMessage, documentReminderMessage, documentTrainingMessage, type OwedDocument } from '../mail/document-templates';
import { tenantTimeZone } from '../services/catalog/notification-policy';
import { acknowledgementPageUrl } from '../services/documents/acknowledgements';
import { markTrainedDone, openGap } from '../services/documents/gap';
import { issueLinkToken, type ApprovalLinkSettings } from '../services/identity/approval-links';
import { deliverNotification, queueNotification } from '../services/notifications/outbox';
import type { ActivityDeps } from './deps';
import { whileHeartbeating } from './heartbeat';

type Step = DocumentGapInput & { workflowId: string };

/** People told per activity call: the process calls again until everyone in the gap has been told. */
const BATCH = 200;
const REMIND_DAYS_BEFORE_DUE = 3;
const DAY = 86_400_000;
/** Notices go out at 09:00 on their day in the tenant's time zone, like the onboarding notices. */
const at9 = (date: Date, days: number, timeZone: string) => new Date(noticeTime(isoDate(date), days, timeZone)).toISOString();

/**
 * The document-version process's side effects: the set-based gap, the messages (each through the
 * outbox under a key of the process and its step, so a retried call never sends twice), and the
 * re-check that marks done what people have since completed.
 */
export function createDocumentActivities({ db, mailer, publicUrl, approvalLinks }: ActivityDeps & { approvalLinks: ApprovalLinkSettings }) {
  const version = async ({ tenantId, versionId }: DocumentGapInput) => {
    const row = await db.documentVersion.findFirst({ where: { id: versionId, tenantId }, include: { document: true } });
    if (!row) throw new NotFound('document_version', versionId);
    return row;
  };
  const dueOf = (v: Awaited<ReturnType<typeof version>>) => new Date(v.effectiveDate.getTime() + v.document.dueOffsetDays * DAY);

  /** What the person owes on controlled documents now, with where to do each. */
  const owedBy = async (tenantId: string, personId: string, learnerToken: string): Promise<OwedDocument[]> => {
    const rows = await db.$queryRaw<{ version_id: string; title: string; version: string; due_date: Date; training: string; course: string | null; program: string | null }[]>`
      SELECT t.version_id, d.title, v.version, t.due_date, d.training, c.title AS course, pg.title AS program
        FROM document_training t JOIN document_version v ON v.id = t.version_id JOIN document d ON d.id = v.document_id
        LEFT JOIN course c ON c.id = d.course_id LEFT JOIN program pg ON pg.id = d.program_id
       WHERE t.tenant_id = ${tenantId}::uuid AND t.person_id = ${personId}::uuid AND t.status = 'open'
       ORDER BY t.due_date, d.title`;
    const learnerUrl = `${publicUrl}/learner?token=${encodeURIComponent(learnerToken)}`;
    return rows.map((r) => ({
      title: r.title,
      version: r.version,
      dueDate: r.due_date.toISOString().slice(0, 10),
      action: r.training === 'acknowledgement' ? 'read and acknowledge it' : `take ${r.course ?? r.program}`,
      url: r.training === 'acknowledgement' ? acknowledgementPageUrl(publicUrl, learnerToken, r.version_id) : learnerUrl,
    }));
  };
  const send = async (message: Parameters<typeof queueNotification>[1]) => deliverNotification(db, mailer, await queueNotification(db, message));

  return {
    /** Opens the version's gap (set-based; safe to repeat) and says what the process waits for. */
    async openDocumentGap(input: Step): Promise<DocumentGapPlan> {
      const v = await version(input);
      const open = (v.status === 'approved' || v.status === 'effective') && v.impact === 'retraining' && v.approvedAt !== null;
      if (!open) return { state: 'closed', remindAt: null, escalateAt: null };
      await whileHeartbeating(() => db.$transaction((tx) => openGap(tx, input.tenantId, input.versionId, v.approvedAt!), { timeout: 30 * 60_000 }));
      const due = dueOf(v);
      const timeZone = await tenantTimeZone(db, input.tenantId);
      return { state: 'open', remindAt: at9(due, -REMIND_DAYS_BEFORE_DUE, timeZone), escalateAt: at9(due, 1, timeZone) };
    },

    /**
     * Tells the next people in the gap who have not been told: one message each, listing everything
     * they now owe. Returns whether it told anyone (the process calls again until not); once everyone
     * is told, each manager gets one digest of their people's gaps for this version.
     */
    async tellDocumentTrainings(input: Step): Promise<boolean> {
      const v = await version(input);
      const batch = await db.documentTraining.findMany({
        where: { tenantId: input.tenantId, versionId: input.versionId, status: 'open', notifiedAt: null },
        include: { person: { select: { id: true, name: true, email: true, status: true } } },
        orderBy: { personId: 'asc' },
        take: BATCH,
      });
      if (batch.length === 0) {
        await digestForManagers(input, v);
        return false;
      }
      await whileHeartbeating(async () => {
        for (const training of batch) {
          if (training.person.status === 'active') {
            const key = `${input.workflowId}:assigned:${training.personId}`;
            const token = await issueLinkToken(db, approvalLinks, { tenantId: input.tenantId, key: `${key}:learner`, purpose: 'learner', personId: training.personId });
            const owed = await owedBy(input.tenantId, training.personId, token);
            await send({
              tenantId: input.tenantId,
              key,
              personId: training.personId,
              toAddress: training.person.email,
              ...documentTrainingMessage({ name: training.person.name, approved: { title: v.title, version: v.version }, owed, learnerUrl: `${publicUrl}/learner?token=${encodeURIComponent(token)}` }),
            });
          }
          await db.documentTraining.update({ where: { id: training.id }, data: { notifiedAt: new Date() } });
        }
      });
      return true;
    },

    /** Re-checks what people have completed since, then reminds those still open, or escalates them to their managers and compliance. */
    async sendDocumentNotices(input: Step & { kind: 'reminder' | 'escalation' }): Promise<{ outstanding: number }> {
      const v = await version(input);
      await db.$transaction((tx) => markTrainedDone(tx, input.tenantId, { versionId: input.versionId }));
      const open = await db.documentTraining.findMany({
        where: { tenantId: input.tenantId, versionId: input.versionId, status: 'open', person: { status: 'active' } },
        include: { person: { select: { id: true, name: true, email: true, manager: { select: { id: true, name: true, email: true, status: true } } } } },
        orderBy: { personId: 'asc' },
      });
      const due = dueOf(v).toISOString().slice(0, 10);
      await whileHeartbeating(async () => {
        if (input.kind === 'reminder') {
          for (const t of open) {
            const key = `${input.workflowId}:reminder:${t.personId}`;
            const token = await issueLinkToken(db, approvalLinks, { tenantId: input.tenantId, key: `${key}:learner`, purpose: 'learner', personId: t.personId });
            const owed = await owedBy(input.tenantId, t.personId, token);
            await send({ tenantId: input.tenantId, key, personId: t.personId, toAddress: t.person.email, ...documentReminderMessage({ name: t.person.name, owed, learnerUrl: `${publicUrl}/learner?token=${encodeURIComponent(token)}` }) });
          }
          return;
        }
        const byManager = new Map<string, { manager: { id: string; name: string; email: string }; people: string[] }>();
        for (const t of open) {
          const manager = t.person.manager;
          if (!manager || manager.status !== 'active') continue;
          const entry = byManager.get(manager.id) ?? { manager, people: [] };
          entry.people.push(t.person.name);
          byManager.set(manager.id, entry);
        }
        for (const { manager, people } of byManager.values()) {
          await send({ tenantId: input.tenantId, key: `${input.workflowId}:escalation:${manager.id}`, personId: manager.id, toAddress: manager.email, ...documentManagerMessage('escalation', { managerName: manager.name, title: v.title, version: v.version, dueDate: due, people }) });
        }
        const policy = await db.notificationPolicy.findUnique({ where: { tenantId: input.tenantId }, select: { complianceOfficerEmail: true } });
        if (open.length > 0 && policy?.complianceOfficerEmail) {
          await send({ tenantId: input.tenantId, key: `${input.workflowId}:escalation:compliance`, toAddress: policy.complianceOfficerEmail, ...documentComplianceMessage({ title: v.title, version: v.version, dueDate: due, people: open.map((t) => t.person.name) }) });
        }
      });
      return { outstanding: open.length };
    },
  };

  async function digestForManagers(input: Step, v: { title: string; version: string; effectiveDate: Date; document: { dueOffsetDays: number } }) {
    const rows = await db.$queryRaw<{ manager_id: string; manager_name: string; manager_email: string; person_name: string }[]>`
      SELECT m.id AS manager_id, m.name AS manager_name, m.email AS manager_email, p.name AS person_name
        FROM document_training t JOIN person p ON p.id = t.person_id JOIN person m ON m.id = p.manager_id
       WHERE t.tenant_id = ${input.tenantId}::uuid AND t.version_id = ${input.versionId}::uuid AND t.status = 'open' AND m.status = 'active'
       ORDER BY m.id, p.name`;
    const due = new Date(v.effectiveDate.getTime() + v.document.dueOffsetDays * DAY).toISOString().slice(0, 10);
    const managers = new Map<string, { name: string; email: string; people: string[] }>();
    for (const r of rows) {
      const entry = managers.get(r.manager_id) ?? { name: r.manager_name, email: r.manager_email, people: [] };
      entry.people.push(r.person_name);
      managers.set(r.manager_id, entry);
    }
    for (const [managerId, m] of managers) {
      await send({ tenantId: input.tenantId, key: `${input.workflowId}:digest:${managerId}`, personId: managerId, toAddress: m.email, ...documentManagerMessage('digest', { managerName: m.name, title: v.title, version: v.version, dueDate: due, people: m.people }) });
    }
  }
}
