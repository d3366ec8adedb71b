import type { DbTx } from '../../db/client';
import { Prisma } from '../../db/client';
import type { ImportChangeKind } from '../../generated/prisma/enums';
import { ABSENT_LINES } from './staging';

/**
 * The HR event (or completion) an import change makes, built from the change and its staged row
 * when the change is read for applying. The diff writes only what differs from the row (a
 * transfer's `fields`): building 100,000 events as JSON there was a third of its time, for changes
 * that are applied a page at a time over the next half hour.
 *
 * - hire: the row's values (roles once each, in order);
 * - transfer: the external id and the fields the diff found changed, with the row's values;
 * - leave, return, terminate: the external id (a person a snapshot lacks has no row);
 * - completion: the transcript record (person by external id, else e-mail).
 * Event ids: `import:<run>:<line>:<kind>`, or `import:<run>:absent:<external id>` for the people a
 * snapshot lacks — so the same change applied twice is one event.
 */
export interface ChangeWithEvent {
  line: number;
  kind: ImportChangeKind;
  payload: Prisma.JsonValue;
}

const ROLE_KEYS = Prisma.sql`to_jsonb(array(SELECT DISTINCT k FROM unnest(r.roles) k ORDER BY k))`;

/** A transfer's event names a field when the diff found it changed (`c.fields`). */
const changed = (field: string, value: Prisma.Sql) =>
  Prisma.sql`CASE WHEN ${field}::text = ANY(c.fields) THEN jsonb_build_object(${field}::text, ${value}) ELSE '{}'::jsonb END`;

function eventOf(source: string): Prisma.Sql {
  const id = Prisma.sql`jsonb_build_object('externalId', c.external_id)`;
  return Prisma.sql`CASE WHEN c.kind = 'completion' THEN
      jsonb_strip_nulls(jsonb_build_object(
        'source', ${source}::text, 'externalId', r.record_id,
        'person', CASE WHEN r.external_id IS NOT NULL THEN jsonb_build_object('externalId', r.external_id) ELSE jsonb_build_object('email', r.email) END,
        'courseKey', r.course_key, 'completedAt', to_char(r.completed_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'passed', r.passed, 'score', r.score))
    ELSE jsonb_build_object(
      'type', c.kind::text, 'source', ${source}::text,
      'eventId', 'import:' || c.run_id::text || CASE WHEN c.line >= ${ABSENT_LINES}::int THEN ':absent:' || c.external_id ELSE ':' || c.line || ':' || c.kind::text END,
      'person', CASE c.kind
        WHEN 'hire' THEN jsonb_build_object(
          'externalId', r.external_id, 'email', r.email, 'name', nullif(r.name, ''), 'department', r.department, 'location', r.location,
          'managerExternalId', r.manager_external_id, 'hireDate', r.hire_date, 'roleKeys', ${ROLE_KEYS})
        WHEN 'transfer' THEN ${id}
          || ${changed('roleKeys', ROLE_KEYS)}
          || ${changed('department', Prisma.sql`r.department`)}
          || ${changed('location', Prisma.sql`r.location`)}
          || ${changed('managerExternalId', Prisma.sql`r.manager_external_id`)}
          || ${changed('email', Prisma.sql`r.email`)}
          || ${changed('name', Prisma.sql`nullif(r.name, '')`)}
        ELSE ${id} END)
    END`;
}

/**
 * The run's changes that `where` selects (over import_change `c`), each with its event, in file
 * order; `limit` caps a page.
 */
export function changesWithEvents(db: DbTx, runId: string, source: string, where: Prisma.Sql, limit?: number): Promise<ChangeWithEvent[]> {
  return db.$queryRaw<ChangeWithEvent[]>`
    SELECT c.line, c.kind::text AS kind, ${eventOf(source)} AS payload
      FROM import_change c LEFT JOIN import_row r ON r.run_id = c.run_id AND r.line = c.line
     WHERE c.run_id = ${runId}::uuid AND ${where}
     ORDER BY c.line, c.kind
     ${limit === undefined ? Prisma.empty : Prisma.sql`LIMIT ${limit}`}`;
}
