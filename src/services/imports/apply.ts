import type { ProfileDefinition } from '../../connectors/hcm/profile';
import type { Db } from '../../db/client';
import { Prisma } from '../../db/client';
import { againWhenTransient, isRefusedValue, sqlState } from '../../db/errors';
import { DomainError, InvalidRequest, NotFound } from '../../domain/errors';
import { dayIn, localTime } from '../../domain/time-zones';
import type { ImportChangeKind } from '../../generated/prisma/enums';
import type { ImportStep } from '../../workflows/import-run';
import type { Actor } from '../audit/trail';
import { isUuid } from '../catalog/common';
import { tenantTimeZone } from '../catalog/notification-policy';
import { recordCompletions, type CompletionCommand } from '../onboarding/completions';
import { recordHrEvent, type HrCommand } from '../onboarding/hr-events';
import type { PersonReference } from '../onboarding/person-references';
import { changesWithEvents, type ChangeWithEvent } from './change-events';
import { profileSource } from './profiles';
import type { CommandDelivery } from '../processes/operations';

/**
 * Applying an import run: the changes its diff found (import_change), each through the rules a single
 * HR event or LMS completion goes through — recordHrEvent for people (a hire starts the person's
 * training process, a termination ends it, certifications and controlled documents follow),
 * recordCompletions for a transcript's records, a thousand at a time. The process commands those
 * write are left to the dispatcher's loop (its concurrency bounds what Temporal sees), so a run of
 * 100,000 people never waits on Temporal person by person.
 *
 * Resumable: a change is marked applied (or refused, with the rule's error) after its event is
 * recorded, and an attempt takes only the changes not yet marked. A change applied again after a
 * crash between the two is the same HR event (source + event id) or the same completion (source +
 * record id): nothing happens twice, and the counters count each change once.
 *
 * Changes dated in the future wait: an attempt applies those due on the day of `at` (the workflow's
 * clock, in the tenant's time zone) and tells the workflow when the next is due (09:00 on its day).
 */
export interface ApplyImportInput {
  tenantId: string;
  runId: string;
  /** The workflow's clock (epoch ms): changes dated up to this day (tenant's time zone) apply. */
  at: number;
}

export interface ApplyProgress {
  /** Changes of the run applied so far (all attempts). */
  applied: number;
  /** Changes the rules refused so far (all attempts). */
  refused: number;
  /** This attempt: changes due now that are still to apply. */
  remaining: number;
}

export interface ApplyOptions {
  /** Called after each batch of changes is marked (an activity heartbeats with it). */
  onProgress?: (progress: ApplyProgress) => void;
  /** Stops taking changes when aborted (a worker shutting down): what was applied is marked, then `signal.reason` is thrown. */
  signal?: AbortSignal;
  /** People's changes applied at once (each is a transaction of its own). */
  concurrency?: number;
  /**
   * After this long no more changes are taken: what was applied is marked and the run answers
   * `applying` with no `nextChangeAt`, so its process calls again at once. Keeps one activity attempt
   * well inside its start-to-close timeout however large the run.
   */
  timeBudgetMs?: number;
}

export const APPLY_CONCURRENCY = 8;
/** Changes read from the run at a time; a transcript's completions recorded in one call (recordCompletions' batch limit). */
const PAGE = 1_000;
/** A person's changes in the order that works: rehired before anything else, back from leave before a transfer, terminated last. */
const PEOPLE_PHASES = ['hire', 'return', 'transfer', 'leave', 'terminate'] as const satisfies readonly ImportChangeKind[];
/** The hour of the tenant's day at which a future-dated change applies. */
export const CHANGE_HOUR = 9;

type Change = ChangeWithEvent;

/** Why a change was refused, as kept on it, or null: it was applied. */
type Outcome = string | null;

interface RunContext {
  db: Db;
  delivery: CommandDelivery;
  tenantId: string;
  runId: string;
  source: string;
  actor: Actor;
  today: string;
  /** The effective day whose changes are being applied (null: those that hold at once). */
  day: string | null;
  marks: Marks;
  options: ApplyOptions;
  /** Whether to stop taking changes: aborted, or out of time (once this attempt has taken one, so every attempt gets somewhere). */
  stopping(): boolean;
  /** Changes this attempt has taken. */
  taken: number;
}

