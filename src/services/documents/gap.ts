import type { DbTx } from '../../db/client';
import { Prisma } from '../../db/client';

/**
 * Who a document version's training is owed by, as one set-based computation: active people holding
 * a role that the document's type touches (role → document type → document), who lack current training
 * for this version — its acknowledgement, or (course / program) a passed completion since the version
 * was approved. Authors and approvers are credited when the document says so. `people` narrows it
 * (a transfer, a hire); `approvedAt` is the version's, or now for a preview.
 */
function gapRows(tenantId: string, versionId: string, approvedAt: Date, people: readonly string[] | null): Prisma.Sql {
  return Prisma.sql`
    WITH v AS (
      SELECT dv.id, dv.effective_date, dv.author_ids, d.document_type_id, d.training, d.course_id, d.program_id, d.due_offset_days, d.credit_authors
        FROM document_version dv JOIN document d ON d.id = dv.document_id
       WHERE dv.id = ${versionId}::uuid AND dv.tenant_id = ${tenantId}::uuid
    ),
    affected AS (
      SELECT DISTINCT ON (p.id) p.id AS person_id, pr.role_id
        FROM v JOIN document_type_role dtr ON dtr.document_type_id = v.document_type_id
        JOIN person_role pr ON pr.tenant_id = ${tenantId}::uuid AND pr.role_id = dtr.role_id
        JOIN person p ON p.id = pr.person_id AND p.status = 'active'
       ${people ? Prisma.sql`WHERE p.id = ANY(${people as string[]}::uuid[])` : Prisma.empty}
       ORDER BY p.id, pr.role_id
    )
    SELECT a.person_id, a.role_id, v.id AS version_id,
           (v.credit_authors AND a.person_id::text = ANY(v.author_ids)) AS credited,
           (v.effective_date + v.due_offset_days) AS due_date
      FROM v CROSS JOIN affected a
     WHERE NOT CASE v.training
       WHEN 'acknowledgement' THEN EXISTS (SELECT 1 FROM document_acknowledgement k WHERE k.version_id = v.id AND k.person_id = a.person_id)
       WHEN 'course' THEN EXISTS (SELECT 1 FROM completion c WHERE c.tenant_id = ${tenantId}::uuid AND c.person_id = a.person_id AND c.course_id = v.course_id AND c.passed AND c.completed_at >= ${approvedAt})
       ELSE NOT EXISTS (SELECT 1 FROM program_course pc WHERE pc.program_id = v.program_id
                         AND NOT EXISTS (SELECT 1 FROM completion c WHERE c.tenant_id = ${tenantId}::uuid AND c.person_id = a.person_id AND c.course_id = pc.course_id AND c.passed AND c.completed_at >= ${approvedAt}))
     END`;
}

export interface GapResult {
  assigned: number;
  credited: number;
  obsoleted: number;
}

/**
 * Opens the version's training for everyone in its gap (one INSERT … SELECT; a person already holding
 * a row keeps it), and closes as obsolete the open training of the document's earlier versions when the
 * document says so (they are reissued on this one by the same statement). Safe to run again.
 */
export async function openGap(tx: DbTx, tenantId: string, versionId: string, approvedAt: Date, people: readonly string[] | null = null): Promise<GapResult> {
  // The CASE over training kinds makes the planner's estimate large enough for PostgreSQL to JIT-compile
  // the statement, which costs more than it saves here (about a third of the time at 100,000 people).
  await tx.$executeRaw`SET LOCAL jit = off`;
  const inserted = await tx.$queryRaw<{ credited: boolean }[]>`
    WITH gap AS (${gapRows(tenantId, versionId, approvedAt, people)})
    INSERT INTO document_training (id, tenant_id, version_id, person_id, role_id, status, due_date, completed_at)
    SELECT gen_random_uuid(), ${tenantId}::uuid, gap.version_id, gap.person_id, gap.role_id,
           CASE WHEN gap.credited THEN 'credited' ELSE 'open' END, gap.due_date, CASE WHEN gap.credited THEN now() END
      FROM gap
    ON CONFLICT (version_id, person_id) DO NOTHING
    RETURNING status = 'credited' AS credited`;
  const obsoleted = await tx.$executeRaw`
    UPDATE document_training t SET status = 'obsolete'
      FROM document_version old, document_version cur, document d
     WHERE cur.id = ${versionId}::uuid AND d.id = cur.document_id AND d.close_superseded
       AND old.document_id = cur.document_id AND old.id <> cur.id AND t.version_id = old.id AND t.status = 'open'
       ${people ? Prisma.sql`AND t.person_id = ANY(${people as string[]}::uuid[])` : Prisma.empty}`;
  const credited = inserted.filter((r) => r.credited).length;
  return { assigned: inserted.length - credited, credited, obsoleted };
}

