/**
 * HR imports (issue 12), each figure beside a baseline measured in the same run:
 *
 *   npm run bench:imports -- [people=100000] [fanOut=5000]
 *
 * 1. Up to the diff: a `people`-person snapshot, as a generic CSV and as a Workday RaaS JSON report
 *    (generated as a stream into a temporary file, then read from disk as each path runs — the floor
 *    and trainhub alike), through the real services the run's activities call —
 *    receiveImport (the file into import_chunk, hashed), stageRun (read back, parsed by the profile's
 *    reader, COPY into import_row), diffRun (set-based comparison, import_change written) — twice:
 *    a. the first import into a tenant that holds nobody (every record a hire);
 *    b. next month's snapshot against the `people` held (1 % transferred, 0.5 % gone, 0.5 % new).
 *    Beside each, the floor: the same rows as CSV through a raw `COPY` into a plain table and a
 *    set-based upsert (INSERT … ON CONFLICT DO UPDATE … WHERE changed) into a plain table keyed by
 *    external id (empty for a, holding the population for b), through pg, in this process.
 * 2. The fan-out: `fanOut` hires applied (applyImport, as the run's activity calls it: each through
 *    recordHrEvent, 8 at a time, the process commands left to the dispatcher) with this process's
 *    dispatcher delivering the per-person training processes to a Temporal dev server the script
 *    starts (in memory; no worker: what Temporal accepts is measured, not the processes' own work) —
 *    beside a client loop signal-with-starting as many no-op workflows on the same server, 32 at a
 *    time (the dispatcher's concurrency), before and after.
 * 3. Peak RSS (VmHWM) of the process that receives, stages and diffs, a child of its own per file,
 *    at 10,000 / 50,000 / 100,000 rows (RSS_SIZES), each format, the file read from disk as a stream.
 *
 * BENCH_ONLY=diff|fanout|rss runs one part. It first waits until no other benchmark runs
 * (`pgrep -f bench/`). Uses DATABASE_URL (default: the local trainhub database, migrated) and leaves
 * it as it found it — its tenants removed through `removeTenant`, its plain tables dropped — also when
 * a run fails or is interrupted (Ctrl-C).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Pool } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DEFAULT_DATABASE_URL } from '../src/config';
import { createDb, type Db } from '../src/db/client';
import { removeTenant } from '../src/services/identity/tenants';
import { applyImport } from '../src/services/imports/apply';
import { diffRun } from '../src/services/imports/diff';
import { receiveImport } from '../src/services/imports/runs';
import { stageRun } from '../src/services/imports/staging';
import { createTemporalClient } from '../src/temporal/connection';
import { startDevServer } from '../src/temporal/dev-server';
import { ProcessCommandDispatcher } from '../src/temporal/dispatcher';
import { PERSON_ID, TENANT_ID } from '../src/temporal/search-attributes';
import { cleanUpOnce } from './lib/clean-up';
import { postgresCpuMs, ROOT, sleep } from './lib/processes';
import { percentile } from './lib/stats';
import { waitForQuietMachine } from './lib/quiet-machine';

const PEOPLE = Number(process.argv[2] ?? 100_000);
const FAN_OUT = Number(process.argv[3] ?? 5_000);
const ONLY = process.env.BENCH_ONLY;
const RSS_SIZES = (process.env.RSS_SIZES ?? '10000,50000,100000').split(',').map(Number);
const CONCURRENCY = 32;
/** Options for the staging child's node, e.g. RSS_NODE_OPTIONS=--max-old-space-size=96 to show that its heap need not grow. */
const CHILD_NODE_OPTIONS = (process.env.RSS_NODE_OPTIONS ?? '').split(' ').filter(Boolean);
const databaseUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;

const f0 = (n: number) => Math.round(n).toLocaleString('en-US');
const f2 = (n: number) => n.toFixed(2);
const ms = (n: number) => `${f0(n)} ms`;
const perSecond = (count: number, millis: number) => f0((count / Math.max(millis, 1)) * 1000);

