/**
 * The policy of multi-level renewal approvals, free of I/O so the `renewal` workflow can use it:
 * who approves a level, when a step is decided, who may act on it, what a timeout does and how a
 * step moves when the organisation changes.
 */

export type RenewalKind = 'program' | 'course' | 'certification';
/** `failed`: its process stopped on a step no retry could mend (e.g. a record it needs was deleted). */
export type RenewalStatus = 'pending' | 'approved' | 'rejected' | 'changes_requested' | 'cancelled' | 'expired' | 'failed';
/** How a request's approval can end. */
export type FinalStatus = Exclude<RenewalStatus, 'pending' | 'changes_requested' | 'failed'>;
export type ApproverRule = 'manager' | 'managers_manager' | 'role' | 'people';
export type ApprovalMode = 'any' | 'all';
export type EscalationRule = 'delegate' | 'next_manager' | 'auto_reject' | 'auto_approve';
export type ApproverOrigin = ApproverRule | 'delegate' | 'escalation';
/** `not_needed` is only ever recorded (the step closed before they acted); the process never holds it. */
export type ApproverStatus = 'pending' | 'approved' | 'rejected' | 'changes_requested' | 'delegated' | 'removed' | 'not_needed';
export type StepStatus = 'pending' | 'approved' | 'rejected' | 'changes_requested' | 'expired' | 'cancelled';
export type DecisionKind = 'approve' | 'reject' | 'request_changes' | 'delegate';
export type DecisionChannel = 'api' | 'inbox' | 'email';

export const MAX_LEVELS = 6;
export const CLOSED_STATUSES: readonly RenewalStatus[] = ['approved', 'rejected', 'cancelled', 'expired', 'failed'];

/** Who acts, and through which door: the audit keeps both. */
export interface ActingPerson {
  actorPersonId: string;
  channel: DecisionChannel;
  /** The API key a system used to act for the person (chat bots, portals). */
  apiClientId?: string;
  /** The HTTP request that carried the action. */
  httpRequestId?: string;
}

/** A chain level as a request carries it (a snapshot taken when the request was made). */
export interface LevelSpec {
  position: number;
  name: string;
  approver: ApproverRule;
  roleKey: string | null;
  personIds: string[];
  mode: ApprovalMode;
  deadlineMinutes: number;
  reminderMinutesBefore: number[];
  onTimeout: EscalationRule;
  escalateToPersonId: string | null;
}

/** Someone who may decide a step. `derivedFrom`: the people whose HR data made them the approver. */
export interface Approver {
  personId: string;
  via: ApproverOrigin;
  derivedFrom: string[];
  status: ApproverStatus;
}

/** What resolving approvers needs to know of the organisation; an activity reads it from the database. */
export interface OrgView {
  requesterId: string;
  people: Record<string, { managerId: string | null; active: boolean }>;
  roleHolders: Record<string, string[]>;
}

function isActive(org: OrgView, personId: string | null | undefined): personId is string {
  return !!personId && org.people[personId]?.active === true;
}

function managerOf(org: OrgView, personId: string): string | null {
  return org.people[personId]?.managerId ?? null;
}

/** A requester never approves their own renewal; nor does anyone who has left. */
function eligible(org: OrgView, personId: string | null | undefined): personId is string {
  return isActive(org, personId) && personId !== org.requesterId;
}

function pending(personId: string, via: ApproverOrigin, derivedFrom: string[]): Approver {
  return { personId, via, derivedFrom, status: 'pending' };
}

