import type { Db } from '../../db/client';
import { Prisma } from '../../db/client';
import { Conflict, DomainError, UnknownReference } from '../../domain/errors';
import { queueProcessCommands, tellTrainingProcessOfCompletion } from '../processes/commands';
import type { CommandDelivery } from '../processes/operations';
import { refreshPersonAssignments } from './assignments';
import { recordAudit, type Actor } from '../audit/trail';

/** Who completed: the LMS may know trainhub's id, the HR system's external id, or only the e-mail. */
export type PersonReference = { id: string } | { externalId: string } | { email: string };

export interface CompletionCommand {
  source: string;
  externalId: string;
  person: PersonReference;
  courseKey: string;
  completedAt: Date;
  passed: boolean;
  score?: number;
}

export interface CompletionView {
  id: string;
  source: string;
  externalId: string;
  personId: string;
  courseKey: string;
  passed: boolean;
  score: number | null;
  completedAt: string;
  receivedAt: string;
}

export interface CompletionOutcome {
  completion: CompletionView;
  /** True when (source, externalId) was already on record: nothing new was written. */
  duplicate: boolean;
  completedAssignmentIds: string[];
}

/**
 * Records a completion once, applies it to the person's assignments (completing programs, unlocking
 * the next), and tells the person's training process, starting it again if it had ended — all
 * written in one transaction, then handed to the dispatcher.
 */
export async function recordCompletion(db: Db, delivery: CommandDelivery, tenantId: string, actor: Actor, command: CompletionCommand): Promise<CompletionOutcome> {
  const key = { tenantId_source_externalId: { tenantId, source: command.source, externalId: command.externalId } };
  const previous = await db.completion.findUnique({ where: key, include: { course: { select: { key: true } } } });
  if (previous) return duplicateOf(db, tenantId, previous, command);

  const personId = await resolvePerson(db, tenantId, command.person);
  const course = await db.course.findUnique({ where: { tenantId_key: { tenantId, key: command.courseKey } }, select: { id: true } });
  if (!course) throw new UnknownReference('course', command.courseKey);

  try {
    const recorded = await db.$transaction(async (tx) => {
      const saved = await tx.completion.create({
        data: {
          tenantId,
          source: command.source,
          externalId: command.externalId,
          personId,
          courseId: course.id,
          passed: command.passed,
          score: command.score,
          completedAt: command.completedAt,
        },
        include: { course: { select: { key: true } } },
      });
      await recordAudit(tx, tenantId, actor, {
        action: 'completion.recorded',
        entityType: 'completion',
        entityId: saved.id,
        data: { source: command.source, externalId: command.externalId, course: command.courseKey, passed: command.passed },
      });
      const { completedAssignmentIds } = await refreshPersonAssignments(tx, tenantId, personId, actor);
      const commandIds = await queueProcessCommands(tx, delivery.taskQueue, [tellTrainingProcessOfCompletion(tenantId, personId, saved.id)]);
      return { outcome: { completion: view(saved), duplicate: false, completedAssignmentIds }, commandIds };
    });
    await delivery.deliverNow(recorded.commandIds);
    return recorded.outcome;
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      const winner = await db.completion.findUnique({ where: key, include: { course: { select: { key: true } } } });
      if (winner) return duplicateOf(db, tenantId, winner, command);
    }
    throw error;
  }
}

/**
 * The same completion delivered again is a duplicate (nothing changes); the same externalId with a
 * different person, course, date, result or score is a mistake the LMS must hear about (409).
 */
async function duplicateOf(db: Db, tenantId: string, previous: CompletionRow, command: CompletionCommand): Promise<CompletionOutcome> {
  const samePerson = await resolvePerson(db, tenantId, command.person).then(
    (personId) => personId === previous.personId,
    () => false,
  );
  const same =
    samePerson &&
    previous.course.key === command.courseKey &&
    previous.completedAt.getTime() === command.completedAt.getTime() &&
    previous.passed === command.passed &&
    (previous.score === null ? command.score === undefined : command.score !== undefined && Math.round(Number(previous.score) * 100) === Math.round(command.score * 100));
  if (!same) {
    throw new Conflict('external_id_reused', `Completion ${command.externalId} from ${command.source} was delivered before with different content; a new completion needs a new externalId`, {
      source: command.source,
      externalId: command.externalId,
      completionId: previous.id,
    });
  }
  return { completion: view(previous), duplicate: true, completedAssignmentIds: [] };
}

export async function resolvePerson(db: Db, tenantId: string, reference: PersonReference): Promise<string> {
  const where = 'id' in reference ? { id: reference.id } : 'externalId' in reference ? { externalId: reference.externalId } : { email: reference.email };
  const matches = await db.person.findMany({ where: { tenantId, ...where }, select: { id: true }, take: 2 });
  if (matches.length === 0) throw new UnknownReference('person', reference);
  if (matches.length > 1) {
    throw new DomainError(422, 'ambiguous_person', `More than one person matches ${JSON.stringify(reference)}; identify them by id`, {
      person: reference,
    });
  }
  return matches[0]!.id;
}

type CompletionRow = Prisma.CompletionGetPayload<{ include: { course: { select: { key: true } } } }>;

function view(row: CompletionRow): CompletionView {
  return {
    id: row.id,
    source: row.source,
    externalId: row.externalId,
    personId: row.personId,
    courseKey: row.course.key,
    passed: row.passed,
    score: row.score === null ? null : Number(row.score),
    completedAt: row.completedAt.toISOString(),
    receivedAt: row.receivedAt.toISOString(),
  };
}
