/**
 * Throughput of trainhub as deployed — an `api` and a `worker` process of `src/main.ts`, a Temporal
 * dev server, the local PostgreSQL and an SMTP server — each figure beside a baseline measured in the
 * same run on the same services:
 *
 *   npm run bench:throughput -- [people=1000] [concurrency=16]
 *
 * 1. Onboarding end to end (hire accepted → assignments → welcome e-mail delivered → process waiting
 *    on its reminder timer), hires posted through the API `concurrency` at a time; against no-op
 *    workflows started as fast, with a worker of their own, on the same server. Reports history
 *    events per onboarding and each process's CPU per item.
 * 2. Completions posted one by one (`concurrency` at a time), against bare single-row INSERTs of the
 *    same rows into a table of the same shape; then everyone's two other courses as batches of up to
 *    1,000 (POST /completions/batch), against one multi-row INSERT per batch.
 * 3. Reads, open loop (requests sent on a fixed schedule, latency counted from the scheduled time):
 *    compliance and assignments at READ_RATE req/s (default 200) for READ_SECONDS (default 20), after
 *    a warm-up of the same load, with the API's CPU per request beside `GET /health/db`'s. Then the
 *    most the API answers (closed loop, 32 in flight) with one process and with two
 *    (API_PROCESSES=2), and how the machine's two cores were shared meanwhile.
 * 4. The worker's memory after the onboarding, with WORKER_CACHED_WORKFLOWS (default 1000) as the
 *    workflow cache's bound.
 *
 * Uses DATABASE_URL (default: the local trainhub database) and leaves it as it found it — tenant and
 * baseline table removed, services stopped — also when a run fails or is interrupted.
 */
import { cleanUpOnce } from './lib/clean-up';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Pool } from 'pg';
import { DEFAULT_DATABASE_URL } from '../src/config';
import { createDb } from '../src/db/client';
import { startMailCatcher } from '../src/mail/catcher';
import { createApiClient } from '../src/services/identity/api-keys';
import { removeTenant } from '../src/services/identity/tenants';
import { createTemporalClient } from '../src/temporal/connection';
import { startDevServer } from '../src/temporal/dev-server';
import { cpuMs, freePort, postgresCpuMs, ServiceProcess, serviceEnv, sleep } from './lib/processes';
import { closedLoop, closedLoopFor, latencies, openLoop, perSecond } from './lib/stats';

const PEOPLE = Number(process.argv[2] ?? 1000);
const CONCURRENCY = Number(process.argv[3] ?? 16);
const READ_RATE = Number(process.env.READ_RATE ?? 200);
const READ_SECONDS = Number(process.env.READ_SECONDS ?? 20);
const WARM_UP_SECONDS = 3;
const CACHED_WORKFLOWS = process.env.WORKER_CACHED_WORKFLOWS ?? '1000';
const BATCH = 1000;
const databaseUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const db = createDb(databaseUrl);
const pool = new Pool({ connectionString: databaseUrl, max: CONCURRENCY });

const f0 = (n: number) => n.toFixed(0);
const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);

/** CPU used by each process while `run` ran, in ms. */
type Cpu = Record<'api' | 'worker' | 'baselineWorker' | 'temporal' | 'postgres' | 'bench', number>;

