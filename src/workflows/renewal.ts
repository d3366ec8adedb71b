import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  ContinueAsNew,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  proxyActivities,
  setHandler,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  CLOSED_STATUSES,
  delegateApprover,
  escalateApprovers,
  onTimeout,
  pendingApprovers,
  refuseDecision,
  refuseRequesterAction,
  reminderTimes,
  rerouteApprovers,
  resolveLevelApprovers,
  stepOutcome,
  type Approver,
  type ActingPerson,
  type ApprovalMode,
  type DecisionKind,
  type FinalStatus,
  type LevelSpec,
  type Refusal,
  type RenewalStatus,
  type StepStatus,
  type StepView,
} from '../domain/approval-chain';
import { ACTIVITY_RETRY, hopelessCause } from './failures';

export type { ActingPerson } from '../domain/approval-chain';

export interface RenewalInput {
  tenantId: string;
  requestId: string;
  requesterId: string;
  /** The chain's levels as they stood when the request was made. */
  levels: LevelSpec[];
  allowAutoApprove: boolean;
  /** When the request was recorded (ms since epoch): the process's audit entries come after it. */
  requestedAtMs: number;
  /** How long a closed request keeps answering late decisions itself (with a clear refusal) before it ends. */
  lateDecisionWindowMinutes: number;
  /** State handed over by continue-as-new. */
  carried?: RenewalCarried;
}

/** What a renewal process hands to its next run when its history grows long. */
export interface RenewalCarried {
  state: RenewalState;
  levelIndex: number;
  attempts: number[];
  /** What it was waiting for: a decision on the current step, or the requester's resubmission. */
  waiting: 'step' | 'resubmission';
  rerouteFor: string[];
  reroutes: number;
  lastAt: number;
}

export interface DecisionInput extends ActingPerson {
  stepId: string;
  decision: DecisionKind;
  reason?: string;
  delegateToPersonId?: string;
}

export interface DecisionResult {
  requestId: string;
  stepId: string;
  level: number;
  decision: DecisionKind;
  stepStatus: StepStatus;
  requestStatus: RenewalStatus;
}

export interface RequesterActionResult {
  requestId: string;
  requestStatus: RenewalStatus;
  level: number | null;
}

export interface CurrentStep extends StepView {
  attempt: number;
  mode: ApprovalMode;
  openedAtMs: number;
  /** Start of the current deadline window: the opening, or the escalation. */
  windowStartMs: number;
  dueAtMs: number;
  escalated: boolean;
  remindersSent: number[];
  outcome: StepStatus | null;
  outcomeReason: string | null;
}

export interface RenewalState {
  requestId: string;
  status: RenewalStatus;
  level: number | null;
  current: CurrentStep | null;
  past: StepView[];
}

/** Approver actions; each validator refuses an illegal one before anything is written to history. */
export const decideUpdate = defineUpdate<DecisionResult, [DecisionInput]>('decide');
export const resubmitUpdate = defineUpdate<RequesterActionResult, [ActingPerson & { notes?: string }]>('resubmit');
export const cancelUpdate = defineUpdate<RequesterActionResult, [ActingPerson & { reason?: string }]>('cancel');
/** An HR change touched these people: re-resolve who approves the waiting step. */
export const rerouteSignal = defineSignal<[{ personIds: string[] }]>('reroute');
export const renewalStateQuery = defineQuery<RenewalState>('renewalState');

const activities = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: ACTIVITY_RETRY });

/** A refusal as the Update's failure: its type is the stable error code the API passes on. */
function refused(refusal: Refusal): ApplicationFailure {
  return ApplicationFailure.create({ type: refusal.code, message: refusal.message, nonRetryable: true });
}

/**
 * One renewal request walking its approval chain: each level opens a step for its approvers, who are
 * notified and reminded at the level's offsets; a timeout escalates by the level's rule. Approvers
 * decide through Updates; requested changes wait for the requester to resubmit, which opens the
 * level again. The outcome is recorded, takes effect, and is told to the people concerned.
 * A long history (many reminders, re-routings, resubmissions) continues as new, carrying its state.
 * A step no retry can mend (a record deleted underneath it) ends the request as failed, audited.
 */