export async function applyImport(db: Db, delivery: CommandDelivery, input: ApplyImportInput, options: ApplyOptions = {}): Promise<ImportStep> {
  const { tenantId, runId } = input;
  const run = isUuid(runId)
    ? await db.importRun.findFirst({ where: { id: runId, tenantId }, select: { state: true, kind: true, profileName: true, profile: true, workflowId: true, applied: true, counts: true } })
    : null;
  if (!run) throw new NotFound('import run', runId);
  if (run.state !== 'applying') return { state: run.state === 'received' ? 'staging' : run.state, nextChangeAt: null };

  const zone = await tenantTimeZone(db, tenantId);
  const today = dayIn(input.at, zone);
  const marks = new Marks(db, runId, run.applied, refusedIn(run.counts), options.onProgress);
  const deadline = options.timeBudgetMs === undefined ? Infinity : performance.now() + options.timeBudgetMs;
  const context: RunContext = {
    db,
    delivery,
    tenantId,
    runId,
    source: recordSource(run),
    actor: { type: 'system', id: run.workflowId },
    today,
    day: null,
    marks,
    options,
    taken: 0,
    stopping: () => options.signal?.aborted === true || (context.taken > 0 && performance.now() > deadline),
  };
  marks.remaining = await countDue(db, runId, today);
  marks.report();
  try {
    // Day by day (those that hold at once first), so that after a gap — a worker away over several
    // dated changes — a person's later change still comes after their earlier one.
    for (const day of await dueDays(db, runId, today)) {
      if (context.stopping()) break;
      context.day = day;
      if (run.kind === 'transcript') await applyCompletions(context);
      else for (const kind of PEOPLE_PHASES) await (kind === 'hire' ? applyHires(context) : applyKind(context, kind));
    }
  } finally {
    await marks.flush();
  }
  options.signal?.throwIfAborted();
  // Out of time: changes due now remain, and settle answers `applying` without a timer.
  return settle(db, runId, today, zone);
}

/**
 * The source a run's records are kept under: the profile's system (e.g. workday), else its name — as
 * the diff writes into each change — so the same record imported by upload, CLI or a scheduled pull
 * is one record.
 */
function recordSource(run: { profile: Prisma.JsonValue; profileName: string }): string {
  return profileSource(run.profile as unknown as ProfileDefinition, run.profileName);
}

// ─── People ─────────────────────────────────────────────────────────────────────────────────────

/**
 * Hires, managers before their reports: the hires of this run whose manager is not hired by it go
 * first, then those whose manager is among them, and so on, each level finished before the next
 * begins — so a report's manager reference resolves when the report is recorded (recordHrEvent
 * would also resolve it when the manager arrived later, but not when both commit at once).
 */
async function applyHires(context: RunContext): Promise<void> {
  const hires = await context.db.$queryRaw<{ line: number; external_id: string; manager: string | null }[]>`
    SELECT c.line, c.external_id, r.manager_external_id AS manager
      FROM import_change c JOIN import_row r ON r.run_id = c.run_id AND r.line = c.line
     WHERE c.run_id = ${context.runId}::uuid AND c.kind = 'hire' AND c.applied_at IS NULL AND c.error IS NULL
       AND c.effective_date IS NOT DISTINCT FROM ${context.day}::date
     ORDER BY c.line`;
  for (const level of managerLevels(hires)) {
    for (let i = 0; i < level.length && !context.stopping(); i += PAGE) {
      const lines = level.slice(i, i + PAGE);
      const page = await changesWithEvents(context.db, context.runId, context.source, Prisma.sql`
        c.kind = 'hire' AND c.line = ANY(${lines}::int[]) AND c.applied_at IS NULL AND c.error IS NULL`);
      await applyPeople(context, page);
    }
  }
}

/**
 * The run's hires in levels: a hire whose manager is not hired by this run is level 0, one whose
 * manager is a hire of level n is level n + 1. A cycle (the diff refuses them) is broken where it
 * is found. Returns the lines, level by level.
 */
export function managerLevels(hires: readonly { line: number; external_id: string; manager: string | null }[]): number[][] {
  const byExternalId = new Map(hires.map((hire) => [hire.external_id, hire]));
  const level = new Map<string, number>();
  const levelOf = (externalId: string): number => {
    const known = level.get(externalId);
    if (known !== undefined) return known;
    // Walk up to the first hire whose level is known (or who has no manager in the run), then back down.
    const chain: string[] = [];
    const onChain = new Set<string>();
    let current: string | null = externalId;
    let base = -1;
    while (current !== null) {
      const at = level.get(current);
      if (at !== undefined) {
        base = at;
        break;
      }
      if (onChain.has(current)) break; // a cycle: it starts over at 0 here
      chain.push(current);
      onChain.add(current);
      const manager: string | null = byExternalId.get(current)?.manager ?? null;
      current = manager !== null && byExternalId.has(manager) && manager !== current ? manager : null;
    }
    for (let i = chain.length - 1; i >= 0; i--) level.set(chain[i]!, ++base);
    return level.get(externalId)!;
  };
  const levels: number[][] = [];
  for (const hire of hires) (levels[levelOf(hire.external_id)] ??= []).push(hire.line);
  return levels.filter(Boolean);
}

