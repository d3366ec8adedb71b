import { Context } from '@temporalio/activity';
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type ScheduleOptionsStartWorkflowAction, type ScheduleUpdateOptions } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { hcmPullScheduleId } from '../domain/workflow-ids';
import { TENANT_ID } from '../temporal/search-attributes';
import { developmentConnectorSettings, pullConnector, PullFailed, scheduleOf, type ConnectorSettings } from '../services/imports/connectors';
import type { hcmPull, HcmConnectorRef, HcmPullResult } from '../workflows/hcm-pull';
import type { ActivityDeps } from './deps';

/** The longest one pull may take, its retries included; the Schedule skips its turns meanwhile (no overlap). */
const PULL_RUN_LIMIT = '2 hours';

/**
 * Scheduled pulls of HCM reports: the pull itself, and keeping each connector's Temporal Schedule in
 * line with its record. `connectors` carries the secrets key; without it (tests, `trainhub dev`) the
 * development settings apply.
 */
export function createHcmPullActivities({ db, connectors = developmentConnectorSettings() }: Pick<ActivityDeps, 'db'> & { connectors?: ConnectorSettings }) {
  return {
    /** Fetches the connector's report into an import run; a failure is on the connector and retried only when a retry may help. */
    async pullHcmReport(ref: HcmConnectorRef): Promise<HcmPullResult> {
      const context = Context.current();
      const workflowId = context.info.workflowExecution?.workflowId ?? `hcm-pull:${ref.tenantId}:${ref.name}`;
      context.heartbeat({ bytes: 0 });
      // Commands the run writes are delivered by this queue's dispatchers (they LISTEN for the commit).
      const delivery = { taskQueue: context.info.taskQueue, deliverNow: async () => undefined };
      try {
        return await pullConnector(db, delivery, connectors, ref, {
          onProgress: (bytes) => context.heartbeat({ bytes }),
          signal: context.cancellationSignal,
          actor: { type: 'system', id: workflowId },
        });
      } catch (error) {
        // The worker logs the failure (the message names the URL without its query, never a secret).
        if (error instanceof PullFailed) throw ApplicationFailure.create({ message: error.message, type: 'pull_failed', nonRetryable: !error.retryable });
        throw error;
      }
    },

    /**
     * Creates, updates or deletes the connector's Schedule to match its record as it is now (and
     * triggers it when asked, without overlapping a pull under way). Idempotent: any number of rounds
     * end with the Schedule the record describes.
     */
    async syncHcmSchedule(input: HcmConnectorRef & { trigger: boolean }): Promise<'created' | 'updated' | 'deleted' | 'absent'> {
      const context = Context.current();
      const client = context.client;
      const wanted = await scheduleOf(db, input.tenantId, input.name);
      const ref: HcmConnectorRef = { tenantId: input.tenantId, name: input.name };
      if (!wanted) {
        try {
          await client.schedule.getHandle(hcmPullScheduleId(input.tenantId, input.name)).delete();
          return 'deleted';
        } catch (error) {
          if (error instanceof ScheduleNotFoundError) return 'absent';
          throw error;
        }
      }
      const every = wanted.intervalMinutes * 60_000;
      const options: ScheduleUpdateOptions<ScheduleOptionsStartWorkflowAction<typeof hcmPull>> = {
        spec: { intervals: [{ every }] },
        action: {
          type: 'startWorkflow',
          workflowType: 'hcmPull',
          args: [ref],
          taskQueue: context.info.taskQueue,
          // Temporal appends the scheduled time: hcm-pull:<tenant>:<name>-<time>.
          workflowId: wanted.scheduleId,
          workflowExecutionTimeout: PULL_RUN_LIMIT,
          // Operators find a tenant's pulls as they find its other processes.
          typedSearchAttributes: [{ key: TENANT_ID, value: input.tenantId }],
        },
        policies: {
          // Never two pulls of one connector at once; after an outage, pulls missed within one interval are caught up (one, as they cannot overlap).
          overlap: ScheduleOverlapPolicy.SKIP,
          catchupWindow: every,
          pauseOnFailure: false,
        },
        state: { paused: wanted.paused, ...(wanted.paused ? { note: 'paused on the connector' } : {}) },
      };
      const handle = client.schedule.getHandle(wanted.scheduleId);
      let outcome: 'created' | 'updated';
      try {
        await client.schedule.create({ scheduleId: wanted.scheduleId, ...options });
        outcome = 'created';
      } catch (error) {
        if (!(error instanceof ScheduleAlreadyRunning)) throw error;
        await handle.update(() => options);
        outcome = 'updated';
      }
      if (input.trigger) await handle.trigger(ScheduleOverlapPolicy.SKIP);
      return outcome;
    },
  };
}
