import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ServiceUnavailable } from '../domain/errors';
import { onboardingWorkflowId } from '../domain/workflow-ids';
import { completionRecordedSignal, onboarding } from '../workflows/onboarding';

/** How the API starts and signals trainhub's processes; every start is idempotent by workflow id. */
export class Processes {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  /** Starts the person's onboarding, or leaves the running one alone. */
  async startOnboarding(tenantId: string, personId: string): Promise<string> {
    const workflowId = onboardingWorkflowId(tenantId, personId);
    await unavailableOnFailure(() =>
      this.client.workflow.start(onboarding, {
        workflowId,
        taskQueue: this.taskQueue,
        args: [{ tenantId, personId }],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      }),
    ).catch((error: unknown) => {
      if (error instanceof Error && error.name === 'WorkflowExecutionAlreadyStartedError') return; // finished before
      throw error;
    });
    return workflowId;
  }

  /** Wakes the person's onboarding, if one is running, to look at a new completion. */
  async notifyCompletion(tenantId: string, personId: string, completionId: string): Promise<void> {
    const handle = this.client.workflow.getHandle(onboardingWorkflowId(tenantId, personId));
    try {
      await unavailableOnFailure(() => handle.signal(completionRecordedSignal, { completionId }));
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return;
      throw error;
    }
  }

  async isHealthy(): Promise<boolean> {
    try {
      await this.client.workflowService.getSystemInfo({});
      return true;
    } catch {
      return false;
    }
  }
}

async function unavailableOnFailure<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof Error && /UNAVAILABLE|DEADLINE_EXCEEDED|ECONNREFUSED/.test(error.message)) {
      throw new ServiceUnavailable('temporal', 'The workflow engine is unavailable; the record was kept, retry the request');
    }
    throw error;
  }
}
