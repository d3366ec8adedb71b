import { Prisma, type DbTx } from '../../db/client';
import { isoDate } from '../../domain/dates';
import { NotFound } from '../../domain/errors';
import { decodeCursor, invalidCursor, isUuid, toPage, type Page, type PageRequest } from '../catalog/common';

/**
 * Reading what document versions require: where a version's training stands (affected, trained,
 * outstanding, overdue), who owes it and why, and every document a person owes.
 */

/** Where the training a version requires stands, counted over its DocumentTraining rows. */
export interface VersionProgress {
  /** Everyone the version asks training of (every row not obsolete). */
  affected: number;
  /** Completed or credited. */
  trained: number;
  /** Still open. */
  outstanding: number;
  /** Open past the due date. */
  overdue: number;
}

/** A DocumentTraining row's status; `overdue` (as a filter) means open past its due date. */
export type TrainingStatus = 'open' | 'completed' | 'credited' | 'obsolete';
export type TrainingFilter = TrainingStatus | 'overdue';

/** Why a person owes a version: the role they hold → the document type that role is mapped to → the training the document requires. */
export interface TrainingReason {
  role: { id: string; key: string; name: string } | null;
  documentType: { id: string; key: string; name: string };
  training: TrainingView;
}

/** One person's training on one version, as the version's list shows it. */
export interface VersionTrainingLine {
  person: { id: string; externalId: string; name: string };
  status: TrainingStatus;
  /** Open with its due date before today. */
  overdue: boolean;
  /** YYYY-MM-DD */
  dueDate: string;
  assignedAt: string;
  completedAt: string | null;
  why: TrainingReason;
}

/** One version a person owes (or owed) training on, as their list shows it. */
export interface PersonDocumentLine {
  document: { id: string; key: string; title: string };
  version: { id: string; version: string; title: string; status: string; effectiveDate: string };
  status: TrainingStatus;
  overdue: boolean;
  dueDate: string;
  assignedAt: string;
  completedAt: string | null;
  why: TrainingReason;
}

type TitledRef = { id: string; key: string; title: string };

/** What a version of a document requires of the people it affects: the last link of why they owe it. */
export type TrainingView =
  | { kind: 'acknowledgement' }
  | { kind: 'course'; course: TitledRef }
  | { kind: 'program'; program: TitledRef };

/** The training a document requires, from its kind and the course or program it names. */
export function trainingView(kind: string, course: TitledRef | null, program: TitledRef | null): TrainingView {
  if (kind === 'course' && course) return { kind: 'course', course: { id: course.id, key: course.key, title: course.title } };
  if (kind === 'program' && program) return { kind: 'program', program: { id: program.id, key: program.key, title: program.title } };
  return { kind: 'acknowledgement' };
}

const NONE: VersionProgress = { affected: 0, trained: 0, outstanding: 0, overdue: 0 };

/** The progress of each version named, counted in one statement (versions without rows count zero). */
export async function versionProgress(db: DbTx, tenantId: string, versionIds: readonly string[], today = new Date()): Promise<Map<string, VersionProgress>> {
  const progress = new Map<string, VersionProgress>(versionIds.map((id) => [id, { ...NONE }]));
  if (versionIds.length === 0) return progress;
  const rows = await db.$queryRaw<{ version_id: string; affected: number; trained: number; outstanding: number; overdue: number }[]>`
    SELECT version_id,
           count(*) FILTER (WHERE status <> 'obsolete')::int AS affected,
           count(*) FILTER (WHERE status IN ('completed', 'credited'))::int AS trained,
           count(*) FILTER (WHERE status = 'open')::int AS outstanding,
           count(*) FILTER (WHERE status = 'open' AND due_date < ${isoDate(today)}::date)::int AS overdue
      FROM document_training
     WHERE tenant_id = ${tenantId}::uuid AND version_id = ANY(${[...versionIds]}::uuid[])
     GROUP BY version_id`;
  for (const row of rows) {
    progress.set(row.version_id, { affected: row.affected, trained: row.trained, outstanding: row.outstanding, overdue: row.overdue });
  }
  return progress;
}

/** The tables a line's why is read from, for a query over document_training `dt`. */
function whyJoins(): Prisma.Sql {
  return Prisma.sql`
    JOIN document_version v ON v.id = dt.version_id
    JOIN document d ON d.id = v.document_id
    JOIN document_type t ON t.id = d.document_type_id
    LEFT JOIN role ro ON ro.id = dt.role_id
    LEFT JOIN course c ON c.id = d.course_id
    LEFT JOIN program pr ON pr.id = d.program_id`;
}

interface LineRow {
  status: TrainingStatus;
  overdue: boolean;
  due_date: string;
  assigned_at: Date;
  completed_at: Date | null;
  role_id: string | null;
  role_key: string | null;
  role_name: string | null;
  type_id: string;
  type_key: string;
  type_name: string;
  training: string;
  course_id: string | null;
  course_key: string | null;
  course_title: string | null;
  program_id: string | null;
  program_key: string | null;
  program_title: string | null;
}