async function main() {
  const temporalServer = await startDevServer({ port: await freePort() });
  const client = await createTemporalClient(temporalServer.address, 'default');
  const mail = await startMailCatcher();
  const apiPort = await freePort();
  const taskQueue = `bench-${randomUUID()}`;
  const baselineQueue = `bench-noop-${randomUUID()}`;
  const tenant = await db.tenant.create({ data: { slug: `bench-${randomUUID()}`, name: 'throughput benchmark' } });
  const t = tenant.id;
  const { key } = await createApiClient(db, { tenantId: t, name: 'bench', scopes: ['hr:write', 'completions:write', 'people:read'] });
  const env = (processes: number) =>
    serviceEnv(
      { databaseUrl, temporalAddress: temporalServer.address, taskQueue, port: apiPort },
      { SMTP_URL: mail.url, API_PROCESSES: String(processes), WORKER_CACHED_WORKFLOWS: CACHED_WORKFLOWS },
    );
  // BENCH_PROFILE=<dir>: the API and the worker write V8 CPU profiles there when they stop (with
  // BENCH_ONLY=onboarding, the run ends after the onboarding phase).
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  let api = new ServiceProcess(['src/main.ts', 'api'], env(1), profile);
  const worker = new ServiceProcess(['src/main.ts', 'worker'], env(1), profile);
  const baselineWorker = new ServiceProcess(['bench/lib/noop-worker.ts'], { TEMPORAL_ADDRESS: temporalServer.address, TEMPORAL_TASK_QUEUE: baselineQueue });

  const cpu = (): Cpu => {
    const bench = process.cpuUsage();
    return {
      api: api.cpuMs(),
      worker: worker.cpuMs(),
      baselineWorker: baselineWorker.cpuMs(),
      temporal: cpuMs(temporalServer.pid),
      postgres: postgresCpuMs(),
      bench: (bench.user + bench.system) / 1000,
    };
  };
  const cpuPerItem = (before: Cpu, after: Cpu, items: number, which: (keyof Cpu)[]) =>
    which.map((k) => `${k} ${f2((after[k] - before[k]) / items)}`).join(', ') + ' ms CPU per item';

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`http://127.0.0.1:${apiPort}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : null;
  };

  // Everything this run made goes, whether it ends, fails or is interrupted (Ctrl-C); a step that
  // fails is reported and the others still run.
  const cleanUp = cleanUpOnce(
    (): [string, () => Promise<unknown>][] => [
      ['stopping the services', () => Promise.all([api.stop(), worker.stop(), baselineWorker.stop()])],
      ['dropping the baseline table', () => pool.query('DROP TABLE IF EXISTS bench_completion')],
      [`removing tenant ${t} (retry: node_modules/.bin/tsx bench/remove-tenant.ts ${t})`, () => removeTenant(db, t)],
      ['stopping Temporal', async () => (await client.connection.close(), await temporalServer.stop())],
      ['stopping the mail server', () => mail.stop()],
      ['closing the database connections', async () => (await pool.end(), await db.$disconnect())],
    ],
    'cleaning up before exiting',
  );

  try {
    await seedCatalog(t);
    const [{ version }] = (await db.$queryRaw<{ version: string }[]>`SELECT current_setting('server_version') AS version`) as [{ version: string }];
    const info = await client.workflowService.getSystemInfo({});
    console.log(`throughput: ${PEOPLE} people, ${CONCURRENCY} at a time; PostgreSQL ${version}, Temporal server ${info.serverVersion}; worker cache ${CACHED_WORKFLOWS} workflows\n`);

    api.start();
    worker.start();
    baselineWorker.start();
    await Promise.all([ready(api, () => fetch(`http://127.0.0.1:${apiPort}/health`)), polled(client, taskQueue), polled(client, baselineQueue)]);
    const idleWorkerMiB = worker.rssMiB();

    // 1a. Baseline: no-op workflows started as fast, run by a worker of their own.
    let before = cpu();
    const baselineStarted = Date.now();
    await closedLoop(PEOPLE, CONCURRENCY, (i) => client.workflow.start('benchNoop', { workflowId: `${baselineQueue}-${i}`, taskQueue: baselineQueue, args: [] }));
    const noopClosed = await waitForAll(client, `TaskQueue = "${baselineQueue}" AND ExecutionStatus = "Completed"`, PEOPLE);
    const baselineMs = Math.max(...noopClosed.map((w) => w.closeTime!.getTime())) - baselineStarted;
    let after = cpu();
    const baselineRate = perSecond(PEOPLE, baselineMs);
    const baselineEvents = await historyLength(client, `${baselineQueue}-0`);
    console.log(`baseline: no-op workflows, started → completed      ${f1(baselineRate).padStart(8)}/s  (${f0(baselineMs)} ms; ${baselineEvents} history events each)`);
    console.log(`  ${cpuPerItem(before, after, PEOPLE, ['temporal', 'baselineWorker', 'bench'])}`);
    const baselineTemporalCpu = (after.temporal - before.temporal) / PEOPLE;

    // 1b. Onboarding through the API.
    before = cpu();
    const hireStarted = Date.now();
    const hireLatency = await closedLoop(PEOPLE, CONCURRENCY, (i) =>
      call('POST', '/hr/events', {
        type: 'hire',
        eventId: `bench-hire-${i}`,
        source: 'workday',
        person: { externalId: `B${i}`, email: `b${i}@bench.example`, name: `Bench ${i}`, hireDate: new Date().toISOString().slice(0, 10), roles: ['nurse'] },
      }),
    );
    const hiresAcceptedMs = Date.now() - hireStarted;
    await waitUntil(() => mail.messages.filter((m) => m.subject.startsWith('Welcome')).length >= PEOPLE, 'every welcome e-mail');
    const onboardings = await waitForAll(client, `TrainhubTenantId = "${t}" AND ExecutionStatus = "Running"`, PEOPLE);
    const waiting = await Promise.all(onboardings.map((w) => waitingSince(client, w.workflowId)));
    const onboardingMs = Math.max(...waiting.map((w) => w.at)) - hireStarted;
    after = cpu();
    const onboardingRate = perSecond(PEOPLE, onboardingMs);
    const events = waiting.reduce((sum, w) => sum + w.events, 0) / PEOPLE;
    console.log(`onboarding: hire posted → welcome sent → waiting     ${f1(onboardingRate).padStart(8)}/s  (${f0(onboardingMs)} ms; ${f2(onboardingRate / baselineRate)}× the baseline)`);
    console.log(`  hires accepted in ${f0(hiresAcceptedMs)} ms (${f1(perSecond(PEOPLE, hiresAcceptedMs))}/s), one POST ${latencies(hireLatency)}; ${f1(events)} history events per onboarding`);
    console.log(`  ${cpuPerItem(before, after, PEOPLE, ['api', 'worker', 'temporal', 'postgres', 'bench'])} (Temporal ${f2((after.temporal - before.temporal) / PEOPLE / baselineTemporalCpu)}× a no-op workflow's)`);
    const workerMiB = worker.rssMiB();
    console.log(`  worker memory ${f0(idleWorkerMiB)} MiB idle, ${f0(workerMiB)} MiB holding ${PEOPLE} waiting processes (cache bound ${CACHED_WORKFLOWS}): ${f0(((workerMiB - idleWorkerMiB) / PEOPLE) * 1000)} MiB per 1,000`);
    if (process.env.BENCH_ONLY === 'onboarding') return;

    await settled(worker, taskQueue);

    // 2. Completions, one by one and in batches, against bare INSERTs of the same rows.
    const people = (await db.person.findMany({ where: { tenantId: t }, select: { id: true, externalId: true }, orderBy: { externalId: 'asc' } })).map((p) => p.id);
    const courses = await db.course.findMany({ where: { tenantId: t }, select: { id: true, key: true } });
    const courseId = (k: string) => courses.find((c) => c.key === k)!.id;
    await pool.query('CREATE TABLE bench_completion (LIKE completion INCLUDING DEFAULTS INCLUDING INDEXES)');
    const completedAt = new Date(Date.now() - 3_600_000).toISOString();
    const bareRow = (i: number, course: string, tag: string) => [randomUUID(), t, 'bench', `${tag}-${i}`, people[i % people.length], courseId(course), completedAt];
    const INSERT = 'INSERT INTO bench_completion (id, tenant_id, source, external_id, person_id, course_id, passed, completed_at) VALUES ($1, $2, $3, $4, $5, $6, true, $7)';

    before = cpu();
    let started = performance.now();
    const bareLatency = await closedLoop(PEOPLE, CONCURRENCY, (i) => pool.query(INSERT, bareRow(i, 'hipaa-basics', 'bare')));
    const bareMs = performance.now() - started;
    after = cpu();
    const bareRate = perSecond(PEOPLE, bareMs);
    console.log(`\nbaseline: single-row INSERT, ${CONCURRENCY} at a time            ${f0(bareRate).padStart(8)}/s  (one ${latencies(bareLatency)})`);
    console.log(`  ${cpuPerItem(before, after, PEOPLE, ['postgres', 'bench'])}`);

    const completion = (i: number, course: string, tag: string) => ({ source: 'bench', externalId: `${tag}-${i}`, person: { id: people[i % people.length] }, courseKey: course, completedAt });
    before = cpu();
    started = performance.now();
    const singleLatency = await closedLoop(PEOPLE, CONCURRENCY, (i) => call('POST', '/completions', completion(i, 'hipaa-basics', 'single')));
    const singleMs = performance.now() - started;
    after = cpu();
    const singleRate = perSecond(PEOPLE, singleMs);
    console.log(`completions: POST /completions, ${CONCURRENCY} at a time           ${f0(singleRate).padStart(8)}/s  (${f2(singleRate / bareRate)}× the baseline; one ${latencies(singleLatency)})`);
    console.log(`  ${cpuPerItem(before, after, PEOPLE, ['api', 'worker', 'postgres', 'temporal', 'bench'])}`);
    // What 0.1× would allow: every process's CPU per completion together, on all of the machine's cores.
    const wakeUpMs = (after.temporal - before.temporal + after.worker - before.worker) / PEOPLE;
    console.log(`  0.1× the baseline leaves ${f1((os.availableParallelism() * 1000) / (0.1 * bareRate))} ms of CPU per completion on ${os.availableParallelism()} cores; waking the person's process alone took ${f1(wakeUpMs)} (Temporal + worker)`);

    await settled(worker, taskQueue);
    // Each person's two remaining courses: a batch names most people twice (recomputed once each).
    const BATCH_ITEMS = 2 * PEOPLE;
    const batchCourse = (k: number) => (k < PEOPLE ? 'infection-control' : 'hand-hygiene');
    const batches = Math.ceil(BATCH_ITEMS / BATCH);
    const batchItems = (b: number) => Array.from({ length: Math.min(BATCH, BATCH_ITEMS - b * BATCH) }, (_, j) => b * BATCH + j);
    // A running API has taken batches before: one of a course outside every program warms the path up, uncounted.
    const warmUp = Array.from({ length: 100 }, (_, k) => completion(k, 'orientation', 'warm-up'));
    await call('POST', '/completions/batch', { completions: warmUp });
    await settled(worker, taskQueue);
    before = cpu();
    started = performance.now();
    for (let b = 0; b < batches; b++) {
      const rows = batchItems(b).map((k) => bareRow(k, batchCourse(k), 'bare-batch'));
      const columns = [0, 3, 4, 5].map((c) => rows.map((r) => r[c]));
      await pool.query(
        `INSERT INTO bench_completion (id, tenant_id, source, external_id, person_id, course_id, passed, completed_at)
         SELECT id, $5, 'bench', external_id, person_id, course_id, true, $6 FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::uuid[]) AS r(id, external_id, person_id, course_id)`,
        [...columns, t, completedAt],
      );
    }
    const bareBatchMs = performance.now() - started;
    after = cpu();
    const bareBatchRate = perSecond(BATCH_ITEMS, bareBatchMs);
    console.log(`baseline: multi-row INSERTs of up to ${BATCH} rows          ${f0(bareBatchRate).padStart(8)}/s  (${BATCH_ITEMS} rows, ${batches} statements)`);

    before = cpu();
    started = performance.now();
    for (let b = 0; b < batches; b++) {
      const answer = await call('POST', '/completions/batch', { completions: batchItems(b).map((k) => completion(k, batchCourse(k), 'batch')) });
      const refused = answer.results.filter((r: { status: string }) => r.status === 'rejected');
      if (refused.length > 0) throw new Error(`batch refused ${refused.length} completions: ${JSON.stringify(refused[0])}`);
    }
    const batchMs = performance.now() - started;
    after = cpu();
    const batchRate = perSecond(BATCH_ITEMS, batchMs);
    console.log(`completions: POST /completions/batch of up to ${BATCH}   ${f0(batchRate).padStart(8)}/s  (${f2(batchRate / bareBatchRate)}× the baseline; ${batches} requests, ${f0(batchMs / batches)} ms each)`);
    console.log(`  ${cpuPerItem(before, after, BATCH_ITEMS, ['api', 'postgres', 'temporal'])}`);

    await settled(worker, taskQueue);

    // 3. Reads, open loop, each after a warm-up of the same load (a running API has compiled its code and prepared its statements).
    const get = async (path: string, authorised: boolean) => {
      const response = await fetch(`http://127.0.0.1:${apiPort}${path}`, { headers: authorised ? { authorization: `Bearer ${key}` } : {} });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`${path}: ${response.status}`);
    };
    const compliance = (i: number) => `/api/v1/people/${people[i % people.length]}/compliance`;
    const assignments = (i: number) => `/api/v1/people/${people[i % people.length]}/assignments`;
    const reads = async (label: string, rate: number, path: (i: number) => string, authorised: boolean) => {
      await openLoop(rate * WARM_UP_SECONDS, rate, (i) => get(path(i), authorised));
      const count = rate * READ_SECONDS;
      const b = cpu();
      const { latencies: measured, late } = await openLoop(count, rate, (i) => get(path(i), authorised));
      const a = cpu();
      console.log(`  ${label.padEnd(46)} ${rate} req/s: ${latencies(measured)}; API ${f2((a.api - b.api) / count)} ms CPU per request, PostgreSQL ${f2((a.postgres - b.postgres) / count)}${late ? `; ${late} sent late by the client` : ''}`);
      return (a.api - b.api) / count;
    };
    // The most one API of `processes` processes answers: requests 32 at a time, each sent as another ends.
    const ceiling = async (label: string, processes: number, path: (i: number) => string) => {
      await closedLoopFor(WARM_UP_SECONDS * 1000, 32, (i) => get(path(i), true));
      const b = cpu();
      const started = performance.now();
      const measured = await closedLoopFor(READ_SECONDS * 1000, 32, (i) => get(path(i), true));
      const ms = performance.now() - started;
      const a = cpu();
      const rate = perSecond(measured.length, ms);
      const busy = (name: keyof Cpu) => `${name} ${f0(((a[name] - b[name]) / ms) * 100)} %`;
      console.log(`  ${label.padEnd(30)} ${processes} API process${processes > 1 ? 'es' : ''}: ${f0(rate).padStart(5)} req/s (${latencies(measured)}); busy, in % of one core: ${(['api', 'postgres', 'worker', 'temporal', 'bench'] as const).map(busy).join(', ')}`);
      return rate;
    };
    console.log(`\nreads, open loop for ${READ_SECONDS} s each after ${WARM_UP_SECONDS} s of warm-up, one API process:`);
    const healthCpu = await reads('GET /health/db (baseline)', READ_RATE, () => '/health/db', false);
    const complianceCpu = await reads('GET /people/:id/compliance', READ_RATE, compliance, true);
    const assignmentsCpu = await reads('GET /people/:id/assignments', READ_RATE, assignments, true);
    console.log(`  API CPU per read: compliance ${f2(complianceCpu / healthCpu)}×, assignments ${f2(assignmentsCpu / healthCpu)}× /health/db's`);
    console.log(`reads, closed loop (32 in flight) for ${READ_SECONDS} s: the most an API answers on this machine`);
    const oneCompliance = await ceiling('GET /people/:id/compliance', 1, compliance);
    const oneAssignments = await ceiling('GET /people/:id/assignments', 1, assignments);

    await api.stop();
    await settled(worker, taskQueue);
    api = new ServiceProcess(['src/main.ts', 'api'], env(2), profile);
    api.start();
    await ready(api, () => fetch(`http://127.0.0.1:${apiPort}/health`));
    const twoCompliance = await ceiling('GET /people/:id/compliance', 2, compliance);
    const twoAssignments = await ceiling('GET /people/:id/assignments', 2, assignments);
    console.log(`  two API processes answer ${f2(twoCompliance / oneCompliance)}× (compliance) and ${f2(twoAssignments / oneAssignments)}× (assignments) what one does`);
  } catch (error) {
    for (const p of [api, worker, baselineWorker]) if (p.lastError) console.error(`${p.command.join(' ')}:\n${p.lastError}`);
    throw error;
  } finally {
    await cleanUp();
  }
}

