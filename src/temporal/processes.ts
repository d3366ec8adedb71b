import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ServiceUnavailable } from '../domain/errors';
import { onboardingWorkflowId } from '../domain/workflow-ids';
import { completionRecordedSignal, onboarding, personChangedSignal, personTerminatedSignal } from '../workflows/onboarding';
import { onboardingSearchAttributes } from './search-attributes';

type HrEventType = 'hire' | 'transfer' | 'leave' | 'return' | 'terminate';

/** How the API starts and signals trainhub's processes; every start is idempotent by workflow id. */
export class Processes {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  /** Tells the person's training process about an HR event, starting it where needed. */
  async afterHrEvent(tenantId: string, personId: string, type: HrEventType, options: { firstDelivery: boolean }): Promise<string> {
    const workflowId = onboardingWorkflowId(tenantId, personId);
    if (type === 'hire') {
      await this.startOnboarding(tenantId, personId, options.firstDelivery);
    } else if (type === 'terminate') {
      await this.signalIfRunning(workflowId, () => this.client.workflow.getHandle(workflowId).signal(personTerminatedSignal));
    } else {
      await this.personChanged(tenantId, personId);
    }
    return workflowId;
  }

  /**
   * Starts the person's onboarding, or leaves the running one alone. A first delivery of a hire may
   * start a new run after an earlier one closed (a rehire); a repeated delivery never does.
   */
  private async startOnboarding(tenantId: string, personId: string, mayStartAgain: boolean): Promise<void> {
    await unavailableOnFailure(() =>
      this.client.workflow.start(onboarding, {
        workflowId: onboardingWorkflowId(tenantId, personId),
        taskQueue: this.taskQueue,
        args: [{ tenantId, personId }],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: mayStartAgain ? 'ALLOW_DUPLICATE' : 'REJECT_DUPLICATE',
        typedSearchAttributes: onboardingSearchAttributes(tenantId, personId),
      }),
    ).catch((error: unknown) => {
      if (error instanceof Error && error.name === 'WorkflowExecutionAlreadyStartedError') return; // finished before
      throw error;
    });
  }

  /** Wakes the person's process to re-read its plan, starting one (without a welcome) if none runs. */
  async personChanged(tenantId: string, personId: string): Promise<void> {
    await unavailableOnFailure(() =>
      this.client.workflow.signalWithStart(onboarding, {
        workflowId: onboardingWorkflowId(tenantId, personId),
        taskQueue: this.taskQueue,
        args: [{ tenantId, personId, welcome: false }],
        signal: personChangedSignal,
        signalArgs: [],
        typedSearchAttributes: onboardingSearchAttributes(tenantId, personId),
      }),
    );
  }

  /** Wakes the person's onboarding, if one is running, to look at a new completion. */
  async notifyCompletion(tenantId: string, personId: string, completionId: string): Promise<void> {
    const handle = this.client.workflow.getHandle(onboardingWorkflowId(tenantId, personId));
    await this.signalIfRunning(handle.workflowId, () => handle.signal(completionRecordedSignal, { completionId }));
  }

  private async signalIfRunning(_workflowId: string, signal: () => Promise<void>): Promise<void> {
    try {
      await unavailableOnFailure(signal);
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
