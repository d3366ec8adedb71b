import type { ScormItem, ScormVersion } from './manifest';
import { DomainError } from '../../domain/errors';

/**
 * The SCORM run-time rules trainhub applies on its side of scorm-again: reading a commit, judging a
 * SCO and a course from what content reported, and the CMI a session starts from. Pure: no I/O.
 *
 * Commits arrive as scorm-again 3.4 sends them with `dataCommitFormat: 'json'`: `{ "cmi": { ... } }`,
 * the whole data model every time, CMIDecimal values as strings ("85"), empty elements as "",
 * interactions and objectives as objects keyed by index (`{ "0": { "id": ... } }`), `session_time` the
 * session so far ("00:00:00" / "PT0H0M0S" until content sets it) and `total_time` only on the
 * terminating commit.
 */

/** A commit trainhub cannot read: the message names the CMI element at fault. */
export class InvalidCommit extends DomainError {
  constructor(element: string, problem: string) {
    super(400, 'invalid_scorm_commit', `${element} ${problem}`, { element });
  }
}

export type Completion = 'completed' | 'incomplete' | 'not_attempted' | 'unknown';
export type Success = 'passed' | 'failed' | 'unknown';
export type ScoVerdict = 'satisfied' | 'failed' | 'open';

/** One commit of one SCO, in version-neutral terms. */
export interface ScoCommit {
  completion: Completion;
  success: Success;
  scoreRaw: number | null;
  scoreMin: number | null;
  scoreMax: number | null;
  /** SCORM 2004 `cmi.score.scaled` (-1..1); SCORM 1.2 has none. */
  scoreScaled: number | null;
  /** SCORM 2004 `cmi.progress_measure` (0..1); SCORM 1.2 has none. */
  progressMeasure: number | null;
  /** The session's `session_time` in seconds: the whole session so far, not an increment. */
  sessionSeconds: number | null;
  exit: string | null;
  location: string | null;
  suspendData: string | null;
  /** The committed CMI as sent (interactions and objectives kept), for audits. */
  cmi: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Time

/** SCORM 1.2 CMITimespan. Hours of any length and minutes/seconds past 59 are read as written, as scorm-again accepts them. */
const TIMESPAN_12 = /^(\d+):(\d{2}):(\d{2})(\.\d{1,2})?$/;
/** ISO 8601 duration as SCORM 2004 uses it; weeks, zero padding and a decimal fraction (. or ,) on any component are accepted. */
const NUMBER = '(\\d+(?:[.,]\\d+)?)';
const DURATION_2004 = new RegExp(`^P(?:${NUMBER}Y)?(?:${NUMBER}M)?(?:${NUMBER}W)?(?:${NUMBER}D)?(?:T(?:${NUMBER}H)?(?:${NUMBER}M)?(?:${NUMBER}S)?)?$`);
/**
 * Seconds in each component of DURATION_2004: years, months, weeks, days, hours, minutes, seconds. The RTE
 * (timeinterval (second,10,2)) gives a year and a month no length; these are scorm-again's (365 and 30
 * days), so the total the server keeps agrees with the `total_time` scorm-again reports.
 */
const DURATION_UNITS = [365 * 86_400, 30 * 86_400, 7 * 86_400, 86_400, 3_600, 60, 1];

/** Seconds in a SCORM time interval: 1.2 `HHHH:MM:SS.SS`, 2004 `P[nY][nM][nD][T[nH][nM][n.nS]]`. */
export function parseScormTime(version: ScormVersion, text: string, element = 'The time interval'): number {
  if (version === '1.2') {
    const match = TIMESPAN_12.exec(text);
    if (!match) throw new InvalidCommit(element, `must be a CMITimespan HHHH:MM:SS.SS (got ${JSON.stringify(text)})`);
    return Number(match[1]) * 3_600 + Number(match[2]) * 60 + Number(`${match[3]}${match[4] ?? ''}`);
  }
  const match = DURATION_2004.exec(text);
  // "P" and "PT" alone match the pattern, but ISO 8601 asks for at least one component after each designator.
  if (!match || text === 'P' || text.endsWith('T')) throw new InvalidCommit(element, `must be an ISO 8601 duration such as PT1H30M5.5S (got ${JSON.stringify(text)})`);
  return DURATION_UNITS.reduce((total, unit, i) => total + (match[i + 1] ? Number(match[i + 1]!.replace(',', '.')) * unit : 0), 0);
}

/** A SCORM time interval for `seconds`, to the centisecond: 1.2 `HHHH:MM:SS.SS`, 2004 `PT#H#M#S`. */
export function formatScormTime(version: ScormVersion, seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError(`A SCORM time interval cannot be ${seconds} seconds`);
  const centiseconds = Math.round(seconds * 100);
  const hours = Math.floor(centiseconds / 360_000);
  const minutes = Math.floor(centiseconds / 6_000) % 60;
  const rest = (centiseconds % 6_000) / 100;
  if (version === '1.2') return `${String(hours).padStart(4, '0')}:${String(minutes).padStart(2, '0')}:${rest.toFixed(2).padStart(5, '0')}`;
  return `PT${hours}H${minutes}M${rest}S`;
}

// ---------------------------------------------------------------------------------------------
// Reading a commit

const LESSON_STATUS: Record<string, { completion: Completion; success: Success }> = {
  passed: { completion: 'completed', success: 'passed' },
  // In 1.2, failed means the learner finished the SCO and did not master it.
  failed: { completion: 'completed', success: 'failed' },
  completed: { completion: 'completed', success: 'unknown' },
  incomplete: { completion: 'incomplete', success: 'unknown' },
  browsed: { completion: 'incomplete', success: 'unknown' },
  'not attempted': { completion: 'not_attempted', success: 'unknown' },
};
const COMPLETION_STATUS: Record<string, Completion> = { completed: 'completed', incomplete: 'incomplete', 'not attempted': 'not_attempted', unknown: 'unknown' };
const SUCCESS_STATUS: Record<string, Success> = { passed: 'passed', failed: 'failed', unknown: 'unknown' };
const EXIT = { '1.2': ['time-out', 'suspend', 'logout'], '2004': ['time-out', 'suspend', 'logout', 'normal'] };

/**
 * Validates a commit and reads what trainhub keeps of it. `body` is the request body: scorm-again's
 * `{ cmi: {...} }` (other members, like the player's token and seq, are ignored) or the `cmi` object itself.
 *
 * Lenient where real content is sloppy and the meaning is plain: numbers may come as strings (CMIDecimal
 * is a string) or as JSON numbers; a missing or empty element means "not set"; minutes and seconds past
 * 59 in a 1.2 timespan count as written. Strict where a mistake would change the outcome: a status or exit
 * outside the vocabulary, a score.scaled outside -1..1, a progress_measure outside 0..1, a value of the
 * wrong type, suspend_data over `maxSuspendDataChars` characters (SCORM 1.2 says 4,096; SCORM 2004 64,000).
 */
export function readCommit(version: ScormVersion, body: unknown, limits: { maxSuspendDataChars: number }): ScoCommit {
  const cmi = cmiOf(body);
  const suspendData = text(cmi.suspend_data, 'cmi.suspend_data');
  if (suspendData !== null && exceeds(suspendData, limits.maxSuspendDataChars)) {
    throw new InvalidCommit('cmi.suspend_data', `is ${Array.from(suspendData).length} characters long; this package allows at most ${limits.maxSuspendDataChars}`);
  }
  if (version === '1.2') {
    const core = object(cmi.core, 'cmi.core');
    const score = object(core.score, 'cmi.core.score');
    const status = word(core.lesson_status, 'cmi.core.lesson_status', Object.keys(LESSON_STATUS)) ?? 'not attempted';
    const sessionTime = text(core.session_time, 'cmi.core.session_time');
    return {
      ...LESSON_STATUS[status]!,
      scoreRaw: decimal(score.raw, 'cmi.core.score.raw'),
      scoreMin: decimal(score.min, 'cmi.core.score.min'),
      scoreMax: decimal(score.max, 'cmi.core.score.max'),
      scoreScaled: null,
      progressMeasure: null,
      sessionSeconds: sessionTime === null ? null : parseScormTime(version, sessionTime, 'cmi.core.session_time'),
      exit: word(core.exit, 'cmi.core.exit', EXIT['1.2']),
      location: text(core.lesson_location, 'cmi.core.lesson_location'),
      suspendData,
      cmi,
    };
  }
  const score = object(cmi.score, 'cmi.score');
  const sessionTime = text(cmi.session_time, 'cmi.session_time');
  return {
    completion: COMPLETION_STATUS[word(cmi.completion_status, 'cmi.completion_status', Object.keys(COMPLETION_STATUS)) ?? 'unknown']!,
    success: SUCCESS_STATUS[word(cmi.success_status, 'cmi.success_status', Object.keys(SUCCESS_STATUS)) ?? 'unknown']!,
    scoreRaw: decimal(score.raw, 'cmi.score.raw'),
    scoreMin: decimal(score.min, 'cmi.score.min'),
    scoreMax: decimal(score.max, 'cmi.score.max'),
    scoreScaled: decimal(score.scaled, 'cmi.score.scaled', [-1, 1]),
    progressMeasure: decimal(cmi.progress_measure, 'cmi.progress_measure', [0, 1]),
    sessionSeconds: sessionTime === null ? null : parseScormTime(version, sessionTime, 'cmi.session_time'),
    exit: word(cmi.exit, 'cmi.exit', EXIT['2004']),
    location: text(cmi.location, 'cmi.location'),
    suspendData,
    cmi,
  };
}

function cmiOf(body: unknown): Record<string, unknown> {
  const outer = object(body, 'The commit body', true);
  return 'cmi' in outer ? object(outer.cmi, 'cmi', true) : outer;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A nested element of the data model; missing reads as empty. */
function object(value: unknown, element: string, required = false): Record<string, unknown> {
  if (isObject(value)) return value;
  if (value === undefined && !required) return {};
  throw new InvalidCommit(element, 'must be a JSON object');
}

/** A characterstring element; null when missing or empty. */
function text(value: unknown, element: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw new InvalidCommit(element, `must be a string (got ${JSON.stringify(value)})`);
  return value;
}

/** A vocabulary element; null when missing or empty. */
function word(value: unknown, element: string, vocabulary: readonly string[]): string | null {
  const given = text(value, element);
  if (given !== null && !vocabulary.includes(given)) throw new InvalidCommit(element, `must be one of ${vocabulary.join(', ')} (got ${JSON.stringify(given)})`);
  return given;
}

const DECIMAL = /^-?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** A real-number element, sent as a CMIDecimal string or a JSON number; null when missing or empty. */
function decimal(value: unknown, element: string, range?: [number, number]): number | null {
  if (value === undefined || value === null || value === '') return null;
  const number = typeof value === 'number' ? value : typeof value === 'string' && DECIMAL.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(number)) throw new InvalidCommit(element, `must be a decimal number (got ${JSON.stringify(value)})`);
  if (range && (number < range[0] || number > range[1])) throw new InvalidCommit(element, `must be between ${range[0]} and ${range[1]} (got ${number})`);
  return number;
}

/** Whether `value` has more than `max` characters, counting characters (code points) as SCORM does, not UTF-16 units. */
function exceeds(value: string, max: number): boolean {
  return value.length > max && Array.from(value).length > max;
}

// ---------------------------------------------------------------------------------------------
// Judging a SCO and a course

/** What trainhub needs of a SCO's manifest item and the tenant's settings to judge its commits. */
export interface ScoRules {
  version: ScormVersion;
  /** SCORM 1.2 `adlcp:masteryscore` (0–100). */
  masteryScore: number | null;
  /** The tenant's mastery score (0–100): when set, it derives passed/failed from the score in place of the content's own verdict. */
  masteryOverride: number | null;
  completionThreshold: ScormItem['completionThreshold'];
  /** SCORM 2004 scaled passing score (-1..1): the primary objective's minNormalizedMeasure when satisfiedByMeasure. */
  scaledPassingScore: number | null;
  /** Whether the session was taken for credit (default true); a 1.2 mastery score only judges credit sessions. */
  credit?: boolean;
}

export interface ScoJudgement {
  completion: Completion;
  success: Success;
  verdict: ScoVerdict;
}

/**
 * The SCO's completion and success once trainhub's rules apply, and its part in the attempt's outcome.
 *
 * SCORM 1.2 — a mastery score (the tenant's override, else the manifest's masteryscore) re-judges a SCO
 * that reports itself finished (completed, passed or failed) with a `score.raw`, in a credit session: raw
 * ≥ mastery ⇒ passed, else failed. As the 1.2 conformance requirements put it, the LMS re-evaluates a
 * status not left at incomplete, comparing `score.raw` itself with the mastery score (no scaling by
 * min/max: the spec compares the two numbers). Then passed or completed ⇒ satisfied, failed ⇒ failed,
 * anything else ⇒ open.
 *
 * SCORM 2004 — completion and success are separate. With a completion threshold (completedByMeasure)
 * `progress_measure` decides: ≥ minProgressMeasure ⇒ completed, below ⇒ incomplete, not reported ⇒
 * unknown (RTE 4.2.4.1). With a scaled passing score `score.scaled` decides: ≥ ⇒ passed, below ⇒ failed,
 * not reported ⇒ unknown (RTE 4.2.22). The tenant's override takes the passing score's place, comparing
 * `score.scaled` × 100, and applies only when a scaled score was reported. Then: failed ⇒ failed; when
 * success is required (a passing score applies) satisfied needs completed and passed; otherwise completed,
 * or passed with unknown completion, ⇒ satisfied; anything else ⇒ open.
 */
export function judgeSco(commit: ScoCommit, rules: ScoRules): ScoJudgement {
  return rules.version === '1.2' ? judge12(commit, rules) : judge2004(commit, rules);
}

function judge12(commit: ScoCommit, rules: ScoRules): ScoJudgement {
  const { completion } = commit;
  let { success } = commit;
  const mastery = rules.masteryOverride ?? rules.masteryScore;
  if (mastery !== null && rules.credit !== false && completion === 'completed' && commit.scoreRaw !== null) {
    success = commit.scoreRaw >= mastery ? 'passed' : 'failed';
  }
  const verdict: ScoVerdict = success === 'failed' ? 'failed' : completion === 'completed' ? 'satisfied' : 'open';
  return { completion, success, verdict };
}

function judge2004(commit: ScoCommit, rules: ScoRules): ScoJudgement {
  let { completion, success } = commit;
  const threshold = rules.completionThreshold;
  if (threshold?.completedByMeasure) {
    completion = commit.progressMeasure === null ? 'unknown' : commit.progressMeasure >= threshold.minProgressMeasure ? 'completed' : 'incomplete';
  }
  const passingScore = rules.masteryOverride !== null && commit.scoreScaled !== null ? rules.masteryOverride / 100 : rules.scaledPassingScore;
  if (passingScore !== null) {
    success = commit.scoreScaled === null ? 'unknown' : commit.scoreScaled >= passingScore ? 'passed' : 'failed';
  }
  let verdict: ScoVerdict;
  if (success === 'failed') verdict = 'failed';
  else if (passingScore !== null) verdict = completion === 'completed' && success === 'passed' ? 'satisfied' : 'open';
  else verdict = completion === 'completed' || (completion === 'unknown' && success === 'passed') ? 'satisfied' : 'open';
  return { completion, success, verdict };
}

/**
 * The attempt's outcome from its SCOs' verdicts. `scos` lists every SCO of the package (one never launched
 * is open); `required` names the ones the tenant requires, empty meaning all of them. Completed when every
 * required SCO is satisfied; failed when none of them is open any more and at least one failed (the learner
 * finishes the rest before the attempt is called); open otherwise. A required SCO missing from `scos` is open.
 */
export function judgeCourse(scos: readonly { identifier: string; verdict: ScoVerdict }[], required: readonly string[]): 'completed' | 'failed' | 'open' {
  const verdicts = new Map(scos.map((sco) => [sco.identifier, sco.verdict]));
  const counted = (required.length > 0 ? required : scos.map((sco) => sco.identifier)).map((id) => verdicts.get(id) ?? 'open');
  if (counted.length === 0 || counted.includes('open')) return 'open';
  return counted.every((verdict) => verdict === 'satisfied') ? 'completed' : 'failed';
}

// ---------------------------------------------------------------------------------------------
// The CMI a session starts from

/** Where the SCO stood after the attempt's previous session. */
export interface PreviousSession {
  exit: string | null;
  location: string | null;
  suspendData: string | null;
  /** Seconds of all earlier sessions together. */
  totalSeconds: number;
  completion: Completion;
  success: Success;
  scoreRaw: number | null;
  scoreScaled: number | null;
  /** The CMI as last committed: score min/max, progress_measure, objectives and interactions come back from it. */
  cmi: object | null;
}

export interface LaunchInput {
  learnerId: string;
  learnerName: string;
  item: Pick<ScormItem, 'masteryScore' | 'maxTimeAllowed' | 'timeLimitAction' | 'dataFromLms' | 'completionThreshold' | 'primaryObjective'>;
  /** The previous session of the same attempt, or null for the attempt's first (a new attempt starts afresh). */
  previous: PreviousSession | null;
  credit: boolean;
}

const TIME_LIMIT_ACTIONS = ['exit,message', 'exit,no message', 'continue,message', 'continue,no message'];

/**
 * The data model a session starts from, shaped for scorm-again's `loadFromJSON` (which puts it under
 * `cmi` and may set read-only elements because it runs before `Initialize`). `entry` is `resume` after an
 * exit of `suspend`, `ab-initio` for the attempt's first session and "" otherwise. The previous session's
 * statuses, score, location, suspend_data, objectives and interactions come back so that content resuming
 * sees where it was. Manifest values scorm-again would refuse (a malformed max time, an unknown time limit
 * action) are left out rather than breaking the launch. Unset elements other than `entry` are omitted:
 * scorm-again skips empty values anyway.
 */
export function initialCmi(version: ScormVersion, input: LaunchInput): Record<string, unknown> {
  const { item, previous } = input;
  const entry = previous === null ? 'ab-initio' : previous.exit === 'suspend' ? 'resume' : '';
  const saved = isObject(previous?.cmi) ? previous.cmi : {};
  const maxTimeAllowed = item.maxTimeAllowed !== null && isTime(version, item.maxTimeAllowed) ? item.maxTimeAllowed : undefined;
  const timeLimitAction = item.timeLimitAction !== null && TIME_LIMIT_ACTIONS.includes(item.timeLimitAction) ? item.timeLimitAction : undefined;
  const carried = { objectives: indexed(saved.objectives, ['id']), interactions: indexed(saved.interactions, ['id', 'type']) };

  if (version === '1.2') {
    const core = isObject(saved.core) ? saved.core : {};
    const score = isObject(core.score) ? core.score : {};
    return omitUnset({
      core: {
        entry,
        ...omitUnset({
          student_id: input.learnerId,
          student_name: input.learnerName,
          credit: input.credit ? 'credit' : 'no-credit',
          lesson_mode: 'normal',
          lesson_status: previous ? lessonStatus(previous) : undefined,
          lesson_location: previous?.location,
          total_time: formatScormTime(version, previous?.totalSeconds ?? 0),
          score: omitUnset({ raw: decimalText(previous?.scoreRaw), min: score.min, max: score.max }),
        }),
      },
      suspend_data: previous?.suspendData,
      launch_data: item.dataFromLms,
      student_data: omitUnset({ mastery_score: decimalText(item.masteryScore), max_time_allowed: maxTimeAllowed, time_limit_action: timeLimitAction }),
      ...carried,
    });
  }
  const score = isObject(saved.score) ? saved.score : {};
  const threshold = item.completionThreshold?.completedByMeasure ? item.completionThreshold.minProgressMeasure : null;
  const passingScore = item.primaryObjective?.satisfiedByMeasure ? item.primaryObjective.minNormalizedMeasure : null;
  return {
    entry,
    ...omitUnset({
      learner_id: input.learnerId,
      learner_name: input.learnerName,
      credit: input.credit ? 'credit' : 'no-credit',
      mode: 'normal',
      completion_status: previous?.completion === 'not_attempted' ? 'not attempted' : previous?.completion,
      success_status: previous?.success,
      location: previous?.location,
      suspend_data: previous?.suspendData,
      launch_data: item.dataFromLms,
      total_time: formatScormTime(version, previous?.totalSeconds ?? 0),
      completion_threshold: decimalText(threshold),
      scaled_passing_score: decimalText(passingScore),
      max_time_allowed: maxTimeAllowed,
      time_limit_action: timeLimitAction,
      progress_measure: typeof saved.progress_measure === 'string' ? saved.progress_measure : undefined,
      score: omitUnset({ scaled: decimalText(previous?.scoreScaled), raw: decimalText(previous?.scoreRaw), min: score.min, max: score.max }),
      ...carried,
    }),
  };
}

/** The 1.2 lesson_status that says what `previous` says. */
function lessonStatus(previous: PreviousSession): string {
  if (previous.completion === 'completed') return previous.success === 'unknown' ? 'completed' : previous.success;
  return previous.completion === 'incomplete' ? 'incomplete' : 'not attempted';
}

function isTime(version: ScormVersion, value: string): boolean {
  try {
    parseScormTime(version, value);
    return true;
  } catch {
    return false;
  }
}

function decimalText(value: number | null | undefined): string | undefined {
  return value === null || value === undefined ? undefined : String(value);
}

/**
 * A committed collection (objectives, interactions: objects keyed by index) with each entry's `leading`
 * members first, because scorm-again validates an interaction's response against its type while loading
 * and stored JSON need not keep the order content set them in.
 */
function indexed(value: unknown, leading: readonly string[]): Record<string, unknown> | undefined {
  if (!isObject(value)) return undefined;
  const entries = Object.entries(value).flatMap(([index, entry]) => {
    if (!/^\d+$/.test(index) || !isObject(entry)) return [];
    const first = Object.fromEntries(leading.filter((key) => key in entry).map((key) => [key, entry[key]]));
    return [[index, { ...first, ...entry }] as const];
  });
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/** The object without its undefined, null and empty members (empty strings and objects). */
function omitUnset(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(object).filter(([, value]) => !(value === undefined || value === null || value === '' || (isObject(value) && Object.keys(value).length === 0))),
  );
}
