import { Prisma, type DbTx } from '../../db/client';
import { peopleByKey } from '../onboarding/people-by-key';
import { wakeCertificationProcess, type ProcessCommand } from '../processes/commands';

/** One certification a person must hold, and the first rule (certification requirement) that says so. */
export interface RequiredCertification {
  personId: string;
  certificationId: string;
}

/**
 * Every certification requirement that applies to each person of `people` (a relation with id,
 * status, department and location) who is active or on leave: the requirements of their roles whose
 * department and location filters match them (a null filter matches everyone, as for training
 * requirements: src/services/onboarding/owed-training.ts). Columns: person_id, certification_id,
 * requirement_id, role_id. The compliance view explains with these rows.
 */
export function certificationRulesQuery(tenantId: string, people: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    SELECT pe.id AS person_id, cr.certification_id, cr.id AS requirement_id, cr.role_id, cr.created_at AS requirement_created_at
      FROM ${people} pe
      -- A person's roles by the person (OFFSET 0: not by the tenant's index, see peopleByKey).
      CROSS JOIN LATERAL (SELECT tenant_id, role_id FROM person_role WHERE person_id = pe.id OFFSET 0) pr
      JOIN certification_requirement cr ON cr.tenant_id = ${tenantId}::uuid AND cr.role_id = pr.role_id
     WHERE pr.tenant_id = ${tenantId}::uuid AND pe.status IN ('active', 'on_leave')
       AND (cr.department IS NULL OR cr.department = pe.department)
       AND (cr.location IS NULL OR cr.location = pe.location)`;
}

/**
 * Who must hold which certification, as one SQL query — the only place this is computed (the
 * processes, the requirement changes and the compliance view read it): one row per person ×
 * certification of certificationRulesQuery, with the oldest requirement that asks for it.
 * Columns: person_id, certification_id, requirement_id.
 */
export function requiredCertificationsQuery(tenantId: string, people: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    SELECT DISTINCT ON (rule.person_id, rule.certification_id) rule.person_id, rule.certification_id, rule.requirement_id
      FROM (${certificationRulesQuery(tenantId, people)}) rule
     ORDER BY rule.person_id, rule.certification_id, rule.requirement_created_at, rule.requirement_id`;
}

/** The people of `personIds` in the tenant, as requiredCertificationsQuery reads them. */
function peopleOf(tenantId: string, personIds: readonly string[]): Prisma.Sql {
  return Prisma.sql`(${peopleByKey(tenantId, personIds, ['id', 'status', 'department', 'location'])})`;
}

/** Which certifications each of `personIds` must hold now. */
export async function requiredCertifications(tx: DbTx, tenantId: string, personIds: readonly string[]): Promise<RequiredCertification[]> {
  if (personIds.length === 0) return [];
  const rows = await tx.$queryRaw<{ person_id: string; certification_id: string }[]>`
    SELECT person_id, certification_id FROM (${requiredCertificationsQuery(tenantId, peopleOf(tenantId, personIds))}) required
     ORDER BY person_id, certification_id`;
  return rows.map((row) => ({ personId: row.person_id, certificationId: row.certification_id }));
}

/**
 * The wake-ups a change to these people calls for (an HR event, a completion, a requirement change):
 * one per certification each must hold now, and one per certification whose process is under way
 * (a certification_status row not `inactive`) — so a transfer out of the role or a termination
 * reaches the process that has to stop. Queue them in the transaction of the change.
 */
export async function certificationCommandsFor(tx: DbTx, tenantId: string, personIds: readonly string[], priority = 0): Promise<ProcessCommand[]> {
  const pairs = await certificationPairsFor(tx, tenantId, personIds);
  return pairs.map((pair) => wakeCertificationProcess(tenantId, pair.certificationId, pair.personId, priority));
}

/** The person × certification pairs of certificationCommandsFor (required now, or a process under way). */
export async function certificationPairsFor(tx: DbTx, tenantId: string, personIds: readonly string[]): Promise<RequiredCertification[]> {
  if (personIds.length === 0) return [];
  const rows = await tx.$queryRaw<{ person_id: string; certification_id: string }[]>`
    SELECT person_id, certification_id FROM (${requiredCertificationsQuery(tenantId, peopleOf(tenantId, personIds))}) required
    UNION
    SELECT person_id, certification_id FROM certification_status
     WHERE tenant_id = ${tenantId}::uuid AND person_id = ANY(${[...personIds]}::uuid[]) AND state <> 'inactive'
    ORDER BY person_id, certification_id`;
  return rows.map((row) => ({ personId: row.person_id, certificationId: row.certification_id }));
}
