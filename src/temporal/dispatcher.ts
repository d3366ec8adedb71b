import { createHash } from 'node:crypto';
import { isGrpcServiceError, type Client } from '@temporalio/client';
import { defaultPayloadConverter, toPayloads, TypedSearchAttributes, type SearchAttributePair } from '@temporalio/common';
import { encodeUnifiedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes';
import { temporal } from '@temporalio/proto';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Db } from '../db/client';
import { processCommandFailures, processCommandLag, processCommandsDelivered, setBacklogReader } from '../metrics';
import { PERSON_ID, TENANT_ID } from './search-attributes';

export interface DispatcherOptions {
  taskQueue: string;
  /** Where to LISTEN for new commands; without it the dispatcher only polls. */
  databaseUrl?: string;
  /** Off only where the server cannot register them (the time-skipping test server). */
  searchAttributes?: boolean;
  /** Deliveries in flight at once (the fan-out's bound). */
  concurrency?: number;
  batchSize?: number;
  /** How often to look for commands when no notification arrives (e.g. ones waiting out a back-off). */
  pollIntervalMs?: number;
  /** How long a claim keeps other dispatchers off a command; a crashed claimer's commands return after it. */
  leaseMs?: number;
  logger?: Logger;
}

type Action = 'start' | 'signal' | 'signal_with_start';
/** What delivery found: a run started, a running one signalled or left as it was, none running, or one closed for good. */
export type DeliveryOutcome = 'started' | 'signalled' | 'already_running' | 'not_running' | 'closed';

interface ClaimedCommand {
  id: bigint;
  tenant_id: string;
  workflow_id: string;
  workflow_type: string;
  action: Action;
  args: unknown[] | null;
  signal_name: string | null;
  signal_args: unknown[] | null;
  start_again: boolean;
  priority: number;
  created_at: Date;
  attempts: number;
}

const GRPC_NOT_FOUND = 5;
const GRPC_ALREADY_EXISTS = 6;
const RETENTION_DAYS = 7;
const { WorkflowIdConflictPolicy, WorkflowIdReusePolicy, TaskQueueKind } = temporal.api.enums.v1;

/**
 * Delivers the process commands of its task queue to Temporal: claims a batch (a lease, so any number of dispatchers
 * share the work and a crashed one's claims come back), starts or signals each workflow with a
 * bounded number in flight, and marks them delivered. A workflow's commands go out one at a time,
 * oldest first. Every call carries a request id derived from the command, so a delivery repeated
 * after a crash (Temporal took it, the mark did not happen) is deduplicated by Temporal.
 */
export class ProcessCommandDispatcher {
  private readonly concurrency: number;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly leaseSeconds: number;
  private running: Promise<void> | null = null;
  private stopping = false;
  private wakeUp: (() => void) | null = null;
  private woken = false;
  private listener: pg.Client | null = null;
  private lastPrune = 0;

  constructor(
    private readonly db: Db,
    private readonly client: Client,
    private readonly options: DispatcherOptions,
  ) {
    this.concurrency = options.concurrency ?? 32;
    this.batchSize = options.batchSize ?? 200;
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.leaseSeconds = (options.leaseMs ?? 60_000) / 1000;
    setBacklogReader(() => this.backlog());
  }

