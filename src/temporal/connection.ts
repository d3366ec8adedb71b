import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { ensureSearchAttributes } from './search-attributes';

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

/** A client for the namespace, with trainhub's search attributes registered on it. */
export async function createTemporalClient(address: string, namespace: string): Promise<Client> {
  const connection = await connectWithRetry(address);
  await ensureSearchAttributes(connection, namespace);
  return new Client({ connection, namespace });
}

export function createWorkerConnection(address: string): Promise<NativeConnection> {
  return NativeConnection.connect({ address });
}
