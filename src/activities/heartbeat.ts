import { Context } from '@temporalio/activity';

/**
 * Runs a long step (one big SQL statement cannot report progress itself) while telling Temporal every
 * few seconds that the activity is alive, so a worker that dies is noticed within the heartbeat
 * timeout rather than the whole start-to-close timeout.
 */
export async function whileHeartbeating<T>(step: () => Promise<T>, details?: () => unknown, everyMs = 5_000): Promise<T> {
  const context = Context.current();
  const beat = () => context.heartbeat(details?.());
  beat();
  const timer = setInterval(beat, everyMs);
  try {
    return await step();
  } finally {
    clearInterval(timer);
  }
}
