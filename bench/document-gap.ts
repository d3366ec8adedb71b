/**
 * The training gap of approved controlled-document versions (issue 14, "Measured"): trainhub's
 * set-based `openGap` beside two baselines over the same data, all timed in one run:
 *
 *   npm run bench:documents -- [people=100000] [sample=2000]
 *
 * Data, written straight into PostgreSQL: a tenant with 20 roles; `people` active people (and 5 %
 * more who have left, still holding their roles) with 1–3 roles each; 12 courses and 2 programs;
 * 5 document types touching 4–10 roles each; 10 documents (4 acknowledgement, 4 course, 2 program)
 * with one approved version each, two of whose authors are credited; and what people already did:
 * for each course document 30 % passed it since the approval (40 % passed it before, 3 % failed
 * since), for each program 30 % finished it since the approval (20 % halfway, 30 % before), for each
 * acknowledgement 20 % of the people it touches signed, plus unrelated completions. Then VACUUM
 * ANALYZE, as autovacuum would have left it.
 *
 * Timed, for all 10 versions:
 *  (a) trainhub: `openGap(tx, tenant, version, approvedAt)` once per version, as the process's
 *      activity calls it (here the 10 calls share one transaction);
 *  (a') the same with `SET LOCAL jit = off` first in the transaction: the fix the plan points to;
 *  (b) bare set-based SQL: a hand-written INSERT … SELECT per version (one per training kind, no
 *      CTEs) writing the same rows into the same table;
 *  (c) a person-by-person loop from the application: one query for the affected people, then per
 *      person one query for their roles, one query per document their roles touch to check their
 *      training, one INSERT per row owed — through Prisma's model API as trainhub's code would, and
 *      the same loop through `pg` with prepared statements (the cheapest a loop gets from Node). It
 *      runs over a random sample of `sample` affected people, in one transaction (no commit per
 *      row: that favours the loop), and is extrapolated linearly to everyone affected.
 * Each variant runs in transactions that are rolled back, so every variant sees the same data; each
 * proves what it wrote (a fingerprint of the rows: version, person, role, status, due date) before
 * rolling back, and (a'), (b) and (c) must match (a). (a), (a') and (b) run ROUNDS times (default 2),
 * in turn; `document_training` is vacuumed (untimed) before each variant.
 * Last, EXPLAIN (ANALYZE, BUFFERS) of the statements `openGap` sends, and of (b), for one version.
 *
 * It first waits until no other benchmark runs (`pgrep -f bench/`). Uses DATABASE_URL (default: the
 * local trainhub database, migrated: the script stops if the document tables are missing) and
 * leaves it as it found it — the tenant removed through `removeTenant` — also when a run fails or is
 * interrupted. BENCH_KEEP=1 keeps the tenant (remove it with bench/remove-tenant.ts).
 */
import { cleanUpOnce } from './lib/clean-up';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { Pool, type PoolClient } from 'pg';
import { DEFAULT_DATABASE_URL } from '../src/config';
import { createDb, Prisma, type DbTx } from '../src/db/client';
import { removeTenant } from '../src/services/identity/tenants';
import { openGap } from '../src/services/documents/gap';
import { waitForQuietMachine } from './lib/quiet-machine';

const PEOPLE = Number(process.argv[2] ?? 100_000);
const SAMPLE = Number(process.argv[3] ?? 2_000);
const ROUNDS = Number(process.env.ROUNDS ?? 2);
const databaseUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const db = createDb(databaseUrl);
const pool = new Pool({ connectionString: databaseUrl, max: 2, options: '-c TimeZone=UTC' });
const DAY = 86_400_000;
const LONG = { timeout: 60 * 60_000, maxWait: 60_000 };

const f0 = (n: number) => Math.round(n).toLocaleString('en-US');
const f1 = (n: number) => n.toFixed(1);
const ms = (since: number) => performance.now() - since;

/** Thrown to roll a transaction back once its variant has measured and fingerprinted what it wrote. */
class Rollback<T> extends Error {
  constructor(readonly value: T) {
    super('rolled back on purpose');
  }
}
/**
 * Runs a variant in a transaction that is rolled back. The rows an earlier variant wrote and rolled back
 * are vacuumed away first (untimed), so every variant starts from the same table, not one bloated by
 * the last.
 */
async function rolledBack<T>(work: (tx: DbTx) => Promise<T>): Promise<T> {
  await db.$executeRawUnsafe('VACUUM document_training');
  try {
    await db.$transaction(async (tx) => {
      throw new Rollback(await work(tx));
    }, LONG);
  } catch (error) {
    if (error instanceof Rollback) return error.value as T;
    throw error;
  }
  throw new Error('unreachable');
}

// ---------------------------------------------------------------------------------------------
// The data.

interface Version {
  id: string;
  key: string;
  documentTypeId: string;
  training: 'acknowledgement' | 'course' | 'program';
  courseId: string | null;
  programId: string | null;
  approvedAt: Date;
  effectiveDate: Date;
  dueOffsetDays: number;
  creditAuthors: boolean;
  authorIds: string[];
}