export interface GapPreviewRow {
  person: { id: string; externalId: string; name: string };
  role: string;
  documentType: string;
  training: { kind: string; course: string | null; program: string | null };
  credited: boolean;
  dueDate: string;
}

/** The gap as it stands now, explained per person (role → document type → training): what approving would assign. */
export async function previewGap(db: DbTx, tenantId: string, versionId: string, approvedAt: Date): Promise<GapPreviewRow[]> {
  const rows = await db.$queryRaw<{ person_id: string; external_id: string; name: string; role: string; document_type: string; training: string; course: string | null; program: string | null; credited: boolean; due_date: Date }[]>`
    WITH gap AS (${gapRows(tenantId, versionId, approvedAt, null)})
    SELECT p.id AS person_id, p.external_id, p.name, r.key AS role, dt.key AS document_type, d.training, c.key AS course, pg.key AS program, gap.credited, gap.due_date
      FROM gap JOIN person p ON p.id = gap.person_id JOIN role r ON r.id = gap.role_id
      JOIN document_version dv ON dv.id = gap.version_id JOIN document d ON d.id = dv.document_id JOIN document_type dt ON dt.id = d.document_type_id
      LEFT JOIN course c ON c.id = d.course_id LEFT JOIN program pg ON pg.id = d.program_id
     ORDER BY p.name, p.id`;
  return rows.map((r) => ({
    person: { id: r.person_id, externalId: r.external_id, name: r.name },
    role: r.role,
    documentType: r.document_type,
    training: { kind: r.training, course: r.course, program: r.program },
    credited: r.credited,
    dueDate: r.due_date.toISOString().slice(0, 10),
  }));
}

/**
 * Marks open training done where the person has since met it (an acknowledgement, or passed
 * completions since the version was approved): the process's re-check before reminders and
 * escalation, and what the completion path runs for the people it touches.
 */
export async function markTrainedDone(tx: DbTx, tenantId: string, filter: { versionId?: string; personIds?: readonly string[] }): Promise<number> {
  return tx.$executeRaw`
    UPDATE document_training t SET status = 'completed', completed_at = now()
      FROM document_version v JOIN document d ON d.id = v.document_id
     WHERE t.tenant_id = ${tenantId}::uuid AND t.status = 'open' AND v.id = t.version_id
       ${filter.versionId ? Prisma.sql`AND t.version_id = ${filter.versionId}::uuid` : Prisma.empty}
       ${filter.personIds ? Prisma.sql`AND t.person_id = ANY(${filter.personIds as string[]}::uuid[])` : Prisma.empty}
       AND CASE d.training
         WHEN 'acknowledgement' THEN EXISTS (SELECT 1 FROM document_acknowledgement k WHERE k.version_id = v.id AND k.person_id = t.person_id)
         WHEN 'course' THEN EXISTS (SELECT 1 FROM completion c WHERE c.tenant_id = t.tenant_id AND c.person_id = t.person_id AND c.course_id = d.course_id AND c.passed AND c.completed_at >= v.approved_at)
         ELSE NOT EXISTS (SELECT 1 FROM program_course pc WHERE pc.program_id = d.program_id
                           AND NOT EXISTS (SELECT 1 FROM completion c WHERE c.tenant_id = t.tenant_id AND c.person_id = t.person_id AND c.course_id = pc.course_id AND c.passed AND c.completed_at >= v.approved_at))
       END`;
}
