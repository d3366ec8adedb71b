import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';

/** Waits for a Temporal frontend to answer; servers take a moment to come up. */
export async function connectWithRetry(address: string, timeoutMs = 30_000): Promise<Connection> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      await connection.healthService.check({});
      return connection;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`Temporal at ${address} did not answer within ${timeoutMs} ms: ${String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

export async function createTemporalClient(address: string, namespace: string): Promise<Client> {
  return new Client({ connection: await connectWithRetry(address), namespace });
}

export function createWorkerConnection(address: string): Promise<NativeConnection> {
  return NativeConnection.connect({ address });
}