const TYPES: [key: string, name: string, roles: number[]][] = [
  ['policy', 'Policy', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]],
  ['sop', 'Standard operating procedure', [1, 2, 3, 4, 5, 6]],
  ['wi', 'Work instruction', [7, 8, 9, 10]],
  ['safety', 'Safety procedure', [11, 12, 13, 14, 15, 16]],
  ['quality', 'Quality manual', [15, 16, 17, 18, 19, 20]],
];
const DOCUMENTS: [key: string, type: string, training: Version['training'], what: string | null][] = [
  ['pol-conduct', 'policy', 'acknowledgement', null],
  ['pol-data-protection', 'policy', 'course', 'c01'],
  ['sop-batch-release', 'sop', 'course', 'c02'],
  ['sop-deviations', 'sop', 'acknowledgement', null],
  ['wi-cleaning', 'wi', 'acknowledgement', null],
  ['wi-line-clearance', 'wi', 'program', 'p1'],
  ['sf-lockout', 'safety', 'course', 'c03'],
  ['sf-hazmat', 'safety', 'program', 'p2'],
  ['qm-manual', 'quality', 'acknowledgement', null],
  ['qm-capa', 'quality', 'course', 'c04'],
];
const PROGRAMS: [key: string, courses: string[]][] = [
  ['p1', ['c05', 'c06', 'c07']],
  ['p2', ['c08', 'c09']],
];