/** Who approves a level today, by its rule. Empty when nobody qualifies (the level then escalates). */
export function resolveLevelApprovers(level: LevelSpec, org: OrgView): Approver[] {
  const requester = org.requesterId;
  const found: Approver[] = [];
  const add = (approver: Approver) => {
    if (eligible(org, approver.personId) && !found.some((a) => a.personId === approver.personId)) found.push(approver);
  };
  switch (level.approver) {
    case 'manager': {
      const manager = managerOf(org, requester);
      if (manager) add(pending(manager, 'manager', [requester]));
      break;
    }
    case 'managers_manager': {
      const manager = managerOf(org, requester);
      const above = manager ? managerOf(org, manager) : null;
      if (manager && above) add(pending(above, 'managers_manager', [requester, manager]));
      break;
    }
    case 'role':
      for (const holder of [...(org.roleHolders[level.roleKey ?? ''] ?? [])].sort()) add(pending(holder, 'role', []));
      break;
    case 'people':
      for (const personId of level.personIds) add(pending(personId, 'people', []));
      break;
  }
  return found;
}

/** A step's outcome from its approvers' decisions; 'pending' while it still waits. */
export function stepOutcome(mode: ApprovalMode, approvers: readonly Approver[]): 'pending' | 'approved' | 'rejected' | 'changes_requested' {
  if (approvers.some((a) => a.status === 'rejected')) return 'rejected';
  if (approvers.some((a) => a.status === 'changes_requested')) return 'changes_requested';
  if (mode === 'any') return approvers.some((a) => a.status === 'approved') ? 'approved' : 'pending';
  const counted = approvers.filter((a) => a.status === 'pending' || a.status === 'approved');
  return counted.length > 0 && counted.every((a) => a.status === 'approved') ? 'approved' : 'pending';
}

export function pendingApprovers(approvers: readonly Approver[]): Approver[] {
  return approvers.filter((a) => a.status === 'pending');
}

/** When reminders go out: at each offset before the deadline that is still ahead, earliest first, each once. */
export function reminderTimes(openedAtMs: number, dueAtMs: number, minutesBefore: readonly number[]): number[] {
  const times = new Set(minutesBefore.map((m) => dueAtMs - m * 60_000).filter((t) => t > openedAtMs && t < dueAtMs));
  return [...times].sort((a, b) => a - b);
}

export type TimeoutOutcome =
  | { kind: 'reassign'; approvers: Approver[] }
  | { kind: 'approve' }
  | { kind: 'reject' }
  | { kind: 'expire'; reason: string };

/**
 * What a level's deadline passing does, by its escalation rule: hand the step to the named delegate
 * or to the next manager up, reject it, or approve it where the tenant allows that.
 */
export function onTimeout(level: LevelSpec, approvers: readonly Approver[], org: OrgView, allowAutoApprove: boolean): TimeoutOutcome {
  const current = new Set(approvers.filter((a) => a.status !== 'removed').map((a) => a.personId));
  switch (level.onTimeout) {
    case 'auto_reject':
      return { kind: 'reject' };
    case 'auto_approve':
      return allowAutoApprove
        ? { kind: 'approve' }
        : { kind: 'expire', reason: `level ${level.position} timed out and this tenant does not allow automatic approval` };
    case 'delegate': {
      const delegate = level.escalateToPersonId;
      if (eligible(org, delegate) && !current.has(delegate)) return { kind: 'reassign', approvers: [pending(delegate, 'escalation', [])] };
      return { kind: 'expire', reason: `level ${level.position} timed out and its escalation delegate cannot take it` };
    }
    case 'next_manager': {
      const waiting = pendingApprovers(approvers).map((a) => a.personId);
      const below = waiting.length > 0 ? waiting : [managerOf(org, org.requesterId) ?? org.requesterId];
      const next: Approver[] = [];
      for (const personId of below) {
        const above = managerOf(org, personId);
        if (eligible(org, above) && !current.has(above) && !next.some((a) => a.personId === above)) {
          next.push(pending(above, 'escalation', [personId]));
        }
      }
      return next.length > 0
        ? { kind: 'reassign', approvers: next }
        : { kind: 'expire', reason: `level ${level.position} timed out and there is no manager above its approvers` };
    }
  }
}

/**
 * A step's approvers after an escalation: whoever waited hands over to the new approvers; decisions
 * already made stay on record.
 */
