import { ApplicationFailure, condition, defineQuery, defineSignal, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { ACTIVITY_RETRY, hopelessCause } from './failures';

export interface ImportRunInput {
  tenantId: string;
  runId: string;
}

/** What the run's records say after a step (read by the activities). */
export interface ImportStep {
  state: 'staging' | 'diffing' | 'awaiting_confirmation' | 'applying' | 'completed' | 'failed' | 'cancelled';
  /** The earliest day a future-dated change of this run waits for (ISO moment), if any. */
  nextChangeAt?: string | null;
}

/** An administrator confirmed a guarded snapshot (or cancelled it): look at the run again. */
export const importConfirmedSignal = defineSignal('importConfirmed');
export const importRunStateQuery = defineQuery<ImportStep | null>('importRunState');

const { stageImport, diffImport, applyImport } = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: ACTIVITY_RETRY,
});
const { recordProcessFailure } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: ACTIVITY_RETRY });

/**
 * One import of one file (`import:<tenant>:<kind>:<content hash>`): the file is parsed and staged,
 * compared with what trainhub holds, held for a confirmation when a snapshot would terminate too many,
 * then applied by the existing rules as a resumable fan-out; changes dated in the future wait for
 * their day on a durable timer. Each activity picks up where an earlier attempt stopped.
 */
export async function importRun(input: ImportRunInput): Promise<ImportStep> {
  let step: ImportStep | null = null;
  let recheck = false;
  setHandler(importConfirmedSignal, () => void (recheck = true));
  setHandler(importRunStateQuery, () => step);

  try {
    step = await stageImport(input);
    if (step.state === 'diffing') step = await diffImport(input);
    while (step.state === 'awaiting_confirmation') {
      await condition(() => recheck);
      recheck = false;
      step = await diffImport(input);
    }
    while (step.state === 'applying') {
      step = await applyImport({ ...input, at: Date.now() });
      const next = step.nextChangeAt;
      // Changes dated in the future: a durable timer until the first of them is due.
      if (step.state === 'applying' && next) await condition(() => false, Math.max(0, Date.parse(next) - Date.now()));
    }
  } catch (error) {
    const cause = hopelessCause(error);
    if (!cause) throw error;
    await recordProcessFailure({ tenantId: input.tenantId, workflowId: workflowInfo().workflowId, entityType: 'import_run', entityId: input.runId, code: cause.type ?? 'failed', reason: cause.message });
    throw ApplicationFailure.nonRetryable(`The import stopped: ${cause.message}`, cause.type ?? 'process_failed');
  }
  return step;
}
