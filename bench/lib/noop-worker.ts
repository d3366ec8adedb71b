/**
 * The baseline's worker, in a process of its own like trainhub's worker: runs `benchNoop` on
 * TEMPORAL_TASK_QUEUE at TEMPORAL_ADDRESS until SIGTERM.
 */
import { NativeConnection, Worker } from '@temporalio/worker';

async function main() {
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  const worker = await Worker.create({
    connection,
    namespace: 'default',
    taskQueue: process.env.TEMPORAL_TASK_QUEUE!,
    workflowsPath: require.resolve('./noop-workflow'),
  });
  // Ctrl-C reaches this process too, and the SDK's own signal handling may have begun the shutdown.
  process.once('SIGTERM', () => worker.getState() === 'RUNNING' && worker.shutdown());
  await worker.run();
  await connection.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
