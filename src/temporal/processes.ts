import { WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { refusalStatus, type ActingPerson, type RefusalCode } from '../domain/approval-chain';
import { Conflict, DomainError, ServiceUnavailable } from '../domain/errors';
import { onboardingWorkflowId, renewalWorkflowId } from '../domain/workflow-ids';
import {
  cancelUpdate,
  decideUpdate,
  renewal,
  rerouteSignal,
  resubmitUpdate,
  type DecisionInput,
  type DecisionResult,
  type RenewalInput,
  type RequesterActionResult,
} from '../workflows/renewal';
import { completionRecordedSignal, onboarding, personChangedSignal, personTerminatedSignal } from '../workflows/onboarding';
import { onboardingSearchAttributes } from './search-attributes';

type HrEventType = 'hire' | 'transfer' | 'leave' | 'return' | 'terminate';

/** How the API starts and signals trainhub's processes; every start is idempotent by workflow id. */
export class Processes {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    /** Off only where the server cannot register them (the time-skipping test server). */
    private readonly options: { searchAttributes: boolean } = { searchAttributes: true },
  ) {}

  private searchAttributes(tenantId: string, personId: string) {
    return this.options.searchAttributes ? { typedSearchAttributes: onboardingSearchAttributes(tenantId, personId) } : {};
  }

  /** Tells the person's training process about an HR event, starting it where needed. */
  async afterHrEvent(tenantId: string, personId: string, type: HrEventType, options: { firstDelivery: boolean }): Promise<string> {
    const workflowId = onboardingWorkflowId(tenantId, personId);
    if (type === 'hire') {
      await this.startOnboarding(tenantId, personId, options.firstDelivery);
    } else if (type === 'terminate') {
      await this.signalIfRunning(() => this.client.workflow.getHandle(workflowId).signal(personTerminatedSignal));
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
    await startOnce(() =>
      this.client.workflow.start(onboarding, {
        workflowId: onboardingWorkflowId(tenantId, personId),
        taskQueue: this.taskQueue,
        args: [{ tenantId, personId }],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: mayStartAgain ? 'ALLOW_DUPLICATE' : 'REJECT_DUPLICATE',
        ...this.searchAttributes(tenantId, personId),
      }),
    );
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
        ...this.searchAttributes(tenantId, personId),
      }),
    );
  }

  /** personChanged for many people (a matrix change), a bounded number at a time. */
  async peopleChanged(tenantId: string, personIds: readonly string[], concurrency = 16): Promise<void> {
    let next = 0;
    const lane = async () => {
      while (next < personIds.length) await this.personChanged(tenantId, personIds[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, personIds.length) }, lane));
  }

  /** Wakes the person's onboarding, if one is running, to look at a new completion. */
  async notifyCompletion(tenantId: string, personId: string, completionId: string): Promise<void> {
    const handle = this.client.workflow.getHandle(onboardingWorkflowId(tenantId, personId));
    await this.signalIfRunning(() => handle.signal(completionRecordedSignal, { completionId }));
  }

  private async signalIfRunning(signal: () => Promise<void>): Promise<void> {
    try {
      await unavailableOnFailure(signal);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return;
      throw error;
    }
  }

  /** Starts a renewal request's approval process, or leaves the running one alone. */
  async startRenewal(input: RenewalInput): Promise<string> {
    const workflowId = renewalWorkflowId(input.tenantId, input.requestId);
    await startOnce(() =>
      this.client.workflow.start(renewal, {
        workflowId,
        taskQueue: this.taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      }),
    );
    return workflowId;
  }

  /** An approver's decision, validated by the process itself; answers once it is recorded. */
  decideApproval(tenantId: string, requestId: string, decision: DecisionInput): Promise<DecisionResult> {
    return this.update(tenantId, requestId, () =>
      this.client.workflow.getHandle(renewalWorkflowId(tenantId, requestId)).executeUpdate(decideUpdate, { args: [decision] }),
    );
  }

  resubmitRenewal(tenantId: string, requestId: string, action: ActingPerson & { notes?: string }): Promise<RequesterActionResult> {
    return this.update(tenantId, requestId, () =>
      this.client.workflow.getHandle(renewalWorkflowId(tenantId, requestId)).executeUpdate(resubmitUpdate, { args: [action] }),
    );
  }

  cancelRenewal(tenantId: string, requestId: string, action: ActingPerson & { reason?: string }): Promise<RequesterActionResult> {
    return this.update(tenantId, requestId, () =>
      this.client.workflow.getHandle(renewalWorkflowId(tenantId, requestId)).executeUpdate(cancelUpdate, { args: [action] }),
    );
  }

  /** Tells these renewal processes that these people changed position: they re-resolve their approvers. */
  async rerouteApprovals(workflowIds: readonly string[], personIds: string[]): Promise<void> {
    for (const workflowId of workflowIds) {
      const handle = this.client.workflow.getHandle(workflowId);
      await this.signalIfRunning(() => handle.signal(rerouteSignal, { personIds }));
    }
  }

  /** Runs an Update: the process's refusals become the API's named errors. */
  private async update<T>(tenantId: string, requestId: string, call: () => Promise<T>): Promise<T> {
    try {
      return await unavailableOnFailure(call);
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure && error.cause.type) {
        const code = error.cause.type as RefusalCode;
        throw new DomainError(refusalStatus(code), code, error.cause.message, { renewalId: requestId });
      }
      if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
        throw new ServiceUnavailable('temporal', 'The approval process did not answer in time; retry (a decision it recorded meanwhile is then reported as already made)');
      }
      if (error instanceof WorkflowNotFoundError || (error instanceof Error && /workflow execution already completed/i.test(error.message))) {
        throw new Conflict('request_closed', 'This renewal request is closed; its approval process has ended', { renewalId: requestId });
      }
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

/** Starts a workflow; one that already ran to its end under this id is left alone. */
async function startOnce(start: () => Promise<unknown>): Promise<void> {
  try {
    await unavailableOnFailure(start);
  } catch (error) {
    if (error instanceof Error && error.name === 'WorkflowExecutionAlreadyStartedError') return;
    throw error;
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
