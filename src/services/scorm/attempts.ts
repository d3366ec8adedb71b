import type { Db } from '../../db/client';
import { Prisma } from '../../db/client';
import type { Completion, Success } from '../../connectors/scorm/runtime';
import { Conflict, NotFound } from '../../domain/errors';

export type AttemptRow = Prisma.ScormAttemptGetPayload<{ include: { package: true } }>;

/**
 * The attempt a launch continues: the person's open attempt at the course, on the package version it
 * started on; else a new attempt on the newest version (after a completed or failed one, a retake).
 */
export async function openAttempt(db: Db, tenantId: string, personId: string, courseId: string): Promise<AttemptRow> {
  const person = await db.person.findFirst({ where: { id: personId, tenantId }, select: { status: true } });
  if (!person) throw new NotFound('person', personId);
  if (person.status === 'terminated') throw new Conflict('person_terminated', 'This person has left; their training cannot be taken any more');
  for (;;) {
    const latest = await db.scormAttempt.findFirst({ where: { tenantId, personId, courseId }, orderBy: { number: 'desc' }, include: { package: true } });
    if (latest?.state === 'open') return latest;
    const newest = await db.scormPackage.findFirst({ where: { tenantId, courseId }, orderBy: { version: 'desc' }, select: { id: true } });
    if (!newest) throw new NotFound('scorm_package', `for course ${courseId}`);
    try {
      return await db.scormAttempt.create({ data: { tenantId, personId, courseId, packageId: newest.id, number: (latest?.number ?? 0) + 1 }, include: { package: true } });
    } catch (error) {
      // Two launches at once: the other one created the attempt; continue that one.
      if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')) throw error;
    }
  }
}

/** Opens a player session on one SCO of the attempt: its number orders the commits that follow. */
export async function startSession(db: Db, attemptId: string, item: string) {
  const [state] = await db.$queryRaw<ScoStateRow[]>`
    INSERT INTO scorm_sco_state (attempt_id, item, sessions) VALUES (${attemptId}::uuid, ${item}, 1)
    ON CONFLICT (attempt_id, item) DO UPDATE SET sessions = scorm_sco_state.sessions + 1
    RETURNING sessions, exit, location, suspend_data AS "suspendData", completion, success, score_raw AS "scoreRaw", score_scaled AS "scoreScaled",
              earlier_seconds + session_seconds AS "totalSeconds", cmi`;
  return state!;
}

export interface ScoStateRow {
  sessions: number;
  exit: string | null;
  location: string | null;
  suspendData: string | null;
  completion: Completion;
  success: Success;
  scoreRaw: number | null;
  scoreScaled: number | null;
  totalSeconds: number;
  cmi: Record<string, unknown> | null;
}


export interface AttemptView {
  id: string;
  personId: string;
  courseKey: string;
  packageVersion: number;
  number: number;
  state: 'open' | 'completed' | 'failed';
  startedAt: string;
  updatedAt: string;
  endedAt: string | null;
  completionId: string | null;
  scos: ScoView[];
}

export interface ScoView {
  item: string;
  completion: string;
  success: string;
  verdict: string;
  scoreRaw: number | null;
  scoreScaled: number | null;
  totalSeconds: number;
  sessions: number;
  location: string | null;
  exit: string | null;
  updatedAt: string;
  /** The CMI as last committed (interactions and objectives included); only in an attempt's detail. */
  cmi?: object | null;
}

const attemptInclude = { course: { select: { key: true } }, package: { select: { version: true } }, scos: { orderBy: { item: 'asc' } } } as const;
type AttemptWithScos = Prisma.ScormAttemptGetPayload<{ include: typeof attemptInclude }>;

function attemptView(row: AttemptWithScos, withCmi: boolean): AttemptView {
  return {
    id: row.id,
    personId: row.personId,
    courseKey: row.course.key,
    packageVersion: row.package.version,
    number: row.number,
    state: row.state,
    startedAt: row.startedAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    endedAt: row.endedAt?.toISOString() ?? null,
    completionId: row.completionId,
    scos: row.scos.map((s) => ({
      item: s.item,
      completion: s.completion,
      success: s.success,
      verdict: s.verdict,
      scoreRaw: s.scoreRaw,
      scoreScaled: s.scoreScaled,
      totalSeconds: s.earlierSeconds + s.sessionSeconds,
      sessions: s.sessions,
      location: s.location,
      exit: s.exit,
      updatedAt: s.updatedAt.toISOString(),
      ...(withCmi ? { cmi: s.cmi as object | null } : {}),
    })),
  };
}

/** A person's SCORM attempts, newest first (404 for a person the tenant does not have). */
export async function listAttempts(db: Db, tenantId: string, personId: string): Promise<AttemptView[]> {
  const person = await db.person.findFirst({ where: { id: personId, tenantId }, select: { id: true } });
  if (!person) throw new NotFound('person', personId);
  const rows = await db.scormAttempt.findMany({ where: { tenantId, personId }, include: attemptInclude, orderBy: [{ startedAt: 'desc' }, { number: 'desc' }] });
  return rows.map((row) => attemptView(row, false));
}

/** One attempt with every SCO's CMI as committed, and how many commits it received. */
export async function getAttempt(db: Db, tenantId: string, attemptId: string): Promise<AttemptView & { commits: number }> {
  const row = await db.scormAttempt.findFirst({ where: { id: attemptId, tenantId }, include: { ...attemptInclude, _count: { select: { commits: true } } } });
  if (!row) throw new NotFound('scorm_attempt', attemptId);
  return { ...attemptView(row, true), commits: row._count.commits };
}
