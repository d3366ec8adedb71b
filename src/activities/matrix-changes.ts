import { Context } from '@temporalio/activity';
import { applyMatrixChange, type MatrixSyncReport } from '../services/onboarding/matrix-changes';
import { finishOperation, pendingWakeUps, wokenSoFar } from '../services/processes/operations';
import type { ActivityDeps } from './deps';
import { whileHeartbeating } from './heartbeat';

export interface OperationRef {
  tenantId: string;
  operationId: string;
}

/** The side effects of a matrix-change operation's process. Each is safe to run again. */
export function createMatrixChangeActivities({ db }: ActivityDeps) {
  return {
    /** The set-based sync and the queued wake-ups, in one transaction (once per operation). */
    applyMatrixChange({ tenantId, operationId }: OperationRef): Promise<MatrixSyncReport & { processesToWake: number }> {
      return whileHeartbeating(() => applyMatrixChange(db, Context.current().info.taskQueue, tenantId, operationId));
    },

    /**
     * Waits until the dispatcher has delivered every wake-up of the operation, heartbeating the
     * progress; a retry after a crash simply resumes waiting (the wake-ups are durable commands).
     */
    async awaitFanOut({ operationId }: OperationRef): Promise<{ processesWoken: number }> {
      const context = Context.current();
      for (;;) {
        const [pending, woken] = await Promise.all([pendingWakeUps(db, operationId), wokenSoFar(db, operationId)]);
        context.heartbeat({ pending, woken });
        if (pending === 0) return { processesWoken: woken };
        await context.sleep(1_000);
      }
    },

    async finishOperation({ tenantId, operationId, state, error }: OperationRef & { state: 'completed' | 'failed'; error?: string }): Promise<void> {
      await finishOperation(db, tenantId, operationId, { state, ...(error ? { error } : {}) });
    },
  };
}