/** The run's changes of one kind due on the current day, in file order, a page at a time. */
async function applyKind(context: RunContext, kind: Exclude<ImportChangeKind, 'hire' | 'completion'>): Promise<void> {
  for (let after = 0; !context.stopping(); ) {
    const page = await duePage(context, kind, after);
    if (page.length === 0) return;
    await applyPeople(context, page);
    after = page.at(-1)!.line;
  }
}

function duePage(context: RunContext, kind: ImportChangeKind, after: number): Promise<Change[]> {
  return changesWithEvents(context.db, context.runId, context.source, Prisma.sql`
    c.kind = ${kind}::"ImportChangeKind" AND c.line > ${after}
    AND c.applied_at IS NULL AND c.error IS NULL AND c.effective_date IS NOT DISTINCT FROM ${context.day}::date`, PAGE);
}

/**
 * Each change through recordHrEvent, `concurrency` at a time. A change the rules refuse (a 4xx
 * DomainError, a value the database refuses) is marked with the error and the run goes on; any other
 * failure stops taking changes, lets those under way finish and is thrown (the activity is retried
 * and resumes where this attempt stopped).
 */
async function applyPeople(context: RunContext, changes: readonly Change[]): Promise<void> {
  const { options, marks } = context;
  let next = 0;
  let failure: { error: unknown } | null = null;
  const worker = async () => {
    while (!failure && !context.stopping() && next < changes.length) {
      const change = changes[next++]!;
      context.taken += 1;
      try {
        marks.add(change, await applyHrChange(context, change));
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? APPLY_CONCURRENCY, changes.length) }, worker));
  if (failure) throw (failure as { error: unknown }).error;
}

async function applyHrChange(context: RunContext, change: Change): Promise<Outcome> {
  let command: HrCommand;
  try {
    command = hrCommandOf(change);
  } catch (error) {
    return refusal(error) ?? `invalid_change: ${String(error)}`;
  }
  try {
    await againWhenTransient(() => recordHrEvent(context.db, context.delivery, context.tenantId, context.actor, command));
    return null;
  } catch (error) {
    const refused = refusal(error);
    if (refused !== null) return refused;
    throw error;
  }
}

/** The HR event a change makes (see change-events.ts: JSON, so its dates are strings). */
export function hrCommandOf(change: { kind: ImportChangeKind; payload: Prisma.JsonValue }): HrCommand {
  const payload = change.payload as Record<string, unknown> | null;
  if (!payload || typeof payload !== 'object' || typeof payload.person !== 'object' || payload.person === null) {
    throw new InvalidRequest(`change of kind ${change.kind} holds no HR event`);
  }
  if (payload.type !== change.kind) throw new InvalidRequest(`change of kind ${change.kind} holds an HR event of type ${String(payload.type)}`);
  const occurredAt = typeof payload.occurredAt === 'string' ? dateOf(payload.occurredAt, 'occurredAt') : undefined;
  const person = payload.person as Record<string, unknown>;
  const command = { ...payload, ...(occurredAt ? { occurredAt } : {}) } as HrCommand;
  if (command.type === 'hire') command.person = { ...(person as typeof command.person), hireDate: dateOf(person.hireDate, 'person.hireDate') };
  return command;
}

function dateOf(value: unknown, field: string): Date {
  const date = typeof value === 'string' || value instanceof Date ? new Date(value) : new Date(NaN);
  if (Number.isNaN(date.getTime())) throw new InvalidRequest(`${field} is not a date: ${JSON.stringify(value)}`);
  return date;
}

// ─── Transcripts ────────────────────────────────────────────────────────────────────────────────

/**
 * A transcript's completions, a thousand at a time through recordCompletions (source: the profile's,
 * external id: the LMS's record id — a record imported before is a duplicate and changes nothing).
 * A completion refused (unknown person or course, a record id reused with other content) is marked
 * with its error; a batch that fails otherwise is thrown, its changes still unmarked.
 */