async function setUp(t: string): Promise<void> {
  await db.$executeRaw`INSERT INTO role (id, tenant_id, key, name) SELECT gen_random_uuid(), ${t}::uuid, 'r' || lpad(n::text, 2, '0'), 'Role ' || n FROM generate_series(1, 20) n`;
  await db.$executeRaw`INSERT INTO course (id, tenant_id, key, title) SELECT gen_random_uuid(), ${t}::uuid, 'c' || lpad(n::text, 2, '0'), 'Course ' || n FROM generate_series(1, 12) n`;
  for (const [key, courses] of PROGRAMS) {
    await db.$executeRaw`INSERT INTO program (id, tenant_id, key, title) VALUES (gen_random_uuid(), ${t}::uuid, ${key}, ${`Program ${key}`})`;
    await db.$executeRaw`INSERT INTO program_course (tenant_id, program_id, course_id, position)
      SELECT ${t}::uuid, p.id, c.id, array_position(${courses}::text[], c.key) FROM program p JOIN course c ON c.tenant_id = p.tenant_id AND c.key = ANY(${courses}::text[])
       WHERE p.tenant_id = ${t}::uuid AND p.key = ${key}`;
  }
  const leavers = Math.round(PEOPLE * 0.05);
  await db.$executeRaw`INSERT INTO person (id, tenant_id, source, external_id, email, name, hire_date, status, terminated_at, updated_at)
    SELECT gen_random_uuid(), ${t}::uuid, 'bench', 'E' || n, 'e' || n || '@bench.example', 'Person ' || n, current_date - 400,
           CASE WHEN n > ${PEOPLE}::int THEN 'terminated'::"PersonStatus" ELSE 'active'::"PersonStatus" END, CASE WHEN n > ${PEOPLE}::int THEN now() - interval '30 days' END, now()
      FROM generate_series(1, ${PEOPLE + leavers}::int) n`;
  // 1–3 distinct roles a person, spread evenly over the 20.
  await db.$executeRaw`INSERT INTO person_role (tenant_id, person_id, role_id, since)
    SELECT ${t}::uuid, p.id, r.id, now() - interval '200 days' FROM person p
     CROSS JOIN LATERAL (SELECT r.id FROM role r WHERE r.tenant_id = p.tenant_id ORDER BY md5(p.id::text || r.key) LIMIT 1 + abs(hashtext(p.id::text)) % 3) r
     WHERE p.tenant_id = ${t}::uuid`;
  for (const [key, name, roles] of TYPES) {
    await db.$executeRaw`INSERT INTO document_type (id, tenant_id, key, name) VALUES (gen_random_uuid(), ${t}::uuid, ${key}, ${name})`;
    await db.$executeRaw`INSERT INTO document_type_role (tenant_id, document_type_id, role_id)
      SELECT ${t}::uuid, dt.id, r.id FROM document_type dt JOIN role r ON r.tenant_id = dt.tenant_id
       WHERE dt.tenant_id = ${t}::uuid AND dt.key = ${key} AND r.key = ANY(${roles.map((n) => `r${String(n).padStart(2, '0')}`)}::text[])`;
  }
  for (const [i, [key, type, training, what]] of DOCUMENTS.entries()) {
    await db.$executeRaw`INSERT INTO document (id, tenant_id, key, title, document_type_id, training, course_id, program_id, due_offset_days)
      SELECT gen_random_uuid(), ${t}::uuid, ${key}, ${`Document ${key}`}, dt.id, ${training},
             (SELECT id FROM course WHERE tenant_id = ${t}::uuid AND key = ${what}), (SELECT id FROM program WHERE tenant_id = ${t}::uuid AND key = ${what}), ${i % 2 ? 14 : 0}::int
        FROM document_type dt WHERE dt.tenant_id = ${t}::uuid AND dt.key = ${type}`;
    // Approved 1–10 days ago, effective in 30 days; two people (who may or may not be affected) wrote and approved it.
    await db.$executeRaw`INSERT INTO document_version (id, tenant_id, document_id, version, title, status, impact, approved_at, effective_date, content_hash, author_ids)
      SELECT gen_random_uuid(), ${t}::uuid, d.id, '2.0', d.title, 'approved', 'retraining', date_trunc('second', now()) - ${i + 1}::int * interval '1 day', current_date + 30,
             md5(d.key), ARRAY(SELECT id::text FROM person WHERE tenant_id = ${t}::uuid AND external_id IN (${`E${1 + i * 97}`}, ${`E${5000 + i * 89}`}))
        FROM document d WHERE d.tenant_id = ${t}::uuid AND d.key = ${key}`;
  }
  const versions = await loadVersions(t);
  // What people already did. Completions a person passed since the approval count; earlier ones and failures do not.
  for (const v of versions.filter((x) => x.training === 'course')) {
    await db.$executeRaw`INSERT INTO completion (id, tenant_id, source, external_id, person_id, course_id, passed, completed_at)
      SELECT gen_random_uuid(), ${t}::uuid, 'bench', gen_random_uuid()::text, id, ${v.courseId}::uuid, r >= 0.30 AND r < 0.70 OR r < 0.30,
             CASE WHEN r < 0.30 OR r >= 0.70 THEN ${v.approvedAt}::timestamp(3) + (r * interval '20 hours') ELSE ${v.approvedAt}::timestamp(3) - (r * interval '300 days') END
        FROM (SELECT id, random() AS r FROM person WHERE tenant_id = ${t}::uuid) p WHERE r < 0.73`;
  }
  for (const v of versions.filter((x) => x.training === 'program')) {
    // r < 0.3: the whole program since the approval; < 0.5: its first course since; < 0.8: all of it before.
    await db.$executeRaw`INSERT INTO completion (id, tenant_id, source, external_id, person_id, course_id, passed, completed_at)
      SELECT gen_random_uuid(), ${t}::uuid, 'bench', gen_random_uuid()::text, p.id, pc.course_id, true,
             CASE WHEN r < 0.5 THEN ${v.approvedAt}::timestamp(3) + (r + pc.position) * interval '1 hour' ELSE ${v.approvedAt}::timestamp(3) - (r * interval '300 days') END
        FROM (SELECT id, random() AS r FROM person WHERE tenant_id = ${t}::uuid) p JOIN program_course pc ON pc.program_id = ${v.programId}::uuid
       WHERE r < 0.3 OR (r < 0.5 AND pc.position = 1) OR (r >= 0.5 AND r < 0.8)`;
  }
  await db.$executeRaw`INSERT INTO completion (id, tenant_id, source, external_id, person_id, course_id, passed, completed_at)
    SELECT gen_random_uuid(), ${t}::uuid, 'bench', gen_random_uuid()::text, p.id, c.id, true, now() - random() * interval '500 days'
      FROM person p JOIN course c ON c.tenant_id = p.tenant_id AND c.key IN ('c10', 'c11', 'c12') WHERE p.tenant_id = ${t}::uuid AND random() < 0.5`;
  for (const v of versions.filter((x) => x.training === 'acknowledgement')) {
    await db.$executeRaw`INSERT INTO document_acknowledgement (id, tenant_id, version_id, person_id, signed_at, content_hash, meaning, link_id)
      SELECT gen_random_uuid(), ${t}::uuid, ${v.id}::uuid, a.person_id, ${v.approvedAt}::timestamp(3) + interval '2 hours', md5(${v.key}), 'read and understood', gen_random_uuid()
        FROM (SELECT DISTINCT pr.person_id FROM person_role pr JOIN document_type_role dtr ON dtr.role_id = pr.role_id
               WHERE pr.tenant_id = ${t}::uuid AND dtr.document_type_id = ${v.documentTypeId}::uuid) a
       WHERE random() < 0.2`;
  }
  await db.$executeRawUnsafe(
    'VACUUM ANALYZE person, person_role, role, course, program, program_course, completion, document_type, document_type_role, document, document_version, document_training, document_acknowledgement',
  );
}

async function loadVersions(t: string): Promise<Version[]> {
  const rows = await db.documentVersion.findMany({ where: { tenantId: t }, include: { document: true }, orderBy: { document: { key: 'asc' } } });
  return rows.map((v) => ({
    id: v.id,
    key: v.document.key,
    documentTypeId: v.document.documentTypeId,
    training: v.document.training as Version['training'],
    courseId: v.document.courseId,
    programId: v.document.programId,
    approvedAt: v.approvedAt!,
    effectiveDate: v.effectiveDate,
    dueOffsetDays: v.document.dueOffsetDays,
    creditAuthors: v.document.creditAuthors,
    authorIds: v.authorIds,
  }));
}

// ---------------------------------------------------------------------------------------------
// What a variant wrote: rows and an order-independent fingerprint of their content.