export function escalateApprovers(approvers: readonly Approver[], added: readonly Approver[]): Approver[] {
  const next = approvers.map((a) => (a.status === 'pending' ? { ...a, status: 'removed' as const } : a));
  for (const approver of added) {
    const index = next.findIndex((a) => a.personId === approver.personId);
    if (index >= 0) next[index] = approver;
    else next.push(approver);
  }
  return next;
}

export interface RerouteResult {
  approvers: Approver[];
  added: string[];
  removed: string[];
}

/**
 * Moves a step after an HR change. `fresh` is the level's rule resolved against today's organisation.
 * Rule-derived approvers who no longer qualify leave and the ones who now do join; a delegate keeps
 * the step while the person they act for still qualifies; an escalation approver keeps it while active.
 * Decisions already made stay as they are.
 */
export function rerouteApprovers(approvers: readonly Approver[], fresh: readonly Approver[], org: OrgView, escalated: boolean): RerouteResult {
  const freshById = new Map(fresh.map((a) => [a.personId, a]));
  const next: Approver[] = approvers.map((a) => ({ ...a }));
  const removed: string[] = [];
  const added: string[] = [];
  const remove = (a: Approver) => {
    a.status = 'removed';
    removed.push(a.personId);
  };

  for (const a of next) {
    if (a.status !== 'pending') continue;
    if (a.via === 'escalation') {
      if (!eligible(org, a.personId)) remove(a);
    } else if (a.via === 'delegate') {
      const onBehalfOf = a.derivedFrom[0];
      const delegator = next.find((b) => b.personId === onBehalfOf);
      const authority = onBehalfOf !== undefined && (freshById.has(onBehalfOf) || (delegator?.via === 'escalation' && eligible(org, onBehalfOf)));
      if (!authority || !eligible(org, a.personId)) remove(a);
    } else {
      const again = freshById.get(a.personId);
      if (again) a.derivedFrom = again.derivedFrom;
      else remove(a);
    }
  }

  const keptEscalation = next.some((a) => a.status === 'pending' && a.via === 'escalation');
  if (!(escalated && keptEscalation)) {
    for (const candidate of fresh) {
      const existing = next.find((a) => a.personId === candidate.personId);
      if (!existing) {
        next.push({ ...candidate });
        added.push(candidate.personId);
      } else if (existing.status === 'removed') {
        Object.assign(existing, { ...candidate, status: 'pending' });
        added.push(candidate.personId);
        // Removed earlier in this pass: not a removal after all (one removed in an earlier pass just returns).
        const index = removed.indexOf(candidate.personId);
        if (index >= 0) removed.splice(index, 1);
      } else if (existing.status === 'delegated') {
        // Their delegate left: the step comes back to them.
        const delegateStillThere = next.some((d) => d.via === 'delegate' && d.derivedFrom[0] === existing.personId && d.status === 'pending');
        if (!delegateStillThere) {
          existing.status = 'pending';
          added.push(existing.personId);
        }
      }
    }
  }
  return { approvers: next, added, removed };
}

/** Hands one approver's part of a step to someone else. */
export function delegateApprover(approvers: readonly Approver[], fromPersonId: string, toPersonId: string): Approver[] {
  const next = approvers.map((a) => (a.personId === fromPersonId ? { ...a, status: 'delegated' as const } : a));
  const existing = next.findIndex((a) => a.personId === toPersonId);
  const delegate = pending(toPersonId, 'delegate', [fromPersonId]);
  if (existing >= 0) next[existing] = delegate;
  else next.push(delegate);
  return next;
}

// ─── Who may act ────────────────────────────────────────────────────────────────────────────────

export interface StepView {
  id: string;
  level: number;
  approvers: Approver[];
}

/** What the workflow knows when an approver acts; the Update validator checks a decision against it. */
export interface DecisionContext {
  status: RenewalStatus;
  requesterId: string;
  current: StepView | null;
  past: StepView[];
}

export interface DecisionAttempt {
  stepId: string;
  actorPersonId: string;
  decision: DecisionKind;
  reason?: string;
  delegateToPersonId?: string;
}