// ---------------------------------------------------------------------------------------------
// The population and its files, as streams.

type Format = 'csv' | 'workday';
const FORMATS: Format[] = ['csv', 'workday'];
const ROLES = 20;
const roleKey = (i: number) => `job-${String((i % ROLES) + 1).padStart(2, '0')}`;
/** The profile each format is read with, and the source its people are kept under (the profile's system, else its name). */
const PROFILE: Record<Format, { name: string; source: string }> = { csv: { name: 'generic-csv', source: 'generic-csv' }, workday: { name: 'workday-raas', source: 'workday' } };

interface Person {
  i: number;
  department: string;
  manager: number | null;
}

/**
 * Person i of a population of n: ten reports to a manager (0 manages 1–10, 1 manages 11–20 …), 200
 * departments, 30 sites, 20 job codes. `next` is next month's snapshot: every 100th (from 1) moved to
 * another department, every 200th (from 7) gone, n/200 new people at the end.
 */
function* population(n: number, next: boolean): Generator<Person> {
  for (let i = 0; i < n; i++) {
    if (next && i % 200 === 7) continue;
    yield { i, department: `Department ${(next && i % 100 === 1 ? i + 1 : i) % 200}`, manager: i === 0 ? null : Math.floor((i - 1) / 10) };
  }
  if (next) for (let k = 0; k < Math.floor(n / 200); k++) yield { i: n + k, department: `Department ${k % 200}`, manager: k % 1000 };
}

const HIRED = '2024-03-01';
const CSV_HEADER = 'external_id,email,name,department,location,manager_external_id,roles,hire_date,termination_date,status\n';
const csvLine = (p: Person) => `E${p.i},e${p.i}@bench.example,Person ${p.i},${p.department},Site ${p.i % 30},${p.manager === null ? '' : `E${p.manager}`},${roleKey(p.i)},${HIRED},,active\n`;
const workdayEntry = (p: Person) =>
  JSON.stringify({
    Employee_ID: `E${p.i}`,
    Worker: `Person ${p.i}`,
    Email_Address: `e${p.i}@bench.example`,
    Job_Code: roleKey(p.i).toUpperCase(),
    Supervisory_Organization: `${p.department} (Manager ${p.manager ?? 'none'})`,
    Location: `Site ${p.i % 30}`,
    ...(p.manager === null ? {} : { Manager_ID: `E${p.manager}` }),
    Hire_Date: HIRED,
    Worker_Status: 'Active',
  });

/** The file, a thousand records at a time. */
function fileStream(format: Format, n: number, next: boolean): Readable {
  return Readable.from(
    (function* () {
      let batch: string[] = [format === 'csv' ? CSV_HEADER : '{"Report_Entry":[\n'];
      let first = true;
      for (const person of population(n, next)) {
        batch.push(format === 'csv' ? csvLine(person) : `${first ? '' : ',\n'}${workdayEntry(person)}`);
        first = false;
        if (batch.length >= 1_000) {
          yield batch.join('');
          batch = [];
        }
      }
      if (format === 'workday') batch.push('\n]}\n');
      yield batch.join('');
    })(),
    { objectMode: false },
  );
}

// ---------------------------------------------------------------------------------------------
// Tenants, and what the clean-up removes.

const tenants: string[] = [];
const plainTables = ['bench_import_raw', 'bench_import_person'];
const NO_DELIVERY = (tenantId: string) => ({ taskQueue: `bench-imports-idle-${tenantId}`, deliverNow: async () => undefined });

async function newTenant(db: Db, label: string): Promise<string> {
  const tenant = await db.tenant.create({ data: { slug: `bench-imports-${label}-${randomUUID()}`, name: `Imports benchmark (${label})` } });
  tenants.push(tenant.id);
  await db.$executeRaw`INSERT INTO role (id, tenant_id, key, name)
    SELECT gen_random_uuid(), ${tenant.id}::uuid, 'job-' || lpad(n::text, 2, '0'), 'Job ' || n FROM generate_series(1, ${ROLES}::int) n`;
  return tenant.id;
}

