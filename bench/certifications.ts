/**
 * Certificates (issue 13), each figure beside a baseline measured in the same run:
 *
 *   npm run bench:certifications -- [holders=100000] [issues=1000] [concurrency=4]
 *
 * 1. Holders: "who holds a certificate that expires within 30 days". A tenant with `holders` active
 *    people, each with a certificate in force of one certification (issued over the last two years,
 *    expiring from 60 days ago to 670 days ahead, evenly) and the superseded one before it; 2 % of the
 *    certificates in force revoked. Then VACUUM ANALYZE. Timed, one request in flight:
 *    a. the API as deployed (an `api` process of src/main.ts, its own process; a Temporal dev server
 *       started by the script): GET /api/v1/certifications/<key>/holders?status=expiring&withinDays=30
 *       — the first page (limit 50), QUERIES times; and every page at limit 200, WALKS times;
 *    b. the bare SQL through pg, prepared under a name: the holders of the partial index's range
 *       (expires_on in (today, today + 30]), in (expires_on, id) order, the same pages;
 *    c. for scale, the API's floor: GET /api/v1/certifications/<key> (one row) through the same process.
 *    Then EXPLAIN (ANALYZE, BUFFERS) of the API's statement (src/services/certifications/reading.ts),
 *    custom and generic plan.
 * 2. Issuance: `issues` certificates of another certification for as many of those people, each by
 *    `issueCertificate` (src/services/certifications/issuance.ts) in a transaction of its own, as the
 *    certification process's activity does — number from the tenant's pattern, verification code,
 *    PDF with its QR code, snapshot, audit entry, the holder's e-mail in the outbox — `concurrency`
 *    at a time; beside
 *    a. a bare multi-row INSERT of as many certificate rows (500 a statement, with a PDF of the same
 *       size, numbers and codes made in the script), committed;
 *    b. pdf-lib alone: `renderCertificatePdf` of as many certificates in this process, one at a time.
 *
 * BENCH_ONLY=holders or BENCH_ONLY=issuance runs one part; QUERIES (1000) and WALKS (20) set the counts.
 * It first waits until no other benchmark runs (`pgrep -f bench/`). Uses DATABASE_URL (default: the
 * local trainhub database, migrated) and leaves it as it found it — the tenant removed through
 * `removeTenant` — also when a run fails or is interrupted (Ctrl-C).
 */
import { cleanUpOnce } from './lib/clean-up';
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import { escapeLiteral, Pool } from 'pg';
import { DEFAULT_DATABASE_URL } from '../src/config';
import { createDb } from '../src/db/client';
import { isoDate } from '../src/domain/dates';
import { createApiClient } from '../src/services/identity/api-keys';
import { removeTenant } from '../src/services/identity/tenants';
import { issueCertificate } from '../src/services/certifications/issuance';
import { renderCertificatePdf } from '../src/services/certifications/pdf';
import { expiryRange, holdersStatement } from '../src/services/certifications/reading';
import { newVerificationCode } from '../src/services/certifications/verification-codes';
import { startDevServer, type DevServer } from '../src/temporal/dev-server';
import { freePort, postgresCpuMs, ServiceProcess, serviceEnv, sleep } from './lib/processes';
import { closedLoop, latencies, percentile, perSecond } from './lib/stats';
import { waitForQuietMachine } from './lib/quiet-machine';

const HOLDERS = Number(process.argv[2] ?? 100_000);
const ISSUES = Number(process.argv[3] ?? 1_000);
const CONCURRENCY = Number(process.argv[4] ?? 4);
const QUERIES = Number(process.env.QUERIES ?? 1_000);
const WALKS = Number(process.env.WALKS ?? 20);
/** BENCH_ONLY=holders or BENCH_ONLY=issuance runs one part. */
const ONLY = process.env.BENCH_ONLY;
const PUBLIC_URL = 'https://trainhub.example';
const databaseUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const db = createDb(databaseUrl);
const pool = new Pool({ connectionString: databaseUrl, max: 2, options: '-c TimeZone=UTC' });