  /** The task queue whose commands this dispatcher delivers (where record changes write theirs). */
  get taskQueue(): string {
    return this.options.taskQueue;
  }

  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.running = this.loop();
    if (this.options.databaseUrl) void this.listen(this.options.databaseUrl);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.poke();
    await this.running;
    this.running = null;
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
  }

  /** Wakes the loop now (a command was just committed). */
  poke(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /**
   * Delivers these commands now, if no other dispatcher holds them, giving up after `timeoutMs`:
   * what is not delivered then stays for the loop. Used right after a commit, so the caller's
   * process is usually running before the HTTP answer goes out.
   */
  async deliverNow(ids: readonly bigint[], timeoutMs = 5_000): Promise<Map<bigint, DeliveryOutcome>> {
    const outcomes = new Map<bigint, DeliveryOutcome>();
    if (ids.length === 0) return outcomes;
    try {
      const claimed = await this.claim(ids, ids.length);
      await this.client.connection.withDeadline(Date.now() + timeoutMs, () => this.deliverAll(claimed, outcomes));
    } catch (error) {
      this.options.logger?.warn({ err: error }, 'process commands left for the dispatcher');
    }
    if (outcomes.size < ids.length) this.poke();
    return outcomes;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let claimed: ClaimedCommand[] = [];
      try {
        claimed = await this.claim(null, this.batchSize);
        if (claimed.length > 0) await this.deliverAll(claimed, new Map());
        await this.pruneNowAndThen();
      } catch (error) {
        this.options.logger?.error({ err: error }, 'process command dispatcher: a pass failed');
      }
      if (claimed.length < this.batchSize) await this.idle();
    }
  }

  private idle(): Promise<void> {
    if (this.woken || this.stopping) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.pollIntervalMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = null;
        this.woken = false;
        done();
      };
    });
  }

  /** LISTENs for commits of new commands; reconnects after a lost connection (polling covers the gap). */
  private async listen(databaseUrl: string): Promise<void> {
    while (!this.stopping) {
      const listener = new pg.Client({ connectionString: databaseUrl });
      try {
        await listener.connect();
        this.listener = listener;
        listener.on('notification', () => this.poke());
        const closed = new Promise<void>((resolve) => {
          listener.once('error', () => resolve());
          listener.once('end', () => resolve());
        });
        await listener.query('LISTEN process_command');
        this.poke();
        await closed;
      } catch {
        // answered by the retry below; polling goes on meanwhile
      }
      await listener.end().catch(() => undefined);
      if (!this.stopping) await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  }

  private claim(ids: readonly bigint[] | null, limit: number): Promise<ClaimedCommand[]> {
    return this.db.$queryRaw<ClaimedCommand[]>`
      UPDATE process_command c
         SET available_at = now() + make_interval(secs => ${this.leaseSeconds}), attempts = c.attempts + 1
        FROM (SELECT p.id FROM process_command p
               WHERE p.delivered_at IS NULL AND p.task_queue = ${this.options.taskQueue} AND p.available_at <= now()
                 AND (${ids === null}::boolean OR p.id = ANY(${ids ?? []}::bigint[]))
                 AND NOT EXISTS (SELECT 1 FROM process_command earlier
                                  WHERE earlier.workflow_id = p.workflow_id AND earlier.delivered_at IS NULL AND earlier.id < p.id)
               ORDER BY p.priority, p.id
               LIMIT ${limit}
               FOR UPDATE SKIP LOCKED) next
       WHERE c.id = next.id
      RETURNING c.id, c.tenant_id::text AS tenant_id, c.workflow_id, c.workflow_type, c.action::text AS action, c.args, c.signal_name,
                c.signal_args, c.start_again, c.priority, c.created_at, c.attempts`;
  }

  /** Delivers claimed commands, `concurrency` at a time, then records what became of each. */
  private async deliverAll(commands: readonly ClaimedCommand[], outcomes: Map<bigint, DeliveryOutcome>): Promise<void> {
    const queue = [...commands].sort((a, b) => a.priority - b.priority || (a.id < b.id ? -1 : 1));
    const failed: { id: bigint; attempts: number; error: string }[] = [];
    const lane = async () => {
      for (let command = queue.shift(); command; command = queue.shift()) {
        try {
          outcomes.set(command.id, await this.deliver(command));
        } catch (error) {
          processCommandFailures.inc();
          failed.push({ id: command.id, attempts: command.attempts, error: error instanceof Error ? error.message : String(error) });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, commands.length) }, lane));

    const delivered = commands.filter((c) => outcomes.has(c.id));
    if (delivered.length > 0) {
      const ids = delivered.map((c) => c.id);
      const results = delivered.map((c) => outcomes.get(c.id)!);
      await this.db.$executeRaw`
        UPDATE process_command c SET delivered_at = now(), outcome = d.outcome, last_error = NULL
          FROM unnest(${ids}::bigint[], ${results}::text[]) AS d(id, outcome)
         WHERE c.id = d.id`;
      const now = Date.now();
      for (const c of delivered) {
        processCommandsDelivered.inc({ action: c.action, outcome: outcomes.get(c.id)! });
        processCommandLag.observe({ priority: String(c.priority) }, (now - c.created_at.getTime()) / 1000);
      }
    }
    for (const f of failed) {
      // Back off 1 s, 2 s, 4 s … up to 5 minutes; the command stays until Temporal takes it.
      const seconds = Math.min(300, 2 ** Math.min(f.attempts - 1, 9));
      await this.db.$executeRaw`
        UPDATE process_command SET available_at = now() + make_interval(secs => ${seconds}), last_error = ${f.error.slice(0, 1000)}
         WHERE id = ${f.id} AND delivered_at IS NULL`;
    }
    if (failed.length > 0) {
      this.options.logger?.warn({ failed: failed.length, error: failed[0]!.error }, 'process commands not delivered; retrying with back-off');
    }
  }

  private async deliver(command: ClaimedCommand): Promise<DeliveryOutcome> {
    const { namespace, identity } = this.client.options;
    const requestId = requestIdOf(command);
    const workflowExecution = { workflowId: command.workflow_id };
    const start = () => ({
      namespace,
      identity,
      requestId,
      workflowId: command.workflow_id,
      workflowType: { name: command.workflow_type },
      taskQueue: { name: this.options.taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      input: { payloads: toPayloads(defaultPayloadConverter, ...(command.args ?? [])) },
      searchAttributes: this.searchAttributes(command),
    });
    try {
      switch (command.action) {
        case 'start': {
          const response = await this.client.workflowService.startWorkflowExecution({
            ...start(),
            workflowIdConflictPolicy: WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
            workflowIdReusePolicy: command.start_again
              ? WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE
              : WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
          });
          return response.started ? 'started' : 'already_running';
        }
        case 'signal':
          await this.client.workflowService.signalWorkflowExecution({
            namespace,
            identity,
            requestId,
            workflowExecution,
            signalName: command.signal_name!,
            input: { payloads: toPayloads(defaultPayloadConverter, ...(command.signal_args ?? [])) },
          });
          return 'signalled';
        case 'signal_with_start': {
          const response = await this.client.workflowService.signalWithStartWorkflowExecution({
            ...start(),
            workflowIdReusePolicy: WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
            signalName: command.signal_name!,
            signalInput: { payloads: toPayloads(defaultPayloadConverter, ...(command.signal_args ?? [])) },
          });
          return response.started ? 'started' : 'signalled';
        }
      }
    } catch (error) {
      if (isGrpcServiceError(error) && command.action === 'signal' && error.code === GRPC_NOT_FOUND) return 'not_running';
      if (isGrpcServiceError(error) && command.action === 'start' && error.code === GRPC_ALREADY_EXISTS) return 'closed';
      throw error;
    }
  }

  private searchAttributes(command: ClaimedCommand) {
    if (this.options.searchAttributes === false) return undefined;
    const pairs: SearchAttributePair[] = [{ key: TENANT_ID, value: command.tenant_id }];
    const input = command.args?.[0] as { personId?: unknown } | undefined;
    if (command.workflow_type === 'onboarding' && typeof input?.personId === 'string') pairs.push({ key: PERSON_ID, value: input.personId });
    return { indexedFields: encodeUnifiedSearchAttributes(undefined, new TypedSearchAttributes(pairs)) };
  }

  /** The global backlog, for /metrics. */
  private async backlog(): Promise<{ pending: number; oldestPendingSeconds: number }> {
    const [row] = await this.db.$queryRaw<{ pending: bigint; oldest: number | null }[]>`
      SELECT count(*) AS pending, extract(epoch FROM now() - min(created_at))::float8 AS oldest
        FROM process_command WHERE delivered_at IS NULL`;
    return { pending: Number(row?.pending ?? 0), oldestPendingSeconds: Math.max(0, row?.oldest ?? 0) };
  }

  /** Delivered commands are kept a week (for operators and operation progress), then removed. */
  private async pruneNowAndThen(): Promise<void> {
    if (Date.now() - this.lastPrune < 3_600_000) return;
    this.lastPrune = Date.now();
    await this.db.$executeRaw`
      DELETE FROM process_command WHERE id IN (
        SELECT id FROM process_command WHERE delivered_at < now() - make_interval(days => ${RETENTION_DAYS}) LIMIT 50000)`;
  }
}

/** Stable per command: Temporal recognises a repeated delivery of the same command by it. */
function requestIdOf(command: ClaimedCommand): string {
  const hex = createHash('sha256').update(`process-command:${command.id}:${command.workflow_id}:${command.created_at.toISOString()}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
