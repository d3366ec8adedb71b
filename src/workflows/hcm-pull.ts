import { condition, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { ACTIVITY_RETRY } from './failures';

/** Which connector: the tenant's, by name (names are the connectors' keys). */
export interface HcmConnectorRef {
  tenantId: string;
  name: string;
}

/** What one pull did: imported a file (a new run, or the run of the same content before), or found the connector gone. */
export interface HcmPullResult {
  outcome: 'imported' | 'duplicate' | 'gone';
  runId?: string;
}

/** The connector's record changed (written, deleted) or a pull was asked for: bring its Schedule in line. */
export const connectorChangedSignal = defineSignal<[{ pull?: boolean }]>('connectorChanged');

/**
 * A failed pull is retried a bounded number of times (a server's blip), then left to the next
 * scheduled pull: the Schedule keeps its rhythm, and the failure is on the connector (lastError).
 * Refusals no retry can mend (wrong credentials, a 404) are not retried at all.
 */
const { pullHcmReport } = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 5, maximumInterval: '1 minute', maximumAttempts: 3 },
});

const { syncHcmSchedule } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: ACTIVITY_RETRY });

/**
 * One scheduled pull of a connector's report (started by its Temporal Schedule, `hcm-pull:<tenant>:<name>`,
 * which never lets two overlap): the file is fetched and handed to an import run; the same content
 * as before is the same run.
 */
export async function hcmPull(input: HcmConnectorRef): Promise<HcmPullResult> {
  return pullHcmReport(input);
}

/**
 * Keeps a connector's Temporal Schedule in line with its record (`hcm-connector:<tenant>:<name>`).
 * Started or signalled by the process command written with each change of the connector, so the
 * Schedule follows from a committed intent: each round reads the record as it is then and creates,
 * updates or deletes the Schedule to match (and triggers it when a pull was asked for). Changes that
 * arrive meanwhile make one more round; it ends when none is left.
 */
export async function hcmConnectorSync(input: HcmConnectorRef): Promise<void> {
  let changed = false;
  let pull = false;
  setHandler(connectorChangedSignal, (change) => {
    changed = true;
    if (change?.pull) pull = true;
  });
  // Started with its first signal (signal-with-start), which is handled before this line runs.
  await condition(() => changed);
  while (changed) {
    changed = false;
    const trigger = pull;
    pull = false;
    await syncHcmSchedule({ ...input, trigger });
  }
}