async function applyCompletions(context: RunContext): Promise<void> {
  for (let after = 0; !context.stopping(); ) {
    const page = await duePage(context, 'completion', after);
    if (page.length === 0) return;
    after = page.at(-1)!.line;
    const valid: { change: Change; command: CompletionCommand }[] = [];
    for (const change of page) {
      try {
        valid.push({ change, command: completionCommandOf(change, context.source) });
      } catch (error) {
        context.marks.add(change, refusal(error) ?? `invalid_change: ${String(error)}`);
      }
    }
    if (valid.length === 0) continue;
    context.taken += valid.length;
    const results = await recordCompletions(context.db, context.delivery, context.tenantId, context.actor, valid.map((v) => v.command));
    results.forEach((result, i) => context.marks.add(valid[i]!.change, result.status === 'rejected' ? describe(result.error) : null));
    await context.marks.flush();
  }
}

/**
 * The completion a transcript change holds: a CompletionRecord as the reader made it (`person`: an
 * external id or an e-mail, `recordId`) or a completion command (`person`: a reference, `externalId`).
 */
export function completionCommandOf(change: { kind: ImportChangeKind; payload: Prisma.JsonValue }, source: string): CompletionCommand {
  const payload = change.payload as Record<string, unknown> | null;
  if (change.kind !== 'completion' || !payload || typeof payload !== 'object') throw new InvalidRequest(`change of kind ${change.kind} holds no completion`);
  const externalId = typeof payload.recordId === 'string' ? payload.recordId : payload.externalId;
  if (typeof externalId !== 'string' || externalId === '') throw new InvalidRequest('the completion has no record id');
  if (typeof payload.courseKey !== 'string') throw new InvalidRequest('the completion names no course');
  const score = payload.score === null || payload.score === undefined ? undefined : Number(payload.score);
  return {
    source: typeof payload.source === 'string' && payload.source !== '' ? payload.source : source,
    externalId,
    person: personReferenceOf(payload.person),
    courseKey: payload.courseKey,
    completedAt: dateOf(payload.completedAt, 'completedAt'),
    passed: payload.passed !== false,
    ...(score !== undefined && Number.isFinite(score) ? { score } : {}),
  };
}

/** A transcript names a person by HR external id or e-mail (an address has an @, an id here does not). */
function personReferenceOf(person: unknown): PersonReference {
  if (typeof person === 'string' && person !== '') return person.includes('@') ? { email: person } : { externalId: person };
  if (person && typeof person === 'object') {
    const ref = person as Record<string, unknown>;
    for (const key of ['id', 'externalId', 'email'] as const) if (typeof ref[key] === 'string') return { [key]: ref[key] } as PersonReference;
  }
  throw new InvalidRequest(`the completion names no person: ${JSON.stringify(person)}`);
}

// ─── Marks, counters, the next step ─────────────────────────────────────────────────────────────

/**
 * Marks applied and refused changes, a batch at a time, and moves the run's counters by exactly the
 * changes this statement marked (one marked before — by an attempt that crashed after its event was
 * recorded — is not counted again).
 */
class Marks {
  private pending: { line: number; kind: ImportChangeKind; error: Outcome }[] = [];
  private writing: Promise<void> = Promise.resolve();
  /** A write in the background that failed: its changes stay unmarked (the next attempt applies them again, as one event). */
  private failed: { error: unknown } | null = null;
  remaining = 0;

  constructor(
    private readonly db: Db,
    private readonly runId: string,
    private applied: number,
    private refused: number,
    private readonly onProgress?: (progress: ApplyProgress) => void,
  ) {}

  add(change: Change, outcome: Outcome): void {
    this.pending.push({ line: change.line, kind: change.kind, error: outcome === null ? null : outcome.slice(0, 2000) });
    if (this.pending.length >= 50) void this.flush().catch((error: unknown) => void (this.failed ??= { error }));
  }