interface Written {
  rows: number;
  fingerprint: string;
  sampleRows: number;
  sampleFingerprint: string;
}
async function written(tx: DbTx, t: string, sample: string[]): Promise<Written> {
  const fingerprint = (onlySample: boolean) => tx.$queryRaw<{ rows: number; fingerprint: string }[]>`
    SELECT count(*)::int AS rows, md5(coalesce(string_agg(version_id || '/' || person_id || '/' || role_id || '/' || status || '/' || due_date, ',' ORDER BY version_id, person_id), '')) AS fingerprint
      FROM document_training WHERE tenant_id = ${t}::uuid ${onlySample ? Prisma.sql`AND person_id = ANY(${sample}::uuid[])` : Prisma.empty}`;
  const [all] = (await fingerprint(false)) as [{ rows: number; fingerprint: string }];
  const [some] = (await fingerprint(true)) as [{ rows: number; fingerprint: string }];
  return { rows: all.rows, fingerprint: all.fingerprint, sampleRows: some.rows, sampleFingerprint: some.fingerprint };
}

// ---------------------------------------------------------------------------------------------
// (a) trainhub.

interface SetBased {
  perVersion: number[];
  total: number;
  rows: number[];
  written: Written;
}
async function trainhub(t: string, versions: Version[], sample: string[], options: { jitOff?: boolean } = {}): Promise<SetBased> {
  return rolledBack(async (tx) => {
    // (a'): the one-line fix this benchmark points to (see BENCHMARKS.md), applied from outside.
    if (options.jitOff) await tx.$executeRawUnsafe('SET LOCAL jit = off');
    const perVersion: number[] = [];
    const rows: number[] = [];
    for (const v of versions) {
      const started = performance.now();
      const result = await openGap(tx, t, v.id, v.approvedAt);
      perVersion.push(ms(started));
      rows.push(result.assigned + result.credited);
    }
    return { perVersion, total: perVersion.reduce((a, b) => a + b, 0), rows, written: await written(tx, t, sample) };
  });
}

// ---------------------------------------------------------------------------------------------
// (b) The bare set-based SQL: the same rows, written by hand for each training kind.

function bareInsert(t: string, v: Version): Prisma.Sql {
  const authors = v.creditAuthors ? v.authorIds : [];
  const due = new Date(v.effectiveDate.getTime() + v.dueOffsetDays * DAY).toISOString().slice(0, 10);
  const lacking =
    v.training === 'acknowledgement'
      ? Prisma.sql`NOT EXISTS (SELECT 1 FROM document_acknowledgement k WHERE k.version_id = ${v.id}::uuid AND k.person_id = pr.person_id)`
      : v.training === 'course'
        ? Prisma.sql`NOT EXISTS (SELECT 1 FROM completion c WHERE c.tenant_id = ${t}::uuid AND c.person_id = pr.person_id AND c.course_id = ${v.courseId}::uuid AND c.passed AND c.completed_at >= ${v.approvedAt})`
        : Prisma.sql`EXISTS (SELECT 1 FROM program_course pc WHERE pc.program_id = ${v.programId}::uuid AND NOT EXISTS (
            SELECT 1 FROM completion c WHERE c.tenant_id = ${t}::uuid AND c.person_id = pr.person_id AND c.course_id = pc.course_id AND c.passed AND c.completed_at >= ${v.approvedAt}))`;
  return Prisma.sql`
    INSERT INTO document_training (id, tenant_id, version_id, person_id, role_id, status, due_date, completed_at)
    SELECT DISTINCT ON (pr.person_id) gen_random_uuid(), ${t}::uuid, ${v.id}::uuid, pr.person_id, pr.role_id,
           CASE WHEN pr.person_id::text = ANY(${authors}::text[]) THEN 'credited' ELSE 'open' END, ${due}::date,
           CASE WHEN pr.person_id::text = ANY(${authors}::text[]) THEN now() END
      FROM person_role pr JOIN document_type_role dtr ON dtr.role_id = pr.role_id JOIN person p ON p.id = pr.person_id
     WHERE pr.tenant_id = ${t}::uuid AND dtr.document_type_id = ${v.documentTypeId}::uuid AND p.status = 'active' AND ${lacking}
     ORDER BY pr.person_id, pr.role_id`;
}
async function bare(t: string, sample: string[]): Promise<SetBased> {
  return rolledBack(async (tx) => {
    // The version's document, type and training, looked up first: counted in the baseline's time.
    const started = performance.now();
    const versions = await loadVersions(t);
    const lookup = ms(started);
    const perVersion: number[] = [];
    const rows: number[] = [];
    for (const v of versions) {
      const begun = performance.now();
      rows.push(await tx.$executeRaw(bareInsert(t, v)));
      perVersion.push(ms(begun));
    }
    return { perVersion, total: lookup + perVersion.reduce((a, b) => a + b, 0), rows, written: await written(tx, t, sample) };
  });
}

// ---------------------------------------------------------------------------------------------
// (c) Person by person, from the application.

interface Loop {
  /** The one query finding everyone affected, over all of them. */
  affectedMs: number;
  affected: number;
  /** The per-person loop over the sample. */
  loopMs: number;
  queries: number;
  inserted: number;
  written: Written;
}