/** receive → stage → diff, each timed; the run's own process is never started (its start command waits on a queue no one serves). */
async function toTheDiff(db: Db, tenantId: string, format: Format, content: Readable, mode: 'snapshot' | 'delta') {
  const t0 = performance.now();
  const { run } = await receiveImport(db, NO_DELIVERY(tenantId), { type: 'system', id: 'bench' }, { tenantId, profileName: PROFILE[format].name, mode, source: 'bench', content });
  const t1 = performance.now();
  const staged = await stageRun(db, tenantId, run.id);
  const t2 = performance.now();
  const diffed = await diffRun(db, tenantId, run.id);
  const t3 = performance.now();
  if (staged.state !== 'diffing' || !['applying', 'awaiting_confirmation'].includes(diffed.state)) throw new Error(`the run ended ${staged.state} / ${diffed.state}`);
  const counts = (await db.importRun.findUniqueOrThrow({ where: { id: run.id }, select: { counts: true, toApply: true, sizeBytes: true } }));
  return { runId: run.id, receive: t1 - t0, stage: t2 - t1, diff: t3 - t2, total: t3 - t0, counts: counts.counts as Record<string, number>, toApply: counts.toApply, bytes: Number(counts.sizeBytes) };
}

/** What the first import, once applied, leaves in trainhub: the people, their roles and managers (set-based, not timed). */
async function holdPopulation(db: Db, tenantId: string, source: string, n: number): Promise<void> {
  await db.$executeRaw`INSERT INTO person (id, tenant_id, source, external_id, email, name, department, location, manager_external_id, hire_date, status, updated_at)
    SELECT gen_random_uuid(), ${tenantId}::uuid, ${source}, 'E' || i, 'e' || i || '@bench.example', 'Person ' || i, 'Department ' || (i % 200), 'Site ' || (i % 30),
           CASE WHEN i > 0 THEN 'E' || ((i - 1) / 10) END, ${HIRED}::date, 'active', now()
      FROM generate_series(0, ${n - 1}::int) i`;
  // Fresh statistics first: with none, the self-join below is planned as a nested loop (minutes at 100,000).
  await db.$executeRawUnsafe('ANALYZE person');
  await db.$executeRaw`UPDATE person p SET manager_id = m.id FROM person m
     WHERE p.tenant_id = ${tenantId}::uuid AND m.tenant_id = ${tenantId}::uuid AND m.source = p.source AND m.external_id = p.manager_external_id`;
  await db.$executeRaw`INSERT INTO person_role (tenant_id, person_id, role_id, since)
    SELECT ${tenantId}::uuid, p.id, r.id, now() FROM person p
      JOIN role r ON r.tenant_id = p.tenant_id AND r.key = 'job-' || lpad(((substr(p.external_id, 2)::int % ${ROLES}) + 1)::text, 2, '0')
     WHERE p.tenant_id = ${tenantId}::uuid`;
  await db.$executeRawUnsafe('VACUUM ANALYZE person, person_role');
}

// ---------------------------------------------------------------------------------------------
// 1. Up to the diff, beside COPY + upsert.