export type RefusalCode =
  | 'request_closed'
  | 'awaiting_resubmission'
  | 'step_closed'
  | 'already_decided'
  | 'not_an_approver'
  | 'reason_required'
  | 'invalid_delegate'
  | 'not_the_requester';

export interface Refusal {
  code: RefusalCode;
  message: string;
}

const DECIDED: readonly ApproverStatus[] = ['approved', 'rejected', 'changes_requested'];

/** Why this person may not take this decision now, or null when they may. */
export function refuseDecision(context: DecisionContext, attempt: DecisionAttempt): Refusal | null {
  if (CLOSED_STATUSES.includes(context.status)) {
    return { code: 'request_closed', message: `This renewal request is already ${context.status}; nobody can decide on it any more` };
  }
  if ((attempt.decision === 'reject' || attempt.decision === 'request_changes') && !attempt.reason?.trim()) {
    return { code: 'reason_required', message: `A reason is required to ${attempt.decision === 'reject' ? 'reject' : 'request changes'}` };
  }
  const step = context.current?.id === attempt.stepId ? context.current : null;
  if (!step) {
    const past = context.past.find((s) => s.id === attempt.stepId);
    const mine = past?.approvers.find((a) => a.personId === attempt.actorPersonId);
    if (mine && DECIDED.includes(mine.status)) {
      return { code: 'already_decided', message: `You already decided this approval step (${mine.status.replace('_', ' ')})` };
    }
    if (context.status === 'changes_requested') {
      return { code: 'awaiting_resubmission', message: 'Changes were requested; the requester must resubmit before anyone decides again' };
    }
    return { code: 'step_closed', message: 'This approval step is no longer open' };
  }
  const mine = step.approvers.find((a) => a.personId === attempt.actorPersonId);
  if (mine && DECIDED.includes(mine.status)) {
    return { code: 'already_decided', message: `You already decided this approval step (${mine.status.replace('_', ' ')})` };
  }
  if (!mine || mine.status !== 'pending') {
    const why = mine?.status === 'delegated' ? 'you delegated it' : mine?.status === 'removed' ? 'it was moved to someone else' : 'you are not its approver';
    return { code: 'not_an_approver', message: `You cannot decide this approval step: ${why}` };
  }
  if (attempt.decision === 'delegate') {
    const to = attempt.delegateToPersonId;
    if (!to) return { code: 'invalid_delegate', message: 'Name the person to delegate to (delegateToPersonId)' };
    if (to === attempt.actorPersonId) return { code: 'invalid_delegate', message: 'You cannot delegate a step to yourself' };
    if (to === context.requesterId) return { code: 'invalid_delegate', message: 'The requester cannot approve their own renewal' };
    if (step.approvers.some((a) => a.personId === to && a.status === 'pending')) {
      return { code: 'invalid_delegate', message: 'That person already approves this step' };
    }
  }
  return null;
}

/** Why the requester may not resubmit (or cancel) now, or null when they may. */
export function refuseRequesterAction(context: Pick<DecisionContext, 'status' | 'requesterId'>, action: 'resubmit' | 'cancel', actorPersonId: string): Refusal | null {
  if (actorPersonId !== context.requesterId) {
    return { code: 'not_the_requester', message: `Only the requester can ${action} this renewal request` };
  }
  if (CLOSED_STATUSES.includes(context.status)) {
    return { code: 'request_closed', message: `This renewal request is already ${context.status}` };
  }
  if (action === 'resubmit' && context.status !== 'changes_requested') {
    return { code: 'request_closed', message: 'Nothing to resubmit: no changes were requested' };
  }
  return null;
}

/** The HTTP status a refusal means. */
export function refusalStatus(code: RefusalCode): number {
  switch (code) {
    case 'not_an_approver':
    case 'not_the_requester':
      return 403;
    case 'reason_required':
    case 'invalid_delegate':
      return 422;
    default:
      return 409;
  }
}