const f0 = (n: number) => Math.round(n).toLocaleString('en-US');
const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);
const p = (values: number[], q: number) => percentile([...values].sort((a, b) => a - b), q);

// ---------------------------------------------------------------------------------------------
// The data.

interface Tenant {
  id: string;
  holding: { id: string; key: string };
  issuing: { id: string; key: string };
  bare: { id: string; key: string };
}

async function setUp(): Promise<Tenant> {
  const tenant = await db.tenant.create({ data: { slug: `bench-certifications-${randomUUID()}`, name: 'Certifications benchmark' } });
  const t = tenant.id;
  const course = await db.course.create({ data: { tenantId: t, key: 'forklift-theory', title: 'Forklift theory' } });
  const program = await db.program.create({ data: { tenantId: t, key: 'forklift-path', title: 'Forklift path', courses: { create: [{ tenantId: t, courseId: course.id, position: 0 }] } } });
  const certification = (key: string, title: string) =>
    db.certification.create({
      data: { tenantId: t, key, title, initialProgramId: program.id, recertificationProgramId: program.id, activePeriod: 'P2Y', windowPeriod: 'P3M', expiryBase: 'completion_date' },
      select: { id: true, key: true },
    });
  const holding = await certification('forklift', 'Forklift licence');
  const issuing = await certification('first-aid', 'First aid at work');
  const bare = await certification('bare', 'Bare insert');
  await db.$executeRaw`INSERT INTO person (id, tenant_id, source, external_id, email, name, hire_date, status, updated_at)
    SELECT gen_random_uuid(), ${t}::uuid, 'bench', 'E' || n, 'e' || n || '@bench.example', 'Person ' || n, current_date - 900, 'active', now()
      FROM generate_series(1, ${HOLDERS}::int) n`;
  // Cycle 1, superseded; cycle 2 in force, expiring evenly from 60 days ago to 670 days ahead (2 % revoked).
  await db.$executeRaw`
    INSERT INTO certificate (id, tenant_id, person_id, certification_id, number, verification_code, issued_on, expires_on, cycle, basis, superseded_at, snapshot, source)
    SELECT gen_random_uuid(), ${t}::uuid, p.id, ${holding.id}::uuid, 'FL-' || p.n || '-1', md5(random()::text || p.id::text), d.expires - 1460, d.expires - 730, 1, 'initial',
           now() - interval '100 days', '{}'::jsonb, 'trainhub'
      FROM (SELECT id, substr(external_id, 2)::int AS n FROM person WHERE tenant_id = ${t}::uuid) p
      CROSS JOIN LATERAL (SELECT current_date - 60 + (abs(hashtext(p.id::text)) % 730) AS expires) d`;
  await db.$executeRaw`
    INSERT INTO certificate (id, tenant_id, person_id, certification_id, number, verification_code, issued_on, expires_on, cycle, basis, previous_id, revoked_at, revoked_reason, snapshot, source)
    SELECT gen_random_uuid(), ${t}::uuid, c.person_id, c.certification_id, 'FL-' || substr(c.number, 4, length(c.number) - 5) || '-2', md5(random()::text || c.id::text),
           c.expires_on, c.expires_on + 730, 2, 'recertification', c.id,
           CASE WHEN abs(hashtext(c.id::text)) % 50 = 0 THEN now() END, CASE WHEN abs(hashtext(c.id::text)) % 50 = 0 THEN 'bench' END, '{}'::jsonb, 'trainhub'
      FROM certificate c WHERE c.tenant_id = ${t}::uuid AND c.certification_id = ${holding.id}::uuid`;
  await db.$executeRawUnsafe('VACUUM ANALYZE person, certificate');
  return { id: t, holding, issuing, bare };
}

// ---------------------------------------------------------------------------------------------
// 1. Holders.

