import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { TrainingPlan } from '../activities/onboarding';
import { dueNotices, keysOfOpenAssignments, nextNoticeAt, noticeKey, scheduleNotices } from '../domain/notices';
import { ACTIVITY_RETRY, hopelessCause } from './failures';

export interface OnboardingInput {
  tenantId: string;
  personId: string;
  /** False when a later HR event or matrix change (not a hire) starts the process. */
  welcome?: boolean;
  /** State handed over by continue-as-new. */
  carried?: { sentNotices: string[] };
}

export interface OnboardingStatus {
  phase: 'assigning' | 'waiting_for_completions' | 'on_leave' | 'completed' | 'terminated';
  outstandingAssignmentIds: string[];
  /** When the next reminder or escalation is due (ISO), if any. */
  nextNoticeAt?: string | null;
}

/** Sent whenever an LMS completion for this person is recorded; the records say what it completed. */
export const completionRecordedSignal = defineSignal<[{ completionId: string }]>('completionRecorded');
/** The person's roles, manager, status or the matrix changed: re-read the plan. */
export const personChangedSignal = defineSignal('personChanged');
export const personTerminatedSignal = defineSignal('personTerminated');
export const onboardingStatusQuery = defineQuery<OnboardingStatus>('onboardingStatus');

const STEP_OPTIONS = { startToCloseTimeout: '1 minute', retry: ACTIVITY_RETRY } as const;
/**
 * A step runs in the workflow task that reaches it (a local activity): the server records one marker
 * instead of an activity's three events and a second workflow task. Each step is short (a few reads,
 * an outbox row, one message) and safe to run again, as an activity's must be. Runs recorded before
 * this (no LOCAL_STEPS marker in their history) keep their activities.
 */
const LOCAL_STEPS = 'onboarding-local-steps';
const remoteSteps = proxyActivities<Activities>(STEP_OPTIONS);
const localSteps = proxyLocalActivities<Activities>(STEP_OPTIONS);
const { recordProcessFailure } = remoteSteps;

/**
 * One person's training process: welcome them with what their roles require, remind before each due
 * date, mark overdue and escalate to the manager and then compliance, and finish once every
 * mandatory assignment is complete (or the person leaves the company). Records live in Postgres,
 * written by whoever changed them; this workflow owns only the timers and what it has already sent.
 */
export async function onboarding(input: OnboardingInput): Promise<OnboardingStatus> {
  const { workflowId, firstExecutionRunId } = workflowInfo();
  const person = { tenantId: input.tenantId, personId: input.personId };
  const sent = new Set(input.carried?.sentNotices ?? []);
  const status: OnboardingStatus = { phase: 'assigning', outstandingAssignmentIds: [] };
  let recheck = false;
  let terminated = false;
  setHandler(completionRecordedSignal, () => void (recheck = true));
  setHandler(personChangedSignal, () => void (recheck = true));
  setHandler(personTerminatedSignal, () => void (terminated = true));
  setHandler(onboardingStatusQuery, () => status);
  const { beginTraining, loadTrainingPlan, sendDueNotice } = patched(LOCAL_STEPS) ? localSteps : remoteSteps;

  try {
    // Signals that arrived with the start are answered by the first read.
    recheck = false;
    let plan: TrainingPlan | null = input.carried
      ? null
      : await beginTraining({ ...person, workflowId, welcomeKey: input.welcome === false ? null : `${workflowId}:${firstExecutionRunId}:welcome` });

    for (;;) {
      if (plan === null) {
        recheck = false;
        plan = await loadTrainingPlan(person);
      }
      status.outstandingAssignmentIds = plan.open.filter((a) => a.mandatory).map((a) => a.id);
      if (terminated || plan.personStatus === 'terminated') return finish(status, 'terminated');
      if (status.outstandingAssignmentIds.length === 0) return finish(status, 'completed');

      const schedule = plan.personStatus === 'on_leave' ? [] : scheduleNotices(plan.open, plan.policy);
      const due = dueNotices(schedule, sent, Date.now());
      for (const notice of due) {
        await sendDueNotice({ ...person, workflowId, assignmentId: notice.assignmentId, dueDate: notice.dueDate, kind: notice.kind, supersedes: notice.supersedes });
        sent.add(noticeKey(notice));
        for (const kind of notice.supersedes) sent.add(noticeKey({ ...notice, kind }));
      }
      if (due.length > 0) {
        plan = null; // an overdue notice changes the plan
        continue;
      }

      const next = nextNoticeAt(schedule, sent, Date.now());
      status.phase = plan.personStatus === 'on_leave' ? 'on_leave' : 'waiting_for_completions';
      status.nextNoticeAt = next === undefined ? null : new Date(next).toISOString();
      if (next === undefined) await condition(() => recheck || terminated);
      else await condition(() => recheck || terminated, next - Date.now());
      const openIds = new Set(plan.open.map((a) => a.id));
      plan = null;

      if (workflowInfo().continueAsNewSuggested) {
        await condition(allHandlersFinished);
        await continueAsNew<typeof onboarding>({ ...input, welcome: false, carried: { sentNotices: keysOfOpenAssignments(sent, openIds) } });
      }
    }
  } catch (error) {
    const cause = hopelessCause(error);
    if (!cause) throw error;
    // A step that can never succeed (the person was deleted underneath it): record why, then fail visibly.
    await recordProcessFailure({ tenantId: input.tenantId, workflowId, entityType: 'person', entityId: input.personId, code: cause.type ?? 'failed', reason: cause.message });
    throw ApplicationFailure.nonRetryable(`The training process stopped: ${cause.message}`, cause.type ?? 'process_failed');
  }
}

function finish(status: OnboardingStatus, phase: 'completed' | 'terminated'): OnboardingStatus {
  status.phase = phase;
  status.nextNoticeAt = null;
  if (phase === 'terminated') status.outstandingAssignmentIds = [];
  return status;
}
