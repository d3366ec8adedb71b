import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces). */
function stat(pid: number): string[] | null {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return raw.slice(raw.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** CPU time a process has used, in ms; with `reaped`, also that of its children that have exited. */
export function cpuMs(pid: number, options: { reaped?: boolean } = {}): number {
  const fields = stat(pid);
  if (!fields) return 0;
  // After the name: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14).
  const ticks = Number(fields[11]) + Number(fields[12]) + (options.reaped ? Number(fields[13]) + Number(fields[14]) : 0);
  return (ticks * 1000) / TICKS_PER_SECOND;
}

export function rssMiB(pid: number): number {
  try {
    const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((candidate) => stat(candidate)?.[1] === String(pid));
}

/** The process and all its descendants. */
export function processTree(pid: number): number[] {
  const all = [pid];
  for (let i = 0; i < all.length; i++) all.push(...childrenOf(all[i]!));
  return all;
}

/**
 * CPU of the whole PostgreSQL cluster: the postmaster (with every backend it has reaped) and the
 * processes alive now.
 */
export function postgresCpuMs(): number {
  const postmaster = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .find((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres' && stat(pid)?.[1] === '1';
      } catch {
        return false;
      }
    });
  if (postmaster === undefined) return 0;
  return processTree(postmaster).reduce((sum, pid) => sum + cpuMs(pid, { reaped: pid === postmaster }), 0);
}

/**
 * What trainhub's processes need to run against the bench's own services: fresh secrets, rate limits
 * out of the way, quiet logs; `more` adds or overrides (PUBLIC_URL, SMTP_URL, API_PROCESSES …).
 */
export function serviceEnv(base: { databaseUrl: string; temporalAddress: string; taskQueue: string; port: number }, more: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: base.databaseUrl,
    TEMPORAL_ADDRESS: base.temporalAddress,
    TEMPORAL_TASK_QUEUE: base.taskQueue,
    PORT: String(base.port),
    LOG_LEVEL: 'warn',
    APPROVAL_LINK_SECRET: randomBytes(32).toString('base64url'),
    SECRETS_KEY: randomBytes(32).toString('base64'),
    API_RATE_LIMIT_PER_MINUTE: '1000000',
    ...more,
  };
}

/** One of trainhub's processes (`src/main.ts <command>`, run by node with tsx's loader, so its pid is node's). */
export class ServiceProcess {
  private child: ChildProcess | null = null;
  lastError = '';
  constructor(
    readonly command: string[],
    private readonly env: NodeJS.ProcessEnv,
    /** Options for node itself, e.g. --cpu-prof. */
    private readonly nodeOptions: string[] = [],
  ) {}
  get pid(): number {
    return this.child?.pid ?? 0;
  }
  get alive(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }
  start(): void {
    this.child = spawn(process.execPath, [...this.nodeOptions, '--import', 'tsx', ...this.command], { cwd: ROOT, env: { ...process.env, ...this.env }, stdio: ['ignore', 'ignore', 'pipe'] });
    this.child.stderr?.on('data', (chunk: Buffer) => (this.lastError = (this.lastError + chunk.toString()).slice(-4000)));
  }
  /** CPU of the process and its children (an API with several processes forks them), in ms. */
  cpuMs(): number {
    return this.child?.pid ? processTree(this.child.pid).reduce((sum, pid) => sum + cpuMs(pid), 0) : 0;
  }
  rssMiB(): number {
    return this.child?.pid ? processTree(this.child.pid).reduce((sum, pid) => sum + rssMiB(pid), 0) : 0;
  }
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    for (const pid of processTree(child.pid!).reverse()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await exited;
  }
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(10_000)]);
    await this.kill();
  }
}