/** The bare SQL: the holders of the index's range, in (expires_on, id) order, after a keyset position. */
const BARE_HOLDERS = `
  SELECT c.id, c.number, c.verification_code, c.issued_on::text, c.expires_on::text, c.cycle, c.basis, p.id AS person_id, p.external_id, p.name, p.status
    FROM certificate c JOIN person p ON p.id = c.person_id
   WHERE c.tenant_id = $1 AND c.certification_id = $2 AND c.superseded_at IS NULL AND c.revoked_at IS NULL
     AND c.expires_on >= $3 AND c.expires_on < $4 AND (c.expires_on, c.id) > ($5, $6)
   ORDER BY c.expires_on, c.id
   LIMIT $7`;

async function holders(tenant: Tenant, api: { get(path: string): Promise<any> }, apiPid: () => number) {
  const today = isoDate(new Date());
  const { from, to } = expiryRange(today, 'expiring', 30);
  const [{ expiring, valid, expired }] = (await db.$queryRaw<{ expiring: number; valid: number; expired: number }[]>`
    SELECT count(*) FILTER (WHERE expires_on > ${today}::date AND expires_on < ${to}::date)::int AS expiring,
           count(*) FILTER (WHERE expires_on > ${today}::date)::int AS valid, count(*) FILTER (WHERE expires_on <= ${today}::date)::int AS expired
      FROM certificate WHERE tenant_id = ${tenant.id}::uuid AND certification_id = ${tenant.holding.id}::uuid AND superseded_at IS NULL AND revoked_at IS NULL`) as [
    { expiring: number; valid: number; expired: number },
  ];
  const total = await db.certificate.count({ where: { tenantId: tenant.id } });
  console.log(`\n1. holders: ${f0(total)} certificates of ${f0(HOLDERS)} people; in force: ${f0(valid)} valid, of which ${f0(expiring)} expire within 30 days, ${f0(expired)} expired`);

  const path = (limit: number, cursor?: string | null) =>
    `/api/v1/certifications/${tenant.holding.key}/holders?status=expiring&withinDays=30&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
  const bare = (limit: number, after: { expiresOn: string; id: string } | null) =>
    pool.query({ name: 'bench_bare_holders', text: BARE_HOLDERS, values: [tenant.id, tenant.holding.id, from, to, after?.expiresOn ?? '-infinity', after?.id ?? '00000000-0000-0000-0000-000000000000', limit + 1] });

  // Warm-up, uncounted: both paths prepare their statements and fill the caches.
  for (let i = 0; i < 50; i++) {
    await api.get(path(50));
    await bare(50, null);
  }
  const firstApi = await api.get(path(50));
  const firstBare = await bare(50, null);
  if (firstApi.data.map((h: { certificate: { id: string } }) => h.certificate.id).join() !== firstBare.rows.slice(0, 50).map((r) => r.id).join()) {
    throw new Error('the API and the bare SQL disagree on the first page');
  }

  const cpuBefore = { api: apiPid(), postgres: postgresCpuMs() };
  const apiFirst = await closedLoop(QUERIES, 1, () => api.get(path(50)));
  const cpuAfter = { api: apiPid(), postgres: postgresCpuMs() };
  const bareFirst = await closedLoop(QUERIES, 1, () => bare(50, null));
  const pgAfter = postgresCpuMs();
  // The API's floor: a one-row read through the same process (authentication, HTTP, JSON), for scale.
  const floor = await closedLoop(QUERIES, 1, () => api.get(`/api/v1/certifications/${tenant.holding.key}`));

  const walkApi = async () => {
    let cursor: string | null = null;
    let rows = 0;
    do {
      const page: { data: unknown[]; nextCursor: string | null } = await api.get(path(200, cursor));
      rows += page.data.length;
      cursor = page.nextCursor;
    } while (cursor);
    return rows;
  };
  const walkBare = async () => {
    let after: { expiresOn: string; id: string } | null = null;
    let rows = 0;
    for (;;) {
      const { rows: page } = await bare(200, after);
      rows += Math.min(page.length, 200);
      if (page.length <= 200) return rows;
      const last = page[199]!;
      after = { expiresOn: last.expires_on, id: last.id };
    }
  };
  const walkedApi: number[] = [];
  const walkedBare: number[] = [];
  let pagesRows = 0;
  for (let i = 0; i < WALKS; i++) {
    let started = performance.now();
    pagesRows = await walkApi();
    walkedApi.push(performance.now() - started);
    started = performance.now();
    const bareRows = await walkBare();
    walkedBare.push(performance.now() - started);
    if (bareRows !== pagesRows) throw new Error(`the walks disagree: API ${pagesRows} rows, bare SQL ${bareRows}`);
  }

  const ratio = (a: number[], b: number[], q: number) => `${f1(p(a, q) / p(b, q))}×`;
  console.log(`first page (limit 50), ${f0(QUERIES)} requests one at a time:`);
  console.log(`  a. API  ${latencies(apiFirst)}; ${f1(perSecond(QUERIES, apiFirst.reduce((s, x) => s + x, 0)))} requests/s; CPU per request: api ${f2((cpuAfter.api - cpuBefore.api) / QUERIES)} ms, postgres ${f2((cpuAfter.postgres - cpuBefore.postgres) / QUERIES)} ms`);
  console.log(`  b. SQL  ${latencies(bareFirst)}; postgres CPU per query ${f2((pgAfter - cpuAfter.postgres) / QUERIES)} ms`);
  console.log(`  API / SQL: p50 ${ratio(apiFirst, bareFirst, 50)}, p99 ${ratio(apiFirst, bareFirst, 99)}`);
  console.log(`  c. the API's floor, GET /certifications/<key> (one row): ${latencies(floor)}`);
  console.log(`every page (limit 200; ${f0(pagesRows)} holders, ${Math.ceil(pagesRows / 200)} pages), ${WALKS} walks:`);
  console.log(`  a. API  ${latencies(walkedApi)} a walk`);
  console.log(`  b. SQL  ${latencies(walkedBare)} a walk`);
  console.log(`  API / SQL: p50 ${ratio(walkedApi, walkedBare, 50)}, p99 ${ratio(walkedApi, walkedBare, 99)}`);

  // The plans of the API's statement: as planned for its values, and the generic plan a prepared statement may switch to.
  const statement = holdersStatement(tenant.id, tenant.holding.id, { from, to, after: null, limit: 50 });
  const custom = await db.$queryRaw<{ 'QUERY PLAN': string }[]>`EXPLAIN (ANALYZE, BUFFERS) ${statement}`;
  console.log(`\nEXPLAIN (ANALYZE, BUFFERS) of the API's statement, first page:\n${custom.map((r) => `  ${r['QUERY PLAN']}`).join('\n')}`);
  // A prepared statement's generic plan: the API's statements are prepared once per connection (src/db/client.ts).
  const client = await pool.connect();
  let generic: { 'QUERY PLAN': string }[];
  try {
    await client.query('SET plan_cache_mode = force_generic_plan');
    await client.query(`PREPARE bench_api_holders AS ${statement.text}`);
    const values = statement.values.map((v) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : escapeLiteral(String(v))));
    generic = (await client.query(`EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_api_holders(${values.join(', ')})`)).rows;
    await client.query('DEALLOCATE bench_api_holders; RESET plan_cache_mode');
  } finally {
    client.release();
  }
  console.log(`the same, generic plan (plan_cache_mode = force_generic_plan):\n${generic.map((r) => `  ${r['QUERY PLAN']}`).join('\n')}`);
}

