import { allHandlersFinished, ApplicationFailure, condition, continueAsNew, defineQuery, defineSignal, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { ACTIVITY_RETRY, hopelessCause } from './failures';

export interface CertificationInput {
  tenantId: string;
  certificationId: string;
  personId: string;
}

/** Where the person stands and what the process waits for, as the records said at its last step. */
export interface CertificationProgress {
  state: 'assigned' | 'certified' | 'window_open' | 'expired' | 'inactive';
  certificateNumber: string | null;
  /** YYYY-MM-DD */
  expiresOn: string | null;
  windowOpensOn: string | null;
  /** The next moment the process acts on its own (window, reminder, expiry), ISO; null when it only waits for records. */
  nextAt: string | null;
  /** The process has nothing left to do: the person left, or no role requires the certification. */
  ended: boolean;
}

/** The records changed (a completion of the path, a role, a revocation, a renewal, an import): look again. */
export const certificationChangedSignal = defineSignal('certificationChanged');
export const certificationProgressQuery = defineQuery<CertificationProgress | null>('certificationProgress');

const { advanceCertification, recordProcessFailure } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: ACTIVITY_RETRY });

/**
 * One person's certification, cycle after cycle: initial path → certified → window opens (the
 * recertification path is assigned, reminders) → recertified, or expired and back on the initial path.
 * Every step is taken by `advanceCertification` from the records and the moment it is given (the
 * workflow's clock, so timers and dates agree, also on the time-skipping server); the process owns
 * only when to look again.
 */
export async function certification(input: CertificationInput): Promise<CertificationProgress | null> {
  const { workflowId, taskQueue } = workflowInfo();
  let progress: CertificationProgress | null = null;
  let recheck = false;
  setHandler(certificationChangedSignal, () => void (recheck = true));
  setHandler(certificationProgressQuery, () => progress);
  try {
    for (;;) {
      recheck = false;
      const step = await advanceCertification({ ...input, workflowId, taskQueue, at: Date.now() });
      progress = step;
      if (step.ended) return step;
      if (step.nextAt === null) await condition(() => recheck);
      else await condition(() => recheck, Math.max(0, Date.parse(step.nextAt) - Date.now()));
      if (workflowInfo().continueAsNewSuggested) {
        await condition(allHandlersFinished);
        await continueAsNew<typeof certification>(input);
      }
    }
  } catch (error) {
    const cause = hopelessCause(error);
    if (!cause) throw error;
    await recordProcessFailure({ tenantId: input.tenantId, workflowId, entityType: 'person', entityId: input.personId, code: cause.type ?? 'failed', reason: cause.message });
    throw ApplicationFailure.nonRetryable(`The certification process stopped: ${cause.message}`, cause.type ?? 'process_failed');
  }
}