  /** Writes what is pending (one writer at a time); rejects when this or an earlier write failed. */
  async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    const write = this.writing.then(() => (batch.length > 0 ? this.write(batch) : undefined));
    this.writing = write.catch(() => undefined);
    await write;
    if (this.failed) throw this.failed.error;
  }

  report(): void {
    this.onProgress?.({ applied: this.applied, refused: this.refused, remaining: this.remaining });
  }

  private async write(batch: { line: number; kind: ImportChangeKind; error: Outcome }[]): Promise<void> {
    const [row] = await this.db.$queryRaw<{ applied: number; refused: number }[]>`
      WITH done AS (
        SELECT * FROM unnest(${batch.map((b) => b.line)}::int[], ${batch.map((b) => b.kind)}::text[], ${batch.map((b) => b.error)}::text[]) AS d(line, kind, error)
      ),
      marked AS (
        UPDATE import_change c
           SET applied_at = CASE WHEN d.error IS NULL THEN now() END, error = d.error
          FROM done d
         WHERE c.run_id = ${this.runId}::uuid AND c.line = d.line AND c.kind = d.kind::"ImportChangeKind" AND c.applied_at IS NULL AND c.error IS NULL
        RETURNING d.error IS NULL AS applied
      ),
      tally AS (
        SELECT count(*) FILTER (WHERE applied)::int AS applied, count(*) FILTER (WHERE NOT applied)::int AS refused FROM marked
      )
      UPDATE import_run r
         SET applied = r.applied + t.applied,
             counts = r.counts || jsonb_build_object('refused', coalesce((r.counts->>'refused')::int, 0) + t.refused),
             updated_at = now()
        FROM tally t
       WHERE r.id = ${this.runId}::uuid
      RETURNING r.applied, (r.counts->>'refused')::int AS refused`;
    if (row) {
      this.applied = row.applied;
      this.refused = row.refused;
    }
    this.remaining = Math.max(0, this.remaining - batch.length);
    this.report();
  }
}

function refusedIn(counts: Prisma.JsonValue): number {
  const value = counts && typeof counts === 'object' && !Array.isArray(counts) ? (counts as Record<string, unknown>).refused : undefined;
  return typeof value === 'number' ? value : 0;
}

/** The days of the changes due by `today` that are still to apply, in order; null (at once) first. */
async function dueDays(db: Db, runId: string, today: string): Promise<(string | null)[]> {
  const rows = await db.$queryRaw<{ day: string | null }[]>`
    SELECT DISTINCT effective_date::text AS day FROM import_change
     WHERE run_id = ${runId}::uuid AND applied_at IS NULL AND error IS NULL AND (effective_date IS NULL OR effective_date <= ${today}::date)
     ORDER BY 1 NULLS FIRST`;
  return rows.map((row) => row.day);
}

async function countDue(db: Db, runId: string, today: string): Promise<number> {
  const [row] = await db.$queryRaw<{ due: number }[]>`
    SELECT count(*)::int AS due FROM import_change
     WHERE run_id = ${runId}::uuid AND applied_at IS NULL AND error IS NULL AND (effective_date IS NULL OR effective_date <= ${today}::date)`;
  return row?.due ?? 0;
}

/**
 * After an attempt: while changes dated after today remain, the run stays `applying` and the workflow
 * waits until 09:00 (tenant's time) on the first of their days; otherwise the run is completed, its
 * counters recounted from the changes themselves.
 */
async function settle(db: Db, runId: string, today: string, zone: string): Promise<ImportStep> {
  const [row] = await db.$queryRaw<{ next: string | null; due: number }[]>`
    SELECT min(effective_date)::text AS next, count(*) FILTER (WHERE effective_date IS NULL OR effective_date <= ${today}::date)::int AS due
      FROM import_change
     WHERE run_id = ${runId}::uuid AND applied_at IS NULL AND error IS NULL`;
  // Due changes left unmarked (a mark that failed): the workflow calls again at once.
  if (row && row.due > 0) return { state: 'applying', nextChangeAt: null };
  if (row?.next) return { state: 'applying', nextChangeAt: new Date(localTime(row.next, CHANGE_HOUR, zone)).toISOString() };
  await db.$executeRaw`
    UPDATE import_run r
       SET state = 'completed', applied = t.applied, counts = r.counts || jsonb_build_object('refused', t.refused), updated_at = now()
      FROM (SELECT count(*) FILTER (WHERE applied_at IS NOT NULL)::int AS applied, count(*) FILTER (WHERE error IS NOT NULL)::int AS refused
              FROM import_change WHERE run_id = ${runId}::uuid) t
     WHERE r.id = ${runId}::uuid AND r.state = 'applying'`;
  const run = await db.importRun.findUniqueOrThrow({ where: { id: runId }, select: { state: true } });
  return { state: run.state === 'received' ? 'staging' : run.state, nextChangeAt: null };
}

// ─── Errors ─────────────────────────────────────────────────────────────────────────────────────

/** The error a refused change keeps, or null when the failure is not a refusal (it is retried). */
function refusal(error: unknown): string | null {
  if (error instanceof DomainError) return error.status < 500 ? describe(error) : null;
  if (isRefusedValue(error)) return `invalid_data: the database refused a value of this change (${sqlState(error) ?? (error as Prisma.PrismaClientKnownRequestError).code})`;
  return null;
}

function describe(error: DomainError): string {
  return `${error.code}: ${error.message}`;
}
