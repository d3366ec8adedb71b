import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { ACTIVITY_RETRY, hopelessCause } from './failures';

export interface MatrixChangeInput {
  tenantId: string;
  operationId: string;
}

export interface MatrixChangeResult {
  state: 'completed' | 'failed';
  processesWoken: number;
}

const { applyMatrixChange, awaitFanOut } = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '30 seconds',
  retry: ACTIVITY_RETRY,
});
const { finishOperation, recordProcessFailure } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: ACTIVITY_RETRY });

/**
 * A change of the training matrix applied to a whole tenant: one set-based sync that also queues a
 * wake-up for every person it changed (one transaction), then the fan-out, which the dispatcher
 * delivers with bounded concurrency while this process heartbeats its progress. A crash anywhere
 * resumes where it stopped; nothing is woken twice.
 */
export async function matrixChange(input: MatrixChangeInput): Promise<MatrixChangeResult> {
  try {
    await applyMatrixChange(input);
    const { processesWoken } = await awaitFanOut(input);
    await finishOperation({ ...input, state: 'completed' });
    return { state: 'completed', processesWoken };
  } catch (error) {
    const cause = hopelessCause(error);
    if (!cause) throw error;
    await finishOperation({ ...input, state: 'failed', error: cause.message });
    await recordProcessFailure({ tenantId: input.tenantId, workflowId: workflowInfo().workflowId, entityType: 'operation', entityId: input.operationId, code: cause.type ?? 'failed', reason: cause.message });
    return { state: 'failed', processesWoken: 0 };
  }
}