/** What the loop needs about the versions (loaded once, small): the roles each type touches, each program's courses. */
async function loopContext(tx: DbTx, t: string) {
  const versions = await tx.documentVersion.findMany({ where: { tenantId: t, status: 'approved' }, include: { document: true } });
  const typeRoles = await tx.documentTypeRole.findMany({ where: { tenantId: t, documentTypeId: { in: versions.map((v) => v.document.documentTypeId) } } });
  const programCourses = await tx.programCourse.findMany({ where: { tenantId: t, programId: { in: versions.flatMap((v) => (v.document.programId ? [v.document.programId] : [])) } } });
  const rolesOf = new Map<string, Set<string>>();
  for (const r of typeRoles) rolesOf.set(r.documentTypeId, (rolesOf.get(r.documentTypeId) ?? new Set()).add(r.roleId));
  const coursesOf = new Map<string, string[]>();
  for (const pc of programCourses) coursesOf.set(pc.programId, [...(coursesOf.get(pc.programId) ?? []), pc.courseId]);
  return {
    versions: versions.map((v) => ({
      id: v.id,
      training: v.document.training,
      courseId: v.document.courseId,
      programCourses: v.document.programId ? coursesOf.get(v.document.programId)! : [],
      roles: rolesOf.get(v.document.documentTypeId)!,
      approvedAt: v.approvedAt!,
      due: new Date(v.effectiveDate.getTime() + v.document.dueOffsetDays * DAY),
      authors: new Set(v.document.creditAuthors ? v.authorIds : []),
    })),
    affectedRoles: [...new Set(typeRoles.map((r) => r.roleId))],
  };
}
type LoopVersion = Awaited<ReturnType<typeof loopContext>>['versions'][number];
/** The versions a person's roles touch, with the role through which (the lowest id, as openGap picks). */
const owedVersions = (versions: LoopVersion[], roleIds: string[]) =>
  versions.flatMap((v) => {
    const role = roleIds.filter((r) => v.roles.has(r)).sort()[0];
    return role ? [{ v, role }] : [];
  });

async function loopThroughPrisma(t: string, sample: string[]): Promise<Loop> {
  return rolledBack(async (tx) => {
    const context = await loopContext(tx, t);
    let started = performance.now();
    const affected = await tx.person.findMany({ where: { tenantId: t, status: 'active', roles: { some: { tenantId: t, roleId: { in: context.affectedRoles } } } }, select: { id: true } });
    const affectedMs = ms(started);
    let queries = 0;
    let inserted = 0;
    started = performance.now();
    for (const personId of sample) {
      const roles = await tx.personRole.findMany({ where: { tenantId: t, personId }, select: { roleId: true } });
      queries += 1;
      for (const { v, role } of owedVersions(context.versions, roles.map((r) => r.roleId))) {
        queries += 1;
        let trained: boolean;
        if (v.training === 'acknowledgement') {
          trained = (await tx.documentAcknowledgement.findUnique({ where: { versionId_personId: { versionId: v.id, personId } }, select: { id: true } })) !== null;
        } else if (v.training === 'course') {
          trained = (await tx.completion.findFirst({ where: { tenantId: t, personId, courseId: v.courseId!, passed: true, completedAt: { gte: v.approvedAt } }, select: { id: true } })) !== null;
        } else {
          const done = await tx.completion.findMany({ where: { tenantId: t, personId, courseId: { in: v.programCourses }, passed: true, completedAt: { gte: v.approvedAt } }, select: { courseId: true } });
          trained = v.programCourses.every((c) => done.some((d) => d.courseId === c));
        }
        if (trained) continue;
        const credited = v.authors.has(personId);
        await tx.documentTraining.create({
          data: { tenantId: t, versionId: v.id, personId, roleId: role, status: credited ? 'credited' : 'open', dueDate: v.due, completedAt: credited ? new Date() : null },
          select: { id: true },
        });
        queries += 1;
        inserted += 1;
      }
    }
    const loopMs = ms(started);
    return { affectedMs, affected: affected.length, loopMs, queries, inserted, written: await written(tx, t, sample) };
  });
}

