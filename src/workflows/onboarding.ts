import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { dueNotices, keysOfOpenAssignments, nextNoticeAt, noticeKey, scheduleNotices } from '../domain/notices';

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

const { assignRequiredTraining, queueWelcomeEmail, deliverNotification, loadTrainingPlan, sendDueNotice } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * One person's training process: assign what their roles require, welcome them with the list, remind
 * before each due date, mark overdue and escalate to the manager and then compliance, and finish
 * once every mandatory assignment is complete (or the person leaves the company). Records live in
 * Postgres; this workflow owns only the timers and what it has already sent.
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

  if (!input.carried) {
    const assignments = await assignRequiredTraining({ ...person, workflowId });
    if (input.welcome !== false) {
      const welcomeId = await queueWelcomeEmail({ ...person, workflowId, runId: firstExecutionRunId, assignments });
      await deliverNotification(welcomeId);
    }
  }

  for (;;) {
    const plan = await loadTrainingPlan(person);
    status.outstandingAssignmentIds = plan.open.filter((a) => a.mandatory).map((a) => a.id);
    if (terminated || plan.personStatus === 'terminated') return finish(status, 'terminated');
    if (status.outstandingAssignmentIds.length === 0) return finish(status, 'completed');

    const schedule = plan.personStatus === 'on_leave' ? [] : scheduleNotices(plan.open, plan.policy);
    const due = dueNotices(schedule, sent, Date.now());
    for (const notice of due) {
      await sendDueNotice({ ...person, workflowId, assignmentId: notice.assignmentId, dueDate: notice.dueDate, kind: notice.kind });
      sent.add(noticeKey(notice));
    }
    if (due.length > 0) continue; // an overdue notice changes the plan

    const next = nextNoticeAt(schedule, sent, Date.now());
    status.phase = plan.personStatus === 'on_leave' ? 'on_leave' : 'waiting_for_completions';
    status.nextNoticeAt = next === undefined ? null : new Date(next).toISOString();
    if (next === undefined) await condition(() => recheck || terminated);
    else await condition(() => recheck || terminated, next - Date.now());
    recheck = false;

    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      const sentNotices = keysOfOpenAssignments(sent, new Set(plan.open.map((a) => a.id)));
      await continueAsNew<typeof onboarding>({ ...input, welcome: false, carried: { sentNotices } });
    }
  }
}

function finish(status: OnboardingStatus, phase: 'completed' | 'terminated'): OnboardingStatus {
  status.phase = phase;
  status.nextNoticeAt = null;
  if (phase === 'terminated') status.outstandingAssignmentIds = [];
  return status;
}
