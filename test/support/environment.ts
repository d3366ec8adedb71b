import { createServer } from 'node:net';
import path from 'node:path';

/** Where the suite finds its services; global setup fills in what is not given. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://trainhub:trainhub@127.0.0.1:5432/trainhub_test';

export const testPaths = {
  workflowBundle: path.resolve(__dirname, '..', '..', '.data', 'test', 'workflow-bundle.js'),
};

export function temporalAddress(): string {
  const address = process.env.TEMPORAL_ADDRESS;
  if (!address) throw new Error('TEMPORAL_ADDRESS is not set: the jest global setup starts a dev server and sets it');
  return address;
}

/** The suite's dev server suggests continue-as-new after this many history events. */
export const CONTINUE_AS_NEW_AFTER_EVENTS = 120;

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