export async function renewal(input: RenewalInput): Promise<RenewalState> {
  const { tenantId, requestId, requesterId, levels } = input;
  const { workflowId } = workflowInfo();
  const carried = input.carried;
  const state: RenewalState = carried?.state ?? { requestId, status: 'pending', level: null, current: null, past: [] };
  let levelIndex = carried?.levelIndex ?? 0;
  const attempts = carried?.attempts ?? levels.map(() => 0);
  let resubmitted = false;
  let rerouteFor: string[] = carried?.rerouteFor ?? [];
  let reroutes = carried?.reroutes ?? 0;
  let closing: { status: FinalStatus; reason: string | null; actor: ActingPerson | null } | null = null;
  /** Set when a step failed in a way no retry can mend: the process stops. */
  let failure: ApplicationFailure | null = null;

  // Audit times come from the workflow clock, strictly increasing in the order the writes run, so the
  // trail reads in order (each write takes its time when it runs, inside `serially`).
  let lastAt = carried?.lastAt ?? input.requestedAtMs;
  const tick = () => (lastAt = Math.max(Date.now(), lastAt + 1));

  // Database writes happen one at a time, in the order the process decided them.
  let tail: Promise<unknown> = Promise.resolve();
  let writing = 0;
  const serially = <T>(write: () => Promise<T>): Promise<T> => {
    writing += 1;
    const run = tail.then(write, write).then(
      (result) => {
        writing -= 1;
        return result;
      },
      (error: unknown) => {
        writing -= 1;
        failure ??= hopelessCause(error);
        throw error;
      },
    );
    tail = run.catch(() => undefined);
    return run;
  };
  const stopIfFailed = () => {
    if (failure) throw failure;
  };

  /** Continues as new once the server suggests it, when no Update and no write is in flight. */
  const continueIfSuggested = async (waiting: RenewalCarried['waiting']): Promise<void> => {
    if (!workflowInfo().continueAsNewSuggested) return;
    await condition(() => (allHandlersFinished() && writing === 0) || failure !== null);
    stopIfFailed();
    await continueAsNew<typeof renewal>({ ...input, carried: { state, levelIndex, attempts, waiting, rerouteFor, reroutes, lastAt } });
  };

  const openStep = (): CurrentStep | null => {
    const step = state.current;
    if (!step || CLOSED_STATUSES.includes(state.status)) return null;
    return step.outcome === null && stepOutcome(step.mode, step.approvers) === 'pending' ? step : null;
  };
  const decisionContext = () => {
    const open = openStep();
    return {
      status: state.status,
      requesterId,
      current: open,
      past: state.current && !open ? [...state.past, state.current] : state.past,
    };
  };

  setHandler(renewalStateQuery, () => state);

  setHandler(
    decideUpdate,
    async (decision) => {
      const step = openStep()!;
      const level = levels[levelIndex]!;
      const actor: ActingPerson = {
        actorPersonId: decision.actorPersonId,
        channel: decision.channel,
        ...(decision.apiClientId ? { apiClientId: decision.apiClientId } : {}),
        ...(decision.httpRequestId ? { httpRequestId: decision.httpRequestId } : {}),
      };
      if (decision.decision === 'delegate') {
        const to = decision.delegateToPersonId!;
        step.approvers = delegateApprover(step.approvers, decision.actorPersonId, to);
        const approvers = step.approvers;
        await serially(() =>
          activities.changeStepApprovers({ tenantId, requestId, stepId: step.id, change: 'delegated', approvers, added: [to], removed: [decision.actorPersonId], reason: decision.reason ?? null, actor, at: tick() }),
        );
        await serially(() => activities.notifyApprovers({ tenantId, requestId, workflowId, stepId: step.id, personIds: [to], purpose: 'delegation', round: `delegation-${decision.actorPersonId}`, at: tick() }));
        return { requestId, stepId: step.id, level: level.position, decision: 'delegate', stepStatus: 'pending', requestStatus: state.status };
      }

      const kind = decision.decision;
      const status = kind === 'approve' ? 'approved' : kind === 'reject' ? 'rejected' : 'changes_requested';
      step.approvers = step.approvers.map((a) => (a.personId === decision.actorPersonId ? { ...a, status } : a));
      const outcome = stepOutcome(step.mode, step.approvers);
      const isLast = levelIndex === levels.length - 1;
      const requestStatus: RenewalStatus =
        outcome === 'rejected' ? 'rejected' : outcome === 'changes_requested' ? 'changes_requested' : outcome === 'approved' && isLast ? 'approved' : 'pending';
      state.status = requestStatus;
      if (outcome === 'rejected' || outcome === 'changes_requested') step.outcomeReason = decision.reason?.trim() || null;
      await serially(() =>
        activities.recordApprovalDecision({ tenantId, requestId, stepId: step.id, level: level.position, decision: kind, reason: decision.reason?.trim() || null, actor, stepStatus: outcome, requestStatus, at: tick() }),
      );
      if (outcome !== 'pending') step.outcome = outcome;
      return { requestId, stepId: step.id, level: level.position, decision: decision.decision, stepStatus: outcome, requestStatus };
    },
    {
      validator: (decision) => {
        const refusal = refuseDecision(decisionContext(), decision);
        if (refusal) throw refused(refusal);
      },
    },
  );

  setHandler(
    resubmitUpdate,
    async (action) => {
      state.status = 'pending';
      resubmitted = true;
      await serially(() => activities.recordRenewalResubmission({ tenantId, requestId, notes: action.notes?.trim() || null, actor: action, at: tick() }));
      return { requestId, requestStatus: state.status, level: state.level };
    },
    {
      validator: (action) => {
        const refusal = refuseRequesterAction({ status: state.status, requesterId }, 'resubmit', action.actorPersonId);
        if (refusal) throw refused(refusal);
      },
    },
  );

  setHandler(
    cancelUpdate,
    async (action) => {
      state.status = 'cancelled';
      closing = { status: 'cancelled', reason: action.reason?.trim() || null, actor: action };
      await serially(() => finish());
      return { requestId, requestStatus: state.status, level: state.level };
    },
    {
      validator: (action) => {
        const refusal = refuseRequesterAction({ status: state.status, requesterId }, 'cancel', action.actorPersonId);
        if (refusal) throw refused(refusal);
      },
    },
  );

  setHandler(rerouteSignal, ({ personIds }) => {
    rerouteFor = [...new Set([...rerouteFor, ...personIds])];
  });

  let finished = false;
  async function finish(): Promise<void> {
    if (finished || !closing) return;
    finished = true;
    const { status, reason, actor } = closing;
    // An approval that sends people back to training also wakes their training processes (in its transaction).
    await activities.finishRenewal({
      tenantId,
      requestId,
      workflowId,
      status,
      reason,
      actor,
      openStepId: state.current?.outcome === null ? state.current.id : null,
      at: tick(),
    });
  }

  const organisation = (level: LevelSpec, approvers: readonly Approver[]) =>
    activities.loadApprovalOrganisation({
      tenantId,
      requesterId,
      personIds: [...new Set([...level.personIds, ...(level.escalateToPersonId ? [level.escalateToPersonId] : []), ...approvers.flatMap((a) => [a.personId, ...a.derivedFrom])])],
      roleKeys: level.roleKey ? [level.roleKey] : [],
    });

  const notify = (step: CurrentStep, personIds: string[], purpose: 'request' | 'reminder' | 'reroute' | 'escalation', round: string) =>
    personIds.length === 0
      ? Promise.resolve()
      : serially(() => activities.notifyApprovers({ tenantId, requestId, workflowId, stepId: step.id, personIds, purpose, round, at: tick() }));

  /** A step whose window closed (or that nobody can take): escalate once by the level's rule, then expire. */
  async function timeOut(level: LevelSpec, step: CurrentStep, why: 'deadline' | 'nobody'): Promise<void> {
    if (step.escalated) {
      return closeStep(step, 'expired', `level ${level.position} was not decided in time, even after escalation`, 'approval.expired');
    }
    const org = await organisation(level, step.approvers);
    if (openStep() !== step) return; // decided meanwhile
    const outcome = onTimeout(level, step.approvers, org, input.allowAutoApprove);
    const cause = why === 'deadline' ? `level ${level.position} was not decided by its deadline` : `nobody could approve level ${level.position}`;
    if (outcome.kind === 'reassign') {
      const removed = pendingApprovers(step.approvers).map((a) => a.personId);
      step.approvers = escalateApprovers(step.approvers, outcome.approvers);
      step.escalated = true;
      step.windowStartMs = Date.now();
      step.dueAtMs = step.windowStartMs + level.deadlineMinutes * 60_000;
      const approvers = step.approvers;
      const added = outcome.approvers.map((a) => a.personId);
      const dueAtMs = step.dueAtMs;
      await serially(() =>
        activities.changeStepApprovers({ tenantId, requestId, stepId: step.id, change: 'escalated', approvers, added, removed, reason: `${cause}: escalated (${level.onTimeout.replace('_', ' ')})`, actor: null, dueAtMs, at: tick() }),
      );
      await notify(step, added, 'escalation', 'escalation');
      return;
    }
    if (outcome.kind === 'approve') return closeStep(step, 'approved', `${cause}: approved automatically`, 'approval.auto_approved');
    if (outcome.kind === 'reject') return closeStep(step, 'rejected', `${cause}: rejected automatically`, 'approval.auto_rejected');
    return closeStep(step, 'expired', `${cause}; ${outcome.reason}`, 'approval.expired');
  }

  async function closeStep(step: CurrentStep, status: StepStatus, reason: string, action: string): Promise<void> {
    if (step.outcome !== null || state.current !== step || CLOSED_STATUSES.includes(state.status)) return; // decided meanwhile
    const isLast = levelIndex === levels.length - 1;
    const requestStatus: RenewalStatus = status === 'approved' ? (isLast ? 'approved' : 'pending') : status === 'rejected' ? 'rejected' : 'expired';
    state.status = requestStatus;
    step.outcomeReason = reason;
    await serially(() => activities.closeApprovalStep({ tenantId, requestId, stepId: step.id, level: step.level, status, requestStatus, reason, action, at: tick() }));
    step.outcome = status;
  }

  async function reroute(level: LevelSpec, step: CurrentStep): Promise<void> {
    const affected = rerouteFor;
    rerouteFor = [];
    const org = await organisation(level, step.approvers);
    if (openStep() !== step) return; // decided meanwhile
    const result = rerouteApprovers(step.approvers, resolveLevelApprovers(level, org), org, step.escalated);
    if (result.added.length === 0 && result.removed.length === 0) return;
    step.approvers = result.approvers;
    reroutes += 1;
    const approvers = step.approvers;
    await serially(() =>
      activities.changeStepApprovers({ tenantId, requestId, stepId: step.id, change: 'rerouted', approvers, added: result.added, removed: result.removed, reason: 'an HR change moved who approves this level', actor: null, data: { hrChangeFor: affected }, at: tick() }),
    );
    await notify(step, result.added, 'reroute', `reroute-${reroutes}`);
    // Removing the last approver still to decide on an all-of level leaves the approvals given to carry it.
    if (stepOutcome(step.mode, step.approvers) === 'approved') {
      await closeStep(step, 'approved', 'every remaining approver had approved', 'approval.approved');
    }
  }

  /** One pass through a level: open the step, then wait for its outcome. */
  async function runLevel(level: LevelSpec, attempt: number): Promise<StepStatus> {
    const org = await organisation(level, []);
    const openedAtMs = Date.now();
    const step: CurrentStep = {
      id: uuid4(),
      level: level.position,
      attempt,
      mode: level.mode,
      approvers: resolveLevelApprovers(level, org),
      openedAtMs,
      windowStartMs: openedAtMs,
      dueAtMs: openedAtMs + level.deadlineMinutes * 60_000,
      escalated: false,
      remindersSent: [],
      outcome: null,
      outcomeReason: null,
    };
    if (state.current) state.past.push(state.current);
    state.current = step;
    state.level = level.position;
    const approvers = step.approvers;
    await serially(() =>
      activities.openApprovalStep({
        tenantId,
        requestId,
        step: { id: step.id, level: level.position, attempt, name: level.name, approverRule: level.approver, roleKey: level.roleKey, mode: level.mode, openedAtMs, dueAtMs: step.dueAtMs },
        approvers,
        at: tick(),
      }),
    );
    await notify(step, approvers.map((a) => a.personId), 'request', 'request');
    return awaitStep(level, step);
  }

  /** Waits for the step's outcome, reminding and escalating on time. */
  async function awaitStep(level: LevelSpec, step: CurrentStep): Promise<StepStatus> {
    while (step.outcome === null) {
      stopIfFailed();
      if (state.status === 'cancelled') return 'cancelled';
      if (openStep() === null) {
        // Decided: the decision's write, not a timer, ends this wait (however long the write takes).
        await condition(() => step.outcome !== null || state.status === 'cancelled' || failure !== null);
        continue;
      }
      if (rerouteFor.length > 0) {
        await reroute(level, step);
        continue;
      }
      if (pendingApprovers(step.approvers).length === 0 && stepOutcome(step.mode, step.approvers) === 'pending') {
        await timeOut(level, step, 'nobody');
        continue;
      }
      const reminders = reminderTimes(step.windowStartMs, step.dueAtMs, level.reminderMinutesBefore).filter((t) => !step.remindersSent.includes(t));
      const wakeAt = Math.min(reminders[0] ?? Infinity, step.dueAtMs);
      const woken = await condition(
        () => step.outcome !== null || state.status === 'cancelled' || rerouteFor.length > 0 || openStep() === null || failure !== null || workflowInfo().continueAsNewSuggested,
        Math.max(1, wakeAt - Date.now()),
      );
      if (woken) {
        if (openStep() === step && rerouteFor.length === 0) await continueIfSuggested('step');
        continue;
      }
      const now = Date.now();
      if (reminders[0] !== undefined && now >= reminders[0] && now < step.dueAtMs) {
        step.remindersSent.push(reminders[0]);
        const minutesBefore = Math.round((step.dueAtMs - reminders[0]) / 60_000);
        await notify(step, pendingApprovers(step.approvers).map((a) => a.personId), 'reminder', `reminder-${step.escalated ? 'escalated-' : ''}${minutesBefore}m`);
      } else if (now >= step.dueAtMs) {
        await timeOut(level, step, 'deadline');
      }
    }
    return step.outcome;
  }

  async function awaitResubmission(): Promise<void> {
    for (;;) {
      await condition(() => resubmitted || state.status === 'cancelled' || failure !== null || workflowInfo().continueAsNewSuggested);
      stopIfFailed();
      if (resubmitted || state.status === 'cancelled') return;
      await continueIfSuggested('resubmission');
    }
  }

  try {
    let resuming = carried?.waiting ?? null;
    while (levelIndex < levels.length && !CLOSED_STATUSES.includes(state.status)) {
      const level = levels[levelIndex]!;
      let outcome: StepStatus;
      if (resuming === 'step' && state.current) outcome = await awaitStep(level, state.current);
      else if (resuming === 'resubmission') outcome = 'changes_requested';
      else {
        attempts[levelIndex] = (attempts[levelIndex] ?? 0) + 1;
        outcome = await runLevel(level, attempts[levelIndex]!);
      }
      const requesterTold = resuming === 'resubmission';
      resuming = null;
      if (outcome === 'approved') {
        levelIndex += 1;
        continue;
      }
      if (outcome === 'changes_requested') {
        const step = state.current!;
        if (!requesterTold) {
          await serially(() => activities.notifyRenewalRequester({ tenantId, requestId, workflowId, about: 'changes_requested', stepId: step.id, reason: step.outcomeReason, at: tick() }));
        }
        await awaitResubmission();
        if (resubmitted) {
          resubmitted = false;
          continue;
        }
      }
      break;
    }
    stopIfFailed();
    if (!closing) {
      const status = (state.status === 'pending' ? 'approved' : state.status) as FinalStatus;
      state.status = status;
      closing = { status, reason: state.current?.outcomeReason ?? null, actor: null };
    }
    await serially(() => finish());
  } catch (error) {
    if (error instanceof ContinueAsNew) throw error;
    const cause = failure ?? hopelessCause(error);
    if (!cause) throw error;
    // A step no retry can mend: the request is closed as failed, with the reason, and the process fails visibly.
    state.status = 'failed';
    await activities.failRenewal({ tenantId, requestId, workflowId, reason: cause.message, code: cause.type ?? 'failed', at: tick() });
    throw ApplicationFailure.nonRetryable(`The approval process stopped: ${cause.message}`, cause.type ?? 'process_failed');
  }

  // A closed request still answers late clicks itself for a while, refusing them in its validator.
  await condition(() => false, Math.max(1, input.lateDecisionWindowMinutes) * 60_000);
  await condition(allHandlersFinished);
  return state;
}