/** The demo's nurse: privacy (one course) and clinical safety (two), both mandatory. */
async function seedCatalog(tenantId: string) {
  const nurse = await db.role.create({ data: { tenantId, key: 'nurse', name: 'Nurse' } });
  const programs = [
    { key: 'privacy', courses: ['hipaa-basics'], dueOffsetDays: 14 },
    { key: 'clinical-safety', courses: ['infection-control', 'hand-hygiene'], dueOffsetDays: 30 },
  ];
  for (const p of programs) {
    const program = await db.program.create({ data: { tenantId, key: p.key, title: p.key } });
    for (const [position, courseKey] of p.courses.entries()) {
      const course = await db.course.create({ data: { tenantId, key: courseKey, title: courseKey } });
      await db.programCourse.create({ data: { tenantId, programId: program.id, courseId: course.id, position } });
    }
    await db.requirement.create({ data: { tenantId, roleId: nurse.id, programId: program.id, dueOffsetDays: p.dueOffsetDays } });
  }
  // Part of no program (an optional video): its completions change no assignment.
  await db.course.create({ data: { tenantId, key: 'orientation', title: 'orientation' } });
}

/** Until the process commands are delivered and the worker is idle (under 5 % of a core for a second): the next phase starts on a quiet machine. */
async function settled(worker: ServiceProcess, taskQueue: string): Promise<void> {
  await waitUntil(async () => {
    const [{ pending }] = (await db.$queryRaw<{ pending: bigint }[]>`
      SELECT count(*) AS pending FROM process_command WHERE task_queue = ${taskQueue} AND delivered_at IS NULL`) as [{ pending: bigint }];
    if (pending > 0n) return false;
    const before = worker.cpuMs();
    await sleep(1_000);
    return worker.cpuMs() - before < 50;
  }, 'the worker to be idle');
}

