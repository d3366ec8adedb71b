import type { apiClient } from './http';

/** Polls GET /operations/:id until the operation has finished (completed or failed), and returns it. */
export async function waitForOperation(api: ReturnType<typeof apiClient>, operationId: string, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let last: any;
  while (Date.now() < deadline) {
    last = (await api.get(`/api/v1/operations/${operationId}`)).body;
    if (last?.state === 'completed' || last?.state === 'failed') return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`operation ${operationId} did not finish within ${timeoutMs} ms; last seen ${JSON.stringify(last)}`);
}
