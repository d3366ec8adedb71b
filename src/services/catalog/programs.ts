import type { Db, DbTx } from '../../db/client';
import { CyclicPrerequisite, Duplicate, NotFound, StillInUse, UnknownReference } from '../../domain/errors';
import { findCycleThrough, graphWith } from '../../domain/prerequisites';
import type { Actor } from '../audit/trail';
import { auditChange, byKeyOrId, decodeCursor, inCatalogTransaction, sameView, toPage, type Page, type PageRequest } from './common';

type Ref = { id: string; key: string; title: string };

/** A program as the API shows it: its courses in the order they are taken, and the programs it needs first. */
export type ProgramView = {
  id: string;
  key: string;
  title: string;
  courses: Ref[];
  prerequisites: Ref[];
  createdAt: string;
};

export interface ProgramInput {
  key: string;
  title: string;
  /** Course keys, in order; at least one, no repeats. */
  courses: string[];
  /** Keys of the programs that must be complete before this one is assigned. */
  prerequisites: string[];
}

export interface ProgramChanges {
  title?: string;
  /** Replaces the ordered course list. */
  courses?: string[];
  /** Replaces the prerequisites. */
  prerequisites?: string[];
}

const withParts = {
  courses: { include: { course: { select: { id: true, key: true, title: true } } }, orderBy: { position: 'asc' } },
  prerequisites: { include: { prerequisite: { select: { id: true, key: true, title: true } } } },
} as const;

type ProgramRow = {
  id: string;
  key: string;
  title: string;
  createdAt: Date;
  courses: { course: Ref }[];
  prerequisites: { prerequisite: Ref }[];
};

function view(row: ProgramRow): ProgramView {
  return {
    id: row.id,
    key: row.key,
    title: row.title,
    courses: row.courses.map(({ course }) => ({ id: course.id, key: course.key, title: course.title })),
    prerequisites: row.prerequisites
      .map(({ prerequisite }) => ({ id: prerequisite.id, key: prerequisite.key, title: prerequisite.title }))
      .sort((a, b) => (a.key < b.key ? -1 : 1)),
    createdAt: row.createdAt.toISOString(),
  };
}

/** The tenant's programs in key order. */
export async function listPrograms(db: DbTx, tenantId: string, page: PageRequest): Promise<Page<ProgramView>> {
  const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor, 1)[0];
  const rows = await db.program.findMany({
    where: { tenantId, ...(after === undefined ? {} : { key: { gt: after } }) },
    include: withParts,
    orderBy: { key: 'asc' },
    take: page.limit + 1,
  });
  return toPage(rows.map(view), page.limit, (program) => [program.key]);
}

export async function getProgram(db: DbTx, tenantId: string, ref: string): Promise<ProgramView> {
  return view(await findProgram(db, tenantId, ref));
}

/**
 * Creates a program with its ordered courses and its prerequisites. Unknown course or program keys
 * are 422 unknown_course / unknown_program; a program that needs itself is 422 cyclic_prerequisite.
 */
export async function createProgram(db: Db, tenantId: string, actor: Actor, input: ProgramInput): Promise<ProgramView> {
  return inCatalogTransaction(db, tenantId, async (tx) => {
    const taken = await tx.program.findUnique({ where: { tenantId_key: { tenantId, key: input.key } }, select: { id: true } });
    if (taken) throw new Duplicate('program', `A program with key "${input.key}" already exists`, { key: input.key, id: taken.id });
    // Nothing can need a program that does not exist yet, so the only possible cycle is the program itself.
    if (input.prerequisites.includes(input.key)) throw new CyclicPrerequisite([input.key, input.key]);
    const courseIds = await resolveCourses(tx, tenantId, input.courses);
    const prerequisiteIds = await resolvePrograms(tx, tenantId, input.prerequisites);
    const program = await tx.program.create({ data: { tenantId, key: input.key, title: input.title }, select: { id: true } });
    await writeParts(tx, tenantId, program.id, courseIds, prerequisiteIds);
    const created = view(await findProgram(tx, tenantId, program.id));
    await auditChange(tx, tenantId, actor, { entityType: 'program', entityId: created.id, action: 'created', before: null, after: created });
    return created;
  });
}

