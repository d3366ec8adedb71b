import { ApplicationFailure } from '@temporalio/common';
import { Prisma } from '../db/client';
import { isMissingRecord, isRefusedValue, sqlState } from '../db/errors';
import { DomainError } from '../domain/errors';
import { activityFailures } from '../metrics';
import { recordAudit } from '../services/audit/trail';
import type { ActivityDeps } from './deps';

/**
 * Failures that no retry can mend become non-retryable ApplicationFailures, so a process learns of
 * them at once (and ends in a visible, audited state) instead of retrying forever:
 * - a record the step needs is gone (P2025; P2003 / SQLSTATE 23503: what it points at was deleted);
 * - the database refuses a value (P2000 too long, P2007, SQLSTATE class 22, 23502, 23514);
 * - a rule refused the step (a DomainError of the 4xx kind: unknown reference, conflict …).
 * Everything else (the database or mail server unreachable, a message another attempt is sending, a
 * timeout: anything that is a 5xx or no DomainError at all) stays retryable.
 */
export function hopelessFailure(error: unknown): ApplicationFailure | null {
  if (error instanceof ApplicationFailure) return null;
  if (error instanceof DomainError) return error.status < 500 ? ApplicationFailure.nonRetryable(error.message, error.code, error.details ?? null) : null;
  // The database's own words go to the worker's log (with the original error), not into the process's
  // failure, which the audit trail and API callers read.
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    const details = { prismaCode: error.code, sqlState: sqlState(error) };
    if (isMissingRecord(error)) return ApplicationFailure.nonRetryable('a record this step needs no longer exists', 'record_missing', details);
    if (isRefusedValue(error)) return ApplicationFailure.nonRetryable('the database refused a value this step writes', 'invalid_data', details);
  }
  return null;
}

/** Wraps every activity of a set so that hopeless failures are non-retryable (see hopelessFailure). */
export function withHopelessFailures<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T): T {
  const wrapped: Record<string, (...args: never[]) => Promise<unknown>> = {};
  for (const [name, activity] of Object.entries(activities)) {
    wrapped[name] = async (...args: never[]) => {
      try {
        return await activity(...args);
      } catch (error) {
        const hopeless = hopelessFailure(error);
        activityFailures.inc({ activity: name, retryable: String(!hopeless && !(error instanceof ApplicationFailure && error.nonRetryable)) });
        throw hopeless ?? error;
      }
    };
  }
  return wrapped as T;
}

/** Writes down, once, why a process stopped; a tenant deleted meanwhile leaves nothing to write to. */
export function createFailureActivities({ db }: Pick<ActivityDeps, 'db'>) {
  return {
    async recordProcessFailure(input: { tenantId: string; workflowId: string; entityType: string; entityId: string; code: string; reason: string }): Promise<void> {
      try {
        await recordAudit(db, input.tenantId, { type: 'system', id: input.workflowId }, {
          action: 'process.failed',
          entityType: input.entityType,
          entityId: input.entityId,
          reason: input.reason.slice(0, 2000),
          data: { code: input.code, workflowId: input.workflowId },
          idempotencyKey: `${input.workflowId}:failed`,
        });
      } catch (error) {
        if (!hopelessFailure(error)) throw error;
      }
    },
  };
}