async function loopThroughPg(t: string, sample: string[]): Promise<Loop> {
  await db.$executeRawUnsafe('VACUUM document_training');
  const client: PoolClient = await pool.connect();
  try {
    await client.query('BEGIN');
    // The same small context, read through Prisma on its own connection (untimed, as above).
    const context = await loopContext(db, t);
    const q = async <R>(name: string, text: string, values: unknown[]) => (await client.query<R & Record<string, unknown>>({ name, text, values })).rows;
    let started = performance.now();
    const affected = await q<{ id: string }>(
      'bench_affected',
      `SELECT p.id FROM person p WHERE p.tenant_id = $1 AND p.status = 'active' AND EXISTS (SELECT 1 FROM person_role pr WHERE pr.person_id = p.id AND pr.tenant_id = $1 AND pr.role_id = ANY($2::uuid[]))`,
      [t, context.affectedRoles],
    );
    const affectedMs = ms(started);
    let queries = 0;
    let inserted = 0;
    started = performance.now();
    for (const personId of sample) {
      const roles = await q<{ role_id: string }>('bench_roles', 'SELECT role_id FROM person_role WHERE tenant_id = $1 AND person_id = $2', [t, personId]);
      queries += 1;
      for (const { v, role } of owedVersions(context.versions, roles.map((r) => r.role_id))) {
        queries += 1;
        let trained: boolean;
        if (v.training === 'acknowledgement') {
          trained = (await q('bench_ack', 'SELECT 1 FROM document_acknowledgement WHERE version_id = $1 AND person_id = $2', [v.id, personId])).length > 0;
        } else if (v.training === 'course') {
          trained = (await q('bench_course', 'SELECT 1 FROM completion WHERE tenant_id = $1 AND person_id = $2 AND course_id = $3 AND passed AND completed_at >= $4 LIMIT 1', [t, personId, v.courseId, v.approvedAt])).length > 0;
        } else {
          const done = await q<{ course_id: string }>(
            'bench_program',
            'SELECT DISTINCT course_id FROM completion WHERE tenant_id = $1 AND person_id = $2 AND course_id = ANY($3::uuid[]) AND passed AND completed_at >= $4',
            [t, personId, v.programCourses, v.approvedAt],
          );
          trained = done.length === v.programCourses.length;
        }
        if (trained) continue;
        const credited = v.authors.has(personId);
        await q(
          'bench_insert',
          `INSERT INTO document_training (id, tenant_id, version_id, person_id, role_id, status, due_date, completed_at) VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6::date, $7)`,
          [t, v.id, personId, role, credited ? 'credited' : 'open', v.due.toISOString().slice(0, 10), credited ? new Date() : null],
        );
        queries += 1;
        inserted += 1;
      }
    }
    const loopMs = ms(started);
    // The fingerprint, on this connection (the rows are not committed).
    const fp = async (onlySample: boolean) =>
      (
        await client.query<{ rows: number; fingerprint: string }>(
          `SELECT count(*)::int AS rows, md5(coalesce(string_agg(version_id || '/' || person_id || '/' || role_id || '/' || status || '/' || due_date, ',' ORDER BY version_id, person_id), '')) AS fingerprint
             FROM document_training WHERE tenant_id = $1 ${onlySample ? 'AND person_id = ANY($2::uuid[])' : ''}`,
          onlySample ? [t, sample] : [t],
        )
      ).rows[0]!;
    const [all, some] = [await fp(false), await fp(true)];
    return { affectedMs, affected: affected.length, loopMs, queries, inserted, written: { rows: all.rows, fingerprint: all.fingerprint, sampleRows: some.rows, sampleFingerprint: some.fingerprint } };
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}

// ---------------------------------------------------------------------------------------------
// EXPLAIN (ANALYZE, BUFFERS) of exactly what openGap sends: a stand-in transaction client turns each
// of its statements into an EXPLAIN of that statement with the same parameters.

async function explainOpenGap(t: string, v: Version, options: { jitOff?: boolean } = {}): Promise<string[]> {
  return rolledBack(async (tx) => {
    if (options.jitOff) await tx.$executeRawUnsafe('SET LOCAL jit = off');
    const plans: string[] = [];
    const explain = async (strings: TemplateStringsArray, ...values: unknown[]) => {
      const sql = Prisma.sql(strings, ...(values as Prisma.Sql[]));
      const rows = await tx.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(`EXPLAIN (ANALYZE, BUFFERS) ${sql.text}`, ...sql.values);
      plans.push(rows.map((r) => r['QUERY PLAN']).join('\n'));
      return [];
    };
    const explaining = new Proxy(tx, { get: (target, key) => (key === '$queryRaw' || key === '$executeRaw' ? explain : Reflect.get(target, key)) });
    await openGap(explaining, t, v.id, v.approvedAt);
    return plans;
  });
}
async function explainBare(t: string, v: Version): Promise<string> {
  return rolledBack(async (tx) => {
    const sql = bareInsert(t, v);
    const rows = await tx.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(`EXPLAIN (ANALYZE, BUFFERS) ${sql.text}`, ...sql.values);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}

// ---------------------------------------------------------------------------------------------

async function main() {
  let tenantId: string | null = null;
  // Everything this run made goes, whether it ends, fails or is interrupted (Ctrl-C); a step that
  // fails is reported and the others still run.
  const cleanUp = cleanUpOnce(
    (): [string, () => Promise<unknown>][] => [
      // Without this, removing each person would scan every rolled-back row (see BENCHMARKS.md).
      ['vacuuming document_training (the rolled-back rows)', async () => tenantId && !process.env.BENCH_KEEP && db.$executeRawUnsafe('VACUUM document_training')],
      [
        `removing tenant ${tenantId} (retry: node_modules/.bin/tsx bench/remove-tenant.ts ${tenantId})`,
        async () => {
          if (!tenantId) return;
          if (process.env.BENCH_KEEP) return console.log(`kept tenant ${tenantId}`);
          const started = performance.now();
          await removeTenant(db, tenantId);
          console.log(`\nclean-up: tenant removed by removeTenant in ${f0(ms(started))} ms`);
        },
      ],
      [
        'vacuuming the tables it filled',
        async () => {
          if (!tenantId || process.env.BENCH_KEEP) return;
          const started = performance.now();
          await db.$executeRawUnsafe('VACUUM person, person_role, completion, document_training, document_acknowledgement');
          console.log(`clean-up: tables vacuumed in ${f0(ms(started))} ms`);
        },
      ],
      ['closing the database connections', () => Promise.all([pool.end(), db.$disconnect()])],
    ],
    "removing the benchmark's tenant",
  );

  try {
    const [{ version, settings }] = (await db.$queryRaw<{ version: string; settings: string }[]>`
      SELECT current_setting('server_version') AS version,
             (SELECT string_agg(name || ' ' || setting || coalesce(unit, ''), ', ' ORDER BY name) FROM pg_settings
               WHERE name IN ('jit', 'jit_above_cost', 'jit_inline_above_cost', 'jit_optimize_above_cost', 'plan_cache_mode', 'work_mem', 'shared_buffers', 'synchronous_commit')) AS settings`) as [
      { version: string; settings: string },
    ];
    const [{ migrated }] = (await db.$queryRaw<{ migrated: boolean }[]>`SELECT to_regclass('document_training') IS NOT NULL AS migrated`) as [{ migrated: boolean }];
    if (!migrated) throw new Error('The database has no document tables: run `tools/prisma.sh migrate deploy` first');
    await waitForQuietMachine('loading the data');

    const tenant = await db.tenant.create({ data: { slug: `bench-documents-${randomUUID()}`, name: 'controlled-documents benchmark' } });
    tenantId = tenant.id;
    const t = tenant.id;
    let started = performance.now();
    await setUp(t);
    const versions = await loadVersions(t);
    const [counts] = (await db.$queryRaw<{ people: number; active: number; personRoles: number; completions: number; acknowledgements: number }[]>`
      SELECT (SELECT count(*)::int FROM person WHERE tenant_id = ${t}::uuid) AS people,
             (SELECT count(*)::int FROM person WHERE tenant_id = ${t}::uuid AND status = 'active') AS active,
             (SELECT count(*)::int FROM person_role WHERE tenant_id = ${t}::uuid) AS "personRoles",
             (SELECT count(*)::int FROM completion WHERE tenant_id = ${t}::uuid) AS completions,
             (SELECT count(*)::int FROM document_acknowledgement WHERE tenant_id = ${t}::uuid) AS acknowledgements`) as [
      { people: number; active: number; personRoles: number; completions: number; acknowledgements: number },
    ];
    // The loop's sample: random people among the affected (active, holding a role some version's type touches).
    const sample = (
      await db.$queryRaw<{ id: string }[]>`
        SELECT p.id FROM person p WHERE p.tenant_id = ${t}::uuid AND p.status = 'active'
           AND EXISTS (SELECT 1 FROM person_role pr JOIN document_type_role dtr ON dtr.role_id = pr.role_id WHERE pr.person_id = p.id AND dtr.tenant_id = ${t}::uuid)
         ORDER BY random() LIMIT ${SAMPLE}::int`
    ).map((r) => r.id);
    console.log(
      `controlled-documents gap: PostgreSQL ${version} (${settings}), ${os.cpus().length} cores; data loaded and analysed in ${f0(ms(started))} ms:\n` +
        `  ${f0(counts.people)} people (${f0(counts.active)} active), ${f0(counts.personRoles)} person roles over 20 roles, ${f0(counts.completions)} completions, ${f0(counts.acknowledgements)} acknowledgements; 10 documents:\n` +
        versions.map((v) => `    ${v.key.padEnd(20)} ${v.training.padEnd(15)} approved ${v.approvedAt.toISOString().slice(0, 16)}`).join('\n'),
    );
    await waitForQuietMachine('measuring');
    console.log(`measuring; load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);

    // (a), (a') and (b), alternating; then the loops.
    const runs: { a: SetBased; fixed: SetBased; b: SetBased }[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const a = await trainhub(t, versions, sample);
      const fixed = await trainhub(t, versions, sample, { jitOff: true });
      const b = await bare(t, sample);
      runs.push({ a, fixed, b });
      console.log(
        `round ${round}: (a) openGap ${f0(a.total)} ms, ${f0(a.written.rows)} rows; (a') with jit off ${f0(fixed.total)} ms; (b) bare SQL ${f0(b.total)} ms, ${f0(b.written.rows)} rows; (a)/(b) ${(a.total / b.total).toFixed(2)}×, (a')/(b) ${(fixed.total / b.total).toFixed(2)}×`,
      );
    }
    const prisma = await loopThroughPrisma(t, sample);
    const pg = await loopThroughPg(t, sample);

    // Proof that all of them wrote the same rows.
    const first = runs[0]!.a;
    const checks: [string, boolean][] = [
      ...runs.flatMap(({ a: ra, fixed, b: rb }, i): [string, boolean][] => [
        [`round ${i + 1}: (a) wrote what round 1's (a) wrote`, ra.written.fingerprint === first.written.fingerprint && ra.written.rows === first.written.rows],
        [`round ${i + 1}: (a') wrote exactly (a)'s rows`, fixed.written.fingerprint === first.written.fingerprint && fixed.written.rows === first.written.rows],
        [`round ${i + 1}: (b) wrote exactly (a)'s rows`, rb.written.fingerprint === first.written.fingerprint && rb.written.rows === first.written.rows],
      ]),
      ["(c) Prisma loop wrote exactly (a)'s rows for its sample, and nothing else", prisma.written.sampleFingerprint === first.written.sampleFingerprint && prisma.written.rows === first.written.sampleRows],
      ["(c) pg loop wrote exactly (a)'s rows for its sample, and nothing else", pg.written.sampleFingerprint === first.written.sampleFingerprint && pg.written.rows === first.written.sampleRows],
      ['(c) both loops found the same number of affected people', prisma.affected === pg.affected],
    ];

    console.log(`\nPer version (last round):`);
    console.log(`  ${'document'.padEnd(20)} ${'kind'.padEnd(15)} ${'rows'.padStart(8)} ${'(a) ms'.padStart(9)} ${"(a') ms".padStart(9)} ${'(b) ms'.padStart(9)} ${'(a)/(b)'.padStart(8)} ${"(a')/(b)".padStart(9)}`);
    const last = runs.at(-1)!;
    versions.forEach((v, i) =>
      console.log(
        `  ${v.key.padEnd(20)} ${v.training.padEnd(15)} ${f0(last.a.rows[i]!).padStart(8)} ${f0(last.a.perVersion[i]!).padStart(9)} ${f0(last.fixed.perVersion[i]!).padStart(9)} ${f0(last.b.perVersion[i]!).padStart(9)} ${(last.a.perVersion[i]! / last.b.perVersion[i]!).toFixed(2).padStart(7)}× ${(last.fixed.perVersion[i]! / last.b.perVersion[i]!).toFixed(2).padStart(8)}×`,
      ),
    );
    const best = (xs: number[]) => Math.min(...xs);
    const aBest = best(runs.map((r) => r.a.total));
    const fixedBest = best(runs.map((r) => r.fixed.total));
    const bBest = best(runs.map((r) => r.b.total));
    const rowsAssigned = first.rows.reduce((x, y) => x + y, 0);
    const extrapolate = (loop: Loop) => loop.affectedMs + (loop.loopMs / sample.length) * loop.affected;
    console.log(`\nSummary (${f0(counts.active)} active people, 10 versions, ${f0(rowsAssigned)} rows assigned; ratios against (a)'s best round, ${f0(aBest)} ms):`);
    console.log(`  ${'variant'.padEnd(86)} ${'time'.padStart(12)} ${'vs (a)'.padStart(9)}`);
    const line = (what: string, total: number) => console.log(`  ${what.padEnd(86)} ${`${f0(total)} ms`.padStart(12)} ${`${total / aBest >= 10 ? (total / aBest).toFixed(0) : (total / aBest).toFixed(2)}×`.padStart(9)}`);
    for (const [i, r] of runs.entries()) {
      line(`round ${i + 1}: (a) trainhub openGap, 10 calls`, r.a.total);
      line(`round ${i + 1}: (a') the same with SET LOCAL jit = off`, r.fixed.total);
      line(`round ${i + 1}: (b) bare INSERT … SELECT, 10 statements (+ 1 lookup)`, r.b.total);
    }
    for (const [name, loop] of [
      ['Prisma model API', prisma],
      ['pg, prepared statements', pg],
    ] as const) {
      const perPerson = loop.loopMs / sample.length;
      line(`(c) loop, ${name}: ${f0(sample.length)} people in ${f0(loop.loopMs)} ms (${f1(perPerson)} ms, ${f1(loop.queries / sample.length)} queries each)`, extrapolate(loop));
      console.log(`      = affected-people query ${f0(loop.affectedMs)} ms + ${f1(perPerson)} ms × ${f0(loop.affected)} affected people (extrapolated linearly)`);
    }
    console.log(`\nGoals (issue 14), best round of each:`);
    console.log(`  (a)/(b)  = ${f0(aBest)} / ${f0(bBest)} ms = ${(aBest / bBest).toFixed(2)}× (goal ≤ 2×: ${aBest / bBest <= 2 ? 'met' : 'not met'})`);
    console.log(`  (a')/(b) = ${f0(fixedBest)} / ${f0(bBest)} ms = ${(fixedBest / bBest).toFixed(2)}×`);
    for (const [name, loop] of [
      ['Prisma', prisma],
      ['pg', pg],
    ] as const) {
      const c = extrapolate(loop);
      console.log(`  (c ${name})/(a) = ${f0(c)} / ${f0(aBest)} ms = ${(c / aBest).toFixed(0)}× (goal ≥ 50×: ${c / aBest >= 50 ? 'met' : 'not met'}); /(a') ${(c / fixedBest).toFixed(0)}×; /(b) ${(c / bBest).toFixed(0)}×`);
    }
    console.log(`\nChecks:`);
    for (const [what, ok] of checks) console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
    if (checks.some(([, ok]) => !ok)) process.exitCode = 1;

    const shown = versions.find((v) => v.key === (process.env.EXPLAIN ?? 'pol-data-protection')) ?? versions[0]!;
    const plans = await explainOpenGap(t, shown);
    console.log(`\nEXPLAIN (ANALYZE, BUFFERS) of openGap's statements for ${shown.key} (${shown.training}):`);
    plans.forEach((plan, i) => console.log(`-- statement ${i + 1}\n${plan}`));
    console.log(`\nEXPLAIN (ANALYZE, BUFFERS) of openGap's first statement with SET LOCAL jit = off:\n${(await explainOpenGap(t, shown, { jitOff: true }))[0]}`);
    console.log(`\nEXPLAIN (ANALYZE, BUFFERS) of (b) for ${shown.key}:\n${await explainBare(t, shown)}`);
  } finally {
    await cleanUp();
  }
}

main().catch(async (error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
