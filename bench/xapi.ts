/**
 * The Learning Record Store (issue 11) as deployed — an `api` process of `src/main.ts` (its own
 * process, so its CPU can be read), a Temporal dev server started by the script, the local
 * PostgreSQL — each figure beside a baseline measured in the same run:
 *
 *   npm run bench:xapi -- [statements=50000] [concurrency=4,8] [stored=1000000]
 *
 * 1. Store: `statements` statements POSTed to /xapi/statements in batches of 100 by an LRS client
 *    (HTTP Basic, X-Experience-API-Version 1.0.3), `concurrency` batches in flight, once per level.
 *    The statements are what content sends: mixed verbs (experienced, answered, progressed,
 *    completed, passed, failed, initialized, terminated), actors from 1,000 mbox agents, objects from
 *    200 activities with definitions (lessons, assessments, choice interactions), context with a
 *    registration and parent and grouping activities, results with scores, durations, responses.
 *    Baselines, with the same statements, batches and concurrency, through pg:
 *    a. `COPY … FROM STDIN` into a table of one JSONB column (the issue's "raw COPY"; goal ≥ 0.2×);
 *    b. `COPY … FROM STDIN` of the rows the LRS writes — each statement as stored (authority,
 *       stored, version) with its columns into a table LIKE xapi_statement (its indexes), its agents
 *       and activities into tables LIKE the link tables — one transaction per batch;
 *    and once, one COPY of all of them into the JSONB table.
 * 2. Query: ten statements about an activity of a retired course are stored, then the tenant is
 *    filled up to `stored` statements of the same kind as part 1's — through the API while that takes
 *    at most 10 minutes (judged by part 1's rate, and stopped there), the rest by COPY of the rows the
 *    LRS writes (LOAD=api or LOAD=sql forces one) — then vacuumed and analysed. GET /xapi/statements
 *    with `agent` + `verb` and with `activity` (limit=50; a random agent, verb, activity each time),
 *    1 and 4 in flight, and with the retired activity (RARE_QUERIES, 1 in flight), beside the very SQL
 *    the LRS sends for the same filters (taken from its query builder) through pg: prepared under a
 *    name as the LRS's statements are (src/db/client.ts), and unnamed (planned for its values each
 *    time). EXPLAIN (ANALYZE, BUFFERS) of each kind: the custom plan, the plan the prepared statement
 *    uses after 20 executions, and the generic plan.
 *
 * POSTs answered 5xx are sent again (up to five times), as a client does, and counted beside each
 * figure: concurrent batches that first define the same activities can deadlock.
 *
 * BENCH_ONLY=store or BENCH_ONLY=query runs one part. BENCH_PROFILE=<dir>: the API writes a V8 CPU
 * profile there when it stops. Uses DATABASE_URL (default: the local trainhub database, migrated)
 * and leaves it as it found it — tenant and scratch tables removed, the LRS tables vacuumed (FULL)
 * — also when a run fails or is interrupted.
 */
import { cleanUpOnce } from './lib/clean-up';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { escapeLiteral, Pool, Query, type PoolClient } from 'pg';
import { DEFAULT_DATABASE_URL } from '../src/config';
import { agentIdentifier, statementActivities, statementAgents } from '../src/connectors/xapi/agents';
import type { Statement } from '../src/connectors/xapi/validation';
import { createDb, Prisma, type Db } from '../src/db/client';
import { removeTenant } from '../src/services/identity/tenants';
import { findStatements, type StatementFilters } from '../src/services/xapi/statement-queries';
import { createLrsClient } from '../src/services/xapi/lrs-clients';
import { startDevServer, type DevServer } from '../src/temporal/dev-server';
import { freePort, postgresCpuMs, ServiceProcess, serviceEnv, sleep } from './lib/processes';
import { closedLoop, latencies, perSecond } from './lib/stats';

const STATEMENTS = Number(process.argv[2] ?? 50_000);
const LEVELS = (process.argv[3] ?? '4,8').split(',').map(Number);
const STORED = Number(process.argv[4] ?? 1_000_000);
const ONLY = process.env.BENCH_ONLY;
const LOAD = process.env.LOAD ?? 'auto';
const BATCH = 100;
const LOAD_BUDGET_MS = 10 * 60_000;
const QUERIES = Number(process.env.QUERIES ?? 1000);
const PAGE = 50;
const RARE_QUERIES = Number(process.env.RARE_QUERIES ?? 20);
/** An activity only a few statements name, all stored before the bulk: a course retired long ago. */
const RETIRED = 'https://lms.example.com/courses/retired/activities/a0';
const RETIRED_STATEMENTS = 10;
/** PostgreSQL 15 publishes an idle connection's statistics up to 10 s late. */
const COUNTERS_SETTLE_MS = 11_000;
const databaseUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const db = createDb(databaseUrl);
const pool = new Pool({ connectionString: databaseUrl, max: Math.max(...LEVELS, 4), options: '-c TimeZone=UTC' });

const f0 = (n: number) => Math.round(n).toLocaleString('en-US');
const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);

// ---------------------------------------------------------------------------------------------
// The statements: what a course player sends about 1,000 learners in 200 activities of 20 courses.

