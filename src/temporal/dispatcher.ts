import { createHash } from 'node:crypto';
import { isGrpcServiceError, type Client } from '@temporalio/client';
import { defaultPayloadConverter, toPayloads, TypedSearchAttributes, type SearchAttributePair } from '@temporalio/common';
import { encodeUnifiedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes';
import { temporal } from '@temporalio/proto';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Db } from '../db/client';
import { processCommandFailures, processCommandLag, processCommandsDelivered } from '../metrics';
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
const FLUSH_EVERY_MS = 20;
const { WorkflowIdConflictPolicy, WorkflowIdReusePolicy, TaskQueueKind } = temporal.api.enums.v1;

/**
 * Delivers the process commands of its task queue to Temporal: claims commands with a lease (so any
 * number of dispatchers share the work and a crashed one's claims come back), starts or signals each
 * workflow with a bounded number in flight, and marks them delivered. A workflow's commands go out
 * one at a time, oldest first. Every call carries a request id derived from the command, so a
 * delivery repeated after a crash (Temporal took it, the mark did not happen) is deduplicated by
 * Temporal.
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
  /** Deliveries under way in the loop, and what they found, waiting to be written back in one statement. */
  private readonly inFlight = new Set<Promise<void>>();
  /** The same deliveries by command id, so `deliverNow` can wait for one the loop took first. */
  private readonly inFlightById = new Map<bigint, Promise<void>>();
  private settled: { command: ClaimedCommand; outcome: DeliveryOutcome }[] = [];
  private failed: { command: ClaimedCommand; error: string }[] = [];
  private writing: Promise<void> | null = null;
  private flushTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Db,
    private readonly client: Client,
    private readonly options: DispatcherOptions,
  ) {
    this.concurrency = options.concurrency ?? 32;
    this.batchSize = options.batchSize ?? 200;
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.leaseSeconds = (options.leaseMs ?? 60_000) / 1000;
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

  /** Wakes the loop now (a command was committed, or a slot freed); a poke during a pass makes it go round again. */
  poke(): void {
    this.woken = true;
    const wake = this.wakeUp;
    this.wakeUp = null;
    wake?.();
  }

  /**
   * Delivers these commands now, if no other dispatcher holds them, giving up after `timeoutMs`:
   * what is not delivered then stays for the loop. Used right after a commit, so the caller's
   * process is usually running before the HTTP answer goes out. More commands than the loop keeps in
   * flight (a batch's wake-ups) are left to the loop, whose concurrency bounds what Temporal sees.
   */
  async deliverNow(ids: readonly bigint[], timeoutMs = 5_000): Promise<Map<bigint, DeliveryOutcome>> {
    const outcomes = new Map<bigint, DeliveryOutcome>();
    if (ids.length === 0) return outcomes;
    if (ids.length > this.concurrency) {
      this.poke();
      return outcomes;
    }
    try {
      const claimed = await this.claim(ids, ids.length);
      const settled: typeof this.settled = [];
      const failed: typeof this.failed = [];
      await this.client.connection.withDeadline(Date.now() + timeoutMs, () =>
        Promise.all(
          claimed.map((command) =>
            this.deliver(command).then(
              (outcome) => void settled.push({ command, outcome }),
              (error: unknown) => void failed.push({ command, error: messageOf(error) }),
            ),
          ),
        ),
      );
      await this.writeBack(settled, failed);
      for (const { command, outcome } of settled) outcomes.set(command.id, outcome);
      // The loop, woken by the same commit, may have taken some first: the caller waits for those too.
      const takenByLoop = ids.flatMap((id) => this.inFlightById.get(id) ?? []);
      if (takenByLoop.length > 0) await waitAtMost(Promise.all(takenByLoop), timeoutMs);
    } catch (error) {
      this.options.logger?.warn({ err: error }, 'process commands left for the dispatcher');
    }
    if (outcomes.size < ids.length) this.poke();
    return outcomes;
  }

  /**
   * Keeps up to `concurrency` deliveries in flight: claims as many commands as there are free slots
   * (a new command waits for a slot, not for a whole batch), and sleeps until a commit is announced,
   * a slot frees up while work is waiting, or the poll interval passes.
   */
  private async loop(): Promise<void> {
    while (!this.stopping) {
      let filled = false;
      try {
        const free = this.concurrency - this.inFlight.size;
        if (free > 0) {
          const want = Math.min(free, this.batchSize);
          const claimed = await this.claim(null, want);
          for (const command of claimed) this.launch(command);
          filled = claimed.length === want;
        }
        await this.pruneNowAndThen();
      } catch (error) {
        this.options.logger?.error({ err: error }, 'process command dispatcher: a pass failed');
      }
      if (!filled || this.inFlight.size >= this.concurrency) await this.idle();
    }
    await Promise.all(this.inFlight);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    await this.flush();
  }

  private launch(command: ClaimedCommand): void {
    const delivery = this.deliver(command).then(
      (outcome) => void this.settled.push({ command, outcome }),
      (error: unknown) => void this.failed.push({ command, error: messageOf(error) }),
    );
    const tracked = delivery.finally(() => {
      this.inFlight.delete(tracked);
      this.inFlightById.delete(command.id);
      this.flushSoon();
      // More may be waiting: refill once a quarter of the slots are free.
      if (this.concurrency - this.inFlight.size >= Math.max(1, this.concurrency / 4)) this.poke();
    });
    this.inFlight.add(tracked);
    this.inFlightById.set(command.id, tracked);
  }

  /** Deliveries finishing close together are written back together (one statement every few ms, not one each). */
  private flushSoon(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      void this.flush();
    }, FLUSH_EVERY_MS);
  }

  /** Writes back what finished since the last write, one write at a time. */
  private flush(): Promise<void> {
    if (this.writing) return this.writing.then(() => (this.settled.length + this.failed.length > 0 ? this.flush() : undefined));
    const settled = this.settled.splice(0);
    const failed = this.failed.splice(0);
    if (settled.length + failed.length === 0) return Promise.resolve();
    this.writing = this.writeBack(settled, failed)
      .catch((error: unknown) => {
        // The leases run out and the commands are delivered again (Temporal deduplicates them).
        this.options.logger?.error({ err: error }, 'process command dispatcher: could not record deliveries');
      })
      .finally(() => {
        this.writing = null;
      });
    return this.writing;
  }

  private idle(): Promise<void> {
    if (this.woken || this.stopping) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeUp = null;
        resolve();
      }, this.pollIntervalMs);
      this.wakeUp = () => {
        clearTimeout(timer);
        this.woken = false;
        resolve();
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

  /** Marks delivered commands (in one statement) and backs off failed ones: 1 s, 2 s, 4 s … up to 5 minutes. */
  private async writeBack(settled: { command: ClaimedCommand; outcome: DeliveryOutcome }[], failed: { command: ClaimedCommand; error: string }[]): Promise<void> {
    if (settled.length > 0) {
      await this.db.$executeRaw`
        UPDATE process_command c SET delivered_at = now(), outcome = d.outcome, last_error = NULL
          FROM unnest(${settled.map((s) => s.command.id)}::bigint[], ${settled.map((s) => s.outcome)}::text[]) AS d(id, outcome)
         WHERE c.id = d.id`;
      const now = Date.now();
      for (const { command, outcome } of settled) {
        processCommandsDelivered.inc({ action: command.action, outcome });
        processCommandLag.observe({ priority: String(command.priority) }, (now - command.created_at.getTime()) / 1000);
      }
    }
    for (const { command, error } of failed) {
      processCommandFailures.inc();
      const seconds = Math.min(300, 2 ** Math.min(command.attempts - 1, 9));
      await this.db.$executeRaw`
        UPDATE process_command SET available_at = now() + make_interval(secs => ${seconds}), last_error = ${error.slice(0, 1000)}
         WHERE id = ${command.id} AND delivered_at IS NULL`;
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

  /** Delivered commands are kept a week (for operators and operation progress), then removed. */
  private async pruneNowAndThen(): Promise<void> {
    if (Date.now() - this.lastPrune < 3_600_000) return;
    this.lastPrune = Date.now();
    await this.db.$executeRaw`
      DELETE FROM process_command WHERE id IN (
        SELECT id FROM process_command WHERE delivered_at < now() - make_interval(days => ${RETENTION_DAYS}) LIMIT 50000)`;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Stable per command: Temporal recognises a repeated delivery of the same command by it. */
function requestIdOf(command: ClaimedCommand): string {
  const hex = createHash('sha256').update(`process-command:${command.id}:${command.workflow_id}:${command.created_at.toISOString()}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function waitAtMost(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([promise.then(() => undefined), timeout]).finally(() => clearTimeout(timer));
}
