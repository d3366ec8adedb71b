import { Prisma, type DbTx } from '../../db/client';
import { onboardingWorkflowIdPrefix } from '../../domain/workflow-ids';
import type { Actor } from '../audit/trail';
import { owedTrainingQuery } from './owed-training';
import { peopleByKey } from './people-by-key';

/** Why the system closed an assignment; only such assignments (not manual waivers) reopen when a rule applies again. */
export const NO_LONGER_REQUIRED = 'no longer required by role';
export const PERSON_TERMINATED = 'person terminated';
export const ASSIGNMENT_SOURCE = 'training_matrix';

export interface MatrixSyncResult {
  peopleAffected: number;
  assigned: number;
  reassigned: number;
  waived: number;
  /** program key → how many people got it (+) or were waived from it (-) */
  byProgram: Record<string, { assigned: number; waived: number }>;
  affectedPersonIds: string[];
}

/** Up to this many people, a sync computes in one statement; more are staged in analysed temporary tables. */
const FEW_PEOPLE = 50;

/**
 * Brings assignments in line with the training matrix, for one person or a whole tenant, in one
 * statement: every program a person owes (owedTrainingQuery) is assigned once its own prerequisites
 * are complete; open assignments no rule requires any more are waived with NO_LONGER_REQUIRED;
 * completed history is never touched. Running it again changes nothing.
 *
 * Must run inside a transaction (for many people it uses temporary tables dropped at commit).
 */
export async function syncAssignments(
  tx: DbTx,
  tenantId: string,
  actor: Actor,
  scope: { personIds?: string[] } = {},
): Promise<MatrixSyncResult> {
  const personIds = scope.personIds ?? null;
  const actorId = actor.id ?? actor.type;
  await lockSyncScope(tx, tenantId, personIds);
  const inScope = Prisma.sql`
    SELECT id, hire_date, department, location FROM person
     WHERE tenant_id = ${tenantId}::uuid AND status <> 'terminated'
       AND (${personIds}::uuid[] IS NULL OR id = ANY(${personIds}::uuid[]))`;
  let staged = Prisma.empty;
  if (personIds && personIds.length <= FEW_PEOPLE) {
    // A few people (a hire, a transfer, a completion): their rows are few, so staging them would cost
    // more statements than it saves; each is found by its key (see peopleByKey).
    const few = peopleByKey(tenantId, personIds, ['id', 'hire_date', 'department', 'location', 'status']);
    staged = Prisma.sql`sync_person AS MATERIALIZED (SELECT id, hire_date, department, location FROM (${few}) few WHERE status <> 'terminated'),
      owed_assignment AS MATERIALIZED (${owedTrainingQuery(tenantId, Prisma.sql`sync_person`)}),`;
  } else {
    // Who is in scope, and what each of them owes, go into session-private tables with keys and fresh
    // statistics: the planner cannot estimate a recursive CTE, and right after a bulk load (an HCM
    // import) stale statistics on person would make it pick nested loops quadratic in the headcount.
    await tx.$executeRaw`DROP TABLE IF EXISTS pg_temp.sync_person, pg_temp.owed_assignment`;
    await tx.$executeRaw`CREATE TEMP TABLE sync_person ON COMMIT DROP AS ${inScope}`;
    await tx.$executeRaw`ALTER TABLE sync_person ADD PRIMARY KEY (id)`;
    await tx.$executeRaw`ANALYZE sync_person`;
    await tx.$executeRaw`CREATE TEMP TABLE owed_assignment ON COMMIT DROP AS ${owedTrainingQuery(tenantId, Prisma.sql`sync_person`)}`;
    await tx.$executeRaw`ALTER TABLE owed_assignment ADD PRIMARY KEY (person_id, program_id)`;
    await tx.$executeRaw`ANALYZE owed_assignment`;
  }

  const rows = await tx.$queryRaw<{ kind: 'assigned' | 'reassigned' | 'waived'; person_id: string; program_key: string }[]>`
    WITH
    ${staged}
    ready AS (
      SELECT o.* FROM owed_assignment o
       WHERE NOT EXISTS (
         SELECT 1 FROM program_prerequisite pp
          WHERE pp.tenant_id = ${tenantId}::uuid AND pp.program_id = o.program_id
            AND NOT EXISTS (
              SELECT 1 FROM assignment done
               WHERE done.tenant_id = ${tenantId}::uuid AND done.person_id = o.person_id
                 AND done.program_id = pp.prerequisite_id AND done.status = 'completed'))
    ),
    upserted AS (
      INSERT INTO assignment AS a (id, tenant_id, person_id, program_id, requirement_id, mandatory, status, source,
                                   workflow_id, due_date, assigned_at, status_at, status_actor, updated_at)
      SELECT gen_random_uuid(), ${tenantId}::uuid, r.person_id, r.program_id, r.requirement_id, r.mandatory, 'assigned',
             ${ASSIGNMENT_SOURCE}, ${onboardingWorkflowIdPrefix(tenantId)} || r.person_id, r.due_date, now(), now(), ${actorId}, now()
        FROM ready r
      ON CONFLICT (tenant_id, person_id, program_id) DO UPDATE
         SET status = 'assigned', requirement_id = EXCLUDED.requirement_id, mandatory = EXCLUDED.mandatory,
             due_date = EXCLUDED.due_date, assigned_at = now(), status_at = now(), status_actor = EXCLUDED.status_actor,
             status_reason = 'required again by role', completed_at = NULL, updated_at = now()
       WHERE a.status IN ('waived', 'cancelled') AND a.status_reason IN (${NO_LONGER_REQUIRED}, ${PERSON_TERMINATED})
      RETURNING a.id, a.person_id, a.program_id, (xmax = 0) AS created
    ),
    relinked AS (
      UPDATE assignment a
         SET requirement_id = o.requirement_id, mandatory = o.mandatory, updated_at = now()
        FROM owed_assignment o
       WHERE a.tenant_id = ${tenantId}::uuid AND a.person_id = o.person_id AND a.program_id = o.program_id
         AND a.status IN ('assigned', 'in_progress', 'overdue')
         AND (a.requirement_id IS DISTINCT FROM o.requirement_id OR a.mandatory <> o.mandatory)
      RETURNING a.id
    ),
    waived AS (
      UPDATE assignment a
         SET status = 'waived', status_reason = ${NO_LONGER_REQUIRED}, status_actor = ${actorId}, status_at = now(), updated_at = now()
        FROM sync_person pe
       WHERE a.tenant_id = ${tenantId}::uuid AND a.person_id = pe.id AND a.source = ${ASSIGNMENT_SOURCE}
         AND a.status IN ('assigned', 'in_progress', 'overdue')
         AND NOT EXISTS (SELECT 1 FROM owed_assignment o WHERE o.person_id = a.person_id AND o.program_id = a.program_id)
      RETURNING a.id, a.person_id, a.program_id
    ),
    changes AS (
      SELECT CASE WHEN created THEN 'assigned' ELSE 'reassigned' END AS kind, id, person_id, program_id FROM upserted
      UNION ALL
      SELECT 'waived', id, person_id, program_id FROM waived
    ),
    -- Data-modifying CTEs run to completion whether or not the final SELECT reads them.
    audited AS (
      INSERT INTO audit_event (id, tenant_id, at, actor_type, actor_id, action, entity_type, entity_id, reason, request_id)
      SELECT gen_random_uuid(), ${tenantId}::uuid, now(), ${actor.type}::"ActorType", ${actor.id ?? null}, 'assignment.' || kind,
             'assignment', id::text, CASE kind WHEN 'waived' THEN ${NO_LONGER_REQUIRED} WHEN 'reassigned' THEN 'required again by role' END,
             ${actor.requestId ?? null}
        FROM changes
      RETURNING 1
    )
    SELECT c.kind, c.person_id::text AS person_id, pg.key AS program_key
      FROM changes c JOIN program pg ON pg.id = c.program_id`;
  return summarise(rows);
}

