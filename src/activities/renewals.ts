import { Context } from '@temporalio/activity';
import type { OrgView } from '../domain/approval-chain';
import { approverMessage, changesRequestedMessage, type ApproverMessagePurpose } from '../mail/renewal-templates';
import { issueLinkToken, type ApprovalLinkSettings } from '../services/identity/approval-links';
import { recordAudit, SYSTEM } from '../services/audit/trail';
import { deliverNotification, queueNotification } from '../services/notifications/outbox';
import { finishRenewal, renewalSummary } from '../services/renewals/outcome';
import * as records from '../services/renewals/records';
import type { ChainSnapshot } from '../services/renewals/requests';
import type { ActivityDeps } from './deps';

export interface RenewalActivityDeps extends ActivityDeps {
  /** Signing secret and lifetimes of e-mailed links. */
  approvalLinks: ApprovalLinkSettings;
}

/** The renewal approval process's side effects. Each one is safe to run again with the same input. */
export function createRenewalActivities({ db, mailer, publicUrl, approvalLinks }: RenewalActivityDeps) {
  const deliver = async (ids: string[]) => {
    for (const id of ids) await deliverNotification(db, mailer, id);
  };

  return {
    loadApprovalOrganisation(input: { tenantId: string; requesterId: string; personIds: string[]; roleKeys: string[] }): Promise<OrgView> {
      return records.loadOrganisation(db, input);
    },

    openApprovalStep(input: Parameters<typeof records.openApprovalStep>[1]): Promise<void> {
      return records.openApprovalStep(db, input);
    },

    recordApprovalDecision(input: Parameters<typeof records.recordDecision>[1]): Promise<void> {
      return records.recordDecision(db, input);
    },

    changeStepApprovers(input: Parameters<typeof records.changeApprovers>[1]): Promise<void> {
      return records.changeApprovers(db, input);
    },

    closeApprovalStep(input: Parameters<typeof records.closeStep>[1]): Promise<void> {
      return records.closeStep(db, input);
    },

    recordRenewalResubmission(input: Parameters<typeof records.recordResubmission>[1]): Promise<void> {
      return records.recordResubmission(db, input);
    },

    failRenewal(input: Parameters<typeof records.failRequest>[1]): Promise<void> {
      return records.failRequest(db, input);
    },

    /**
     * E-mails each approver about the step, with a signed single-use link to confirm a decision and a
     * sign-in link to their inbox. Keyed by workflow, step, round and person: sent once each.
     * Reminders are also written to the audit trail, once (keyed the same way).
     */
    async notifyApprovers(input: {
      tenantId: string;
      requestId: string;
      workflowId: string;
      stepId: string;
      personIds: string[];
      purpose: ApproverMessagePurpose;
      round: string;
      at: number;
    }): Promise<void> {
      const { tenantId, requestId, stepId } = input;
      const [renewal, step, request, people] = await Promise.all([
        renewalSummary(db, tenantId, requestId),
        db.approvalStep.findFirstOrThrow({ where: { id: stepId, tenantId } }),
        db.renewalRequest.findFirstOrThrow({ where: { id: requestId, tenantId }, select: { chain: true } }),
        db.person.findMany({ where: { tenantId, id: { in: input.personIds } }, select: { id: true, name: true, email: true } }),
      ]);
      const levels = (request.chain as unknown as ChainSnapshot).levels.length;
      const ids: string[] = [];
      for (const person of people) {
        const key = `${input.workflowId}:step:${stepId}:${input.round}:${person.id}`;
        const decisionToken = await issueLinkToken(db, approvalLinks, { tenantId, key: `${key}:decision`, purpose: 'decision', personId: person.id, stepId });
        const signInToken = await issueLinkToken(db, approvalLinks, { tenantId, key: `${key}:sign-in`, purpose: 'sign_in', personId: person.id });
        const act = `${publicUrl}/approver/act?token=${encodeURIComponent(decisionToken)}`;
        const message = approverMessage({
          purpose: input.purpose,
          approverName: person.name,
          renewal,
          level: step.level,
          levels,
          levelName: step.name,
          dueAt: step.dueAt,
          approveUrl: `${act}&decision=approve`,
          rejectUrl: `${act}&decision=reject`,
          inboxUrl: `${publicUrl}/approver/sign-in?token=${encodeURIComponent(signInToken)}`,
        });
        ids.push(await queueNotification(db, { tenantId, key, personId: person.id, toAddress: person.email, ...message }));
        if (input.purpose === 'reminder') {
          await recordAudit(db, tenantId, SYSTEM, {
            action: 'approval.reminder_sent',
            entityType: 'renewal_request',
            entityId: requestId,
            data: { stepId, level: step.level, to: person.id, reminder: input.round },
            at: new Date(input.at),
            idempotencyKey: `${key}:audit`,
          });
        }
      }
      await deliver(ids);
    },

    /** Tells the requester what to change (changes requested). */
    async notifyRenewalRequester(input: { tenantId: string; requestId: string; workflowId: string; about: 'changes_requested'; stepId: string; reason: string | null; at: number }): Promise<void> {
      const renewal = await renewalSummary(db, input.tenantId, input.requestId);
      const step = await db.approvalStep.findFirstOrThrow({ where: { id: input.stepId, tenantId: input.tenantId }, select: { level: true } });
      const id = await queueNotification(db, {
        tenantId: input.tenantId,
        key: `${input.workflowId}:step:${input.stepId}:changes-requested`,
        personId: renewal.requesterId,
        toAddress: renewal.requesterEmail,
        ...changesRequestedMessage({ requesterName: renewal.requesterName, renewal, level: step.level, reason: input.reason }),
      });
      await deliver([id]);
    },

    /** Closes the request with its outcome, puts an approval into effect and tells the people concerned. */
    async finishRenewal(input: Omit<Parameters<typeof finishRenewal>[1], 'taskQueue' | 'publicUrl'>): Promise<void> {
      // Wake-ups of people sent back to training go to the task queue this process runs on.
      const finished = await finishRenewal(db, { ...input, taskQueue: Context.current().info.taskQueue, publicUrl });
      await deliver(finished.notificationIds);
    },
  };
}
