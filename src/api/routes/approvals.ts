import { z } from 'zod';
import type { Db } from '../../db/client';
import { listInbox } from '../../services/renewals/approvals';
import type { Processes } from '../../temporal/processes';
import { submitDecision } from '../../services/renewals/decisions';
import { TEXT_PATTERN } from '../../domain/text';
import { operation } from '../operation';
import { errorResponse, idParams, standardErrors, text } from '../schemas/common';

const inboxItem = z
  .object({
    approvalId: z.uuid().meta({ description: 'The approval step: POST /approvals/{approvalId}/decision' }),
    renewalId: z.uuid(),
    kind: z.enum(['program', 'course']),
    target: z.object({ key: z.string(), title: z.string() }),
    version: z.string().nullable(),
    reason: z.string(),
    notes: z.string().nullable(),
    requester: z.object({ id: z.uuid(), name: z.string() }),
    level: z.int(),
    levels: z.int(),
    levelName: z.string(),
    via: z.string().meta({ description: 'Why this person approves: manager, managers_manager, role, people, delegate, escalation' }),
    openedAt: z.string(),
    dueAt: z.string(),
  })
  .meta({ id: 'ApprovalInboxItem' });

const actorPersonId = z.uuid().meta({ description: 'The approver this system acts for (e.g. a chat bot relaying their click)' });
/** A reason that must be given, with a message that says so when it is missing. */
function reasonFor(action: string) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? `is required to ${action}` : 'Must be text') })
    .trim()
    .min(1, { error: `is required to ${action}` })
    .max(2000)
    .regex(TEXT_PATTERN, { error: 'Must not be blank or contain control characters' })
    .meta({ description: `Why; required to ${action}` });
}

const decisionInput = z
  .discriminatedUnion(
    'decision',
    [
      z.strictObject({ actorPersonId, decision: z.literal('approve'), reason: text(2000).optional().meta({ description: 'Optional' }) }),
      z.strictObject({ actorPersonId, decision: z.literal('reject'), reason: reasonFor('reject') }),
      z.strictObject({ actorPersonId, decision: z.literal('request_changes'), reason: reasonFor('request changes') }),
      z.strictObject({
        actorPersonId,
        decision: z.literal('delegate'),
        delegateToPersonId: z.uuid({ error: (issue) => (issue.input === undefined ? 'is required to delegate' : 'Invalid UUID') }).meta({ description: 'Who takes the step over' }),
        reason: text(2000).optional(),
      }),
    ],
    { error: 'must be one of approve, reject, request_changes, delegate' },
  )
  .meta({ id: 'ApprovalDecisionInput' });

const decisionResult = z
  .object({
    requestId: z.uuid(),
    stepId: z.uuid(),
    level: z.int(),
    decision: z.string(),
    stepStatus: z.enum(['pending', 'approved', 'rejected', 'changes_requested', 'expired', 'cancelled']).meta({ description: 'pending while other approvers of an all-of level still have to approve' }),
    requestStatus: z.enum(['pending', 'approved', 'rejected', 'changes_requested', 'cancelled', 'expired']),
  })
  .meta({ id: 'ApprovalDecisionResult' });

/** Where systems acting for approvers (portals, chat bots) read what waits and pass on decisions. */
export function approvalOperations(db: Db, processes: Processes) {
  return [
    operation(
      {
        method: 'get',
        path: '/approvals/inbox',
        summary: "The approval steps waiting for a person's decision, the most urgent first",
        tag: 'Approvals',
        scope: 'approvals:read',
        query: z.object({ personId: z.uuid().meta({ description: 'The approver' }) }),
        responses: {
          200: { description: 'Pending approvals', schema: z.object({ data: z.array(inboxItem) }) },
          ...standardErrors,
          404: { description: 'No such person in this tenant', schema: errorResponse },
        },
      },
      async ({ query, principal }) => ({ status: 200, body: { data: await listInbox(db, principal.tenantId, query.personId) } }),
    ),
    operation(
      {
        method: 'post',
        path: '/approvals/:id/decision',
        summary: 'Approve, reject, request changes on, or delegate an approval step on behalf of the approver (a delegation: the key is recorded with the decision)',
        tag: 'Approvals',
        scope: 'approvals:act-for-approvers',
        params: idParams,
        body: decisionInput,
        responses: {
          200: { description: 'Recorded; the outcome for the step and the request', schema: decisionResult },
          ...standardErrors,
          403: { description: 'The key lacks the scope, or the person is not (or no longer) this step\'s approver (not_an_approver)', schema: errorResponse },
          404: { description: 'No such approval step in this tenant', schema: errorResponse },
          409: {
            description: 'Already decided by this person (already_decided), the step moved on (step_closed), the request is closed (request_closed) or waits for resubmission (awaiting_resubmission)',
            schema: errorResponse,
          },
          422: { description: 'Unknown or inactive person; an impossible delegate (invalid_delegate)', schema: errorResponse },
          503: { description: 'The workflow engine is unavailable; nothing was decided, retry', schema: errorResponse },
        },
      },
      async ({ params, body, principal, req }) => {
        const result = await submitDecision(db, processes, principal.tenantId, {
          stepId: params.id,
          actorPersonId: body.actorPersonId,
          decision: body.decision,
          ...(body.reason ? { reason: body.reason } : {}),
          ...(body.decision === 'delegate' ? { delegateToPersonId: body.delegateToPersonId } : {}),
          channel: 'api',
          apiClientId: principal.clientId,
          httpRequestId: req.id,
        });
        return { status: 200, body: result };
      },
    ),
  ];
}
