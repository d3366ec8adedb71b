import type { Db, DbTx } from '../../db/client';
import { Prisma } from '../../db/client';
import type { ScormManifest, ScormVersion } from '../../connectors/scorm/manifest';
import { judgeCourse, judgeSco, readCommit, type ScoCommit, type ScoJudgement, type ScoVerdict } from '../../connectors/scorm/runtime';
import { NotFound } from '../../domain/errors';
import type { Actor } from '../audit/trail';
import { recordResolvedCompletions, type CompletionResult } from '../onboarding/completions';
import type { CommandDelivery } from '../processes/operations';
import { findItem, packageManifest, requiredItemsOf } from './packages';

/** What a commit reads of its package on every call; the manifest comes from packageManifest's cache. */
const PACKAGE_SETTINGS = { scormVersion: true, suspendDataLimit: true, masteryOverride: true, requiredItems: true, course: { select: { key: true } } } as const;
type PackageSettingsRow = Prisma.ScormPackageGetPayload<{ select: typeof PACKAGE_SETTINGS }>;
import type { SessionGrant } from './player-links';

export interface CommitInput {
  seq: number;
  terminated: boolean;
  cmi: unknown;
}

type AttemptState = 'open' | 'completed' | 'failed';

export interface CommitOutcome {
  /** false: a replay, or older than what the SCO already holds; nothing moved. */
  applied: boolean;
  attempt: { id: string; state: AttemptState; completionId: string | null };
}

/** The source of completions the player records; the external id is `attempt:<attempt id>`. */
export const SCORM_SOURCE = 'scorm';

interface LockedAttempt {
  id: string;
  tenant_id: string;
  person_id: string;
  course_id: string;
  package_id: string;
  state: AttemptState;
  completion_id: string | null;
}

/** The attempt, locked for this transaction (its commits apply one at a time), with its package. */
async function lockAttempt(tx: DbTx, attemptId: string) {
  const [attempt] = await tx.$queryRaw<LockedAttempt[]>`
    SELECT id, tenant_id, person_id, course_id, package_id, state, completion_id FROM scorm_attempt WHERE id = ${attemptId}::uuid FOR UPDATE`;
  if (!attempt) throw new NotFound('scorm_attempt', attemptId);
  const pkg = await tx.scormPackage.findUniqueOrThrow({ where: { id: attempt.package_id }, select: PACKAGE_SETTINGS });
  return { attempt, pkg, manifest: await packageManifest(tx, attempt.package_id) };
}

/**
 * Applies one commit from the player, in one transaction: the commit is kept as received; it moves
 * the SCO only when it is newer — a later session, or a higher sequence number in the same one — so
 * a replayed or late commit (a beacon overtaken by the next page) changes nothing. Time accumulates
 * per session: each session's latest session_time counts once.
 */
export async function applyCommit(db: Db, delivery: CommandDelivery, grant: SessionGrant, input: CommitInput, now = new Date()): Promise<CommitOutcome> {
  const result = await db.$transaction(async (tx) => {
    const { attempt, pkg, manifest } = await lockAttempt(tx, grant.attemptId);
    const version = pkg.scormVersion as ScormVersion;
    const item = findItem(manifest, grant.item);
    if (!item) throw new NotFound('scorm_item', grant.item);
    // Invalid data is refused before anything is written.
    const commit = readCommit(version, input.cmi, { maxSuspendDataChars: pkg.suspendDataLimit });
    const unchanged = { applied: false, attempt: { id: attempt.id, state: attempt.state, completionId: attempt.completion_id }, commandIds: [] as bigint[] };

    const kept = await tx.$executeRaw`
      INSERT INTO scorm_commit (attempt_id, item, session, seq, terminated, applied, cmi)
      VALUES (${attempt.id}::uuid, ${grant.item}, ${grant.session}, ${input.seq}, ${input.terminated}, false, ${JSON.stringify(input.cmi)}::jsonb)
      ON CONFLICT DO NOTHING`;
    if (kept === 0) return unchanged;
    const judged = judgeSco(commit, {
      version,
      masteryScore: item.masteryScore,
      masteryOverride: pkg.masteryOverride === null ? null : Number(pkg.masteryOverride),
      completionThreshold: item.completionThreshold,
      scaledPassingScore: item.primaryObjective?.satisfiedByMeasure ? item.primaryObjective.minNormalizedMeasure : null,
    });
    if (!(await moveSco(tx, attempt.id, grant, input.seq, commit, judged))) return unchanged;
    await tx.$executeRaw`UPDATE scorm_commit SET applied = true WHERE attempt_id = ${attempt.id}::uuid AND item = ${grant.item} AND session = ${grant.session} AND seq = ${input.seq}`;
    return { applied: true, ...(await settle(tx, delivery.taskQueue, attempt, pkg, manifest, input.terminated, now)) };
  });
  if (result.commandIds.length > 0) await delivery.deliverNow(result.commandIds);
  return { applied: result.applied, attempt: result.attempt };
}

/**
 * An asset (content that never talks to the runtime) counts as done once it is opened, as in
 * Moodle; a course made only of assets completes when each has been opened.
 */