// ---------------------------------------------------------------------------------------------
// 2. Issuance.

async function issuance(tenant: Tenant) {
  const people = await db.person.findMany({ where: { tenantId: tenant.id }, select: { id: true, name: true }, orderBy: { externalId: 'asc' }, take: ISSUES });
  const issuedOn = new Date(`${isoDate(new Date())}T00:00:00Z`);
  const expiresOn = new Date(Date.UTC(issuedOn.getUTCFullYear() + 2, issuedOn.getUTCMonth(), issuedOn.getUTCDate()));
  console.log(`\n2. issuance: ${f0(people.length)} certificates`);

  // Warm-up, uncounted: pdf-lib's fonts, the QR encoder, the statements.
  for (let i = 0; i < 5; i++) {
    await renderCertificatePdf({ issuerName: 'Bench Ltd', holderName: 'Warm Up', certificationTitle: 'First aid at work', number: `W-${i}`, issuedOn, expiresOn, verificationCode: newVerificationCode(), verifyUrl: `${PUBLIC_URL}/verify/x` });
  }

  const cpu = () => {
    const usage = process.cpuUsage();
    return { bench: (usage.user + usage.system) / 1000, postgres: postgresCpuMs() };
  };
  let before = cpu();
  let started = performance.now();
  const perIssue = await closedLoop(people.length, CONCURRENCY, (i) =>
    db.$transaction((tx) =>
      issueCertificate(tx, {
        tenantId: tenant.id,
        personId: people[i]!.id,
        certificationId: tenant.issuing.id,
        issuedOn,
        expiresOn,
        cycle: 1,
        basis: 'initial',
        previousId: null,
        actor: { type: 'system' },
        publicUrl: PUBLIC_URL,
      }),
    ),
  );
  const issueMs = performance.now() - started;
  let after = cpu();
  const issued = await db.$queryRaw<{ count: number; bytes: number }[]>`
    SELECT count(*)::int AS count, coalesce(avg(length(pdf)), 0)::int AS bytes FROM certificate WHERE tenant_id = ${tenant.id}::uuid AND certification_id = ${tenant.issuing.id}::uuid AND pdf IS NOT NULL`;
  const [{ count, bytes }] = issued as [{ count: number; bytes: number }];
  if (count !== people.length) throw new Error(`issued ${count} of ${people.length}`);
  console.log(`  issueCertificate, ${CONCURRENCY} at a time: ${f0(issueMs)} ms, ${f1(perSecond(count, issueMs))} certificates + PDFs/s; ${latencies(perIssue)} each;`);
  console.log(`    PDFs ${f0(bytes)} bytes on average; CPU per certificate: bench (Node) ${f2((after.bench - before.bench) / count)} ms, postgres ${f2((after.postgres - before.postgres) / count)} ms`);

  // a. The bare multi-row INSERT of as many rows (with a PDF of the same size), committed.
  const pdf = randomBytes(bytes);
  before = cpu();
  started = performance.now();
  for (let offset = 0; offset < people.length; offset += 500) {
    const batch = people.slice(offset, offset + 500);
    await db.$executeRaw`
      INSERT INTO certificate (id, tenant_id, person_id, certification_id, number, verification_code, issued_on, expires_on, cycle, basis, snapshot, pdf, pdf_sha256, source)
      SELECT gen_random_uuid(), ${tenant.id}::uuid, b.person_id, ${tenant.bare.id}::uuid, b.number, b.code, ${isoDate(issuedOn)}::date, ${isoDate(expiresOn)}::date, 1, 'initial',
             jsonb_build_object('holder', jsonb_build_object('name', b.name)), ${pdf}, md5(b.number), 'trainhub'
        FROM unnest(${batch.map((x) => x.id)}::uuid[], ${batch.map((_x, i) => `BARE-${offset + i}`)}::text[], ${batch.map(() => newVerificationCode())}::text[], ${batch.map((x) => x.name)}::text[])
             AS b(person_id, number, code, name)`;
  }
  const bareMs = performance.now() - started;
  after = cpu();
  console.log(`  a. bare multi-row INSERT (500 a statement, ${f0(bytes)}-byte PDFs): ${f0(bareMs)} ms, ${f0(perSecond(people.length, bareMs))} rows/s; postgres CPU ${f2((after.postgres - before.postgres) / people.length)} ms a row`);

  // b. pdf-lib alone, one at a time in this process.
  before = cpu();
  started = performance.now();
  for (const [i, person] of people.entries()) {
    await renderCertificatePdf({
      issuerName: 'Certifications benchmark',
      holderName: person.name,
      certificationTitle: 'First aid at work',
      number: `R-${i}`,
      issuedOn,
      expiresOn,
      verificationCode: newVerificationCode(),
      verifyUrl: `${PUBLIC_URL}/verify/${newVerificationCode()}`,
    });
  }
  const renderMs = performance.now() - started;
  after = cpu();
  console.log(`  b. renderCertificatePdf alone (pdf-lib + QR), one at a time: ${f0(renderMs)} ms, ${f1(perSecond(people.length, renderMs))} PDFs/s; ${f2((after.bench - before.bench) / people.length)} ms CPU each`);
  console.log(`  issueCertificate / bare INSERT: ${f1(issueMs / bareMs)}× the time; / rendering alone: ${f2(issueMs / renderMs)}×`);
}

