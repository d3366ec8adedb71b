import { ActivityFailure, ApplicationFailure, type RetryPolicy } from '@temporalio/workflow';

/**
 * How activities retry: failures a retry may mend (the database or mail server away, a timeout) are
 * retried with back-off for as long as it takes; activity retries add no history events. Failures no
 * retry can mend are non-retryable (src/activities/failures.ts) and reach the workflow at once.
 */
export const ACTIVITY_RETRY: RetryPolicy = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' };

/**
 * The non-retryable ApplicationFailure behind a failed activity, if that is what ended it (a local
 * activity's failure reaches the workflow unwrapped).
 */
export function hopelessCause(error: unknown): ApplicationFailure | null {
  if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.nonRetryable) return error.cause;
  if (error instanceof ApplicationFailure && error.nonRetryable) return error;
  return null;
}
