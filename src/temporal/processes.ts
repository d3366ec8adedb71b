import { ActivityFailure, WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { refusalStatus, type ActingPerson, type RefusalCode } from '../domain/approval-chain';
import { Conflict, DomainError, ServiceUnavailable } from '../domain/errors';
import { renewalWorkflowId } from '../domain/workflow-ids';
import {
  cancelUpdate,
  decideUpdate,
  resubmitUpdate,
  type DecisionInput,
  type DecisionResult,
  type RequesterActionResult,
} from '../workflows/renewal';

/**
 * How the API acts on running renewal processes through Workflow Updates, whose answer the caller
 * waits for (the process itself validates who may act). Starting and signalling processes is not
 * done here: record changes write process commands, which the dispatcher delivers.
 */
export class Processes {
  constructor(private readonly client: Client) {}

  /** An approver's decision, validated by the process itself; answers once it is recorded. */
  decideApproval(tenantId: string, requestId: string, decision: DecisionInput): Promise<DecisionResult> {
    return this.update(requestId, () =>
      this.client.workflow.getHandle(renewalWorkflowId(tenantId, requestId)).executeUpdate(decideUpdate, { args: [decision] }),
    );
  }

  resubmitRenewal(tenantId: string, requestId: string, action: ActingPerson & { notes?: string }): Promise<RequesterActionResult> {
    return this.update(requestId, () =>
      this.client.workflow.getHandle(renewalWorkflowId(tenantId, requestId)).executeUpdate(resubmitUpdate, { args: [action] }),
    );
  }

  cancelRenewal(tenantId: string, requestId: string, action: ActingPerson & { reason?: string }): Promise<RequesterActionResult> {
    return this.update(requestId, () =>
      this.client.workflow.getHandle(renewalWorkflowId(tenantId, requestId)).executeUpdate(cancelUpdate, { args: [action] }),
    );
  }

  /** Runs an Update: the process's refusals become the API's named errors. */
  private async update<T>(requestId: string, call: () => Promise<T>): Promise<T> {
    try {
      return await unavailableOnFailure(call);
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure && error.cause.type) {
        const code = error.cause.type as RefusalCode;
        throw new DomainError(refusalStatus(code), code, error.cause.message, { renewalId: requestId });
      }
      if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ActivityFailure) {
        // The process could not record it and stopped (the request is marked failed).
        throw new Conflict('request_failed', `The approval process could not record this and stopped: ${error.cause.cause?.message ?? error.cause.message}`, { renewalId: requestId });
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

async function unavailableOnFailure<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof Error && /UNAVAILABLE|DEADLINE_EXCEEDED|ECONNREFUSED/.test(error.message)) {
      throw new ServiceUnavailable('temporal', 'The workflow engine is unavailable; nothing was decided, retry the request');
    }
    throw error;
  }
}
