import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { UnreadableFile } from '../../connectors/hcm/errors';
import type { ProfileDefinition } from '../../connectors/hcm/profile';
import { readCompletions, readRecords } from '../../connectors/hcm/read';
import { isRowError, type CompletionRecord, type ReadResult, type RowError, type WorkerRecord } from '../../connectors/hcm/records';
import { connectPlain, type Db } from '../../db/client';
import { tenantDay } from '../certifications/reading';
import type { ImportCounts } from './runs';

/**
 * Staging: the stored file is read back as a stream (its pieces in order, a page at a time, so
 * memory does not grow with the file), the profile's reader turns it into records or row errors,
 * and all of them go into import_row with one COPY over a connection of its own — in one
 * transaction that first removes what an earlier attempt staged. A retry therefore stages again
 * from the start: a crash at any point leaves either nothing or everything staged.
 */

export interface StageOutcome {
  state: 'diffing' | 'failed' | 'awaiting_confirmation' | 'applying' | 'completed' | 'cancelled';
  counts?: ImportCounts;
}

/**
 * Staged lines are the file's (the CSV line, the JSON entry's position), with two exceptions that
 * keep (run, line) unique: a record beyond the first of one JSON entry (an effective-dated source's
 * future rows) is staged at LATER_RECORD_LINES + n, its entry's line kept in record_id; and a person
 * a snapshot lacks has a change at ABSENT_LINES + n (no row). displayLine turns them back.
 */
export const LATER_RECORD_LINES = 1_000_000_000;
export const ABSENT_LINES = 2_000_000_000;

/** SQL: the line a staged row (alias `r`) has in the file; null for people a snapshot lacks. */
export const DISPLAY_LINE = (line: string, recordId: string) =>
  `CASE WHEN ${line} >= ${ABSENT_LINES} THEN NULL WHEN ${line} >= ${LATER_RECORD_LINES} THEN ${recordId}::int ELSE ${line} END`;

/**
 * The statistics target ANALYZE uses on staged rows (a sample of 300 × this): the diff's plans need
 * sizes and distinct counts, not fine histograms, and the default (100) took 0.2 s per 100,000 rows.
 */
export const STATISTICS_SAMPLE = 10;

/** Pieces read per query when the file is read back (each at most 1 MiB). */
const PAGE = 4;
/** Rows handed to COPY per write. */
const BATCH = 500;

/**
 * The stored file of a run as a stream of bytes, in order, one page of pieces in memory at a time,
 * read over a connection of its own.
 */
export function readStoredFile(db: Db, runId: string): Readable {
  return Readable.from(
    (async function* () {
      const client = await connectPlain(db);
      try {
        for (let next = 0; ; next += PAGE) {
          // seq is 0, 1, 2 … without gaps. Binary results: the pieces come as bytes, not as hex text
          // (half the CPU; node-postgres supports the option, its types do not name it).
          const page = await client.query<{ data: Buffer }>({
            text: 'SELECT data FROM import_chunk WHERE run_id = $1 AND seq >= $2 AND seq < $3 ORDER BY seq',
            values: [runId, next, next + PAGE],
            binary: true,
          } as pg.QueryConfig);
          for (const piece of page.rows) yield piece.data;
          if (page.rows.length < PAGE) return;
        }
      } finally {
        await client.end().catch(() => undefined);
      }
    })(),
    { objectMode: false },
  );
}

/**
 * Stages a run's file (state received or staging; a run past staging is answered as it is). Ends in
 * state diffing, with `rows` and `rejected` counted, or failed when the file cannot be read at all.
 */
