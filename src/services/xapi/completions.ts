import type { DbTx } from '../../db/client';
import type { Statement } from '../../connectors/xapi/validation';
import { recordAudit, type Actor } from '../audit/trail';
import { recordResolvedCompletions, type Candidate, type CompletionResult } from '../onboarding/completions';
import { resolvePeople, type PersonReference } from '../onboarding/person-references';
import { queueProcessCommands, wakeTrainingProcess } from '../processes/commands';

/** Completions made from statements: `source: xapi`, the statement id as external id. */
export const XAPI_SOURCE = 'xapi';

const VERB = 'http://adlnet.gov/expapi/verbs/';
const COMPLETED = `${VERB}completed`;
const PASSED = `${VERB}passed`;
const FAILED = `${VERB}failed`;

export const MOVE_ON = ['Completed', 'Passed', 'CompletedAndPassed', 'CompletedOrPassed', 'NotApplicable'] as const;
export type MoveOn = (typeof MOVE_ON)[number];

interface Mapping {
  activity: string;
  prefix: boolean;
  moveOn: MoveOn;
  masteryScore: number | null;
  courseId: string;
  courseKey: string;
}

/** What one statement says about its activity: completed, passed or failed (or nothing), and its score. */
export function readOutcome(statement: Statement, masteryScore: number | null): { completed: boolean; success: boolean | null; scaled: number | null } {
  const verb = statement.verb?.id as string;
  const result = (statement.result ?? {}) as { completion?: boolean; success?: boolean; score?: { scaled?: number } };
  const scaled = typeof result.score?.scaled === 'number' ? result.score.scaled : null;
  let success: boolean | null = verb === PASSED ? true : verb === FAILED ? false : typeof result.success === 'boolean' ? result.success : null;
  // cmi5: with a mastery score, a scored result passes or fails by it.
  if (masteryScore !== null && scaled !== null && (verb === PASSED || verb === FAILED || success !== null)) success = scaled >= masteryScore;
  return { completed: verb === COMPLETED || result.completion === true, success, scaled };
}

/**
 * Turns stored statements into completions, in the transaction that stored them: each statement
 * about a mapped activity (exact id, else the longest matching prefix) whose actor is a person of the
 * tenant (mbox → e-mail, account name → HR external id) is judged by the mapping's cmi5 moveOn.
 * CompletedAndPassed may be met by two statements (the other half is looked up among the person's
 * earlier statements about the activity). A failed statement records a failed completion, as an LMS
 * would report it. Returns the process commands to hand to the dispatcher after commit.
 */
export async function completionsFromStatements(tx: DbTx, taskQueue: string, tenantId: string, actor: Actor, statements: Statement[]): Promise<bigint[]> {
  const mappings = await tx.$queryRaw<Mapping[]>`
    SELECT m.activity, m.prefix, m.move_on AS "moveOn", m.mastery_score AS "masteryScore", c.id AS "courseId", c.key AS "courseKey"
      FROM xapi_course_mapping m JOIN course c ON c.id = m.course_id WHERE m.tenant_id = ${tenantId}::uuid`;
  if (mappings.length === 0) return [];
  const judged = statements.flatMap((statement) => {
    const activity = statement.object?.objectType === undefined || statement.object?.objectType === 'Activity' ? (statement.object?.id as string) : null;
    const mapping = activity ? mappingFor(mappings, activity) : undefined;
    const reference = personReference(statement.actor);
    return mapping && reference ? [{ statement, mapping, reference, activity: activity! }] : [];
  });
  if (judged.length === 0) return [];
  const people = await resolvePeople(tx, tenantId, judged.map((j) => j.reference));
  const candidates: Candidate[] = [];
  for (const [index, j] of judged.entries()) {
    const personId = people[index];
    if (typeof personId !== 'string') continue;
    const outcome = readOutcome(j.statement, j.mapping.masteryScore);
    const earlier = j.mapping.moveOn === 'CompletedAndPassed' ? await earlierOutcome(tx, tenantId, j.statement, j.activity, j.mapping.masteryScore) : { completed: false, passed: false };
    const passed = satisfies(j.mapping.moveOn, outcome.completed || earlier.completed, outcome.success === true || earlier.passed);
    const failed = outcome.success === false;
    if (!passed && !failed) continue;
    const score = outcome.scaled === null ? undefined : Math.round(Math.max(0, outcome.scaled) * 10_000) / 100;
    candidates.push({
      index: candidates.length,
      personId,
      courseId: j.mapping.courseId,
      command: {
        source: XAPI_SOURCE,
        externalId: j.statement.id as string,
        person: { id: personId },
        courseKey: j.mapping.courseKey,
        // When it happened, by the statement; never later than the LRS stored it.
        completedAt: new Date(Math.min(Date.parse(j.statement.timestamp as string), Date.parse(j.statement.stored as string))),
        passed,
        ...(score === undefined ? {} : { score }),
      },
    });
  }
  if (candidates.length === 0) return [];
  const results: CompletionResult[] = [];
  return recordResolvedCompletions(tx, taskQueue, tenantId, actor, candidates, results);
}

