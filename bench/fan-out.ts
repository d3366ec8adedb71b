/**
 * How fast a matrix change wakes everyone it concerns, and how far delivery lags behind commits under
 * a steady stream of changes — each beside a baseline measured in the same run, on the same Temporal
 * server:
 *
 *   node_modules/.bin/tsx bench/fan-out.ts [people=10000] [changesPerSecond=200] [seconds=30]
 *
 * 1. Baseline: a plain client loop signal-with-starting `people` no-op workflows, 32 at a time (the
 *    dispatcher's concurrency), each with its own id and the search attributes the dispatcher sets —
 *    run before and after the fan-out, since the server slows as it fills.
 * 2. A matrix change for `people` nurses: its operation's set-based step (the sync and the queued
 *    wake-ups, one transaction), then its fan-out through the dispatcher (signal-with-start of every
 *    person's training process), timed from the first delivery to the last.
 * 3. A steady `changesPerSecond` record changes for `seconds` (open loop: each is written at its
 *    scheduled time, whether or not earlier ones are done), each a transaction with an audit row and a
 *    wake-up command; commit-to-delivery lag from the commands' own timestamps.
 * TEMPORAL_DB_FILE=<path> keeps the dev server's state on disk (needed for 100,000 people).
 * BASELINE_AFTER=0 skips the second baseline and `seconds`=0 the steady stream (a 100,000-person run
 * takes long enough without them).
 * No worker runs: both the baseline and the fan-out measure what Temporal accepts, not the processing
 * of the started workflows (that is the onboarding benchmark's business).
 *
 * Starts its own in-memory Temporal dev server (TEMPORAL_ADDRESS to use another); uses DATABASE_URL
 * (default: the local trainhub database) and leaves it as it found it.
 */
import { cleanUpOnce } from './lib/clean-up';
import { randomUUID } from 'node:crypto';
import { DEFAULT_DATABASE_URL } from '../src/config';
import { createDb } from '../src/db/client';
import { removeTenant } from '../src/services/identity/tenants';
import { applyMatrixChange, changeTrainingMatrix } from '../src/services/onboarding/matrix-changes';
import { queueProcessCommands, wakeTrainingProcess } from '../src/services/processes/commands';
import { pendingWakeUps } from '../src/services/processes/operations';
import { createTemporalClient } from '../src/temporal/connection';
import { startDevServer } from '../src/temporal/dev-server';
import { ProcessCommandDispatcher } from '../src/temporal/dispatcher';
import { PERSON_ID, TENANT_ID } from '../src/temporal/search-attributes';
import { openLoop, percentile } from './lib/stats';

const people = Number(process.argv[2] ?? 10_000);
const changesPerSecond = Number(process.argv[3] ?? 200);
const seconds = Number(process.argv[4] ?? 30);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const databaseUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const db = createDb(databaseUrl);

const rate = (count: number, ms: number) => Math.round((count / ms) * 1000);
function line(label: string, ms: number, count: number, unit: string) {
  console.log(`${label.padEnd(62)} ${ms.toFixed(0).padStart(8)} ms  ${count.toString().padStart(7)} ${unit.padEnd(10)} ${rate(count, ms).toString().padStart(6)}/s`);
}

