import { diffRun } from '../services/imports/diff';
import { stageRun } from '../services/imports/staging';
import type { ImportRunInput, ImportStep } from '../workflows/import-run';
import type { ActivityDeps } from './deps';
import { whileHeartbeating } from './heartbeat';

/**
 * The first two steps of an import run. Each looks at the run's state first, so a retried or
 * repeated call answers with where the run stands instead of doing the step twice.
 */
export function createImportActivities({ db }: Pick<ActivityDeps, 'db'>) {
  return {
    /**
     * Reads the stored file through the profile and COPYs every record (or its row error) into
     * staging, heartbeating the lines read; a retry removes what an earlier attempt staged and
     * stages again. A file that cannot be read at all fails the run with the reader's message.
     */
    async stageImport({ tenantId, runId }: ImportRunInput): Promise<ImportStep> {
      let lines = 0;
      const { state } = await whileHeartbeating(
        () => stageRun(db, tenantId, runId, (read) => void (lines = read)),
        () => ({ lines }),
      );
      return { state: asStep(state) };
    },

    /**
     * Compares the staged rows with trainhub's people (or courses) and writes the changes and the
     * counts in one transaction; a snapshot that would terminate too many waits for a confirmation.
     * Called again after the confirmation (or cancellation), it moves the run on.
     */
    async diffImport({ tenantId, runId }: ImportRunInput): Promise<ImportStep> {
      const { state } = await whileHeartbeating(() => diffRun(db, tenantId, runId));
      return { state: asStep(state) };
    },
  };
}

function asStep(state: string): ImportStep['state'] {
  // received / staging cannot be seen after staging ran; anything else is a step's state.
  return (state === 'received' ? 'staging' : state) as ImportStep['state'];
}
