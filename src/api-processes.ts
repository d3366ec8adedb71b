import cluster from 'node:cluster';
import type { Logger } from 'pino';

/**
 * Runs the API as `count` processes sharing one port (node:cluster: the primary accepts connections
 * and hands them out in turn). The API keeps no state between requests, so processes are
 * interchangeable; one that dies is replaced. Resolves once `signal` aborts and all have stopped.
 */
export async function superviseApiProcesses(count: number, logger: Logger, signal: AbortSignal): Promise<void> {
  let stopping = false;
  const fork = () =>
    cluster.fork().once('exit', (code, exitSignal) => {
      if (stopping) return;
      logger.error({ code, signal: exitSignal }, 'an API process exited; starting another');
      setTimeout(fork, 1_000);
    });
  for (let i = 0; i < count; i++) fork();
  logger.info({ processes: count }, 'API processes started');
  await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
  stopping = true;
  const running = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
  await Promise.all(
    running.map(
      (w) =>
        new Promise<void>((resolve) => {
          w.once('exit', () => resolve());
          w.process.kill('SIGTERM');
        }),
    ),
  );
}
