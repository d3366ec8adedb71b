import { z } from 'zod';
import type { Db } from '../../db/client';
import { MAX_LEVELS, type LevelSpec } from '../../domain/approval-chain';
import { formatDurationMinutes, parseDurationMinutes } from '../../domain/durations';
import { NotFound } from '../../domain/errors';
import { getApprovalChain, getRenewalPolicy, putApprovalChain, putRenewalPolicy } from '../../services/renewals/approval-chains';
import { auditCsv, listRenewalAudit } from '../../services/renewals/audit-trail';
import { actAsRequester } from '../../services/renewals/decisions';
import { createRenewalRequest, getRenewal } from '../../services/renewals/requests';
import type { CommandDelivery } from '../../services/processes/operations';
import type { Processes } from '../../temporal/processes';
import { operation } from '../operation';
import { errorResponse, idParams, standardErrors, text } from '../schemas/common';

const kind = z.enum(['program', 'course', 'certification'], { error: 'must be "program", "course" or "certification"' });

/** Deadlines and reminder offsets: ISO 8601 days, hours and minutes, from a minute to a year. */
const MAX_DURATION_MINUTES = 365 * 1440;
const duration = (description: string) =>
  z
    .string()
    .max(40)
    .regex(/^P(?=\d|T\d)(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?)?$/i, { error: 'must be an ISO 8601 duration of days, hours and minutes, e.g. P3D, PT12H, P1DT6H, PT30M' })
    .transform((text, ctx) => {
      const minutes = parseDurationMinutes(text);
      if (minutes === null) {
        ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 duration of days, hours and minutes, e.g. P3D, PT12H, P1DT6H, PT30M' });
        return z.NEVER;
      }
      if (minutes > MAX_DURATION_MINUTES) {
        ctx.addIssue({ code: 'custom', message: 'must be at most P365D' });
        return z.NEVER;
      }
      return minutes;
    })
    .meta({ description: `${description} (at most P365D)`, examples: ['P3D', 'PT12H'] });

const levelInput = z
  .strictObject({
    name: text(200),
    approver: z.enum(['manager', 'managers_manager', 'role', 'people']).meta({
      description: "manager: the requester's manager; managers_manager: that manager's manager; role: the holders of roleKey; people: personIds",
    }),
    roleKey: text(100).optional().meta({ description: 'For approver "role": the organisational role, e.g. compliance-officer' }),
    personIds: z.array(z.uuid()).min(1).max(50).optional().meta({ description: 'For approver "people": who approves' }),
    mode: z.enum(['any', 'all']).default('any').meta({ description: 'Several approvers: any one of them decides, or all must approve' }),
    deadline: duration('How long the level has to decide'),
    reminders: z.array(duration('Remind this long before the deadline')).max(10).default([]),
    onTimeout: z.enum(['delegate', 'next_manager', 'auto_reject', 'auto_approve']).meta({
      description: 'delegate: escalateToPersonId takes over; next_manager: the manager above the waiting approver; auto_reject; auto_approve (where the renewal policy allows)',
    }),
    escalateToPersonId: z.uuid().optional().meta({ description: 'For onTimeout "delegate"' }),
  })
  .superRefine((level, ctx) => {
    const problem = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (level.approver === 'role' && !level.roleKey) problem('roleKey', 'is required when approver is "role"');
    if (level.approver !== 'role' && level.roleKey) problem('roleKey', 'is only for approver "role"');
    if (level.approver === 'people' && !level.personIds) problem('personIds', 'is required when approver is "people"');
    if (level.approver !== 'people' && level.personIds) problem('personIds', 'is only for approver "people"');
    if (level.mode === 'all' && level.approver !== 'role' && level.approver !== 'people') problem('mode', '"all" needs several approvers: approver "role" or "people"');
    if (level.onTimeout === 'delegate' && !level.escalateToPersonId) problem('escalateToPersonId', 'is required when onTimeout is "delegate"');
    if (level.onTimeout !== 'delegate' && level.escalateToPersonId) problem('escalateToPersonId', 'is only for onTimeout "delegate"');
    level.reminders.forEach((minutes, i) => {
      if (minutes >= level.deadline) ctx.addIssue({ code: 'custom', path: ['reminders', i], message: 'must be shorter than the deadline' });
    });
  });