async function main() {
  const port = 17_000 + Math.floor(Math.random() * 1000);
  // TEMPORAL_DB_FILE keeps the dev server's state in a file: in memory, 100,000 waiting workflows and as many
  // no-op ones (never run: no worker) took over 22 GiB.
  const dbFile = process.env.TEMPORAL_DB_FILE;
  const server = process.env.TEMPORAL_ADDRESS ? null : await startDevServer({ port, ...(dbFile ? { dbFile } : {}) });
  const client = await createTemporalClient(process.env.TEMPORAL_ADDRESS ?? server!.address, 'default');
  const tenant = await db.tenant.create({ data: { slug: `bench-${randomUUID()}`, name: 'fan-out benchmark' } });
  const t = tenant.id;
  const taskQueue = `bench-fan-out-${randomUUID()}`;
  const dispatcher = new ProcessCommandDispatcher(db, client, { taskQueue, databaseUrl, concurrency: CONCURRENCY, pollIntervalMs: Number(process.env.BENCH_POLL_MS ?? 1000) });
  // Everything this run made goes, whether it ends, fails or is interrupted (Ctrl-C).
  const cleanUp = cleanUpOnce(
    (): [string, () => Promise<unknown>][] => [
      ['stopping the dispatcher', () => dispatcher.stop()],
      [`removing tenant ${t} (retry: node_modules/.bin/tsx bench/remove-tenant.ts ${t})`, () => removeTenant(db, t)],
      ['stopping Temporal', async () => (await client.connection.close(), await server?.stop())],
      ['closing the database connections', () => db.$disconnect()],
    ],
    'cleaning up before exiting',
  );
  try {
    await db.$executeRaw`INSERT INTO role (id, tenant_id, key, name) VALUES (gen_random_uuid(), ${t}::uuid, 'nurse', 'Nurse')`;
    await db.$executeRaw`INSERT INTO course (id, tenant_id, key, title) VALUES (gen_random_uuid(), ${t}::uuid, 'c1', 'Course 1')`;
    await db.$executeRaw`INSERT INTO program (id, tenant_id, key, title) VALUES (gen_random_uuid(), ${t}::uuid, 'p1', 'Program 1')`;
    await db.$executeRaw`INSERT INTO program_course (tenant_id, program_id, course_id, position)
      SELECT ${t}::uuid, p.id, c.id, 0 FROM program p, course c WHERE p.tenant_id = ${t}::uuid AND c.tenant_id = ${t}::uuid`;
    await db.$executeRaw`INSERT INTO person (id, tenant_id, source, external_id, email, name, hire_date, updated_at)
      SELECT gen_random_uuid(), ${t}::uuid, 'bench', 'E' || n, 'e' || n || '@bench.example', 'Person ' || n, current_date, now() FROM generate_series(1, ${people}::int) n`;
    await db.$executeRaw`INSERT INTO person_role (tenant_id, person_id, role_id, since)
      SELECT ${t}::uuid, p.id, r.id, now() FROM person p, role r WHERE p.tenant_id = ${t}::uuid AND r.tenant_id = ${t}::uuid`;
    await db.$executeRaw`ANALYZE person`;
    const [{ version }] = (await db.$queryRaw<{ version: string }[]>`SELECT current_setting('server_version') AS version`) as [{ version: string }];
    const info = await client.workflowService.getSystemInfo({});
    console.log(`fan-out of a matrix change to ${people} people; PostgreSQL ${version}, Temporal server ${info.serverVersion}, ${CONCURRENCY} in flight`);

    // 1. Baseline: what the server takes from a plain loop (again after the fan-out: the server then holds more).
    const baseline = async (label: string) => {
      const baselineQueue = `bench-baseline-${randomUUID()}`;
      let next = 0;
      const calls: number[] = [];
      const started = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (let i = next++; i < people; i = next++) {
            const call = performance.now();
            await client.workflow.signalWithStart('benchNoop', {
              workflowId: `bench-noop-${baselineQueue}-${i}`,
              taskQueue: baselineQueue,
              args: [],
              signal: 'wake',
              signalArgs: [],
              // The same search attributes the dispatcher sets on a training process.
              typedSearchAttributes: [
                { key: TENANT_ID, value: t },
                { key: PERSON_ID, value: `bench-${i}` },
              ],
            });
            calls.push(performance.now() - call);
          }
        }),
      );
      const ms = performance.now() - started;
      line(`baseline ${label}: client loop, signal-with-start of no-op workflows`, ms, people, 'workflows');
      calls.sort((a, b) => a - b);
      console.log(`  (one call: p50 ${percentile(calls, 50).toFixed(0)} ms, p99 ${percentile(calls, 99).toFixed(0)} ms, max ${calls.at(-1)!.toFixed(0)} ms)`);
      return ms;
    };
    const before = await baseline('before');

    // 2. The matrix change, as an operation.
    const noDelivery = { taskQueue, deliverNow: async () => undefined };
    const accepted = await changeTrainingMatrix(db, noDelivery, t, { type: 'system', id: 'bench' }, {
      change: 'requirement.created',
      input: { role: 'nurse', program: 'p1', mandatory: true, dueOffsetDays: 14, dueRelativeTo: 'hire_date' },
    });
    const operationId = accepted.operation.id;
    const applyStarted = performance.now();
    const applied = await applyMatrixChange(db, taskQueue, t, operationId);
    line('operation step 1: set-based sync + queued wake-ups (one tx)', performance.now() - applyStarted, applied.processesToWake, 'wake-ups');
    const fanOutStarted = performance.now();
    dispatcher.start();
    while ((await pendingWakeUps(db, operationId)) > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    const [{ first, last }] = (await db.$queryRaw<{ first: Date; last: Date }[]>`
      SELECT min(delivered_at) AS first, max(delivered_at) AS last FROM process_command WHERE operation_id = ${operationId}::uuid AND workflow_type = 'onboarding'`) as [{ first: Date; last: Date }];
    const fanOutMs = Math.max(last.getTime() - first.getTime(), 1);
    line('operation step 2: fan-out by the dispatcher (first to last)', fanOutMs, applied.processesToWake, 'woken');
    console.log(`  (wall time from the dispatcher's start: ${(performance.now() - fanOutStarted).toFixed(0)} ms)`);
    const after = process.env.BASELINE_AFTER === '0' ? null : await baseline('after');
    console.log(
      `fan-out rate is ${(rate(people, fanOutMs) / rate(people, before)).toFixed(2)}× the baseline before it` +
        (after === null ? '' : `, ${(rate(people, fanOutMs) / rate(people, after)).toFixed(2)}× the one after it`),
    );
    if (seconds === 0) return;

    // 3. Steady changes: commit-to-delivery lag.
    const ids = (await db.person.findMany({ where: { tenantId: t }, select: { id: true }, take: 5_000 })).map((p) => p.id);
    const total = changesPerSecond * seconds;
    const firstId = (await db.$queryRaw<{ id: bigint }[]>`SELECT coalesce(max(id), 0) AS id FROM process_command`)[0]!.id;
    const steadyStarted = performance.now();
    const { late } = await openLoop(total, changesPerSecond, (i) => {
      const personId = ids[i % ids.length]!;
      return db.$transaction(async (tx) => {
        await tx.auditEvent.create({ data: { tenantId: t, actorType: 'system', actorId: 'bench', action: 'bench.change', entityType: 'person', entityId: personId } });
        await queueProcessCommands(tx, taskQueue, [wakeTrainingProcess(t, personId)]);
      });
    });
    const writingMs = performance.now() - steadyStarted;
    for (;;) {
      const [{ pending }] = (await db.$queryRaw<{ pending: bigint }[]>`
        SELECT count(*) AS pending FROM process_command WHERE id > ${firstId} AND task_queue = ${taskQueue} AND delivered_at IS NULL`) as [{ pending: bigint }];
      if (pending === 0n) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const lags = (
      await db.$queryRaw<{ ms: number }[]>`
        SELECT extract(epoch FROM delivered_at - created_at)::float8 * 1000 AS ms FROM process_command
         WHERE id > ${firstId} AND task_queue = ${taskQueue} ORDER BY 1`
    ).map((r) => r.ms);
    console.log(
      `steady ${changesPerSecond} changes/s for ${seconds} s: ${total} written in ${(writingMs / 1000).toFixed(1)} s (${rate(total, writingMs)}/s achieved, ${late} started >10 ms late); ` +
        `commit-to-delivery lag p50 ${percentile(lags, 50).toFixed(0)} ms, p99 ${percentile(lags, 99).toFixed(0)} ms, max ${lags.at(-1)!.toFixed(0)} ms`,
    );
  } finally {
    await cleanUp();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
