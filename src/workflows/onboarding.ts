import { condition, defineQuery, defineSignal, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';

export interface OnboardingInput {
  tenantId: string;
  personId: string;
}

export interface OnboardingStatus {
  phase: 'assigning' | 'waiting_for_completions' | 'completed';
  outstandingAssignmentIds: string[];
}

/** Sent whenever an LMS completion for this person is recorded; the database says what it completed. */
export const completionRecordedSignal = defineSignal<[{ completionId: string }]>('completionRecorded');
export const onboardingStatusQuery = defineQuery<OnboardingStatus>('onboardingStatus');

const { assignRequiredTraining, queueWelcomeEmail, deliverNotification, outstandingMandatoryAssignments } =
  proxyActivities<Activities>({
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  });

/**
 * One person's onboarding: assign what their roles require, welcome them with the list, and finish
 * once every mandatory assignment is complete.
 */
export async function onboarding(input: OnboardingInput): Promise<OnboardingStatus> {
  const { workflowId } = workflowInfo();
  const status: OnboardingStatus = { phase: 'assigning', outstandingAssignmentIds: [] };
  let completionsToCheck = false;
  setHandler(completionRecordedSignal, () => {
    completionsToCheck = true;
  });
  setHandler(onboardingStatusQuery, () => status);

  const assignments = await assignRequiredTraining({ ...input, workflowId });
  const welcomeId = await queueWelcomeEmail({ ...input, workflowId, assignments });
  await deliverNotification(welcomeId);

  status.outstandingAssignmentIds = assignments.filter((a) => a.mandatory && a.status !== 'completed').map((a) => a.id);
  status.phase = 'waiting_for_completions';
  while (status.outstandingAssignmentIds.length > 0) {
    await condition(() => completionsToCheck);
    completionsToCheck = false;
    status.outstandingAssignmentIds = await outstandingMandatoryAssignments(input);
  }
  status.phase = 'completed';
  return status;
}
