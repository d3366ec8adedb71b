import type { Db, DbTx } from '../../db/client';
import { Prisma } from '../../db/client';
import { Conflict, DomainError, UnknownReference } from '../../domain/errors';
import { certificationCommandsForCompletedPaths } from '../certifications/paths';
import { queueProcessCommands, tellTrainingProcessOfCompletion } from '../processes/commands';
import type { CommandDelivery } from '../processes/operations';
import type { Actor } from '../audit/trail';
import { markTrainedDone } from '../documents/gap';
import { applyNewCompletions } from './assignments';
import { resolvePeople, type PersonReference } from './person-references';

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

/**
 * What became of one completion: `recorded` (new), `duplicate` (its source + externalId was on
 * record with the same content: nothing changed) or `rejected` (nothing written, with the reason).
 */
export type CompletionResult =
  | { status: 'recorded' | 'duplicate'; completion: CompletionView; completedAssignmentIds: string[] }
  | { status: 'rejected'; error: DomainError };

/** A completion that names a known person and course, and is the first of its externalId in the request. */
export interface Candidate {
  index: number;
  command: CompletionCommand;
  personId: string;
  courseId: string;
}

/**
 * Records completions once each and applies them set-based: one statement inserts them all (a
 * source + externalId already on record is a duplicate when its content is the same, a conflict
 * otherwise), one marks the assignments they complete, and what people owe is recomputed only for
 * those whose completed program is a prerequisite of another. The training process of everyone
 * whose assignments changed is told, once per person — all in one transaction, then handed to the
 * dispatcher. Each completion gets its own result; a rejected one changes nothing.
 */
export async function recordCompletions(db: Db, delivery: CommandDelivery, tenantId: string, actor: Actor, commands: readonly CompletionCommand[]): Promise<CompletionResult[]> {
  const results = new Array<CompletionResult>(commands.length);
  const [people, courses] = await Promise.all([
    resolvePeople(db, tenantId, commands.map((c) => c.person)),
    db.course.findMany({ where: { tenantId, key: { in: [...new Set(commands.map((c) => c.courseKey))] } }, select: { id: true, key: true } }),
  ]);
  const courseIds = new Map(courses.map((c) => [c.key, c.id]));
  const firstOfKey = new Map<string, Candidate>();
  const repeats: Candidate[] = [];
  commands.forEach((command, index) => {
    const personId = people[index]!;
    const courseId = courseIds.get(command.courseKey);
    if (personId instanceof DomainError) results[index] = { status: 'rejected', error: personId };
    else if (!courseId) results[index] = { status: 'rejected', error: new UnknownReference('course', command.courseKey) };
    else {
      const candidate = { index, command, personId, courseId };
      const key = `${command.source}\u0000${command.externalId}`;
      if (firstOfKey.has(key)) repeats.push(candidate);
      else firstOfKey.set(key, candidate);
    }
  });
  const candidates = [...firstOfKey.values()];

  if (candidates.length > 0) {
    const commandIds = await db.$transaction((tx) => recordResolvedCompletions(tx, delivery.taskQueue, tenantId, actor, candidates, results));
    await delivery.deliverNow(commandIds);
  }

  // The same externalId again in one request: the same content is a duplicate of the first, other content a conflict.
  for (const repeat of repeats) {
    const first = firstOfKey.get(`${repeat.command.source}\u0000${repeat.command.externalId}`)!;
    const outcome = results[first.index]!;
    if (!sameContent(first.command, first.personId, repeat.command, repeat.personId)) results[repeat.index] = { status: 'rejected', error: reused(repeat.command, outcome) };
    else results[repeat.index] = outcome.status === 'rejected' ? outcome : { status: 'duplicate', completion: outcome.completion, completedAssignmentIds: [] };
  }
  return results;
}

/**
 * The part of recording that runs in the caller's transaction, for completions whose person and
 * course are known (e.g. the SCORM player's, written with the attempt that earned them): inserts,
 * marks assignments, fills in `results` by candidate index and queues the process commands, whose
 * ids the caller hands to the dispatcher after commit.
 */
export async function recordResolvedCompletions(tx: DbTx, taskQueue: string, tenantId: string, actor: Actor, candidates: Candidate[], results: CompletionResult[]): Promise<bigint[]> {
  const inserted = await insertCompletions(tx, tenantId, actor, candidates);
  const newOnes = candidates.filter((c) => inserted.has(c.index));
  const passedBy = [...new Set(newOnes.filter((c) => c.command.passed).map((c) => c.personId))];
  const { completed, assignedPersonIds } = await applyNewCompletions(tx, tenantId, passedBy, actor);
  // Controlled-document training met by these completions is done too.
  if (passedBy.length > 0) await markTrainedDone(tx, tenantId, { personIds: passedBy });
  const completedOf = new Map<string, string[]>();
  for (const a of completed) completedOf.set(a.personId, [...(completedOf.get(a.personId) ?? []), a.id]);
  for (const candidate of newOnes) {
    results[candidate.index] = { status: 'recorded', completion: inserted.get(candidate.index)!, completedAssignmentIds: completedOf.get(candidate.personId) ?? [] };
  }
  await judgeRedeliveries(tx, tenantId, candidates.filter((c) => !inserted.has(c.index)), results);
  // Tell each process whose assignments changed, once, naming the person's last new completion.
  const lastCompletionOf = new Map(newOnes.map((c) => [c.personId, inserted.get(c.index)!.id]));
  const changed = [...new Set([...completed.map((a) => a.personId), ...assignedPersonIds])];
  return queueProcessCommands(tx, taskQueue, [
    ...changed.map((personId) => tellTrainingProcessOfCompletion(tenantId, personId, lastCompletionOf.get(personId)!)),
    // A completed certification path earns a certificate: its process issues it.
    ...(await certificationCommandsForCompletedPaths(tx, tenantId, completed.map((a) => a.id))),
  ]);
}