const AGENTS = 1000;
const ACTIVITIES = 200;
const COURSES = 20;
const ADL = 'http://adlnet.gov/expapi/verbs/';
const CMI5 = 'https://w3id.org/xapi/cmi5/';
type Kind = 'lesson' | 'assessment' | 'question';

/** Verbs with the share of statements each gets, and the kind of activity each is about. */
const VERBS: { id: string; name: string; share: number; kind: Kind }[] = [
  { id: `${ADL}experienced`, name: 'experienced', share: 0.3, kind: 'lesson' },
  { id: `${ADL}answered`, name: 'answered', share: 0.25, kind: 'question' },
  { id: `${ADL}progressed`, name: 'progressed', share: 0.1, kind: 'lesson' },
  { id: `${ADL}completed`, name: 'completed', share: 0.1, kind: 'lesson' },
  { id: `${ADL}passed`, name: 'passed', share: 0.07, kind: 'assessment' },
  { id: `${ADL}failed`, name: 'failed', share: 0.03, kind: 'assessment' },
  { id: `${ADL}initialized`, name: 'initialized', share: 0.075, kind: 'lesson' },
  { id: `${ADL}terminated`, name: 'terminated', share: 0.075, kind: 'lesson' },
];

const courseIri = (c: number) => `https://lms.example.com/courses/c${c}`;
const activityIri = (k: number) => `${courseIri(k % COURSES)}/activities/a${k}`;
const mbox = (a: number) => `mailto:learner-${a}@example.com`;

/** Activity k: one in five an assessment, two in five a choice question, the rest lessons; its definition is the same in every statement. */
const activities = Array.from({ length: ACTIVITIES }, (_, k) => {
  const kind: Kind = k % 5 === 0 ? 'assessment' : k % 5 <= 2 ? 'question' : 'lesson';
  const name = { 'en-US': `${kind} ${k} of course ${k % COURSES}` };
  const definition =
    kind === 'question'
      ? {
          name,
          description: { 'en-US': `Which of these is the right way to handle case ${k}?` },
          type: 'http://adlnet.gov/expapi/activities/cmi.interaction',
          interactionType: 'choice',
          correctResponsesPattern: ['b'],
          choices: ['a', 'b', 'c', 'd'].map((id) => ({ id, description: { 'en-US': `Answer ${id} to question ${k}` } })),
        }
      : { name, description: { 'en-US': `The ${kind} number ${k}` }, type: `http://adlnet.gov/expapi/activities/${kind === 'lesson' ? 'lesson' : 'assessment'}` };
  return { k, kind, id: activityIri(k), definition };
});
const activitiesOf = (kind: Kind) => activities.filter((a) => a.kind === kind);
const byKind = { lesson: activitiesOf('lesson'), assessment: activitiesOf('assessment'), question: activitiesOf('question') };

/** A small deterministic generator, so runs send the same mix. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** One registration per learner and course, as a launch makes. */
const registrations = new Map<number, string>();
const registration = (a: number, c: number) => {
  const key = a * COURSES + c;
  let id = registrations.get(key);
  if (id === undefined) registrations.set(key, (id = randomUUID()));
  return id;
};

const duration = (seconds: number) => `PT${Math.floor(seconds / 60)}M${seconds % 60}S`;

/** `count` statements as content sends them (each with its own id, as cmi5 content does). */
function makeStatements(count: number, seed: number, from = Date.now() - 86_400_000): Statement[] {
  const random = prng(seed);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)]!;
  return Array.from({ length: count }, (_, i) => {
    const a = Math.floor(random() * AGENTS);
    let r = random();
    const verb = VERBS.find((v) => (r -= v.share) < 0) ?? VERBS[0]!;
    const activity = pick(byKind[verb.kind]);
    const course = activity.k % COURSES;
    const score = Math.floor(random() * 101);
    const result =
      verb.name === 'answered'
        ? { response: random() < 0.7 ? 'b' : 'c', success: random() < 0.7, duration: duration(5 + Math.floor(random() * 60)) }
        : verb.name === 'passed' || verb.name === 'failed'
          ? { score: { scaled: score / 100, raw: score, min: 0, max: 100 }, success: verb.name === 'passed', completion: true, duration: duration(60 + Math.floor(random() * 1200)) }
          : verb.name === 'completed'
            ? { completion: true, duration: duration(120 + Math.floor(random() * 1800)) }
            : verb.name === 'progressed'
              ? { extensions: { [`${CMI5}result/extensions/progress`]: Math.floor(random() * 100) } }
              : verb.name === 'terminated'
                ? { duration: duration(30 + Math.floor(random() * 3600)) }
                : undefined;
    return {
      id: randomUUID(),
      actor: { objectType: 'Agent', name: `Learner ${a}`, mbox: mbox(a) },
      verb: { id: verb.id, display: { 'en-US': verb.name } },
      object: { objectType: 'Activity', id: activity.id, definition: activity.definition },
      ...(result ? { result } : {}),
      context: {
        registration: registration(a, course),
        contextActivities: {
          parent: [{ objectType: 'Activity', id: courseIri(course) }],
          grouping: [{ objectType: 'Activity', id: 'https://lms.example.com/programs/annual-compliance' }],
        },
        platform: 'Bench Course Player',
        language: 'en-US',
      },
      timestamp: new Date(from + i * 50).toISOString(),
    };
  });
}