function lineColumns(today: Date): Prisma.Sql {
  return Prisma.sql`
    dt.status, (dt.status = 'open' AND dt.due_date < ${isoDate(today)}::date) AS overdue, dt.due_date::text AS due_date,
    dt.assigned_at AT TIME ZONE 'UTC' AS assigned_at, dt.completed_at AT TIME ZONE 'UTC' AS completed_at,
    ro.id AS role_id, ro.key AS role_key, ro.name AS role_name,
    t.id AS type_id, t.key AS type_key, t.name AS type_name,
    d.training, c.id AS course_id, c.key AS course_key, c.title AS course_title,
    pr.id AS program_id, pr.key AS program_key, pr.title AS program_title`;
}

function reason(row: LineRow): TrainingReason {
  return {
    role: row.role_id === null ? null : { id: row.role_id, key: row.role_key!, name: row.role_name! },
    documentType: { id: row.type_id, key: row.type_key, name: row.type_name },
    training: trainingView(
      row.training,
      row.course_id === null ? null : { id: row.course_id, key: row.course_key!, title: row.course_title! },
      row.program_id === null ? null : { id: row.program_id, key: row.program_key!, title: row.program_title! },
    ),
  };
}

function statusOf(row: LineRow) {
  return {
    status: row.status,
    overdue: row.overdue,
    dueDate: row.due_date,
    assignedAt: new Date(row.assigned_at).toISOString(),
    completedAt: row.completed_at === null ? null : new Date(row.completed_at).toISOString(),
  };
}

/**
 * Who the version `versionId` asks training of, in name order: without a filter everyone affected
 * (all rows not obsolete); `status` narrows to one status, `overdue` to open rows past their due date.
 */
export async function versionTrainings(
  db: DbTx,
  tenantId: string,
  versionId: string,
  filter: { status?: TrainingFilter },
  page: PageRequest,
  today = new Date(),
): Promise<Page<VersionTrainingLine>> {
  const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor, 2);
  if (after && !isUuid(after[1]!)) invalidCursor();
  const status =
    filter.status === undefined
      ? Prisma.sql`dt.status <> 'obsolete'`
      : filter.status === 'overdue'
        ? Prisma.sql`dt.status = 'open' AND dt.due_date < ${isoDate(today)}::date`
        : Prisma.sql`dt.status = ${filter.status}`;
  const rows = await db.$queryRaw<(LineRow & { person_id: string; external_id: string; name: string })[]>`
    SELECT p.id AS person_id, p.external_id, p.name, ${lineColumns(today)}
      FROM document_training dt
      JOIN person p ON p.id = dt.person_id
      ${whyJoins()}
     WHERE dt.tenant_id = ${tenantId}::uuid AND dt.version_id = ${versionId}::uuid AND ${status}
       ${after ? Prisma.sql`AND (p.name, p.id) > (${after[0]!}, ${after[1]!}::uuid)` : Prisma.empty}
     ORDER BY p.name, p.id
     LIMIT ${page.limit + 1}`;
  const lines = rows.map((row) => ({ person: { id: row.person_id, externalId: row.external_id, name: row.name }, ...statusOf(row), why: reason(row) }));
  return toPage(lines, page.limit, (line) => [line.person.name, line.person.id]);
}

/**
 * Every document version a person owes or has done training on (all their rows not obsolete),
 * newest version first, each with why: role → document type → training. 404 for a person this
 * tenant does not have.
 */
export async function personDocuments(db: DbTx, tenantId: string, personId: string, today = new Date()): Promise<PersonDocumentLine[]> {
  const [found] = await db.$queryRaw<{ person: string | null; lines: (LineRow & Record<string, string>)[] }[]>`
    SELECT (SELECT id::text FROM person WHERE tenant_id = ${tenantId}::uuid AND id = ${personId}::uuid) AS person,
           (SELECT COALESCE(json_agg(x ORDER BY x.effective_date DESC, x.version_created_at DESC, x.document_key), '[]') FROM (
              SELECT d.id AS document_id, d.key AS document_key, d.title AS document_title,
                     v.id AS version_id, v.version, v.title AS version_title, v.status AS version_status,
                     v.effective_date::text AS effective_date, v.created_at AS version_created_at,
                     ${lineColumns(today)}
                FROM document_training dt
                ${whyJoins()}
               WHERE dt.tenant_id = ${tenantId}::uuid AND dt.person_id = ${personId}::uuid AND dt.status <> 'obsolete') x) AS lines`;
  if (!found?.person) throw new NotFound('person', personId);
  return found.lines.map((row) => ({
    document: { id: row.document_id!, key: row.document_key!, title: row.document_title! },
    version: { id: row.version_id!, version: row.version!, title: row.version_title!, status: row.version_status!, effectiveDate: row.effective_date! },
    ...statusOf(row),
    why: reason(row),
  }));
}