export async function stageRun(db: Db, tenantId: string, runId: string, onProgress?: (lines: number) => void): Promise<StageOutcome> {
  const run = await db.importRun.findFirstOrThrow({ where: { id: runId, tenantId } });
  if (run.state !== 'received' && run.state !== 'staging') return { state: run.state as StageOutcome['state'] };
  if (run.state === 'received') await db.importRun.updateMany({ where: { id: runId, state: 'received' }, data: { state: 'staging' } });
  const { today } = await tenantDay(db, tenantId);
  const profile = run.profile as unknown as ProfileDefinition;
  const client = await connectPlain(db);
  try {
    await client.query('BEGIN');
    // One attempt at a time (one that lost its worker may still be finishing); the later looks again.
    await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('import_stage:' || $1, 0))`, [runId]);
    const { rows: [now] } = await client.query<{ state: string }>('SELECT state::text FROM import_run WHERE id = $1', [runId]);
    if (now?.state !== 'staging') {
      await client.query('ROLLBACK');
      return { state: (now?.state ?? 'failed') as StageOutcome['state'] };
    }
    await client.query('DELETE FROM import_row WHERE run_id = $1', [runId]);
    const source = readStoredFile(db, runId);
    const results: AsyncIterable<ReadResult<WorkerRecord | CompletionRecord>> =
      run.kind === 'people' ? readRecords(profile, source, { today }) : readCompletions(profile, source);
    await pipeline(
      Readable.from(copyLines(runId, run.kind, results, onProgress), { objectMode: false }),
      client.query(copyFrom(`COPY import_row (${COLUMNS.join(', ')}) FROM STDIN`)),
    );
    // The planner's figures for what was just loaded (the diff joins on them).
    await client.query(`SET LOCAL default_statistics_target = ${STATISTICS_SAMPLE}`);
    await client.query('ANALYZE import_row');
    await markDuplicates(client, run.kind, runId, today);
    const { rows, rejected } = (
      await client.query<{ rows: number; rejected: number }>(
        'SELECT count(*)::int AS rows, count(error)::int AS rejected FROM import_row WHERE run_id = $1',
        [runId],
      )
    ).rows[0]!;
    const counts: ImportCounts = { rows, rejected };
    const moved = await client.query(
      `UPDATE import_run SET state = 'diffing', counts = $2::jsonb, error = NULL, updated_at = now() WHERE id = $1 AND state = 'staging'`,
      [runId, JSON.stringify(counts)],
    );
    if (moved.rowCount === 0) {
      // Someone else moved the run meanwhile (another attempt finished first): theirs stands.
      await client.query('ROLLBACK');
      const now = await db.importRun.findUniqueOrThrow({ where: { id: runId } });
      return { state: now.state as StageOutcome['state'] };
    }
    await client.query('COMMIT');
    return { state: 'diffing', counts };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (error instanceof UnreadableFile || error instanceof ReaderMistake) {
      await db.importRun.updateMany({ where: { id: runId, state: 'staging' }, data: { state: 'failed', error: error.message.slice(0, 2000) } });
      return { state: 'failed' };
    }
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A reader broke its promise (lines out of order): no retry would mend it. */
class ReaderMistake extends Error {}

// ─── COPY ──────────────────────────────────────────────────────────────────────────────────────

const COLUMNS = [
  'run_id', 'line', 'external_id', 'email', 'name', 'department', 'location', 'manager_external_id', 'roles', 'hire_date',
  'termination_date', 'status', 'effective_date', 'course_key', 'completed_at', 'score', 'passed', 'record_id', 'error',
] as const;

/** The records as COPY text lines, a batch at a time; records the database would refuse become row errors. */
async function* copyLines(
  runId: string,
  kind: 'people' | 'transcript',
  results: AsyncIterable<ReadResult<WorkerRecord | CompletionRecord>>,
  onProgress?: (lines: number) => void,
): AsyncGenerator<string> {
  let batch = '';
  let count = 0;
  let lastLine = 0;
  let later = 0;
  for await (const result of results) {
    if (result.line < lastLine || (result.line === lastLine && kind === 'transcript')) {
      throw new ReaderMistake(`The reader gave line ${result.line} after line ${lastLine}: a record's line must grow through the file`);
    }
    // A later record of the same entry: its own line beyond the file's, its entry's line kept.
    const [line, entry] = result.line === lastLine ? [LATER_RECORD_LINES + ++later, String(result.line)] : [result.line, null];
    lastLine = result.line;
    batch += encodeResult(runId, kind, line, entry, result);
    if (++count % BATCH === 0) {
      yield batch;
      batch = '';
    }
    if (count % 1000 === 0) onProgress?.(count);
  }
  if (batch !== '') yield batch;
  onProgress?.(count);
}

/**
 * One staged row as a COPY line (columns as in COLUMNS); a record with a value its column cannot hold
 * is a row error. `entry`: the entry's line for a later record of it (kept in record_id).
 */
