import { existsSync } from 'node:fs';
import path from 'node:path';

/** Where scripts/install-temporal.sh puts the Temporal CLI and the time-skipping test server. */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
const TOOLS_BIN = path.join(PROJECT_ROOT, '.tools', 'temporal', 'bin');

function binary(envVar: string, name: string): string {
  const file = process.env[envVar] ?? path.join(TOOLS_BIN, name);
  if (!existsSync(file)) {
    throw new Error(`${name} not found at ${file}: run scripts/install-temporal.sh (or set ${envVar})`);
  }
  return file;
}

export const temporalCliPath = () => binary('TEMPORAL_CLI_PATH', 'temporal');
export const temporalTestServerPath = () => binary('TEMPORAL_TEST_SERVER_PATH', 'temporal-test-server');
