import type { Db, DbTx } from '../../db/client';
import { Duplicate, NotFound, StillInUse } from '../../domain/errors';
import type { Actor } from '../audit/trail';
import { auditChange, byKeyOrId, decodeCursor, inCatalogTransaction, sameView, toPage, type Page, type PageRequest } from './common';

/** A course as the API shows it; LMS completions name it by key. */
export type CourseView = {
  id: string;
  key: string;
  title: string;
  createdAt: string;
};

export interface CourseInput {
  key: string;
  title: string;
}

export interface CourseChanges {
  title?: string;
}

type CourseRow = { id: string; key: string; title: string; createdAt: Date };

function view(row: CourseRow): CourseView {
  return { id: row.id, key: row.key, title: row.title, createdAt: row.createdAt.toISOString() };
}

/** The tenant's courses in key order. */
export async function listCourses(db: DbTx, tenantId: string, page: PageRequest): Promise<Page<CourseView>> {
  const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor, 1)[0];
  const rows = await db.course.findMany({
    where: { tenantId, ...(after === undefined ? {} : { key: { gt: after } }) },
    orderBy: { key: 'asc' },
    take: page.limit + 1,
  });
  return toPage(rows.map(view), page.limit, (course) => [course.key]);
}

export async function getCourse(db: DbTx, tenantId: string, ref: string): Promise<CourseView> {
  return view(await findCourse(db, tenantId, ref));
}

export async function createCourse(db: Db, tenantId: string, actor: Actor, input: CourseInput): Promise<CourseView> {
  return inCatalogTransaction(db, tenantId, async (tx) => {
    const taken = await tx.course.findUnique({ where: { tenantId_key: { tenantId, key: input.key } }, select: { id: true } });
    if (taken) throw new Duplicate('course', `A course with key "${input.key}" already exists`, { key: input.key, id: taken.id });
    const created = view(await tx.course.create({ data: { tenantId, key: input.key, title: input.title } }));
    await auditChange(tx, tenantId, actor, { entityType: 'course', entityId: created.id, action: 'created', before: null, after: created });
    return created;
  });
}

export async function updateCourse(db: Db, tenantId: string, actor: Actor, ref: string, changes: CourseChanges): Promise<CourseView> {
  return inCatalogTransaction(db, tenantId, async (tx) => {
    const before = view(await findCourse(tx, tenantId, ref));
    const after: CourseView = { ...before, title: changes.title ?? before.title };
    if (sameView(before, after)) return before;
    await tx.course.update({ where: { id: before.id }, data: { title: after.title } });
    await auditChange(tx, tenantId, actor, { entityType: 'course', entityId: before.id, action: 'updated', before, after });
    return after;
  });
}

/** Deletes a course that no program, document, SCORM package or xAPI mapping uses and nobody has completed; otherwise 409 course_in_use. */
export async function deleteCourse(db: Db, tenantId: string, actor: Actor, ref: string): Promise<CourseView> {
  return inCatalogTransaction(db, tenantId, async (tx) => {
    const before = view(await findCourse(tx, tenantId, ref));
    const programs = await tx.programCourse.count({ where: { tenantId, courseId: before.id } });
    const completions = await tx.completion.count({ where: { tenantId, courseId: before.id } });
    const renewals = await tx.renewalRequest.count({ where: { tenantId, courseId: before.id } });
    const documents = await tx.document.count({ where: { tenantId, courseId: before.id } });
    const scormPackages = await tx.scormPackage.count({ where: { tenantId, courseId: before.id } });
    const xapiMappings = await tx.xapiCourseMapping.count({ where: { tenantId, courseId: before.id } });
    if (programs + completions + renewals + documents + scormPackages + xapiMappings > 0) {
      throw new StillInUse('course', before.key, { programs, completions, renewals, documents, scormPackages, xapiMappings });
    }
    await tx.course.delete({ where: { id: before.id } });
    await auditChange(tx, tenantId, actor, { entityType: 'course', entityId: before.id, action: 'deleted', before, after: null });
    return before;
  });
}

async function findCourse(db: DbTx, tenantId: string, ref: string): Promise<CourseRow> {
  const course = await db.course.findFirst({ where: byKeyOrId(tenantId, ref) });
  if (!course) throw new NotFound('course', ref);
  return course;
}