/**
 * Two syncs of the same person must not interleave (each would undo the other's view of the roles):
 * a person's sync holds that person's lock and shares the tenant's; a tenant-wide sync holds the
 * tenant's alone. Locks are taken in a fixed order and released at commit.
 */
async function lockSyncScope(tx: DbTx, tenantId: string, personIds: string[] | null): Promise<void> {
  if (!personIds) {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`sync:${tenantId}`}, 0))`;
    return;
  }
  await tx.$executeRaw`SELECT pg_advisory_xact_lock_shared(hashtextextended(${`sync:${tenantId}`}, 0))`;
  for (const personId of [...personIds].sort()) {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`sync:${tenantId}:${personId}`}, 0))`;
  }
}

function summarise(rows: { kind: 'assigned' | 'reassigned' | 'waived'; person_id: string; program_key: string }[]): MatrixSyncResult {
  const result: MatrixSyncResult = { peopleAffected: 0, assigned: 0, reassigned: 0, waived: 0, byProgram: {}, affectedPersonIds: [] };
  const people = new Set<string>();
  for (const row of rows) {
    people.add(row.person_id);
    result[row.kind] += 1;
    const program = (result.byProgram[row.program_key] ??= { assigned: 0, waived: 0 });
    if (row.kind === 'waived') program.waived += 1;
    else program.assigned += 1;
  }
  result.peopleAffected = people.size;
  result.affectedPersonIds = [...people].sort();
  return result;
}