function encodeResult(runId: string, kind: 'people' | 'transcript', line: number, entry: string | null, result: ReadResult<WorkerRecord | CompletionRecord>): string {
  const head = `${runId}\t${line}\t`;
  const problem = isRowError(result) ? result.error : problemOf(kind, result);
  if (problem !== null) {
    const id = isRowError(result) ? result.externalId ?? null : 'externalId' in result ? result.externalId : null;
    return `${head}${text(id)}${'\t\\N'.repeat(14)}\t${text(entry)}\t${text(problem)}\n`;
  }
  if (kind === 'people') {
    const w = result as WorkerRecord;
    return (
      `${head}${text(w.externalId)}\t${text(w.email)}\t${text(w.name)}\t${text(w.department)}\t${text(w.location)}\t${text(w.managerExternalId)}` +
      `\t${textArray(w.roles)}\t${text(w.hireDate)}\t${text(w.terminationDate)}\t${w.status}\t${text(w.effectiveDate)}\t\\N\t\\N\t\\N\t\\N\t${text(entry)}\t\\N\n`
    );
  }
  const c = result as CompletionRecord;
  // The person as the file names them: an e-mail address, else an HR external id.
  const byEmail = c.person.includes('@');
  return (
    `${head}${byEmail ? '\\N' : text(c.person)}\t${byEmail ? text(c.person) : '\\N'}${'\t\\N'.repeat(9)}` +
    `\t${text(c.courseKey)}\t${new Date(c.completedAt).toISOString()}\t${c.score === null ? '\\N' : String(c.score)}\t${c.passed ? 't' : 'f'}\t${text(c.recordId)}\t\\N\n`
  );
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
/** Days already found valid (a file repeats its dates). */
const validDays = new Set<string>();

/** YYYY-MM-DD naming a day of the calendar (the reader's dates are; this keeps a slip out of COPY). */
function isDay(text: string): boolean {
  if (validDays.has(text)) return true;
  const m = DAY.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const valid = month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate() && year >= 1;
  if (valid && validDays.size < 100_000) validDays.add(text);
  return valid;
}

const hasNul = (value: string | null) => value !== null && value.includes('\u0000');

/** What the database would refuse in a record that its reader let through. */
function problemOf(kind: 'people' | 'transcript', record: WorkerRecord | CompletionRecord): string | null {
  if (kind === 'people') {
    const w = record as WorkerRecord;
    if (!w.externalId) return 'has no external id';
    if (hasNul(w.externalId) || hasNul(w.email) || hasNul(w.name) || hasNul(w.department) || hasNul(w.location) || hasNul(w.managerExternalId) || w.roles.some(hasNul)) {
      return 'contains a NUL character';
    }
    if (w.hireDate !== null && !isDay(w.hireDate)) return `hire date "${w.hireDate}" is not a date (YYYY-MM-DD)`;
    if (w.terminationDate !== null && !isDay(w.terminationDate)) return `termination date "${w.terminationDate}" is not a date (YYYY-MM-DD)`;
    if (w.effectiveDate !== null && !isDay(w.effectiveDate)) return `effective date "${w.effectiveDate}" is not a date (YYYY-MM-DD)`;
    if (w.status !== 'active' && w.status !== 'on_leave' && w.status !== 'terminated') return `status "${String(w.status)}" is not active, on_leave or terminated`;
    return null;
  }
  const c = record as CompletionRecord;
  if ([c.person, c.courseKey, c.recordId].some(hasNul)) return 'contains a NUL character';
  if (Number.isNaN(Date.parse(c.completedAt))) return `completion time "${c.completedAt}" is not a moment (ISO 8601)`;
  if (c.score !== null && !(Number.isFinite(c.score) && Math.abs(c.score) < 10_000)) return `score ${c.score} is out of range`;
  return null;
}

/** COPY's text format: \N is null, backslash, tab and line breaks escaped. */
function text(value: string | null): string {
  if (value === null) return '\\N';
  return SPECIAL.test(value) ? value.replace(SPECIALS, (c) => ESCAPES[c]!) : value;
}

/** A text[] as an array literal, in COPY's text format. */
function textArray(values: readonly string[]): string {
  return text(`{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`);
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const SPECIAL = /[\\\n\r\t]/;
const SPECIALS = /[\\\n\r\t]/g;

// ─── After the load ────────────────────────────────────────────────────────────────────────────

/**
 * One person twice in a file (the same external id, taking effect on the same day — today for
 * records without a future effective date) is a mistake of the file: every such row is refused,
 * naming the other lines. Records of one person for different future days (effective-dated
 * sources) are not duplicates. In a transcript, one LMS record id twice is the same mistake.
 */
async function markDuplicates(client: pg.Client, kind: 'people' | 'transcript', runId: string, today: string): Promise<void> {
  const [key, what, rule] =
    kind === 'people'
      ? ['external_id', 'external id', 'a person may appear once']
      : ['record_id', 'record id', 'a record may appear once'];
  const day = kind === 'people' ? 'CASE WHEN effective_date > $2::date THEN effective_date END' : 'NULL::date';
  // The keys found twice first (a hash aggregate, where a window over every row would sort them all):
  // a file seldom has any.
  await client.query(
    `WITH repeated AS (
       SELECT ${key} AS key FROM import_row WHERE run_id = $1 AND ${key} IS NOT NULL GROUP BY ${key}, ${day} HAVING count(*) > 1
     ), keyed AS (
       SELECT line, ${DISPLAY_LINE('line', 'record_id')} AS shown, ${key} AS key, ${day} AS day
         FROM import_row WHERE run_id = $1 AND ${key} IN (SELECT key FROM repeated) AND $2::date IS NOT NULL
     ), twice AS (
       SELECT line, shown, key, array_agg(shown) OVER (PARTITION BY key, day) AS lines FROM keyed
     )
     UPDATE import_row r
        SET error = concat_ws('; ', r.error, format('${what} "%s" is also on line%s %s: ${rule}',
                      t.key, CASE WHEN cardinality(t.lines) > 2 THEN 's' ELSE '' END,
                      array_to_string(array(SELECT l FROM unnest(t.lines) l WHERE l <> t.shown ORDER BY l), ', ')))
       FROM twice t
      WHERE r.run_id = $1 AND r.line = t.line AND cardinality(t.lines) > 1`,
    [runId, today],
  );
}