async function waitUntil(done: () => boolean | Promise<boolean>, what: string, timeoutMs = 30 * 60_000): Promise<void> {
  const by = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > by) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function ready(service: ServiceProcess, probe: () => Promise<Response>): Promise<void> {
  await waitUntil(async () => {
    if (!service.alive) throw new Error(`${service.command.join(' ')} exited:\n${service.lastError}`);
    return probe().then((r) => r.ok, () => false);
  }, `${service.command.join(' ')} to answer`, 120_000);
}

/** A worker is ready once it polls its task queue. */
async function polled(client: Awaited<ReturnType<typeof createTemporalClient>>, taskQueue: string): Promise<void> {
  await waitUntil(async () => {
    const described = await client.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW });
    return (described.pollers?.length ?? 0) > 0;
  }, `a worker on ${taskQueue}`, 120_000);
}

async function waitForAll(client: Awaited<ReturnType<typeof createTemporalClient>>, query: string, count: number): Promise<WorkflowExecutionInfo[]> {
  await waitUntil(async () => (await client.workflow.count(query)).count >= count, query);
  const all: WorkflowExecutionInfo[] = [];
  for await (const info of client.workflow.list({ query })) all.push(info);
  return all;
}

async function historyLength(client: Awaited<ReturnType<typeof createTemporalClient>>, workflowId: string): Promise<number> {
  return (await client.workflow.getHandle(workflowId).fetchHistory()).events?.length ?? 0;
}

/** When a training process started waiting (its reminder timer set, after the welcome), and its history's length then. */
async function waitingSince(client: Awaited<ReturnType<typeof createTemporalClient>>, workflowId: string): Promise<{ at: number; events: number }> {
  for (;;) {
    const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    const timer = events.findIndex((e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_TIMER_STARTED);
    if (timer >= 0) {
      const time = events[timer]!.eventTime!;
      return { at: Number(time.seconds) * 1000 + Math.floor((time.nanos ?? 0) / 1e6), events: timer + 1 };
    }
    await sleep(200);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