const batchesOf = <T>(list: T[], size: number) => Array.from({ length: Math.ceil(list.length / size) }, (_, b) => list.slice(b * size, (b + 1) * size));

// ---------------------------------------------------------------------------------------------
// The rows the LRS writes for a statement (src/services/xapi/statements.ts), for the baseline and the SQL load.

interface Lrs {
  tenantId: string;
  clientId: string;
  /** The authority the LRS sets: the client under the API's public URL. */
  authority: Record<string, unknown>;
}

/** The statement as the LRS stores it: its `stored`, `authority` and `version`. */
const asStored = (s: Statement, lrs: Lrs, stored: string): Statement => ({ ...s, stored, authority: lrs.authority, version: '1.0.0' });

/** COPY's text format: backslash, tab, newline and carriage return escaped; null as \N. */
const copyValue = (value: string | null) => (value === null ? '\\N' : value.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!));
const copyLine = (values: (string | null)[]) => `${values.map(copyValue).join('\t')}\n`;

const STATEMENT_COLUMNS = 'seq, tenant_id, id, statement, verb, actor, activity, registration, ref, voided, stored, timestamp, client_id';

/** The COPY data of a batch of stored statements with their seqs: the statement rows and the link tables' rows. */
function lrsRows(lrs: Lrs, statements: Statement[], seqs: bigint[]): { statements: string; agents: string; activities: string } {
  let rows = '';
  let agents = '';
  let activityRows = '';
  for (const [i, s] of statements.entries()) {
    const seq = String(seqs[i]);
    rows += copyLine([seq, lrs.tenantId, s.id, JSON.stringify(s), s.verb.id, agentIdentifier(s.actor), s.object.id, s.context?.registration ?? null, null, 'f', s.stored, s.timestamp, lrs.clientId]);
    for (const a of statementAgents(s)) agents += copyLine([seq, lrs.tenantId, a.identifier, a.related ? 't' : 'f']);
    for (const a of statementActivities(s)) activityRows += copyLine([seq, lrs.tenantId, a.id, a.related ? 't' : 'f']);
  }
  return { statements: rows, agents, activities: activityRows };
}

/** pg's connection as a copy-in sees it. */
interface CopyConnection {
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

/**
 * `COPY … FROM STDIN` through pg's own protocol handling (pg-copy-streams is not installed): a
 * simple query whose copy-in response is answered with the data, in CopyData messages of 64 KiB.
 */
class CopyIn extends Query {
  constructor(
    text: string,
    private readonly data: Buffer,
    done: (error: Error | undefined) => void,
  ) {
    super(text, (error) => done(error ?? undefined));
  }
  handleCopyInResponse(connection: CopyConnection): void {
    for (let at = 0; at < this.data.length; at += 65_536) connection.sendCopyFromChunk(this.data.subarray(at, at + 65_536));
    connection.endCopyFrom();
  }
}

const copyIn = (client: PoolClient, text: string, data: string) =>
  new Promise<void>((resolve, reject) => void client.query(new CopyIn(text, Buffer.from(data), (error) => (error ? reject(error) : resolve()))));

async function withClient<T>(run: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await run(client);
  } finally {
    client.release();
  }
}

