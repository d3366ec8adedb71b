import type { ProfileDefinition } from '../../connectors/hcm/profile';
import type { Db, DbTx } from '../../db/client';
import { Prisma } from '../../db/client';
import { recordAudit, type Actor } from '../audit/trail';
import { tenantDay } from '../certifications/reading';
import { profileSource } from './profiles';
import { ABSENT_LINES, STATISTICS_SAMPLE } from './staging';
import type { GuardFindings, ImportCounts } from './runs';

/**
 * The diff: what a staged file changes in what trainhub holds, found with set-based SQL and written
 * as import_change rows (one per person and kind of change; the HR event or completion the existing
 * rules apply is built from the change and its staged row when it is applied, see change-events.ts),
 * with the run's counts, in one transaction.
 *
 * People (by the profile's source and external id):
 * - hire: someone new (not terminated in the file), or a terminated person active again (a rehire);
 * - transfer: roles, department, location, manager, e-mail or name changed (the event names only
 *   what changed; a file without an e-mail or name leaves those as they are);
 * - leave / return: active → on_leave / on_leave → active (someone new on leave: a hire, then a leave);
 * - terminate: status terminated or a termination date that has come; a termination date still
 *   ahead is a terminate change dated that day; in a snapshot, everyone active or on leave of the
 *   source whom the file lacks altogether (a row refused for a mistake still counts as present);
 * - a record taking effect after today makes its changes dated that day (a durable timer applies
 *   them); a person's later records compare with their earlier record in the file.
 * Row errors (the run goes on without those rows): unknown role keys, a manager neither in the file
 * nor in trainhub, a manager chain that forms a cycle (naming it) — for people who stay (a leaver's
 * roles and manager do not matter) —, and a hire without e-mail or name.
 *
 * The accidental-deletion guard (the tenant's import policy; by default more than 10 % and more than
 * 5 people): a snapshot terminating more than `maxSharePercent` of the source's active people
 * (active or on leave) *and* more than `minPeople` of them waits for a confirmation
 * (state awaiting_confirmation), so a truncated export never empties a tenant — while a small tenant
 * is not held up by one or two leavers.
 */

export interface ImportGuard {
  maxSharePercent: number;
  minPeople: number;
}

/** 10 % of the source's active people, and more than 5 people (until the tenant sets its import policy). */
export const DEFAULT_IMPORT_GUARD: ImportGuard = { maxSharePercent: 10, minPeople: 5 };

export interface ImportPolicyView extends ImportGuard {
  /** null while the defaults apply. */
  updatedAt: string | null;
}

/** The tenant's guard (import_policy), else the defaults. */
export async function getImportPolicy(db: DbTx, tenantId: string): Promise<ImportPolicyView> {
  const row = await db.importPolicy.findUnique({ where: { tenantId } });
  if (!row) return { ...DEFAULT_IMPORT_GUARD, updatedAt: null };
  return { maxSharePercent: Number(row.guardSharePercent), minPeople: row.guardMinPeople, updatedAt: row.updatedAt.toISOString() };
}

/** Replaces the tenant's guard; runs already held or applied keep what they were judged by. */
export async function setImportPolicy(db: Db, tenantId: string, actor: Actor, guard: ImportGuard): Promise<ImportPolicyView> {
  return db.$transaction(async (tx) => {
    const data = { guardSharePercent: new Prisma.Decimal(guard.maxSharePercent), guardMinPeople: guard.minPeople };
    await tx.importPolicy.upsert({ where: { tenantId }, create: { tenantId, ...data }, update: data });
    await recordAudit(tx, tenantId, actor, { action: 'import_policy.updated', entityType: 'import_policy', entityId: tenantId, data: { ...guard } });
    return getImportPolicy(tx, tenantId);
  });
}

export interface DiffOutcome {
  state: 'diffing' | 'awaiting_confirmation' | 'applying' | 'completed' | 'failed' | 'cancelled' | 'staging' | 'received';
  counts?: ImportCounts;
}

/**
 * Diffs a run in state diffing; a run held by the guard moves on to applying once confirmed (or
 * stays); any other run is answered as it is (a retried or repeated call changes nothing).
 */