// ---------------------------------------------------------------------------------------------

async function main() {
  let temporal: DevServer | null = null;
  let api: ServiceProcess | null = null;
  let tenantId: string | null = null;
  const cleanUp = cleanUpOnce(
    (): [string, () => Promise<unknown>][] => [
      ['stopping the API', async () => api?.stop()],
      [
        `removing tenant ${tenantId} (retry: node_modules/.bin/tsx bench/remove-tenant.ts ${tenantId})`,
        async () => {
          if (!tenantId) return;
          const started = performance.now();
          await removeTenant(db, tenantId);
          console.log(`\nclean-up: tenant removed in ${f0(performance.now() - started)} ms`);
        },
      ],
      ['stopping the Temporal dev server', async () => temporal?.stop()],
      ['closing the database connections', () => Promise.all([pool.end(), db.$disconnect()])],
    ],
    "removing the benchmark's tenant",
  );

  try {
    const [{ version, migrated }] = (await db.$queryRaw<{ version: string; migrated: boolean }[]>`
      SELECT current_setting('server_version') AS version, to_regclass('certificate') IS NOT NULL AS migrated`) as [{ version: string; migrated: boolean }];
    if (!migrated) throw new Error('The database has no certificate tables: run `tools/prisma.sh migrate deploy` first');
    await waitForQuietMachine();
    console.log(`certifications: PostgreSQL ${version}; ${os.cpus().length} cores, ${f0(os.totalmem() / 1024 ** 3)} GiB; Node ${process.version}`);

    let started = performance.now();
    const tenant = await setUp();
    tenantId = tenant.id;
    console.log(`data written and analysed in ${f0(performance.now() - started)} ms`);

    temporal = await startDevServer({ port: await freePort() });
    const { key } = await createApiClient(db, { tenantId: tenant.id, name: 'bench', scopes: ['people:read', 'catalog:read'] });
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    api = new ServiceProcess(
      ['src/main.ts', 'api'],
      serviceEnv({ databaseUrl, temporalAddress: temporal.address, taskQueue: `bench-certifications-${randomUUID()}`, port }, { PUBLIC_URL: baseUrl, API_PROCESSES: '1' }),
    );
    api.start();
    const by = Date.now() + 120_000;
    while (!(await fetch(`${baseUrl}/health`).then((r) => r.ok, () => false))) {
      if (!api.alive || Date.now() > by) throw new Error(`the API did not start:\n${api.lastError}`);
      await sleep(100);
    }
    const client = {
      async get(path: string) {
        const response = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${key}` } });
        const text = await response.text();
        if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${text.slice(0, 300)}`);
        return JSON.parse(text);
      },
    };
    const running = api;
    if (ONLY !== 'issuance') await holders(tenant, client, () => running.cpuMs());
    await api.stop();
    api = null;

    if (ONLY !== 'holders') await issuance(tenant);
  } finally {
    await cleanUp();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});

