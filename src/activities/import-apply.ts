import { Context } from '@temporalio/activity';
import { applyImport, type ApplyImportInput, type ApplyProgress } from '../services/imports/apply';
import type { ImportStep } from '../workflows/import-run';
import type { ActivityDeps } from './deps';

/** One attempt applies for at most this long, then returns for the process to call again (its start-to-close timeout is 30 minutes). */
const ATTEMPT_BUDGET_MS = 10 * 60_000;

/** The import run's last step (src/services/imports/apply.ts), bound to the worker's database. */
export function createImportApplyActivities({ db }: Pick<ActivityDeps, 'db'>) {
  return {
    /**
     * Applies the run's changes due on the day of `at` (the workflow's clock) through the HR-event and
     * completion rules, heartbeating its progress; a retry resumes with what is not applied yet. The
     * process commands those rules write are left to the dispatcher's loop (none is delivered here),
     * so the fan-out runs at the dispatcher's bounded concurrency rather than person by person. A large
     * run is applied in slices of ATTEMPT_BUDGET_MS: each returns `applying` and the process calls again.
     */
    async applyImport(input: ApplyImportInput): Promise<ImportStep> {
      const context = Context.current();
      const delivery = { taskQueue: context.info.taskQueue, deliverNow: async () => undefined };
      let progress: ApplyProgress | null = null;
      const beat = () => context.heartbeat(progress);
      // Beats also while one batch takes long (a page read, a slow transaction).
      const timer = setInterval(beat, 5_000);
      try {
        return await applyImport(db, delivery, input, {
          signal: context.cancellationSignal,
          timeBudgetMs: ATTEMPT_BUDGET_MS,
          onProgress: (p) => {
            progress = p;
            beat();
          },
        });
      } finally {
        clearInterval(timer);
      }
    },
  };
}