/** The statements, their columns and their agents and activities, COPYed in one transaction, with seqs from xapi_statement's own sequence. */
async function copyLrsRows(lrs: Lrs, statements: Statement[], tables: { statement: string; agent: string; activity: string }, seqs: () => Promise<bigint[]>): Promise<void> {
  const data = lrsRows(lrs, statements, await seqs());
  await withClient(async (client) => {
    await client.query('BEGIN');
    try {
      await copyIn(client, `COPY ${tables.statement} (${STATEMENT_COLUMNS}) FROM STDIN`, data.statements);
      await copyIn(client, `COPY ${tables.agent} (seq, tenant_id, agent, related) FROM STDIN`, data.agents);
      await copyIn(client, `COPY ${tables.activity} (seq, tenant_id, activity, related) FROM STDIN`, data.activities);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
  });
}

// ---------------------------------------------------------------------------------------------
// CPU of the processes, and the database's own counters.

interface Cpu {
  api: number;
  postgres: number;
  bench: number;
  at: number;
}

/** What PostgreSQL did to the LRS's tables: transactions committed, index scans and rows inserted per table. */
async function databaseCounters(): Promise<Record<string, number>> {
  const { rows } = await pool.query<{ name: string; value: string }>(`
    SELECT 'commits' AS name, xact_commit AS value FROM pg_stat_database WHERE datname = current_database()
    UNION ALL SELECT relname || ' index scans', coalesce(idx_scan, 0) FROM pg_stat_user_tables WHERE relname IN ('xapi_statement', 'xapi_statement_agent', 'xapi_statement_activity', 'xapi_activity', 'lrs_client', 'xapi_course_mapping')
    UNION ALL SELECT relname || ' rows inserted', n_tup_ins FROM pg_stat_user_tables WHERE relname IN ('xapi_statement', 'xapi_statement_agent', 'xapi_statement_activity')
    UNION ALL SELECT relname || ' rows updated', n_tup_upd FROM pg_stat_user_tables WHERE relname IN ('xapi_activity')`);
  return Object.fromEntries(rows.map((r) => [r.name, Number(r.value)]));
}

// ---------------------------------------------------------------------------------------------

async function main() {
  let temporal: DevServer | null = null;
  let api: ServiceProcess | null = null;
  let tenantId: string | null = null;
  // Everything this run made goes, whether it ends, fails or is interrupted (Ctrl-C); a step that
  // fails is reported and the others still run.
  const cleanUp = cleanUpOnce(
    (): [string, () => Promise<unknown>][] => [
      ['stopping the API', async () => api?.stop()],
      ['dropping the baseline tables', () => pool.query('DROP TABLE IF EXISTS bench_xapi_copy, bench_xapi_statement, bench_xapi_statement_agent, bench_xapi_statement_activity')],
      [
        `removing tenant ${tenantId} (retry: node_modules/.bin/tsx bench/remove-tenant.ts ${tenantId})`,
        async () => {
          if (!tenantId) return;
          const started = performance.now();
          await removeTenant(db, tenantId);
          console.log(`\nclean-up: tenant removed in ${f0(performance.now() - started)} ms`);
        },
      ],
      [
        'vacuuming the LRS tables',
        async () => {
          // Plain VACUUM leaves the indexes' files at their size (about 2 GB after a million statements):
          // VACUUM FULL rewrites the tables and their indexes. With the tenant gone they hold only what
          // other tenants of this database keep there.
          const started = performance.now();
          await pool.query('VACUUM FULL xapi_statement, xapi_statement_agent, xapi_statement_activity, xapi_activity');
          console.log(`clean-up: LRS tables vacuumed (FULL) in ${f0(performance.now() - started)} ms`);
        },
      ],
      ['stopping the Temporal dev server', async () => temporal?.stop()],
      ['closing the database connections', () => Promise.all([pool.end(), db.$disconnect()])],
    ],
    "removing the benchmark's tenant and tables",
  );

  try {
    const [{ version }] = (await db.$queryRaw<{ version: string }[]>`SELECT current_setting('server_version') AS version`) as [{ version: string }];
    const [{ migrated }] = (await db.$queryRaw<{ migrated: boolean }[]>`SELECT to_regclass('xapi_statement') IS NOT NULL AS migrated`) as [{ migrated: boolean }];
    if (!migrated) throw new Error('The database has no LRS tables: run `tools/prisma.sh migrate deploy` first');
    temporal = await startDevServer({ port: await freePort() });
    const tenant = await db.tenant.create({ data: { slug: `bench-xapi-${randomUUID()}`, name: 'xAPI benchmark' } });
    tenantId = tenant.id;
    const client = await createLrsClient(db, tenant.id, { type: 'system' }, { name: 'bench content', scopes: ['read', 'write'] });
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const env = serviceEnv({ databaseUrl, temporalAddress: temporal.address, taskQueue: `bench-xapi-${randomUUID()}`, port }, { PUBLIC_URL: baseUrl, API_PROCESSES: '1' });
    const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
    api = new ServiceProcess(['src/main.ts', 'api'], env, profile);
    api.start();
    const by = Date.now() + 120_000;
    while (!(await fetch(`${baseUrl}/health`).then((r) => r.ok, () => false))) {
      if (!api.alive || Date.now() > by) throw new Error(`the API did not start:\n${api.lastError}`);
      await sleep(100);
    }
    const lrs: Lrs = { tenantId: tenant.id, clientId: client.id, authority: { objectType: 'Agent', name: client.name, account: { homePage: baseUrl, name: client.key } } };
    const authorization = `Basic ${Buffer.from(`${client.key}:${client.secret}`).toString('base64')}`;
    /** Answers 5xx to a POST, retried as a client does (the first run found deadlocks): counted, and shown beside each figure. */
    const failures = { count: 0, reset: () => void (failures.count = 0) };
    const xapi = async (method: 'GET' | 'POST', path: string, body?: string): Promise<any> => {
      for (let attempt = 1; ; attempt++) {
        const response = await fetch(`${baseUrl}/xapi${path}`, {
          method,
          headers: { authorization, 'x-experience-api-version': '1.0.3', ...(body ? { 'content-type': 'application/json' } : {}) },
          body,
        });
        const text = await response.text();
        if (response.status === 200) return JSON.parse(text);
        if (method === 'POST' && response.status >= 500 && attempt < 5) {
          failures.count += 1;
          continue;
        }
        throw new Error(`${method} /xapi${path.slice(0, 200)}: ${response.status} ${text.slice(0, 500)}`);
      }
    };
    const failed = (batches: number) => (failures.count > 0 ? `; ${failures.count} of ${batches} batches answered 500 first and were sent again` : '');
    const cpu = (): Cpu => {
      const bench = process.cpuUsage();
      return { api: api!.cpuMs(), postgres: postgresCpuMs(), bench: (bench.user + bench.system) / 1000, at: performance.now() };
    };
    const perItem = (b: Cpu, a: Cpu, items: number, which: ('api' | 'postgres' | 'bench')[]) => which.map((k) => `${k} ${f2((a[k] - b[k]) / items)}`).join(', ') + ' ms CPU';
    const busy = (b: Cpu, a: Cpu, which: ('api' | 'postgres' | 'bench')[]) => 'busy, % of one core: ' + which.map((k) => `${k} ${f0(((a[k] - b[k]) / (a.at - b.at)) * 100)}`).join(', ');

    console.log(`xAPI: PostgreSQL ${version}; ${os.cpus().length} cores, ${f0(os.totalmem() / 1024 ** 3)} GiB; Node ${process.version}; one API process`);
    const sample = makeStatements(1000, 1);
    const bytes = sample.map((s) => Buffer.byteLength(JSON.stringify(s))).sort((x, y) => x - y);
    console.log(`statements: ${AGENTS} agents, ${ACTIVITIES} activities in ${COURSES} courses; ${f0(bytes[0]!)}–${f0(bytes.at(-1)!)} bytes of JSON, median ${f0(bytes[500]!)}`);

    let bestRate = 0;
    let seed = 2;
    if (ONLY !== 'query') {
      await pool.query('CREATE TABLE bench_xapi_copy (statement jsonb NOT NULL)');
      await pool.query('CREATE TABLE bench_xapi_statement (LIKE xapi_statement INCLUDING INDEXES)');
      await pool.query('CREATE TABLE bench_xapi_statement_agent (LIKE xapi_statement_agent INCLUDING INDEXES)');
      await pool.query('CREATE TABLE bench_xapi_statement_activity (LIKE xapi_statement_activity INCLUDING INDEXES)');
      const baselineTables = { statement: 'bench_xapi_statement', agent: 'bench_xapi_statement_agent', activity: 'bench_xapi_statement_activity' };
      let nextSeq = 1n;
      const ownSeqs = (n: number) => Promise.resolve(Array.from({ length: n }, () => nextSeq++));

      // A running LRS has taken statements before: 20 batches warm the path up, uncounted (and the baselines' the same).
      const warmUp = batchesOf(makeStatements(20 * BATCH, 1000), BATCH);
      const started = performance.now();
      await closedLoop(warmUp.length, Math.max(...LEVELS), (i) => xapi('POST', '/statements', JSON.stringify(warmUp[i])));
      console.log(`warm-up (uncounted): ${warmUp.length} batches, ${Math.max(...LEVELS)} in flight, while the ${ACTIVITIES} activities are first defined: ${f0(performance.now() - started)} ms${failed(warmUp.length)}`);
      await closedLoop(warmUp.length, Math.max(...LEVELS), (i) => withClient((c) => copyIn(c, 'COPY bench_xapi_copy (statement) FROM STDIN', warmUp[i]!.map((s) => copyLine([JSON.stringify(s)])).join(''))));
      const warmStored = new Date().toISOString();
      await closedLoop(warmUp.length, Math.max(...LEVELS), (i) => copyLrsRows(lrs, warmUp[i]!.map((s) => asStored(s, lrs, warmStored)), baselineTables, () => ownSeqs(BATCH)));

      console.log(`\nstore: ${f0(STATEMENTS)} statements in batches of ${BATCH}, per level of concurrency (batches in flight)`);
      for (const level of LEVELS) {
        const statements = makeStatements(STATEMENTS, seed++);
        const batches = batchesOf(statements, BATCH);
        const bodies = batches.map((b) => JSON.stringify(b));
        const copyData = batches.map((b) => b.map((s) => copyLine([JSON.stringify(s)])).join(''));
        const stored = new Date().toISOString();
        const storedBatches = batches.map((b) => b.map((s) => asStored(s, lrs, stored)));

        let b = cpu();
        const copyLatency = await closedLoop(batches.length, level, (i) => withClient((c) => copyIn(c, 'COPY bench_xapi_copy (statement) FROM STDIN', copyData[i]!)));
        let a = cpu();
        const copyRate = perSecond(STATEMENTS, a.at - b.at);
        console.log(`\n  ${level} in flight`);
        console.log(`  a. baseline: COPY into one JSONB column, a batch each          ${f0(copyRate).padStart(7)}/s  (one batch ${latencies(copyLatency)}; ${perItem(b, a, STATEMENTS, ['postgres', 'bench'])} per statement)`);

        b = cpu();
        const rowsLatency = await closedLoop(batches.length, level, (i) => copyLrsRows(lrs, storedBatches[i]!, baselineTables, () => ownSeqs(storedBatches[i]!.length)));
        a = cpu();
        const rowsRate = perSecond(STATEMENTS, a.at - b.at);
        console.log(`  b. baseline: COPY of the LRS's rows (columns, indexes, links)  ${f0(rowsRate).padStart(7)}/s  (${f2(rowsRate / copyRate)}× a: these very rows by PostgreSQL's fastest path; one batch ${latencies(rowsLatency)}; ${perItem(b, a, STATEMENTS, ['postgres', 'bench'])} per statement)`);

        await sleep(COUNTERS_SETTLE_MS);
        const countersBefore = await databaseCounters();
        failures.reset();
        b = cpu();
        const postLatency = await closedLoop(batches.length, level, async (i) => {
          const ids = (await xapi('POST', '/statements', bodies[i])) as string[];
          if (ids.length !== batches[i]!.length) throw new Error(`a batch of ${batches[i]!.length} answered ${ids.length} ids`);
        });
        a = cpu();
        await sleep(COUNTERS_SETTLE_MS);
        const countersAfter = await databaseCounters();
        const postRate = perSecond(STATEMENTS, a.at - b.at);
        bestRate = Math.max(bestRate, postRate);
        console.log(
          `  POST /xapi/statements, a batch each                            ${f0(postRate).padStart(7)}/s  (${f2(postRate / copyRate)}× a, goal ≥ 0.2×: ${postRate / copyRate >= 0.2 ? 'met' : 'not met'}; ${f2(postRate / rowsRate)}× b; one batch ${latencies(postLatency)}${failed(batches.length)})`,
        );
        console.log(`    ${perItem(b, a, STATEMENTS, ['api', 'postgres', 'bench'])} per statement; ${busy(b, a, ['api', 'postgres', 'bench'])}`);
        const perBatch = Object.entries(countersAfter)
          .map(([name, value]) => [name, (value - (countersBefore[name] ?? 0)) / batches.length] as const)
          .filter(([, value]) => value > 0)
          .map(([name, value]) => `${name} ${f1(value)}`);
        console.log(`    PostgreSQL per batch (its counters, the whole database): ${perBatch.join(', ')}`);
      }

      const all = makeStatements(STATEMENTS, seed++);
      const whole = all.map((s) => copyLine([JSON.stringify(s)])).join('');
      const b = cpu();
      await withClient((c) => copyIn(c, 'COPY bench_xapi_copy (statement) FROM STDIN', whole));
      const a = cpu();
      console.log(`\n  for scale: one COPY of all ${f0(STATEMENTS)} into the JSONB column   ${f0(perSecond(STATEMENTS, a.at - b.at)).padStart(7)}/s  (${f0(a.at - b.at)} ms; ${perItem(b, a, STATEMENTS, ['postgres', 'bench'])} per statement)`);
    }
    if (ONLY === 'store') return;

    // 2. The tenant filled up to STORED statements.
    // A course retired before the rest was recorded: a few statements, older than the bulk.
    const retired = makeStatements(RETIRED_STATEMENTS, seed++, Date.now() - 2 * 86_400_000).map((st) => ({
      ...st,
      object: { objectType: 'Activity', id: RETIRED, definition: { name: { 'en-US': 'A retired lesson' }, type: 'http://adlnet.gov/expapi/activities/lesson' } },
    }));
    await xapi('POST', '/statements', JSON.stringify(retired));
    const count = async () => Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM xapi_statement WHERE tenant_id = $1', [tenant.id])).rows[0]!.n);
    const missing = STORED - (await count());
    const viaApi = LOAD === 'api' || (LOAD === 'auto' && bestRate > 0 && (missing / bestRate) * 1000 <= LOAD_BUDGET_MS);
    const loadLevel = Math.max(...LEVELS);
    console.log(
      `\nquery: filling the tenant to ${f0(STORED)} statements (${f0(missing)} more) ${viaApi ? `through POST /xapi/statements, ${loadLevel} batches in flight` : `by COPY of the rows the LRS writes${LOAD === 'auto' && bestRate > 0 ? ` (through the API at ${f0(bestRate)}/s it would take ${f0(missing / bestRate / 60)} minutes)` : ''}`}`,
    );
    const CHUNK = 10_000;
    const sequence = (await pool.query<{ name: string }>(`SELECT pg_get_serial_sequence('xapi_statement', 'seq') AS name`)).rows[0]!.name;
    const lrsTables = { statement: 'xapi_statement', agent: 'xapi_statement_agent', activity: 'xapi_statement_activity' };
    const seqs = async (n: number) => (await pool.query<{ seq: string }>('SELECT nextval($1::regclass) AS seq FROM generate_series(1, $2)', [sequence, n])).rows.map((r) => BigInt(r.seq)).sort((x, y) => (x < y ? -1 : 1));
    // Through the API while it keeps within the budget (the rate may fall as the tables grow); the rest by COPY.
    const loaded = { api: { count: 0, ms: 0 }, sql: { count: 0, ms: 0 } };
    const apiUntil = viaApi ? performance.now() + LOAD_BUDGET_MS : 0;
    let window = { from: cpu(), count: 0 };
    for (let done = 0; done < missing; done += CHUNK) {
      const chunk = makeStatements(Math.min(CHUNK, missing - done), seed++, Date.now() - 86_400_000 + done);
      const started = performance.now();
      failures.reset();
      if (started < apiUntil) {
        const batches = batchesOf(chunk, BATCH);
        await closedLoop(batches.length, loadLevel, (i) => xapi('POST', '/statements', JSON.stringify(batches[i])));
        if (failures.count > 0) console.log(`  ${failures.count} of ${batches.length} batches answered 500 first and were sent again`);
        loaded.api.count += chunk.length;
        loaded.api.ms += performance.now() - started;
        window.count += chunk.length;
        if (window.count >= 100_000 || done + CHUNK >= missing || performance.now() >= apiUntil) {
          const now = cpu();
          console.log(`  ${f0(STORED - missing + done + chunk.length).padStart(9)} stored; the last ${f0(window.count)} through the API at ${f0(perSecond(window.count, now.at - window.from.at))}/s (${perItem(window.from, now, window.count, ['api', 'postgres'])} per statement)`);
          window = { from: now, count: 0 };
        }
        if (performance.now() >= apiUntil && done + CHUNK < missing) console.log(`  ${LOAD_BUDGET_MS / 60_000} minutes through the API: the other ${f0(missing - done - CHUNK)} by COPY`);
      } else {
        const stored = new Date().toISOString();
        // 2,000 statements a transaction, two at a time.
        const groups = batchesOf(chunk.map((s) => asStored(s, lrs, stored)), 2_000);
        await closedLoop(groups.length, 2, (i) => copyLrsRows(lrs, groups[i]!, lrsTables, () => seqs(groups[i]!.length)));
        loaded.sql.count += chunk.length;
        loaded.sql.ms += performance.now() - started;
      }
    }
    // The activities' canonical definitions, as the LRS keeps them (already there when statements were POSTed).
    await pool.query(`INSERT INTO xapi_activity (tenant_id, id, definition) SELECT $1, a.id, a.definition FROM unnest($2::text[], $3::jsonb[]) AS a(id, definition) ON CONFLICT DO NOTHING`, [
      tenant.id,
      activities.map((x) => x.id),
      activities.map((x) => JSON.stringify(x.definition)),
    ]);
    for (const [how, l] of [['POST /xapi/statements', loaded.api], ['COPY of the rows the LRS writes', loaded.sql]] as const) {
      if (l.count > 0) console.log(`  ${f0(l.count)} statements by ${how} in ${f0(l.ms / 1000)} s (${f0(perSecond(l.count, l.ms))}/s)`);
    }
    let b = cpu();
    await pool.query('VACUUM ANALYZE xapi_statement, xapi_statement_agent, xapi_statement_activity');
    let a = cpu();
    const sizes = (await pool.query<{ name: string; size: string }>(`SELECT relname AS name, pg_size_pretty(pg_total_relation_size(oid)) AS size FROM pg_class WHERE relname IN ('xapi_statement', 'xapi_statement_agent', 'xapi_statement_activity') ORDER BY relname`)).rows;
    console.log(`  VACUUM ANALYZE of the three tables ${f0((a.at - b.at) / 1000)} s; ${f0(await count())} statements in the tenant; with indexes: ${sizes.map((s) => `${s.name} ${s.size}`).join(', ')}`);

    // The SQL the LRS sends for a set of filters: its query builder run against a client that only keeps the query.
    const lrsSql = async (filters: Partial<StatementFilters>): Promise<{ text: string; values: unknown[] }> => {
      let captured: Prisma.Sql | null = null;
      const capture = { $queryRaw: (strings: TemplateStringsArray, ...values: unknown[]) => ((captured = Prisma.sql(strings, ...(values as Prisma.Sql[]))), Promise.resolve([])) } as unknown as Db;
      await findStatements(capture, tenant.id, { relatedAgents: false, relatedActivities: false, ascending: false, limit: PAGE, ...filters });
      return { text: captured!.text, values: captured!.values as unknown[] };
    };
    const random = prng(99);
    const agentVerb = () => ({ agent: Math.floor(random() * AGENTS), verb: VERBS[Math.floor(random() * VERBS.length)]!.id });
    const kinds = [
      {
        name: 'agent + verb',
        count: QUERIES,
        levels: [1, 4],
        make: () => {
          const q = agentVerb();
          return { params: `agent=${encodeURIComponent(JSON.stringify({ mbox: mbox(q.agent) }))}&verb=${encodeURIComponent(q.verb)}`, filters: { agent: `mbox:${mbox(q.agent)}`, verb: q.verb } };
        },
      },
      {
        name: 'activity',
        count: QUERIES,
        levels: [1, 4],
        make: () => {
          const id = activities[Math.floor(random() * ACTIVITIES)]!.id;
          return { params: `activity=${encodeURIComponent(id)}`, filters: { activity: id } };
        },
      },
      {
        name: `activity of a retired course (${RETIRED_STATEMENTS} statements, stored before the bulk)`,
        count: RARE_QUERIES,
        levels: [1],
        make: () => ({ params: `activity=${encodeURIComponent(RETIRED)}`, filters: { activity: RETIRED } }),
      },
    ];
    console.log(`\n  GET /xapi/statements?…&limit=${PAGE} (random agent, verb, activity each time) after a fifth as many uncounted; beside the LRS's own SQL for the same filters through pg`);
    for (const kind of kinds) {
      const queries = await Promise.all(
        Array.from({ length: kind.count }, async () => {
          const q = kind.make();
          return { ...q, sql: await lrsSql(q.filters) };
        }),
      );
      const name = `bench-xapi-${kinds.indexOf(kind)}`;
      // Prepared and named as the LRS's statements are (src/db/client.ts); unnamed, planned for its values every time.
      const prepared = (i: number) => withClient((c) => c.query({ name, text: queries[i]!.sql.text, values: queries[i]!.sql.values }));
      const unnamed = (i: number) => withClient((c) => c.query({ text: queries[i]!.sql.text, values: queries[i]!.sql.values }));
      const viaLrs = (i: number) => xapi('GET', `/statements?${queries[i]!.params}&limit=${PAGE}`);
      // The same answers both ways (a check of the comparison, on the first query).
      const first = ((await viaLrs(0)) as { statements: { id: string }[] }).statements.map((st) => st.id);
      const ids = (await prepared(0)).rows.slice(0, PAGE).map((r: { statement: Statement }) => r.statement.id);
      if (ids.join() !== first.join()) throw new Error(`${kind.name}: the LRS answered ${first.length} statements, the SQL ${ids.length} (or others)`);
      const warmUp = Math.max(1, Math.round(kind.count / 5));
      for (const run of [viaLrs, prepared, unnamed]) await closedLoop(warmUp, 4, run);
      for (const level of kind.levels) {
        console.log(`\n  ${kind.name}, ${level} in flight, ${f0(kind.count)} queries`);
        const variants = [
          ['baseline: the same SQL, prepared', prepared],
          ['the same SQL, unnamed (custom plans)', unnamed],
        ] as const;
        for (const [label, run] of variants) {
          let returned = 0;
          b = cpu();
          const sqlLatency = await closedLoop(kind.count, level, async (i) => {
            const { rowCount } = await run(i);
            returned += Math.min(PAGE, rowCount ?? 0);
          });
          a = cpu();
          console.log(`    ${label.padEnd(40)} ${f0(perSecond(kind.count, a.at - b.at)).padStart(6)}/s  ${latencies(sqlLatency)}; ${perItem(b, a, kind.count, ['postgres', 'bench'])} per query; ${f1(returned / kind.count)} statements a page`);
        }
        b = cpu();
        const apiLatency = await closedLoop(kind.count, level, viaLrs);
        a = cpu();
        console.log(`    ${'GET /xapi/statements'.padEnd(40)} ${f0(perSecond(kind.count, a.at - b.at)).padStart(6)}/s  ${latencies(apiLatency)}; ${perItem(b, a, kind.count, ['api', 'postgres', 'bench'])} per query`);
      }
      await explain(kind.name, queries.map((q) => q.sql));
    }
  } catch (error) {
    if (api?.lastError) console.error(`API:\n${api.lastError}`);
    throw error;
  } finally {
    await cleanUp();
  }
}

/**
 * The plan of one query three ways: as planned for its values (pg's unnamed statement: a custom
 * plan); as a prepared statement runs it after 20 executions of the kind's queries (the LRS names
 * its statements, and once PostgreSQL's plan cache settles on the generic plan, every request gets
 * that one); and the generic plan itself (plan_cache_mode = force_generic_plan).
 */
async function explain(kind: string, queries: { text: string; values: unknown[] }[]): Promise<void> {
  const literals = (values: unknown[]) => values.map((v) => (v instanceof Date ? escapeLiteral(v.toISOString()) : typeof v === 'number' || typeof v === 'bigint' ? String(v) : escapeLiteral(String(v)))).join(', ');
  const plan = async (client: PoolClient, text: string, values?: unknown[]) => (await client.query<{ 'QUERY PLAN': string }>({ text: `EXPLAIN (ANALYZE, BUFFERS) ${text}`, values })).rows.map((r) => r['QUERY PLAN']);
  const summary = (lines: string[]) => {
    const indexes = [...new Set(lines.flatMap((line) => [...line.matchAll(/(?:Index Only Scan|Index Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\w+)/g)].map((m) => m[1]!)))];
    const sequential = [...new Set(lines.flatMap((line) => [...line.matchAll(/Seq Scan on (\w+)/g)].map((m) => m[1]!)))];
    return `${lines.find((line) => line.startsWith('Execution Time'))}; indexes ${indexes.join(', ') || 'none'}; sequential scans: ${sequential.join(', ') || 'none'}`;
  };
  const print = (label: string, lines: string[]) => {
    console.log(`\n  EXPLAIN (ANALYZE, BUFFERS), ${kind}, ${label}: ${summary(lines)}`);
    for (const line of lines) console.log(`    ${line}`);
  };
  const [first, ...others] = queries as [{ text: string; values: unknown[] }, ...{ text: string; values: unknown[] }[]];
  await withClient(async (client) => {
    print('as planned for its values (custom plan)', await plan(client, first.text, first.values));
    await client.query(`PREPARE bench_explain AS ${first.text}`);
    try {
      for (let i = 0; i < 20; i++) await client.query(`EXECUTE bench_explain(${literals((others[i] ?? first).values)})`);
      const [{ generic, custom }] = (await client.query<{ generic: string; custom: string }>(`SELECT generic_plans AS generic, custom_plans AS custom FROM pg_prepared_statements WHERE name = 'bench_explain'`)).rows as [{ generic: string; custom: string }];
      const prepared = await plan(client, `EXECUTE bench_explain(${literals(first.values)})`);
      console.log(`\n  EXPLAIN (ANALYZE, BUFFERS), ${kind}, prepared, after 20 executions (${generic} generic, ${custom} custom plans: it runs the ${Number(generic) > 0 ? 'generic' : 'custom'} plan): ${summary(prepared)}`);
      await client.query('SET plan_cache_mode = force_generic_plan');
      print('the generic plan', await plan(client, `EXECUTE bench_explain(${literals(first.values)})`));
      await client.query('RESET plan_cache_mode');
    } finally {
      await client.query('DEALLOCATE bench_explain');
    }
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