async function baseline(pool: Pool, n: number, next: boolean, holding: boolean, csvFile: string) {
  const client = await pool.connect();
  try {
    await client.query('DROP TABLE IF EXISTS bench_import_raw, bench_import_person');
    await client.query(`CREATE TABLE bench_import_raw (external_id text, email text, name text, department text, location text, manager_external_id text,
                          roles text, hire_date date, termination_date date, status text)`);
    await client.query(`CREATE TABLE bench_import_person (external_id text PRIMARY KEY, email text, name text, department text, location text,
                          manager_external_id text, roles text[], hire_date date, termination_date date, status text)`);
    if (holding) {
      await pipeline(fileStream('csv', n, false), client.query(copyFrom(`COPY bench_import_raw FROM STDIN WITH (FORMAT csv, HEADER true)`)));
      await client.query(`INSERT INTO bench_import_person SELECT external_id, email, name, department, location, manager_external_id, string_to_array(roles, ';'),
                            hire_date, termination_date, status FROM bench_import_raw`);
      await client.query('TRUNCATE bench_import_raw');
      await client.query('VACUUM ANALYZE bench_import_person');
    }
    const t0 = performance.now();
    await pipeline(createReadStream(csvFile), client.query(copyFrom(`COPY bench_import_raw FROM STDIN WITH (FORMAT csv, HEADER true)`)));
    const t1 = performance.now();
    const upserted = await client.query(`
      INSERT INTO bench_import_person AS p
      SELECT external_id, email, name, department, location, manager_external_id, string_to_array(roles, ';'), hire_date, termination_date, status FROM bench_import_raw
      ON CONFLICT (external_id) DO UPDATE SET email = excluded.email, name = excluded.name, department = excluded.department, location = excluded.location,
             manager_external_id = excluded.manager_external_id, roles = excluded.roles, hire_date = excluded.hire_date, termination_date = excluded.termination_date,
             status = excluded.status
       WHERE (p.email, p.name, p.department, p.location, p.manager_external_id, p.roles, p.hire_date, p.termination_date, p.status)
             IS DISTINCT FROM (excluded.email, excluded.name, excluded.department, excluded.location, excluded.manager_external_id, excluded.roles,
                               excluded.hire_date, excluded.termination_date, excluded.status)`);
    const t2 = performance.now();
    return { copy: t1 - t0, upsert: t2 - t1, total: t2 - t0, upserted: upserted.rowCount ?? 0 };
  } finally {
    await client.query('DROP TABLE IF EXISTS bench_import_raw, bench_import_person').catch(() => undefined);
    client.release();
  }
}