const chainInput = z
  .strictObject({
    name: text(200),
    levels: z.array(levelInput).min(1).max(MAX_LEVELS, { error: `A chain has at most ${MAX_LEVELS} levels` }),
  })
  .meta({ id: 'ApprovalChainInput' });

const levelView = z.object({
  position: z.int(),
  name: z.string(),
  approver: z.string(),
  roleKey: z.string().nullable(),
  personIds: z.array(z.uuid()),
  mode: z.string(),
  deadline: z.string(),
  reminders: z.array(z.string()),
  onTimeout: z.string(),
  escalateToPersonId: z.uuid().nullable(),
});
const chainView = z.object({ kind, name: z.string(), updatedAt: z.string(), levels: z.array(levelView) }).meta({ id: 'ApprovalChain' });

function showLevel(level: LevelSpec) {
  const { deadlineMinutes, reminderMinutesBefore, ...rest } = level;
  return { ...rest, deadline: formatDurationMinutes(deadlineMinutes), reminders: reminderMinutesBefore.map(formatDurationMinutes) };
}

const policyFields = {
  allowAutoApprove: z.boolean().meta({ description: 'May a level approve itself when its deadline passes (onTimeout "auto_approve")?' }),
  retrainOnApproval: z.boolean().meta({
    description: 'On approval, re-open the completed assignments of the renewed program (or of the programs holding the renewed course)',
  }),
  retrainDueDays: z.int().min(1).max(365).meta({ description: 'Re-opened assignments are due this many days after the renewal takes effect' }),
  certificationRenewal: z.enum(['extend', 'reissue']).meta({
    description:
      "An approved certification renewal issues the holder's next certificate: extend runs the active period on from the current expiry; reissue counts as a recertification on the day of approval (by the certification's expiry rule)",
  }),
};
const policyView = z.object(policyFields).meta({ id: 'RenewalPolicy' });

const renewalInput = z
  .strictObject({
    kind,
    targetKey: text(100).meta({ description: "The program's, course's or certification's key" }),
    version: text(100).optional().meta({ description: 'The content version the renewal puts into effect, e.g. 2027' }),
    reason: text(2000).meta({ description: 'Why the renewal is needed' }),
    notes: text(10_000).optional().meta({ description: 'Supporting notes for the approvers' }),
    requesterId: z.uuid().meta({ description: 'The person asking (their manager line decides manager levels)' }),
    holderId: z.uuid().optional().meta({ description: 'For a certification renewal: whose certificate (the requester when absent)' }),
    source: text(100).default('api'),
    externalId: text(200).optional().meta({ description: "The caller's id for the request: a retried POST is recognised by it" }),
  })
  .meta({ id: 'RenewalRequestInput' });

const approverView = z.object({ personId: z.uuid(), name: z.string(), via: z.string(), status: z.string(), decidedAt: z.string().nullable(), reason: z.string().nullable() });
const stepView = z.object({
  id: z.uuid(),
  level: z.int(),
  attempt: z.int(),
  name: z.string(),
  status: z.enum(['pending', 'approved', 'rejected', 'changes_requested', 'expired', 'cancelled']),
  openedAt: z.string(),
  dueAt: z.string(),
  escalatedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  approvers: z.array(approverView),
});
const renewalView = z
  .object({
    id: z.uuid(),
    kind,
    target: z.object({ key: z.string(), title: z.string() }),
    version: z.string().nullable(),
    reason: z.string(),
    notes: z.string().nullable(),
    requester: z.object({ id: z.uuid(), name: z.string() }),
    holder: z.object({ id: z.uuid(), name: z.string() }).nullable().meta({ description: "A certification renewal's holder" }),
    status: z.enum(['pending', 'approved', 'rejected', 'changes_requested', 'cancelled', 'expired', 'failed']),
    currentLevel: z.int().nullable(),
    levels: z.int(),
    outcomeReason: z.string().nullable(),
    workflowId: z.string(),
    createdAt: z.string(),
    closedAt: z.string().nullable(),
    effectiveAt: z.string().nullable(),
    steps: z.array(stepView),
  })
  .meta({ id: 'RenewalRequest' });
const renewalCreated = z.object({ renewal: renewalView, duplicate: z.boolean() }).meta({ id: 'RenewalRequestCreated' });

const actingRequester = z.uuid().meta({ description: 'The requester, for whom this system acts' });
const resubmitInput = z
  .strictObject({ actorPersonId: actingRequester, notes: text(10_000).optional().meta({ description: 'What changed; replaces the notes approvers see' }) })
  .meta({ id: 'RenewalResubmitInput' });