export async function diffRun(db: Db, tenantId: string, runId: string): Promise<DiffOutcome> {
  const run = await db.importRun.findFirstOrThrow({ where: { id: runId, tenantId } });
  if (run.state === 'awaiting_confirmation') {
    if (!run.confirmedAt) return { state: run.state };
    await db.importRun.updateMany({ where: { id: runId, state: 'awaiting_confirmation' }, data: { state: 'applying' } });
    const now = await db.importRun.findUniqueOrThrow({ where: { id: runId } });
    return { state: now.state };
  }
  if (run.state !== 'diffing') return { state: run.state };
  const definition = run.profile as unknown as ProfileDefinition;
  const source = profileSource(definition, run.profileName);
  const { today } = await tenantDay(db, tenantId);
  const guard = await getImportPolicy(db, tenantId);
  return db.$transaction(
    async (tx) => {
      const locked = await tx.$queryRaw<{ state: string }[]>`SELECT state::text FROM import_run WHERE id = ${runId}::uuid FOR UPDATE`;
      if (locked[0]?.state !== 'diffing') return { state: locked[0]!.state as DiffOutcome['state'] };
      await tx.$executeRaw`SET LOCAL jit = off`;
      // The joins of 100,000 staged rows with the people held spill to disk in the default 4 MB.
      await tx.$executeRaw`SET LOCAL work_mem = ${Prisma.raw(`'${DIFF_WORK_MEM}'`)}`;
      await tx.$executeRaw`DELETE FROM import_change WHERE run_id = ${runId}::uuid`;
      const context = { tx, tenantId, runId, source, today };
      const counts = run.kind === 'people' ? await diffPeople(context, run.mode) : await diffTranscript(context);
      const [{ rows, rejected }] = (await tx.$queryRaw<{ rows: number; rejected: number }[]>`
        SELECT count(*)::int AS rows, count(error)::int AS rejected FROM import_row WHERE run_id = ${runId}::uuid`) as [{ rows: number; rejected: number }];
      const [{ changes, future }] = (await tx.$queryRaw<{ changes: number; future: number }[]>`
        SELECT count(*)::int AS changes, count(*) FILTER (WHERE effective_date > ${today}::date)::int AS future
          FROM import_change WHERE run_id = ${runId}::uuid`) as [{ changes: number; future: number }];
      const all: ImportCounts & { guard?: GuardFindings } = { rows, rejected, ...counts, futureDated: future };
      let state: 'applying' | 'awaiting_confirmation' = 'applying';
      if (run.kind === 'people' && run.mode === 'snapshot' && !run.confirmedAt) {
        const [{ active }] = (await tx.$queryRaw<{ active: number }[]>`
          SELECT count(*)::int AS active FROM person
           WHERE tenant_id = ${tenantId}::uuid AND source = ${source} AND status IN ('active', 'on_leave')`) as [{ active: number }];
        const terminations = all.terminated ?? 0;
        if (terminations > guard.minPeople && terminations * 100 > guard.maxSharePercent * active) {
          state = 'awaiting_confirmation';
          all.guard = { terminations, activePeople: active, maxSharePercent: guard.maxSharePercent, minPeople: guard.minPeople };
        }
      }
      await tx.$executeRaw`
        UPDATE import_run SET state = ${state}::"ImportRunState", counts = ${JSON.stringify(all)}::jsonb, to_apply = ${changes}, applied = 0, updated_at = now()
         WHERE id = ${runId}::uuid`;
      const { guard: _findings, ...shown } = all;
      return { state, counts: shown };
    },
    { timeout: 30 * 60_000, maxWait: 60_000 },
  );
}

/** Memory a sort or hash of the diff may take before it spills to disk (one diff runs at a time per run). */
const DIFF_WORK_MEM = '64MB';

/** The type of each column a row's previous record gives (null when there is none). */
const COLUMN_TYPES: Record<string, string> = {
  line: 'int', status: 'text', roles: 'text[]', department: 'text', location: 'text', manager: 'text', email: 'text', name: 'text',
};

interface DiffContext {
  tx: DbTx;
  tenantId: string;
  runId: string;
  source: string;
  today: string;
}

// ─── People ────────────────────────────────────────────────────────────────────────────────────