/** Inserts the candidates whose source + externalId is new, with their audit entries; returns them by index. */
async function insertCompletions(tx: DbTx, tenantId: string, actor: Actor, candidates: Candidate[]): Promise<Map<number, CompletionView>> {
  // One JSON parameter: Prisma's array parameters cost more of the API's time than the insert's own work.
  const incoming = candidates.map((c) => ({
    index: c.index,
    source: c.command.source,
    external_id: c.command.externalId,
    person_id: c.personId,
    course_id: c.courseId,
    course_key: c.command.courseKey,
    passed: c.command.passed,
    score: c.command.score ?? null,
    completed_at: c.command.completedAt.toISOString(),
  }));
  const rows = await tx.$queryRaw<{ index: number; id: string; score: number | null; received_at: Date }[]>`
    WITH incoming AS (
      SELECT * FROM json_to_recordset(${JSON.stringify(incoming)}::json)
               AS i(index int, source text, external_id text, person_id uuid, course_id uuid, course_key text, passed boolean, score numeric, completed_at timestamptz)
    ),
    inserted AS (
      INSERT INTO completion (id, tenant_id, source, external_id, person_id, course_id, passed, score, completed_at)
      SELECT gen_random_uuid(), ${tenantId}::uuid, source, external_id, person_id, course_id, passed, score, completed_at FROM incoming
      ON CONFLICT (tenant_id, source, external_id) DO NOTHING
      RETURNING id, source, external_id, score, received_at
    ),
    audited AS (
      INSERT INTO audit_event (id, tenant_id, actor_type, actor_id, request_id, action, entity_type, entity_id, data)
      SELECT gen_random_uuid(), ${tenantId}::uuid, ${actor.type}::"ActorType", ${actor.id ?? null}, ${actor.requestId ?? null},
             'completion.recorded', 'completion', ins.id::text,
             jsonb_build_object('source', i.source, 'externalId', i.external_id, 'course', i.course_key, 'passed', i.passed)
        FROM inserted ins JOIN incoming i USING (source, external_id)
    )
    SELECT i.index, ins.id, ins.score::float8 AS score, ins.received_at
      FROM inserted ins JOIN incoming i USING (source, external_id)`;
  const byIndex = new Map(candidates.map((c) => [c.index, c]));
  return new Map(
    rows.map((row) => {
      const { command, personId } = byIndex.get(row.index)!;
      return [
        row.index,
        {
          id: row.id,
          source: command.source,
          externalId: command.externalId,
          personId,
          courseKey: command.courseKey,
          passed: command.passed,
          score: row.score,
          completedAt: command.completedAt.toISOString(),
          receivedAt: row.received_at.toISOString(),
        },
      ];
    }),
  );
}

/**
 * Completions whose source + externalId was already on record: the same content delivered again is
 * a duplicate (nothing changes); a different person, course, date, result or score under the same
 * externalId is a mistake the LMS must hear about (409).
 */
async function judgeRedeliveries(tx: DbTx, tenantId: string, redelivered: Candidate[], results: CompletionResult[]): Promise<void> {
  if (redelivered.length === 0) return;
  const previous = await tx.completion.findMany({
    where: { tenantId, OR: redelivered.map((c) => ({ source: c.command.source, externalId: c.command.externalId })) },
    include: { course: { select: { key: true } } },
  });
  const byKey = new Map(previous.map((row) => [`${row.source}\u0000${row.externalId}`, row]));
  for (const candidate of redelivered) {
    const row = byKey.get(`${candidate.command.source}\u0000${candidate.command.externalId}`)!;
    const completion = view(row);
    const recorded = { source: row.source, externalId: row.externalId, person: { id: row.personId }, courseKey: row.course.key, completedAt: row.completedAt, passed: row.passed, score: completion.score ?? undefined };
    results[candidate.index] = sameContent(recorded, row.personId, candidate.command, candidate.personId)
      ? { status: 'duplicate', completion, completedAssignmentIds: [] }
      : { status: 'rejected', error: reused(candidate.command, { status: 'duplicate', completion, completedAssignmentIds: [] }) };
  }
}

function sameContent(a: CompletionCommand, aPersonId: string, b: CompletionCommand, bPersonId: string): boolean {
  const cents = (score: number | undefined) => (score === undefined ? null : Math.round(score * 100));
  return aPersonId === bPersonId && a.courseKey === b.courseKey && a.completedAt.getTime() === b.completedAt.getTime() && a.passed === b.passed && cents(a.score) === cents(b.score);
}

function reused(command: CompletionCommand, first: CompletionResult): Conflict {
  return new Conflict('external_id_reused', `Completion ${command.externalId} from ${command.source} was delivered before with different content; a new completion needs a new externalId`, {
    source: command.source,
    externalId: command.externalId,
    ...(first.status === 'rejected' ? {} : { completionId: first.completion.id }),
  });
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
