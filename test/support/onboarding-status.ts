import type { Client } from '@temporalio/client';
import { onboardingStatusQuery, type OnboardingStatus } from '../../src/workflows/onboarding';

/** Polls the onboarding status query until the process reaches the expected state. */
export async function waitForOnboarding(temporal: Client, workflowId: string, expected: (status: OnboardingStatus) => boolean): Promise<OnboardingStatus> {
  const handle = temporal.workflow.getHandle(workflowId);
  let status: OnboardingStatus | null = null;
  for (let i = 0; i < 100; i++) {
    status = await handle.query(onboardingStatusQuery).catch(() => null);
    if (status && expected(status)) return status;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`workflow ${workflowId} never reached the expected state; last seen ${JSON.stringify(status)}`);
}

export const waitingForCompletions = (status: OnboardingStatus) => status.phase === 'waiting_for_completions';
