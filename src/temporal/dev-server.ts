import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { temporalCliPath } from './binaries';
import { connectWithRetry } from './connection';

export interface DevServer {
  address: string;
  /** The server's process (benchmarks read its CPU time). */
  pid: number;
  uiUrl?: string;
  stop(): Promise<void>;
  /** Ends it at once (SIGKILL), as a crash would. */
  kill(): Promise<void>;
}

export interface DevServerOptions {
  /** SQLite file that keeps workflows across restarts (its folder is created); in memory when absent. */
  dbFile?: string;
  port?: number;
  uiPort?: number;
  /** Extra dynamic config, e.g. { 'limit.historyCount.suggestContinueAsNew': 100 } */
  dynamicConfig?: Record<string, unknown>;
  onLog?: (line: string) => void;
}

/**
 * Runs `temporal server start-dev` as a supervised child: it is ready when its frontend answers,
 * and it is stopped with SIGTERM so it can close its database cleanly.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const port = options.port ?? 7233;
  if (options.dbFile) mkdirSync(path.dirname(options.dbFile), { recursive: true });
  const args = [
    'server', 'start-dev',
    '--ip', '127.0.0.1',
    '--port', String(port),
    ...(options.dbFile ? ['--db-filename', options.dbFile] : []),
    '--dynamic-config-value', 'frontend.enableServerVersionCheck=false',
    '--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true',
    ...Object.entries(options.dynamicConfig ?? {}).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${JSON.stringify(value)}`]),
    '--log-level', 'warn',
    '--log-format', 'json',
    ...(options.uiPort
      ? ['--ui-ip', '127.0.0.1', '--ui-port', String(options.uiPort), '--ui-disable-news-fetch']
      : ['--headless']),
  ];
  const child = spawn(temporalCliPath(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  forwardLines(child, options.onLog);

  const address = `127.0.0.1:${port}`;
  const ready = connectWithRetry(address, 30_000).then((connection) => connection.close());
  const result = await Promise.race([ready.then(() => 'ready' as const), exited.then((code) => code)]);
  if (result !== 'ready') {
    throw new Error(`temporal server start-dev exited with code ${result} before it was ready (is port ${port} taken?)`);
  }
  return {
    address,
    pid: child.pid!,
    uiUrl: options.uiPort ? `http://127.0.0.1:${options.uiPort}` : undefined,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

function forwardLines(child: ChildProcess, onLog?: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) if (line.trim() && onLog) onLog(line);
    });
  }
}