const cancelInput = z
  .strictObject({ actorPersonId: actingRequester, reason: text(2000).optional().meta({ description: 'Why it is withdrawn' }) })
  .meta({ id: 'RenewalCancelInput' });
const requesterActionResult = z.object({ requestId: z.uuid(), requestStatus: z.string(), level: z.int().nullable() }).meta({ id: 'RenewalActionResult' });

const auditLine = z
  .object({
    at: z.string(),
    action: z.string().meta({ description: 'e.g. renewal.requested, approval.step_opened, approval.reminder_sent, approval.escalated, approval.rerouted, approval.approved' }),
    actorType: z.enum(['api_client', 'person', 'system']),
    actorId: z.string().nullable(),
    actorName: z.string().nullable(),
    reason: z.string().nullable(),
    level: z.int().nullable(),
    data: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'RenewalAuditLine' });


const notFound = { 404: { description: 'No such renewal request in this tenant', schema: errorResponse } };
const refused = {
  403: { description: 'The key lacks the scope, or the acting person is not the requester (not_the_requester)', schema: errorResponse },
  409: { description: 'The request is closed, or not waiting for this (request_closed)', schema: errorResponse },
};

/** Renewal requests, the approval chains they walk, the tenant's renewal policy, and the audit trail. */
export function renewalOperations(db: Db, processes: Processes, delivery: CommandDelivery) {
  return [
    operation(
      {
        method: 'put',
        path: '/approval-chains/:kind',
        summary: 'Set the approval chain for one kind of renewal (1 to 6 levels); requests under way keep theirs',
        tag: 'Renewals',
        scope: 'approval-chains:write',
        params: z.object({ kind }),
        body: chainInput,
        responses: {
          200: { description: 'The chain as saved', schema: chainView },
          ...standardErrors,
          422: { description: 'A level names a role or person this tenant does not have, or auto-approves where the tenant does not allow it', schema: errorResponse },
        },
      },
      async ({ params, body, principal, req, actor }) => {
        const chain = await putApprovalChain(db, principal.tenantId, actor, params.kind, {
          name: body.name,
          levels: body.levels.map((level) => ({ ...level, deadlineMinutes: level.deadline, reminderMinutesBefore: level.reminders })),
        });
        return { status: 200, body: { ...chain, levels: chain.levels.map(showLevel) } };
      },
    ),
    operation(
      {
        method: 'get',
        path: '/approval-chains/:kind',
        summary: 'The approval chain for one kind of renewal',
        tag: 'Renewals',
        scope: 'renewals:read',
        params: z.object({ kind }),
        responses: { 200: { description: 'The chain', schema: chainView }, ...standardErrors, 404: { description: 'No chain is set for this kind', schema: errorResponse } },
      },
      async ({ params, principal, actor }) => {
        const chain = await getApprovalChain(db, principal.tenantId, params.kind);
        if (!chain) throw new NotFound('approval chain for', `${params.kind} renewals`);
        return { status: 200, body: { ...chain, levels: chain.levels.map(showLevel) } };
      },
    ),
    operation(
      {
        method: 'get',
        path: '/renewal-policy',
        summary: "The tenant's renewal rules (the defaults until set)",
        tag: 'Renewals',
        scope: 'renewals:read',
        responses: { 200: { description: 'The policy in force', schema: policyView }, ...standardErrors },
      },
      async ({ principal, actor }) => ({ status: 200, body: await getRenewalPolicy(db, principal.tenantId) }),
    ),
    operation(
      {
        method: 'put',
        path: '/renewal-policy',
        summary: "Set the tenant's renewal rules: automatic approval on timeout, re-training on approval",
        tag: 'Renewals',
        scope: 'approval-chains:write',
        body: z.strictObject({ ...policyFields, certificationRenewal: policyFields.certificationRenewal.default('reissue') }).meta({ id: 'RenewalPolicyInput' }),
        responses: {
          200: { description: 'The policy as saved', schema: policyView },
          ...standardErrors,
          409: { description: 'A chain still approves automatically (auto_approve_in_use)', schema: errorResponse },
        },
      },
      async ({ body, principal, req, actor }) => ({ status: 200, body: await putRenewalPolicy(db, principal.tenantId, actor, body) }),
    ),
    operation(
      {
        method: 'post',
        path: '/renewals',
        summary: 'Request the renewal of a program or course; starts its approval process',
        tag: 'Renewals',
        scope: 'renewals:write',
        body: renewalInput,
        responses: {
          202: { description: 'Recorded with the command that starts its approval process (delivered now, or as soon as Temporal is reachable)', schema: renewalCreated },
          200: { description: 'This request (source + externalId) was made before; nothing changed', schema: renewalCreated },
          ...standardErrors,
          409: { description: 'A renewal of this program or course is already under way (renewal_in_progress)', schema: errorResponse },
          422: { description: 'Unknown program, course or person; inactive requester; no approval chain for this kind', schema: errorResponse },
        },
      },
      async ({ body, principal, actor }) => {
        const { externalId, ...rest } = body;
        const created = await createRenewalRequest(db, delivery, principal.tenantId, actor, { ...rest, ...(externalId ? { externalId } : {}) });
        return { status: created.duplicate ? 200 : 202, body: created };
      },
    ),
    operation(
      {
        method: 'get',
        path: '/renewals/:id',
        summary: 'A renewal request with its approval steps, approvers and decisions',
        tag: 'Renewals',
        scope: 'renewals:read',
        params: idParams,
        responses: { 200: { description: 'The request', schema: renewalView }, ...standardErrors, ...notFound },
      },
      async ({ params, principal, actor }) => ({ status: 200, body: await getRenewal(db, principal.tenantId, params.id) }),
    ),
    operation(
      {
        method: 'post',
        path: '/renewals/:id/resubmit',
        summary: 'Resubmit after changes were requested (as the requester): the current level starts again',
        tag: 'Renewals',
        scope: 'renewals:write',
        params: idParams,
        body: resubmitInput,
        responses: { 200: { description: 'Resubmitted', schema: requesterActionResult }, ...standardErrors, ...notFound, ...refused },
      },
      async ({ params, body, principal, req }) => {
        const acting = { actorPersonId: body.actorPersonId, channel: 'api' as const, apiClientId: principal.clientId, httpRequestId: req.id };
        return { status: 200, body: await actAsRequester(db, processes, principal.tenantId, params.id, { kind: 'resubmit', ...(body.notes ? { notes: body.notes } : {}) }, acting) };
      },
    ),
    operation(
      {
        method: 'post',
        path: '/renewals/:id/cancel',
        summary: 'Withdraw a renewal request (as the requester)',
        tag: 'Renewals',
        scope: 'renewals:write',
        params: idParams,
        body: cancelInput,
        responses: { 200: { description: 'Cancelled', schema: requesterActionResult }, ...standardErrors, ...notFound, ...refused },
      },
      async ({ params, body, principal, req }) => {
        const acting = { actorPersonId: body.actorPersonId, channel: 'api' as const, apiClientId: principal.clientId, httpRequestId: req.id };
        return { status: 200, body: await actAsRequester(db, processes, principal.tenantId, params.id, { kind: 'cancel', ...(body.reason ? { reason: body.reason } : {}) }, acting) };
      },
    ),
    operation(
      {
        method: 'get',
        path: '/renewals/:id/audit',
        summary: "A renewal's audit trail: every step, reminder, escalation, re-route and decision, with actor, time and reason",
        tag: 'Renewals',
        scope: 'audit:read',
        params: idParams,
        responses: { 200: { description: 'Oldest first', schema: z.object({ data: z.array(auditLine) }) }, ...standardErrors, ...notFound },
      },
      async ({ params, principal, actor }) => ({ status: 200, body: { data: await listRenewalAudit(db, principal.tenantId, params.id) } }),
    ),
    operation(
      {
        method: 'get',
        path: '/renewals/:id/audit.csv',
        summary: "A renewal's audit trail as CSV (RFC 4180; formula-like cells neutralised)",
        tag: 'Renewals',
        scope: 'audit:read',
        params: idParams,
        responses: { 200: { description: 'One line per entry, oldest first', schema: z.string(), contentType: 'text/csv' }, ...standardErrors, ...notFound },
      },
      async ({ params, principal, actor }) => ({
        status: 200,
        contentType: 'text/csv; charset=utf-8',
        headers: { 'content-disposition': `attachment; filename="renewal-${params.id}-audit.csv"` },
        body: auditCsv(await listRenewalAudit(db, principal.tenantId, params.id)),
      }),
    ),
  ];
}