async function upToTheDiff(db: Db, pool: Pool) {
  console.log(`\n1. up to the diff: a ${f0(PEOPLE)}-person snapshot (receive → stage → diff), beside COPY + upsert of the same rows`);
  // Warm-up, uncounted: modules, statements and connections ready for both formats.
  for (const format of FORMATS) {
    const tenantId = await newTenant(db, `warm-up-${format}`);
    await toTheDiff(db, tenantId, format, fileStream(format, 1_000, false), 'snapshot');
    await removeTenant(db, tenantId);
    tenants.splice(tenants.indexOf(tenantId), 1);
  }
  // The files are written first and read from disk as each path runs, as an upload's bytes arrive.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-imports-'));
  const fileOf = async (format: Format, next: boolean) => {
    const file = path.join(dir, `${next ? 'next' : 'first'}.${format === 'csv' ? 'csv' : 'json'}`);
    await pipeline(fileStream(format, PEOPLE, next), createWriteStream(file));
    return file;
  };
  try {
    await measureUpToTheDiff(db, pool, fileOf);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measureUpToTheDiff(db: Db, pool: Pool, fileOf: (format: Format, next: boolean) => Promise<string>) {
  const rows = streamTable(['', 'path', 'receive/COPY', 'stage/upsert', 'diff', 'total', 'vs floor', 'what it found'], [30, 34, 12, 12, 9, 9, 8, 0], [2, 6]);
  for (const [label, next] of [['a. first import (nobody held)', false], [`b. next snapshot (${f0(PEOPLE)} held)`, true]] as const) {
    const files = { csv: await fileOf('csv', next), workday: await fileOf('workday', next) };
    const floor = await baseline(pool, PEOPLE, next, next, files.csv);
    rows.push([label, 'COPY + upsert (plain tables)', ms(floor.copy), ms(floor.upsert), '', ms(floor.total), '1×', `${f0(floor.upserted)} rows upserted`]);
    for (const format of FORMATS) {
      const tenantId = await newTenant(db, format);
      if (next) await holdPopulation(db, tenantId, PROFILE[format].source, PEOPLE);
      const pgBefore = postgresCpuMs();
      const cpuBefore = process.cpuUsage();
      const run = await toTheDiff(db, tenantId, format, createReadStream(files[format]), 'snapshot');
      const cpu = process.cpuUsage(cpuBefore);
      const pgCpu = postgresCpuMs() - pgBefore;
      const c = run.counts;
      rows.push([
        '',
        `trainhub, ${format === 'csv' ? 'generic CSV' : 'Workday JSON'} (${(run.bytes / 1024 / 1024).toFixed(1)} MiB)`,
        ms(run.receive),
        ms(run.stage),
        ms(run.diff),
        ms(run.total),
        `${f2(floor.total / run.total)}×`,
        `created ${f0(c.created ?? 0)}, updated ${f0(c.updated ?? 0)}, terminated ${f0(c.terminated ?? 0)}, unchanged ${f0(c.unchanged ?? 0)}, rejected ${f0(c.rejected ?? 0)}; ` +
          `CPU: node ${f0((cpu.user + cpu.system) / 1000)} ms, postgres ${f0(pgCpu)} ms`,
      ]);
      await removeTenant(db, tenantId);
      tenants.splice(tenants.indexOf(tenantId), 1);
      // Untimed: what the removal left for autovacuum is cleared now, not during the next measurement.
      await db.$executeRawUnsafe('VACUUM ANALYZE person, person_role, import_row, import_change, import_chunk');
    }
  }
}

/** A table printed a row at a time (as each is measured), columns `widths` wide; columns from `right` on are right-aligned up to the last. */
function streamTable(header: string[], widths: number[], right: [number, number]): { push(row: string[]): void } {
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i >= right[0] && i <= right[1] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ')}`.trimEnd();
  console.log(line(header));
  return { push: (row) => console.log(line(row)) };
}

// ---------------------------------------------------------------------------------------------
// 2. The fan-out.

async function fanOut(db: Db) {
  const port = 17_000 + Math.floor(Math.random() * 1000);
  const server = await startDevServer({ port });
  const client = await createTemporalClient(server.address, 'default');
  const taskQueue = `bench-imports-${randomUUID()}`;
  const dispatcher = new ProcessCommandDispatcher(db, client, { taskQueue, databaseUrl, concurrency: CONCURRENCY });
  try {
    const info = await client.workflowService.getSystemInfo({});
    console.log(`\n2. the fan-out: ${f0(FAN_OUT)} hires applied; Temporal dev server ${info.serverVersion} (in memory), ${CONCURRENCY} deliveries in flight, no worker`);
    const noops = async (label: string) => {
      const queue = `bench-noop-${randomUUID()}`;
      let next = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (let i = next++; i < FAN_OUT; i = next++) {
            await client.workflow.signalWithStart('benchNoop', {
              workflowId: `bench-noop-${queue}-${i}`,
              taskQueue: queue,
              args: [],
              signal: 'wake',
              signalArgs: [],
              typedSearchAttributes: [
                { key: TENANT_ID, value: 'bench' },
                { key: PERSON_ID, value: `bench-${i}` },
              ],
            });
          }
        }),
      );
      const took = performance.now() - started;
      console.log(`  baseline ${label}: client loop, signal-with-start of ${f0(FAN_OUT)} no-op workflows: ${ms(took)}, ${perSecond(FAN_OUT, took)}/s`);
      return took;
    };
    const before = await noops('before');

    const tenantId = await newTenant(db, 'fan-out');
    // One program each role requires: every hire gets an assignment (and a welcome, once its process runs).
    await db.$executeRaw`INSERT INTO course (id, tenant_id, key, title) VALUES (gen_random_uuid(), ${tenantId}::uuid, 'c1', 'Course 1')`;
    await db.$executeRaw`INSERT INTO program (id, tenant_id, key, title) VALUES (gen_random_uuid(), ${tenantId}::uuid, 'p1', 'Program 1')`;
    await db.$executeRaw`INSERT INTO program_course (tenant_id, program_id, course_id, position)
      SELECT ${tenantId}::uuid, p.id, c.id, 0 FROM program p, course c WHERE p.tenant_id = ${tenantId}::uuid AND c.tenant_id = ${tenantId}::uuid`;
    await db.$executeRaw`INSERT INTO requirement (id, tenant_id, role_id, program_id, due_offset_days, mandatory)
      SELECT gen_random_uuid(), ${tenantId}::uuid, r.id, p.id, 30, true FROM role r, program p WHERE r.tenant_id = ${tenantId}::uuid AND p.tenant_id = ${tenantId}::uuid`;
    const run = await toTheDiff(db, tenantId, 'csv', fileStream('csv', FAN_OUT, false), 'snapshot');
    console.log(`  receive → stage → diff of the ${f0(FAN_OUT)}-person file: ${ms(run.total)} (${f0(run.toApply)} hires to apply)`);

    dispatcher.start();
    const firstCommand = (await db.$queryRaw<{ id: bigint }[]>`SELECT coalesce(max(id), 0) AS id FROM process_command`)[0]!.id;
    const cpuBefore = process.cpuUsage();
    const pgBefore = postgresCpuMs();
    const started = performance.now();
    const startedAt = new Date();
    const step = await applyImport(db, { taskQueue, deliverNow: async () => undefined }, { tenantId, runId: run.runId, at: Date.now() });
    const applied = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const pgCpu = postgresCpuMs() - pgBefore;
    if (step.state !== 'completed') throw new Error(`the apply ended ${step.state}`);
    for (;;) {
      const [{ pending }] = (await db.$queryRaw<{ pending: bigint }[]>`
        SELECT count(*) AS pending FROM process_command WHERE id > ${firstCommand} AND task_queue = ${taskQueue} AND delivered_at IS NULL`) as [{ pending: bigint }];
      if (pending === 0n) break;
      await sleep(100);
    }
    const all = performance.now() - started;
    const [delivered] = (await db.$queryRaw<{ n: number; first: Date; last: Date }[]>`
      SELECT count(*)::int AS n, min(delivered_at) AS first, max(delivered_at) AS last
        FROM process_command WHERE id > ${firstCommand} AND task_queue = ${taskQueue} AND workflow_type = 'onboarding'`) as [{ n: number; first: Date; last: Date }];
    const lags = (
      await db.$queryRaw<{ ms: number }[]>`
        SELECT extract(epoch FROM delivered_at - created_at)::float8 * 1000 AS ms FROM process_command
         WHERE id > ${firstCommand} AND task_queue = ${taskQueue} AND workflow_type = 'onboarding' ORDER BY 1`
    ).map((r) => r.ms);
    const processes = delivered!.n;
    const firstToLast = delivered!.last.getTime() - delivered!.first.getTime();
    console.log(
      `  applyImport: ${f0(run.toApply)} hires through recordHrEvent, 8 at a time: ${ms(applied)}, ${perSecond(run.toApply, applied)} hires/s; ` +
        `CPU per hire: this process (apply + dispatcher) ${f2((cpu.user + cpu.system) / 1000 / run.toApply)} ms, postgres ${f2(pgCpu / run.toApply)} ms`,
    );
    console.log(
      `  processes started by the dispatcher while applying: ${f0(processes)} in ${ms(delivered!.last.getTime() - startedAt.getTime())} from the apply's start ` +
        `(${perSecond(processes, delivered!.last.getTime() - startedAt.getTime())}/s; first to last ${ms(firstToLast)}); all delivered ${ms(all - applied)} after the apply ended; ` +
        `commit-to-delivery lag p50 ${f0(percentile(lags, 50))} ms, p99 ${f0(percentile(lags, 99))} ms`,
    );
    const after = await noops('after');
    const rate = processes / ((delivered!.last.getTime() - startedAt.getTime()) / 1000);
    console.log(`  processes started per second while applying: ${f2(rate / (FAN_OUT / (before / 1000)))}× the baseline before, ${f2(rate / (FAN_OUT / (after / 1000)))}× the one after`);
    await removeTenant(db, tenantId);
    tenants.splice(tenants.indexOf(tenantId), 1);
  } finally {
    await dispatcher.stop();
    await client.connection.close();
    await server.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Peak RSS of the staging process.

/** The child: receive, stage and diff one file from disk, then report its peak RSS. */
async function stageChild(tenantId: string, format: Format, file: string): Promise<void> {
  const hwm = () => Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;
  const db = createDb(databaseUrl);
  await db.$queryRaw`SELECT 1`;
  const ready = hwm();
  const run = await toTheDiff(db, tenantId, format, createReadStream(file, { highWaterMark: 256 * 1024 }), 'snapshot');
  const heap = process.memoryUsage();
  process.stdout.write(`${JSON.stringify({ ready, peak: hwm(), heapMiB: heap.heapTotal / 1024 / 1024, rows: run.counts.rows, ms: run.total })}\n`);
  await db.$disconnect();
}

async function peakRss(db: Db) {
  console.log(`\n3. peak RSS (VmHWM) of the process that receives, stages and diffs (a child per file; the file streamed from disk)`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-imports-'));
  const rows = streamTable(['format', 'rows', 'file', 'RSS ready', 'peak RSS', 'peak−ready', 'receive→diff'], [12, 8, 9, 9, 9, 10, 12], [1, 6]);
  try {
    for (const format of FORMATS) {
      for (const size of RSS_SIZES) {
        const file = path.join(dir, `${format}-${size}.${format === 'csv' ? 'csv' : 'json'}`);
        await pipeline(fileStream(format, size, false), createWriteStream(file));
        const tenantId = await newTenant(db, `rss-${format}`);
        const output = await new Promise<string>((resolve, reject) => {
          const child = spawn(process.execPath, [...CHILD_NODE_OPTIONS, '--import', 'tsx', path.join(ROOT, 'bench/imports.ts'), 'stage-child', tenantId, format, file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
          let out = '';
          child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
          child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`the staging child exited ${code}`))));
        });
        const result = JSON.parse(output.trim().split('\n').at(-1)!) as { ready: number; peak: number; heapMiB: number; rows: number; ms: number };
        rows.push([format === 'csv' ? 'generic CSV' : 'Workday JSON', f0(size), `${(Buffer.byteLength(readFileSync(file)) / 1024 / 1024).toFixed(1)} MiB`, `${f0(result.ready)} MiB`, `${f0(result.peak)} MiB`, `${f0(result.peak - result.ready)} MiB`, ms(result.ms)]);
        await removeTenant(db, tenantId);
        tenants.splice(tenants.indexOf(tenantId), 1);
        rmSync(file);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------

async function main() {
  if (process.argv[2] === 'stage-child') {
    await stageChild(process.argv[3]!, process.argv[4] as Format, process.argv[5]!);
    return;
  }
  await waitForQuietMachine();
  const db = createDb(databaseUrl);
  const pool = new Pool({ connectionString: databaseUrl, max: 2, options: '-c TimeZone=UTC' });
  const cleanUp = cleanUpOnce(
    () => [
      ...tenants.map((id): [string, () => Promise<unknown>] => [`removing tenant ${id}`, () => removeTenant(db, id)]),
      ['dropping the plain tables', () => pool.query(`DROP TABLE IF EXISTS ${plainTables.join(', ')}`)],
      ['closing the pool', () => pool.end()],
      ['disconnecting', () => db.$disconnect()],
    ],
    'removing what the benchmark made',
  );
  try {
    const [{ version }] = (await db.$queryRaw<{ version: string }[]>`SELECT current_setting('server_version') AS version`) as [{ version: string }];
    console.log(`imports benchmark: ${os.cpus().length} cores, PostgreSQL ${version}, Node ${process.versions.node}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    if (!ONLY || ONLY === 'diff') await upToTheDiff(db, pool);
    if (!ONLY || ONLY === 'fanout') await fanOut(db);
    if (!ONLY || ONLY === 'rss') await peakRss(db);
  } finally {
    await cleanUp();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