/** Changes a program's title, and replaces its courses and/or prerequisites when given. */
export async function updateProgram(db: Db, tenantId: string, actor: Actor, ref: string, changes: ProgramChanges): Promise<ProgramView> {
  return inCatalogTransaction(db, tenantId, async (tx) => {
    const before = view(await findProgram(tx, tenantId, ref));
    const courseIds = changes.courses ? await resolveCourses(tx, tenantId, changes.courses) : before.courses.map((c) => c.id);
    const prerequisiteIds = changes.prerequisites
      ? await resolvePrograms(tx, tenantId, changes.prerequisites)
      : before.prerequisites.map((p) => p.id);
    if (changes.prerequisites) await refuseCycle(tx, tenantId, before.key, changes.prerequisites);
    if (changes.title !== undefined && changes.title !== before.title) {
      await tx.program.update({ where: { id: before.id }, data: { title: changes.title } });
    }
    if (changes.courses || changes.prerequisites) {
      await tx.programCourse.deleteMany({ where: { tenantId, programId: before.id } });
      await tx.programPrerequisite.deleteMany({ where: { tenantId, programId: before.id } });
      await writeParts(tx, tenantId, before.id, courseIds, prerequisiteIds);
    }
    const after = view(await findProgram(tx, tenantId, before.id));
    if (!sameView(before, after)) {
      await auditChange(tx, tenantId, actor, { entityType: 'program', entityId: before.id, action: 'updated', before, after });
    }
    return after;
  });
}

/**
 * Deletes a program that no requirement names, nobody has been assigned and no other program
 * needs; otherwise 409 program_in_use. Its own course list and prerequisites go with it.
 */
export async function deleteProgram(db: Db, tenantId: string, actor: Actor, ref: string): Promise<ProgramView> {
  return inCatalogTransaction(db, tenantId, async (tx) => {
    const before = view(await findProgram(tx, tenantId, ref));
    const requirements = await tx.requirement.count({ where: { tenantId, programId: before.id } });
    const assignments = await tx.assignment.count({ where: { tenantId, programId: before.id } });
    const dependentPrograms = await tx.programPrerequisite.count({ where: { tenantId, prerequisiteId: before.id } });
    const renewals = await tx.renewalRequest.count({ where: { tenantId, programId: before.id } });
    const documents = await tx.document.count({ where: { tenantId, programId: before.id } });
    if (requirements + assignments + dependentPrograms + renewals + documents > 0) {
      throw new StillInUse('program', before.key, { requirements, assignments, dependentPrograms, renewals, documents });
    }
    await tx.program.delete({ where: { id: before.id } });
    await auditChange(tx, tenantId, actor, { entityType: 'program', entityId: before.id, action: 'deleted', before, after: null });
    return before;
  });
}

async function findProgram(db: DbTx, tenantId: string, ref: string): Promise<ProgramRow> {
  const program = await db.program.findFirst({ where: byKeyOrId(tenantId, ref), include: withParts });
  if (!program) throw new NotFound('program', ref);
  return program;
}

/** The ids of the courses named, in the order named; 422 unknown_course lists every key not found. */
async function resolveCourses(db: DbTx, tenantId: string, keys: readonly string[]): Promise<string[]> {
  const rows = await db.course.findMany({ where: { tenantId, key: { in: [...keys] } }, select: { id: true, key: true } });
  const ids = new Map(rows.map((row) => [row.key, row.id]));
  const missing = keys.filter((key) => !ids.has(key));
  if (missing.length > 0) throw new UnknownReference('course', missing);
  return keys.map((key) => ids.get(key)!);
}

async function resolvePrograms(db: DbTx, tenantId: string, keys: readonly string[]): Promise<string[]> {
  const rows = await db.program.findMany({ where: { tenantId, key: { in: [...keys] } }, select: { id: true, key: true } });
  const ids = new Map(rows.map((row) => [row.key, row.id]));
  const missing = keys.filter((key) => !ids.has(key));
  if (missing.length > 0) throw new UnknownReference('program', missing);
  return keys.map((key) => ids.get(key)!);
}

/** 422 cyclic_prerequisite, with the path of the cycle, when `program` needing `prerequisites` would close one. */
async function refuseCycle(db: DbTx, tenantId: string, program: string, prerequisites: readonly string[]): Promise<void> {
  const edges = await db.programPrerequisite.findMany({
    where: { tenantId },
    select: { program: { select: { key: true } }, prerequisite: { select: { key: true } } },
  });
  const graph = graphWith(
    edges.map((edge) => [edge.program.key, edge.prerequisite.key] as const),
    program,
    prerequisites,
  );
  const cycle = findCycleThrough(graph, program);
  if (cycle) throw new CyclicPrerequisite(cycle);
}

async function writeParts(db: DbTx, tenantId: string, programId: string, courseIds: readonly string[], prerequisiteIds: readonly string[]) {
  await db.programCourse.createMany({ data: courseIds.map((courseId, position) => ({ tenantId, programId, courseId, position })) });
  if (prerequisiteIds.length > 0) {
    await db.programPrerequisite.createMany({ data: prerequisiteIds.map((prerequisiteId) => ({ tenantId, programId, prerequisiteId })) });
  }
}