async function diffPeople({ tx, tenantId, runId, source, today }: DiffContext, mode: 'snapshot' | 'delta'): Promise<ImportCounts> {
  // A row of someone who leaves (or has left) needs no roles or manager: only the others' are checked.
  const staying = (alias: string) => {
    const r = Prisma.raw(alias);
    return Prisma.sql`${r}.status <> 'terminated' AND (${r}.termination_date IS NULL OR ${r}.termination_date > greatest(${r}.effective_date, ${today}::date))`;
  };
  // 1. A manager chain leading back to where it starts, as the chains will be once applied: the
  //    file's current rows, and trainhub's people the file does not name. Only people who manage
  //    someone can be on a cycle: their edges are walked in memory (linear, whatever the depth).
  const edges = await tx.$queryRaw<{ id: string; manager: string; filed: boolean }[]>`
    WITH filed AS (
      SELECT external_id AS id, manager_external_id AS manager FROM import_row f
       WHERE run_id = ${runId}::uuid AND error IS NULL AND external_id IS NOT NULL AND manager_external_id IS NOT NULL
         AND (effective_date IS NULL OR effective_date <= ${today}::date) AND ${staying('f')}
    ), edges AS (
      SELECT id, manager, true AS filed FROM filed
      UNION ALL
      SELECT p.external_id, p.manager_external_id, false FROM person p
       WHERE p.tenant_id = ${tenantId}::uuid AND p.source = ${source} AND p.status <> 'terminated' AND p.manager_external_id IS NOT NULL
         AND p.external_id NOT IN (SELECT external_id FROM import_row r WHERE r.run_id = ${runId}::uuid AND r.error IS NULL AND r.external_id IS NOT NULL
                                                                         AND (r.effective_date IS NULL OR r.effective_date <= ${today}::date))
    )
    SELECT id, manager, filed FROM edges WHERE id IN (SELECT manager FROM edges)`;
  const cycles = managerCycles(edges);
  if (cycles.size > 0) {
    await tx.$executeRaw`
      UPDATE import_row r SET error = concat_ws('; ', r.error, 'the manager chain forms a cycle: ' || c.cycle)
        FROM unnest(${[...cycles.keys()]}::text[], ${[...cycles.values()]}::text[]) AS c(external_id, cycle)
       WHERE r.run_id = ${runId}::uuid AND r.external_id = c.external_id AND r.error IS NULL
         AND (r.effective_date IS NULL OR r.effective_date <= ${today}::date)`;
  }
  // 2. Role keys the tenant does not have (the file's few distinct keys looked up first: seldom any).
  const [{ unknown }] = (await tx.$queryRaw<{ unknown: string[] }[]>`
    SELECT coalesce(array_agg(k.key), '{}') AS unknown
      FROM (SELECT DISTINCT unnest(r.roles) AS key FROM import_row r WHERE r.run_id = ${runId}::uuid AND r.error IS NULL AND ${staying('r')}) k
     WHERE NOT EXISTS (SELECT 1 FROM role ro WHERE ro.tenant_id = ${tenantId}::uuid AND ro.key = k.key)`) as [{ unknown: string[] }];
  if (unknown.length > 0) {
    await tx.$executeRaw`
      UPDATE import_row r
         SET error = concat_ws('; ', r.error, CASE WHEN cardinality(m.missing) = 1 THEN format('no role has the key "%s"', m.missing[1])
                                                   ELSE 'no roles have the keys ' || array_to_string(array(SELECT format('"%s"', k) FROM unnest(m.missing) k), ', ') END)
        FROM (SELECT r.line, array_agg(DISTINCT k.key ORDER BY k.key) AS missing
                FROM import_row r CROSS JOIN LATERAL unnest(r.roles) AS k(key)
               WHERE r.run_id = ${runId}::uuid AND r.error IS NULL AND ${staying('r')} AND r.roles && ${unknown}::text[] AND k.key = ANY(${unknown}::text[])
               GROUP BY r.line) m
       WHERE r.run_id = ${runId}::uuid AND r.line = m.line`;
  }
  // 3. A manager nobody knows.
  await tx.$executeRaw`
    UPDATE import_row r
       SET error = concat_ws('; ', r.error, format('manager "%s" is neither in the file nor in trainhub', r.manager_external_id))
     WHERE r.run_id = ${runId}::uuid AND r.error IS NULL AND r.manager_external_id IS NOT NULL AND ${staying('r')}
       AND NOT EXISTS (SELECT 1 FROM import_row m WHERE m.run_id = ${runId}::uuid AND m.external_id = r.manager_external_id)
       AND NOT EXISTS (SELECT 1 FROM person p WHERE p.tenant_id = ${tenantId}::uuid AND p.source = ${source} AND p.external_id = r.manager_external_id)`;

  // 4. Each valid row that changes something, beside what it changes: the person's earlier record in
  //    the file, else trainhub's (the rows that change nothing are only counted).
  //    Only records dated after today can follow an earlier one of the same person (two taking effect
  //    on one day are refused as duplicates): the window that chains them sorts every row, so it runs
  //    only for a file that has such records.
  const [{ chained, valid }] = (await tx.$queryRaw<{ chained: boolean; valid: number }[]>`
    SELECT coalesce(bool_or(effective_date > ${today}::date), false) AS chained, count(*)::int AS valid
      FROM import_row WHERE run_id = ${runId}::uuid AND error IS NULL`) as [{ chained: boolean; valid: number }];
  const previous = (column: string, value = column) =>
    chained ? Prisma.raw(`lag(${value}) OVER w AS prev_${column}`) : Prisma.raw(`NULL::${COLUMN_TYPES[column]} AS prev_${column}`);
  await tx.$executeRaw`DROP TABLE IF EXISTS import_diff`;
  await tx.$executeRaw`
    CREATE TEMP TABLE import_diff ON COMMIT DROP AS
    WITH rows AS (
      SELECT r.line, r.external_id, r.email, nullif(r.name, '') AS name, r.department, r.location, r.manager_external_id AS manager,
             CASE WHEN cardinality(r.roles) > 1 THEN array(SELECT DISTINCT k FROM unnest(r.roles) k ORDER BY k) ELSE coalesce(r.roles, '{}') END AS roles,
             r.hire_date, r.termination_date,
             CASE WHEN r.effective_date > ${today}::date THEN r.effective_date END AS eff,
             CASE WHEN r.status = 'terminated' OR r.termination_date <= greatest(r.effective_date, ${today}::date) THEN 'terminated' ELSE r.status END AS status
        FROM import_row r WHERE r.run_id = ${runId}::uuid AND r.error IS NULL
    ), chained AS (
      SELECT rows.*, ${previous('line')}, ${previous('status')}, ${previous('roles')}, ${previous('department')}, ${previous('location')},
             ${previous('manager')}, ${previous('email', "coalesce(email, '')")}, ${previous('name', "coalesce(name, '')")}
        FROM rows ${chained ? Prisma.raw('WINDOW w AS (PARTITION BY external_id ORDER BY eff NULLS FIRST)') : Prisma.empty}
    ), held AS (
      SELECT x.person_id, array_agg(ro.key ORDER BY ro.key) AS roles
        FROM person_role x JOIN role ro ON ro.id = x.role_id WHERE x.tenant_id = ${tenantId}::uuid GROUP BY x.person_id
    ), based AS (
      SELECT c.line, c.external_id, c.email, c.name, c.department, c.location, c.manager, c.roles, c.hire_date, c.termination_date, c.eff, c.status,
             CASE WHEN c.prev_line IS NOT NULL THEN c.prev_status ELSE p.status::text END AS b_status,
             CASE WHEN c.prev_line IS NOT NULL THEN c.prev_roles ELSE coalesce(h.roles, '{}') END AS b_roles,
             CASE WHEN c.prev_line IS NOT NULL THEN c.prev_department ELSE p.department END AS b_department,
             CASE WHEN c.prev_line IS NOT NULL THEN c.prev_location ELSE p.location END AS b_location,
             CASE WHEN c.prev_line IS NOT NULL THEN c.prev_manager ELSE p.manager_external_id END AS b_manager,
             CASE WHEN c.prev_line IS NOT NULL THEN nullif(c.prev_email, '') ELSE p.email END AS b_email,
             CASE WHEN c.prev_line IS NOT NULL THEN nullif(c.prev_name, '') ELSE p.name END AS b_name
        FROM chained c
        LEFT JOIN person p ON p.tenant_id = ${tenantId}::uuid AND p.source = ${source} AND p.external_id = c.external_id
        LEFT JOIN held h ON h.person_id = p.id
    ), judged AS (
      SELECT b.*,
             (b.b_status IS NULL OR b.b_status = 'terminated') AS joining,
             b.roles IS DISTINCT FROM b.b_roles AS roles_changed,
             b.department IS DISTINCT FROM b.b_department AS department_changed,
             b.location IS DISTINCT FROM b.b_location AS location_changed,
             b.manager IS DISTINCT FROM b.b_manager AS manager_changed,
             (b.email IS NOT NULL AND b.email IS DISTINCT FROM b.b_email) AS email_changed,
             (b.name IS NOT NULL AND b.name IS DISTINCT FROM b.b_name) AS name_changed
        FROM based b
    ), decided AS (
      SELECT j.*,
             coalesce(j.joining AND j.status <> 'terminated', false) AS is_hire,
             coalesce(j.status = 'on_leave' AND (j.joining OR j.b_status = 'active'), false) AS is_leave,
             coalesce(NOT j.joining AND j.b_status = 'on_leave' AND j.status = 'active', false) AS is_return,
             coalesce(NOT j.joining AND j.status = 'terminated', false) AS is_terminate,
             coalesce(NOT j.joining AND j.status <> 'terminated'
               AND (j.roles_changed OR j.department_changed OR j.location_changed OR j.manager_changed OR j.email_changed OR j.name_changed), false) AS is_transfer,
             coalesce(j.status <> 'terminated' AND j.termination_date > coalesce(j.eff, ${today}::date), false) AS is_later_termination
        FROM judged j
    )
    -- Only the rows that change something: next month's snapshot is mostly the same people as they are.
    SELECT * FROM decided WHERE is_hire OR is_leave OR is_return OR is_terminate OR is_transfer OR is_later_termination`;
  const [{ changing }] = (await tx.$queryRaw<{ changing: number }[]>`SELECT count(*)::int AS changing FROM import_diff`) as [{ changing: number }];
  await tx.$executeRaw`SET LOCAL default_statistics_target = ${Prisma.raw(String(STATISTICS_SAMPLE))}`;
  await tx.$executeRaw`ANALYZE import_diff`;

  // 5. A hire needs an e-mail address and a name.
  await tx.$executeRaw`
    UPDATE import_row r
       SET error = concat_ws('; ', CASE WHEN d.email IS NULL THEN 'a hire needs an e-mail address' END, CASE WHEN d.name IS NULL THEN 'a hire needs a name' END)
      FROM import_diff d
     WHERE r.run_id = ${runId}::uuid AND r.line = d.line AND d.is_hire AND (d.email IS NULL OR d.name IS NULL)`;
  await tx.$executeRaw`DELETE FROM import_diff WHERE is_hire AND (email IS NULL OR name IS NULL)`;

  // 6. A hire without a hire date is hired on the day it takes effect (its event is built from the row).
  await tx.$executeRaw`
    UPDATE import_row r SET hire_date = coalesce(d.eff, ${today}::date)
      FROM import_diff d
     WHERE r.run_id = ${runId}::uuid AND r.line = d.line AND d.is_hire AND d.hire_date IS NULL`;

  // 7. The changes: one per person and kind; a transfer names the fields it changes. Their events are
  //    built from the staged rows as they are applied (change-events.ts).
  const change = (kind: string, wanted: string, day: string, fields: Prisma.Sql = Prisma.sql`NULL::text[]`) => Prisma.sql`
    SELECT ${runId}::uuid, d.line, ${kind}::"ImportChangeKind", d.external_id, ${fields}, ${Prisma.raw(day)}
      FROM import_diff d WHERE ${Prisma.raw(wanted)}`;
  await tx.$executeRaw`
    INSERT INTO import_change (run_id, line, kind, external_id, fields, effective_date)
    ${change('hire', 'd.is_hire', 'd.eff')}
    UNION ALL
    ${change('transfer', 'd.is_transfer', 'd.eff', Prisma.sql`array_remove(ARRAY[
        CASE WHEN d.roles_changed THEN 'roleKeys' END, CASE WHEN d.department_changed THEN 'department' END,
        CASE WHEN d.location_changed THEN 'location' END, CASE WHEN d.manager_changed THEN 'managerExternalId' END,
        CASE WHEN d.email_changed THEN 'email' END, CASE WHEN d.name_changed THEN 'name' END], NULL)`)}
    UNION ALL
    ${change('leave', 'd.is_leave', 'd.eff')}
    UNION ALL
    ${change('return', 'd.is_return', 'd.eff')}
    UNION ALL
    ${change('terminate', 'd.is_terminate', 'd.eff')}
    UNION ALL
    ${change('terminate', 'd.is_later_termination', 'd.termination_date')}`;

  // 8. A snapshot is everyone: whom it lacks (no row at all, not even a refused one) has left.
  let absent = 0;
  if (mode === 'snapshot') {
    absent = await tx.$executeRaw`
      INSERT INTO import_change (run_id, line, kind, external_id, fields, effective_date)
      SELECT ${runId}::uuid, ${ABSENT_LINES}::int + row_number() OVER (ORDER BY p.external_id)::int, 'terminate', p.external_id, NULL, NULL
        FROM person p
       WHERE p.tenant_id = ${tenantId}::uuid AND p.source = ${source} AND p.status IN ('active', 'on_leave')
         AND NOT EXISTS (SELECT 1 FROM import_row r WHERE r.run_id = ${runId}::uuid AND r.external_id = p.external_id)`;
  }

  const [counts] = await tx.$queryRaw<Record<'created' | 'rehired' | 'updated' | 'onLeave' | 'returned' | 'terminated' | 'unchanged', number>[]>`
    SELECT count(*) FILTER (WHERE is_hire AND b_status IS NULL)::int AS created,
           count(*) FILTER (WHERE is_hire AND b_status = 'terminated')::int AS rehired,
           count(*) FILTER (WHERE is_transfer)::int AS updated,
           count(*) FILTER (WHERE is_leave)::int AS "onLeave",
           count(*) FILTER (WHERE is_return)::int AS returned,
           count(*) FILTER (WHERE is_terminate OR is_later_termination)::int AS terminated,
           ${valid - changing}::int AS unchanged
      FROM import_diff`;
  return { ...counts!, terminated: counts!.terminated + absent, absent };
}

