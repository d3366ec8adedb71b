import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { CONTINUE_AS_NEW_AFTER_EVENTS, freePort, testPaths, TEST_DATABASE_URL } from '../support/environment';

declare global {
  // eslint-disable-next-line no-var
  var __trainhubTemporal: DevServer | undefined;
}

/**
 * Brings up the real services the suite needs, unless they are given: PostgreSQL (the local
 * cluster, database trainhub_test, migrated with the stock Prisma CLI) and a Temporal dev server.
 */
export default async function globalSetup(): Promise<void> {
  const root = path.resolve(__dirname, '..', '..');
  if (!process.env.TEST_DATABASE_URL) {
    execFileSync('bash', [path.join(root, 'scripts/local-postgres.sh'), 'trainhub_test'], { stdio: 'inherit' });
  }
  execFileSync(path.join(root, 'tools/prisma.sh'), ['migrate', 'deploy'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: TEST_DATABASE_URL },
    stdio: ['ignore', 'ignore', 'inherit'],
  });

  if (!process.env.TEMPORAL_ADDRESS) {
    // Processes are told to continue as new much earlier than in production, so tests exercise it.
    const server = await startDevServer({ port: await freePort(), dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': CONTINUE_AS_NEW_AFTER_EVENTS } });
    globalThis.__trainhubTemporal = server;
    process.env.TEMPORAL_ADDRESS = server.address;
  }

  mkdirSync(path.dirname(testPaths.workflowBundle), { recursive: true });
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: quietLogger });
  require('node:fs').writeFileSync(testPaths.workflowBundle, code);
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error, log: noop };