function satisfies(moveOn: MoveOn, completed: boolean, passed: boolean): boolean {
  switch (moveOn) {
    case 'Completed':
      return completed;
    case 'Passed':
      return passed;
    case 'CompletedAndPassed':
      return completed && passed;
    case 'CompletedOrPassed':
      return completed || passed;
    case 'NotApplicable':
      return true;
  }
}

function mappingFor(mappings: Mapping[], activity: string): Mapping | undefined {
  return (
    mappings.find((m) => !m.prefix && m.activity === activity) ??
    mappings.filter((m) => m.prefix && activity.startsWith(m.activity)).sort((a, b) => b.activity.length - a.activity.length)[0]
  );
}

function personReference(actor: Statement['actor']): PersonReference | null {
  if (!actor || actor.objectType === 'Group') return null;
  if (typeof actor.mbox === 'string' && actor.mbox.toLowerCase().startsWith('mailto:')) return { email: actor.mbox.slice(7).toLowerCase() };
  if (actor.account && typeof actor.account.name === 'string') return { externalId: actor.account.name };
  return null;
}

/** Whether the actor's earlier, unvoided statements about the activity completed or passed it. */
async function earlierOutcome(tx: DbTx, tenantId: string, statement: Statement, activity: string, masteryScore: number | null) {
  const rows = await tx.$queryRaw<{ statement: Statement }[]>`
    SELECT s.statement FROM xapi_statement s
     WHERE s.tenant_id = ${tenantId}::uuid AND s.activity = ${activity} AND s.actor = (SELECT actor FROM xapi_statement WHERE tenant_id = ${tenantId}::uuid AND id = ${statement.id}::uuid)
       AND NOT s.voided AND s.id <> ${statement.id}::uuid AND s.verb IN (${COMPLETED}, ${PASSED}, ${FAILED}, 'http://adlnet.gov/expapi/verbs/scored', 'http://adlnet.gov/expapi/verbs/answered')`;
  const outcomes = rows.map((r) => readOutcome(r.statement, masteryScore));
  return { completed: outcomes.some((o) => o.completed), passed: outcomes.some((o) => o.success === true) };
}

/**
 * A voiding statement takes back the completion its target made: the completion is removed (the
 * audit trail keeps it), the person's assignments that it had completed open again, and their
 * training process is woken (it restarts if it had finished).
 */
export async function revokeVoidedCompletions(tx: DbTx, taskQueue: string, tenantId: string, actor: Actor, voidedIds: string[]): Promise<bigint[]> {
  if (voidedIds.length === 0) return [];
  const revoked = await tx.$queryRaw<{ id: string; person_id: string; course_id: string; external_id: string }[]>`
    DELETE FROM completion WHERE tenant_id = ${tenantId}::uuid AND source = ${XAPI_SOURCE} AND external_id = ANY(${voidedIds}::text[])
    RETURNING id, person_id, course_id, external_id`;
  if (revoked.length === 0) return [];
  for (const completion of revoked) {
    await recordAudit(tx, tenantId, actor, { action: 'completion.revoked', entityType: 'completion', entityId: completion.id, reason: `statement ${completion.external_id} was voided`, data: { statement: completion.external_id } });
  }
  // Assignments of programs holding a revoked course, no longer complete without it.
  await tx.$executeRaw`
    UPDATE assignment a SET status = (CASE WHEN a.due_date < current_date THEN 'overdue' ELSE 'assigned' END)::"AssignmentStatus", completed_at = NULL, status_at = now()
      FROM unnest(${revoked.map((r) => r.person_id)}::uuid[], ${revoked.map((r) => r.course_id)}::uuid[]) AS r(person_id, course_id)
     WHERE a.tenant_id = ${tenantId}::uuid AND a.person_id = r.person_id AND a.status = 'completed'
       AND EXISTS (SELECT 1 FROM program_course pc WHERE pc.program_id = a.program_id AND pc.course_id = r.course_id)
       AND NOT EXISTS (SELECT 1 FROM completion c WHERE c.tenant_id = a.tenant_id AND c.person_id = a.person_id AND c.course_id = r.course_id AND c.passed)`;
  return queueProcessCommands(tx, taskQueue, [...new Set(revoked.map((r) => r.person_id))].map((personId) => wakeTrainingProcess(tenantId, personId)));
}
