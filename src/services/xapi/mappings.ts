import type { Db } from '../../db/client';
import { Prisma } from '../../db/client';
import { Duplicate, NotFound, UnknownReference } from '../../domain/errors';
import { recordAudit, type Actor } from '../audit/trail';
import type { MoveOn } from './completions';

export interface MappingInput {
  activity: string;
  prefix: boolean;
  courseKey: string;
  moveOn: MoveOn;
  masteryScore: number | null;
}

export interface MappingView extends MappingInput {
  id: string;
  createdAt: string;
}

type Row = Prisma.XapiCourseMappingGetPayload<{ include: { course: { select: { key: true } } } }>;
const view = (row: Row): MappingView => ({
  id: row.id,
  activity: row.activity,
  prefix: row.prefix,
  courseKey: row.course.key,
  moveOn: row.moveOn as MoveOn,
  masteryScore: row.masteryScore,
  createdAt: row.createdAt.toISOString(),
});

/** Which activities count as which course; applies to statements stored from now on. */
export async function createMapping(db: Db, tenantId: string, actor: Actor, input: MappingInput): Promise<MappingView> {
  const course = await db.course.findUnique({ where: { tenantId_key: { tenantId, key: input.courseKey } }, select: { id: true } });
  if (!course) throw new UnknownReference('course', input.courseKey);
  try {
    const row = await db.xapiCourseMapping.create({
      data: { tenantId, courseId: course.id, activity: input.activity, prefix: input.prefix, moveOn: input.moveOn, masteryScore: input.masteryScore },
      include: { course: { select: { key: true } } },
    });
    await recordAudit(db, tenantId, actor, { action: 'xapi_mapping.created', entityType: 'xapi_mapping', entityId: row.id, data: { ...input } });
    return view(row);
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') throw new Duplicate('xapi_mapping', `Activity ${input.activity}${input.prefix ? ' (as a prefix)' : ''} is mapped already`);
    throw error;
  }
}

export async function listMappings(db: Db, tenantId: string): Promise<MappingView[]> {
  return (await db.xapiCourseMapping.findMany({ where: { tenantId }, include: { course: { select: { key: true } } }, orderBy: { activity: 'asc' } })).map(view);
}

export async function deleteMapping(db: Db, tenantId: string, actor: Actor, id: string): Promise<void> {
  const removed = await db.xapiCourseMapping.deleteMany({ where: { id, tenantId } });
  if (removed.count === 0) throw new NotFound('xapi_mapping', id);
  await recordAudit(db, tenantId, actor, { action: 'xapi_mapping.deleted', entityType: 'xapi_mapping', entityId: id });
}

/** Activities statements were stored about that no mapping covers, most recent first: what an admin may still map. */
export async function unmappedActivities(db: Db, tenantId: string, limit = 100): Promise<{ activity: string; statements: number; lastStored: string }[]> {
  const rows = await db.$queryRaw<{ activity: string; statements: bigint; last_stored: Date }[]>`
    SELECT s.activity, count(*) AS statements, max(s.stored) AS last_stored
      FROM xapi_statement s
     WHERE s.tenant_id = ${tenantId}::uuid AND s.activity IS NOT NULL AND NOT s.voided
       AND NOT EXISTS (SELECT 1 FROM xapi_course_mapping m WHERE m.tenant_id = s.tenant_id AND (m.activity = s.activity OR (m.prefix AND starts_with(s.activity, m.activity))))
     GROUP BY s.activity ORDER BY max(s.stored) DESC LIMIT ${limit}`;
  return rows.map((r) => ({ activity: r.activity, statements: Number(r.statements), lastStored: r.last_stored.toISOString() }));
}

/** Statements per LRS client and day (UTC), split into those a mapping covers and those it does not. */
export async function statementStats(db: Db, tenantId: string, days = 30): Promise<{ client: string; day: string; statements: number; mapped: number; unmapped: number }[]> {
  const rows = await db.$queryRaw<{ client: string; day: Date; statements: bigint; mapped: bigint }[]>`
    SELECT c.name AS client, date_trunc('day', s.stored AT TIME ZONE 'UTC') AS day, count(*) AS statements,
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM xapi_course_mapping m WHERE m.tenant_id = s.tenant_id AND (m.activity = s.activity OR (m.prefix AND starts_with(s.activity, m.activity))))) AS mapped
      FROM xapi_statement s JOIN lrs_client c ON c.id = s.client_id
     WHERE s.tenant_id = ${tenantId}::uuid AND s.stored > now() - make_interval(days => ${days})
     GROUP BY c.name, 2 ORDER BY 2 DESC, c.name`;
  return rows.map((r) => ({ client: r.client, day: r.day.toISOString().slice(0, 10), statements: Number(r.statements), mapped: Number(r.mapped), unmapped: Number(r.statements - r.mapped) }));
}