// ─── Transcripts ───────────────────────────────────────────────────────────────────────────────

async function diffTranscript({ tx, tenantId, runId }: DiffContext): Promise<ImportCounts> {
  await tx.$executeRaw`
    UPDATE import_row r SET error = format('no course has the key "%s"', r.course_key)
     WHERE r.run_id = ${runId}::uuid AND r.error IS NULL
       AND NOT EXISTS (SELECT 1 FROM course c WHERE c.tenant_id = ${tenantId}::uuid AND c.key = r.course_key)`;
  await tx.$executeRaw`
    UPDATE import_row r
       SET error = concat_ws('; ', r.error, CASE WHEN r.external_id IS NOT NULL THEN format('no person has the external id "%s"', r.external_id)
                                                 ELSE format('no person has the e-mail "%s"', r.email) END)
     WHERE r.run_id = ${runId}::uuid AND r.error IS NULL
       AND CASE WHEN r.external_id IS NOT NULL
                THEN NOT EXISTS (SELECT 1 FROM person p WHERE p.tenant_id = ${tenantId}::uuid AND p.external_id = r.external_id)
                ELSE NOT EXISTS (SELECT 1 FROM person p WHERE p.tenant_id = ${tenantId}::uuid AND p.email = r.email) END`;
  const completions = await tx.$executeRaw`
    INSERT INTO import_change (run_id, line, kind, external_id, fields, effective_date)
    SELECT ${runId}::uuid, r.line, 'completion', coalesce(r.external_id, r.email), NULL, NULL
      FROM import_row r WHERE r.run_id = ${runId}::uuid AND r.error IS NULL`;
  return { completions };
}

/**
 * The people on a cycle of manager references, each with the cycle as it reads from them
 * (`A → B → A`), for those whose edge comes from the file. `edges` hold at most one manager each.
 */
export function managerCycles(edges: readonly { id: string; manager: string; filed: boolean }[]): Map<string, string> {
  const managerOf = new Map(edges.map((e) => [e.id, e.manager]));
  const filed = new Set(edges.filter((e) => e.filed).map((e) => e.id));
  const done = new Set<string>();
  const cycles = new Map<string, string>();
  for (const start of managerOf.keys()) {
    if (done.has(start)) continue;
    const path: string[] = [];
    const onPath = new Map<string, number>();
    let at: string | undefined = start;
    while (at !== undefined && !done.has(at) && !onPath.has(at)) {
      onPath.set(at, path.length);
      path.push(at);
      at = managerOf.get(at);
    }
    if (at !== undefined && onPath.has(at)) {
      const cycle = path.slice(onPath.get(at)!);
      cycle.forEach((member, i) => {
        if (filed.has(member)) cycles.set(member, [...cycle.slice(i), ...cycle.slice(0, i), member].join(' → '));
      });
    }
    for (const id of path) done.add(id);
  }
  return cycles;
}