export async function recordAssetOpened(db: Db, delivery: CommandDelivery, attemptId: string, item: string, now = new Date()): Promise<void> {
  const commandIds = await db.$transaction(async (tx) => {
    const { attempt, pkg, manifest } = await lockAttempt(tx, attemptId);
    await tx.$executeRaw`
      UPDATE scorm_sco_state SET completion = 'completed', verdict = 'satisfied', updated_at = now()
       WHERE attempt_id = ${attemptId}::uuid AND item = ${item} AND verdict <> 'satisfied'`;
    return (await settle(tx, delivery.taskQueue, attempt, pkg, manifest, false, now)).commandIds;
  });
  if (commandIds.length > 0) await delivery.deliverNow(commandIds);
}

/**
 * Rolls the SCOs up to the attempt. When the items it needs are satisfied, the attempt completes
 * and records its completion through the same path an LMS's does (assignments, prerequisites, the
 * person's process told); a failed one ends as failed when its session terminates. An attempt that
 * has ended never changes again.
 */
async function settle(tx: DbTx, taskQueue: string, attempt: LockedAttempt, pkg: PackageSettingsRow, manifest: ScormManifest, terminated: boolean, now: Date) {
  const unchanged = { attempt: { id: attempt.id, state: attempt.state, completionId: attempt.completion_id }, commandIds: [] as bigint[] };
  if (attempt.state !== 'open') return unchanged;
  const scos = await tx.scormScoState.findMany({ where: { attemptId: attempt.id }, select: { item: true, verdict: true, scoreRaw: true, scoreScaled: true } });
  const required = requiredItemsOf(pkg, manifest);
  const outcome = judgeCourse(
    scos.map((s) => ({ identifier: s.item, verdict: s.verdict as ScoVerdict })),
    required,
  );
  if (outcome === 'open' || (outcome === 'failed' && !terminated)) {
    await tx.scormAttempt.update({ where: { id: attempt.id }, data: { updatedAt: now } });
    return unchanged;
  }
  const passed = outcome === 'completed';
  const results: CompletionResult[] = [];
  const actor: Actor = { type: 'person', id: attempt.person_id };
  const command = {
    source: SCORM_SOURCE,
    externalId: `attempt:${attempt.id}`,
    person: { id: attempt.person_id },
    courseKey: pkg.course.key,
    completedAt: now,
    passed,
    ...scoreOf(scos.filter((s) => required.includes(s.item))),
  };
  const commandIds = await recordResolvedCompletions(tx, taskQueue, attempt.tenant_id, actor, [{ index: 0, personId: attempt.person_id, courseId: attempt.course_id, command }], results);
  const recorded = results[0];
  const completionId = recorded && recorded.status !== 'rejected' ? recorded.completion.id : null;
  const state: AttemptState = passed ? 'completed' : 'failed';
  await tx.scormAttempt.update({ where: { id: attempt.id }, data: { state, endedAt: now, updatedAt: now, completionId } });
  return { attempt: { id: attempt.id, state, completionId }, commandIds };
}

/**
 * Moves the SCO's state to this commit when it is newer than what it holds; false when it is not.
 * A satisfied SCO stays satisfied whatever later commits say.
 */
async function moveSco(tx: DbTx, attemptId: string, grant: SessionGrant, seq: number, commit: ScoCommit, judged: ScoJudgement): Promise<boolean> {
  const updated = await tx.$executeRaw`
    UPDATE scorm_sco_state SET
      earlier_seconds = CASE WHEN last_session < ${grant.session} THEN earlier_seconds + session_seconds ELSE earlier_seconds END,
      session_seconds = COALESCE(${commit.sessionSeconds}::float8, CASE WHEN last_session < ${grant.session} THEN 0 ELSE session_seconds END),
      last_session = ${grant.session}, last_seq = ${seq},
      completion = ${judged.completion}, success = ${judged.success},
      verdict = CASE WHEN verdict = 'satisfied' THEN verdict ELSE ${judged.verdict} END,
      score_raw = ${commit.scoreRaw}::float8, score_scaled = ${commit.scoreScaled}::float8,
      exit = ${commit.exit}, location = ${commit.location}, suspend_data = ${commit.suspendData},
      cmi = ${JSON.stringify(commit.cmi)}::jsonb, updated_at = now()
    WHERE attempt_id = ${attemptId}::uuid AND item = ${grant.item}
      AND (last_session, last_seq) < (${grant.session}, ${seq}) AND sessions >= ${grant.session}`;
  return updated === 1;
}

/** The attempt's score: the one scored item's (scaled × 100, else raw within 0–100); none when several or none are scored. */
function scoreOf(scos: { scoreRaw: number | null; scoreScaled: number | null }[]): { score?: number } {
  const scored = scos.filter((s) => s.scoreScaled !== null || s.scoreRaw !== null);
  if (scored.length !== 1) return {};
  const { scoreScaled, scoreRaw } = scored[0]!;
  if (scoreScaled !== null) return { score: Math.round(Math.max(0, scoreScaled) * 10_000) / 100 };
  return scoreRaw !== null && scoreRaw >= 0 && scoreRaw <= 100 ? { score: scoreRaw } : {};
}
