import { pipeline, Transform, type Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import Papa from 'papaparse';
import { isoDate } from '../../domain/dates';
import { InvalidRequest } from '../../domain/errors';
import { UnreadableFile } from './errors';
import { jsonRecords } from './json-records';
import { CAPS, compileCompletionMapper, compileWorkerMapper, type CompileSource, type SourceLookup } from './mapping';
import { parsePath, resolvePath, type PathSegment } from './paths';
import { parseProfileDefinition, type CsvOptions, type FieldSpec, type PeopleProfile, type ProfileDefinition, type TranscriptProfile } from './profile';
import type { CompletionRecord, ReadResult, RowError, WorkerRecord } from './records';
import { checkText, parseDay, parseNumber } from './values';

export { UnreadableFile } from './errors';
export { parseProfileDefinition, type ProfileDefinition } from './profile';
export { BUILT_IN_PROFILES } from './profiles';

/**
 * The readers: a file streamed through its profile, one WorkerRecord / CompletionRecord or RowError per
 * record, in file order, with memory bounded by the largest record (never the file). CSV goes through
 * Papa Parse; JSON through json-records.ts, which cuts the records array's entries out one at a time.
 * A file that cannot be read as a whole throws UnreadableFile (the run fails with it); a bad record
 * is a RowError and the reading goes on. A failure of the input itself is passed on as it is.
 */

export interface ReadOptions {
  /** YYYY-MM-DD: the day statuses and effective dates are judged on (default: today, UTC). */
  today?: string;
}

function prepare<K extends ProfileDefinition['kind']>(profile: ProfileDefinition, kind: K, options: ReadOptions) {
  // Stored profiles were validated when saved; this fills in defaults and guards against a stale one.
  const parsed = parseProfileDefinition(profile);
  if (!parsed.ok) throw new InvalidRequest(`The profile is not valid: ${parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, { problems: parsed.problems });
  if (parsed.definition.kind !== kind) throw new InvalidRequest(`A ${parsed.definition.kind} profile cannot read ${kind === 'people' ? 'people' : 'a transcript'}`);
  const today = options.today ?? isoDate(new Date());
  if (!/^\d{4}-\d{2}-\d{2}$/.test(today) || !parseDay(today, 'iso').ok) throw new Error(`today must be YYYY-MM-DD, not ${today}`);
  return { definition: parsed.definition as Extract<ProfileDefinition, { kind: K }>, today };
}

/** Workers from an HR file (a profile of kind people). */
export async function* readRecords(profile: ProfileDefinition, input: NodeJS.ReadableStream, options: ReadOptions = {}): AsyncGenerator<ReadResult<WorkerRecord>> {
  const { definition, today } = prepare(profile, 'people', options);
  if (definition.format === 'csv') {
    yield* readCsv(definition, input, (compile) => compileWorkerMapper(definition, compile, { today }));
    return;
  }
  const compile = jsonSources();
  const map = compileWorkerMapper(definition, compile, { today });
  const dated = definition.effectiveDated ? effectiveDatedReader(definition, compile, map, today) : null;
  for await (const { line, record } of jsonRecords(definition.json!.records, input)) {
    if (!isRecord(record)) yield notARecord(line);
    else if (dated) yield* dated(record, line);
    else yield map({ record }, line);
  }
}

/** Completions from an LMS transcript (a profile of kind transcript). */
export async function* readCompletions(profile: ProfileDefinition, input: NodeJS.ReadableStream, options: ReadOptions = {}): AsyncGenerator<ReadResult<CompletionRecord>> {
  const { definition, today } = prepare(profile, 'transcript', options);
  if (definition.format === 'csv') {
    yield* readCsv(definition, input, (compile) => compileCompletionMapper(definition, compile, { today }));
    return;
  }
  const map = compileCompletionMapper(definition, jsonSources(), { today });
  for await (const { line, record } of jsonRecords(definition.json!.records, input)) yield isRecord(record) ? map({ record }, line) : notARecord(line);
}

const isRecord = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);
const notARecord = (line: number): RowError => ({ line, error: 'the entry is not a JSON object', externalId: null });

// ---------------------------------------------------------------------------------------------- CSV

interface CsvScope {
  cells: string[];
}

const fold = (name: string) => name.trim().toLowerCase();

/** Every source a profile reads, with whether one of its alternatives may stand in for it. */
function sourcesOf(profile: PeopleProfile | TranscriptProfile): { alternatives: string[] }[] {
  const specs: FieldSpec[] = [];
  for (const spec of Object.values(profile.fields) as (FieldSpec & { overrides?: FieldSpec[] })[]) {
    if (!spec) continue;
    specs.push(spec, ...(spec.overrides ?? []));
  }
  return specs.flatMap((spec) => (spec.join ? spec.join.map((column) => ({ alternatives: [column] })) : [{ alternatives: Array.isArray(spec.from) ? spec.from : [spec.from!] }]));
}

/** Maps the header's columns to positions, refusing a file that lacks a column the profile needs. */
function csvColumns(profile: PeopleProfile | TranscriptProfile, header: string[]): CompileSource<CsvScope> {
  const options = profile.csv!;
  const positions = new Map<string, number>();
  const duplicates = new Set<string>();
  header.forEach((name, i) => {
    const key = fold(name);
    if (positions.has(key)) duplicates.add(key);
    else positions.set(key, i);
  });
  const optional = new Set(options.optionalColumns.map(fold));
  const missing: string[] = [];
  const twice: string[] = [];
  for (const { alternatives } of sourcesOf(profile)) {
    const present = alternatives.filter((column) => positions.has(fold(column)));
    present.filter((column) => duplicates.has(fold(column))).forEach((column) => twice.push(column));
    if (present.length === 0 && !alternatives.every((column) => optional.has(fold(column)))) missing.push(alternatives.join(' or '));
  }
  const shownHeader = header.length > 30 ? `${header.slice(0, 30).join(', ')}, …` : header.join(', ');
  if (twice.length > 0) throw new UnreadableFile(`The header names ${[...new Set(twice)].map((c) => `"${c}"`).join(', ')} more than once`);
  if (missing.length > 0) {
    throw new UnreadableFile(`The file lacks the column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `"${c}"`).join(', ')} that the profile reads (its ${options.header ? 'header' : 'columns'}: ${shownHeader || 'none'})`);
  }
  return (column) => {
    const position = positions.get(fold(column));
    const label = position === undefined ? column : header[position]!.trim();
    return {
      label: () => label,
      read: position === undefined ? () => [] : (scope) => [scope.cells[position]],
      one: position === undefined ? () => undefined : (scope) => scope.cells[position],
    };
  };
}

/** Line breaks inside a record's values (quoted), each CRLF, CR or LF one. */
function lineBreaksIn(record: string[]): number {
  let breaks = 0;
  for (const value of record) {
    if (value.indexOf('\n') < 0 && value.indexOf('\r') < 0) continue;
    breaks += value.match(/\r\n|\r|\n/g)!.length;
  }
  return breaks;
}

/**
 * Drops the first `count` lines of the bytes (a title above the header), before the CSV parser sees
 * them: whatever they hold, quotes included. In UTF-16LE a line feed is the pair 0A 00 at an even
 * offset.
 */
function dropLines(count: number, utf16: boolean): Transform {
  let remaining = count;
  let offset = 0;
  /** UTF-16: a 0A ended the last chunk at an even offset; the next byte says whether it was a line feed. */
  let pending = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      let i = 0;
      if (pending && chunk.length > 0) {
        pending = false;
        if (chunk[0] === 0) remaining--;
        i = 1;
      }
      while (remaining > 0 && i < chunk.length) {
        const at = chunk.indexOf(0x0a, i);
        if (at < 0) {
          i = chunk.length;
          break;
        }
        i = at + 1;
        if (!utf16) remaining--;
        else if ((offset + at) % 2 === 0) {
          if (at + 1 === chunk.length) pending = true;
          else if (chunk[at + 1] === 0) {
            remaining--;
            i = at + 2;
          }
        }
      }
      offset += chunk.length;
      callback(null, remaining === 0 && i < chunk.length ? chunk.subarray(i) : undefined);
    },
  });
}

/** The text is not CSV the parser can read (broken quoting, a record that runs on): why, without where. */
class BrokenCsv extends UnreadableFile {}

/** A record longer than this means the quoting is broken: the file is refused before it eats the memory. */
const MAX_RECORD_CHARACTERS = 1 << 20;
/** Records parsed ahead of the consumer before the text is held back. */
const AHEAD = 2_000;

const DECODINGS = { 'utf-8': 'utf8', 'utf-16le': 'utf16le', latin1: 'latin1' } as const;

/** The line break a text's first line ends with (CRLF, LF or CR), or null when the text does not say yet. */
function lineBreakOf(text: string): string | null {
  const at = text.search(/[\r\n]/);
  if (at < 0) return null;
  if (text[at] === '\n') return '\n';
  if (at + 1 === text.length) return null;
  return text[at + 1] === '\n' ? '\r\n' : '\r';
}

/**
 * The records of a CSV byte stream, as arrays of fields, every line one record (an empty line is a
 * record of one empty field): Papa Parse on the text, decoded as the profile says (or as a byte-order
 * mark says, which is dropped).
 * Broken quoting — a quote never closed, text after a closing quote, a record over 1 MiB — makes
 * the file unreadable.
 */
async function* csvRecords(input: Readable, options: CsvOptions): AsyncGenerator<string[]> {
  // A byte-order mark says the encoding, whatever the profile says (Excel's "Unicode text" is UTF-16LE).
  let decoder: StringDecoder | null = null;
  let first = Buffer.alloc(0);
  const decode = (chunk: Buffer, end: boolean): string => {
    if (!decoder) {
      first = Buffer.concat([first, chunk]);
      if (first.length < 3 && !end) return '';
      const utf16 = first[0] === 0xff && first[1] === 0xfe;
      const utf8 = first[0] === 0xef && first[1] === 0xbb && first[2] === 0xbf;
      decoder = new StringDecoder(utf16 ? 'utf16le' : utf8 ? 'utf8' : DECODINGS[options.encoding]);
      chunk = first.subarray(utf16 ? 2 : utf8 ? 3 : 0);
    }
    return decoder.write(chunk) + (end ? decoder.end() : '');
  };
  let failure: unknown = null;
  const fail = (error: unknown) => {
    failure ??= error;
    wake();
  };
  // The text before the first line break is held back: it says which line break the file uses (Papa
  // Parse would guess from its first chunk, which may end before the first line does).
  let opening: string | null = '';
  const text = new Transform({
    readableObjectMode: true,
    transform(chunk: Buffer, _encoding, callback) {
      const decoded = decode(chunk, false);
      if (opening === null) return callback(null, decoded === '' ? undefined : decoded);
      opening += decoded;
      const newline = lineBreakOf(opening);
      if (newline === null && opening.length <= MAX_RECORD_CHARACTERS) return callback();
      const opened = opening.charCodeAt(0) === 0xfeff ? opening.slice(1) : opening;
      opening = null;
      start(newline ?? '\n');
      callback(null, opened === '' ? undefined : opened);
    },
    flush(callback) {
      let rest = decode(Buffer.alloc(0), true);
      if (opening !== null) {
        rest = (opening + rest).replace(/^\uFEFF/, '');
        opening = null;
        start(lineBreakOf(`${rest}\n`) ?? '\n');
      }
      callback(null, rest === '' ? undefined : rest);
    },
  });
  pipeline(input, text, (error) => error && fail(error));

  const queue: string[][] = [];
  let head = 0;
  let done = false;
  // Whether the text stops flowing until the records ahead are taken (the parser's own pause would
  // stop parsing but let the text pile up in its queue).
  let held = false;
  let waiting: (() => void) | null = null;
  function wake() {
    waiting?.();
    waiting = null;
  }
  // Where the last record ended and how much text the parser has been given, to refuse a record
  // that runs on (a quote never closed) before it holds the rest of the file.
  let recordEnd = 0;
  let given = 0;
  function start(newline: string) {
    Papa.parse<string[]>(text as unknown as NodeJS.ReadableStream, {
      delimiter: options.delimiter,
      quoteChar: options.quote,
      escapeChar: options.quote,
      newline: newline as Papa.ParseConfig['newline'],
      skipEmptyLines: false,
      step(results, parser) {
        if (results.errors.length > 0) {
          const [error] = results.errors;
          fail(new BrokenCsv(error!.message));
          parser.abort();
          return;
        }
        recordEnd = results.meta.cursor;
        queue.push(results.data);
        if (queue.length - head >= AHEAD && !held) {
          held = true;
          text.pause();
        }
        wake();
      },
      complete() {
        done = true;
        wake();
      },
      error(error: Error) {
        fail(error);
      },
    });
    // After the parser's own listener: each piece of text has been parsed when this sees it.
    text.on('data', (piece: string) => {
      given += piece.length;
      if (given - recordEnd > MAX_RECORD_CHARACTERS) {
        text.destroy(new BrokenCsv(`a record runs on for more than ${MAX_RECORD_CHARACTERS} characters (is a quote not closed?)`));
      }
    });
  }
  try {
    for (;;) {
      // The records before a failure first: the consumer then knows where the broken one starts.
      if (head < queue.length) {
        const record = queue[head]!;
        queue[head++] = undefined as unknown as string[];
        if (head === queue.length) {
          queue.length = 0;
          head = 0;
          if (held) {
            held = false;
            text.resume();
          }
        }
        yield record;
        continue;
      }
      if (failure) throw failure;
      if (done) return;
      await new Promise<void>((resolve) => (waiting = resolve));
    }
  } finally {
    text.destroy();
  }
}

async function* readCsv<T>(
  profile: PeopleProfile | TranscriptProfile,
  input: NodeJS.ReadableStream,
  compileMapper: (compile: CompileSource<CsvScope>) => (scope: CsvScope, line: number) => ReadResult<T>,
): AsyncGenerator<ReadResult<T>> {
  const options = profile.csv ?? csvDefaults;
  const withDefaults = { ...profile, csv: options } as PeopleProfile | TranscriptProfile;
  const source = options.skipLines > 0 ? pipeline(input as Readable, dropLines(options.skipLines, options.encoding === 'utf-16le'), () => {}) : (input as Readable);

  let columns: string[] | null = options.header ? null : options.columns!;
  let map = columns ? compileMapper(csvColumns(withDefaults, columns)) : null;
  let externalIdAt = columns ? externalIdPosition(withDefaults, columns) : -1;
  try {
    for await (const { record, line } of csvLines(source, options, options.skipLines + 1)) {
      if (!columns) {
        columns = record;
        map = compileMapper(csvColumns(withDefaults, columns));
        externalIdAt = externalIdPosition(withDefaults, columns);
        continue;
      }
      if (record.length !== columns.length) {
        const id = externalIdAt >= 0 && externalIdAt < record.length ? record[externalIdAt]!.trim() : '';
        yield { line, error: `has ${record.length} fields where the ${options.header ? 'header has' : 'profile names'} ${columns.length}`, externalId: id === '' || checkText(id, CAPS.externalId) ? null : id };
        continue;
      }
      yield map!({ cells: record }, line);
    }
  } finally {
    // The caller may stop early: the file is let go at once.
    (input as Readable).destroy?.();
  }
  if (!columns) throw new UnreadableFile(options.header ? 'The file is empty: it has no header line' : 'The file is empty');
}

const csvDefaults: CsvOptions = { delimiter: ',', quote: '"', encoding: 'utf-8', header: true, skipLines: 0, optionalColumns: [] };

/** A CSV file whose quoting is broken: the line the broken record starts on, and why. */
export class UnreadableCsv extends UnreadableFile {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`The file is not readable as CSV from line ${line} on: ${reason}`);
  }
}

/**
 * The records of a CSV byte stream that say something, each with the line it starts on (counting from
 * `firstLine`, across quoted line breaks): empty lines, and lines of empty fields (a spreadsheet's
 * trailing rows), are skipped. Broken quoting is an UnreadableCsv naming the line its record starts on.
 */
export async function* csvLines(input: Readable, options: CsvOptions = csvDefaults, firstLine = 1): AsyncGenerator<{ record: string[]; line: number }> {
  let next = firstLine;
  try {
    for await (const record of csvRecords(input, options)) {
      const line = next;
      next = line + 1 + lineBreaksIn(record);
      if (record.every((cell) => cell.trim() === '')) continue;
      yield { record, line };
    }
  } catch (error) {
    if (error instanceof BrokenCsv) throw new UnreadableCsv(next, error.message);
    throw error;
  }
}

/** The column of the external id (or the person), so a row with the wrong number of fields can still be named. */
function externalIdPosition(profile: PeopleProfile | TranscriptProfile, columns: string[]): number {
  const spec: FieldSpec = profile.kind === 'people' ? profile.fields.externalId : profile.fields.person;
  const candidates = spec.from === undefined ? [] : Array.isArray(spec.from) ? spec.from : [spec.from];
  for (const candidate of candidates) {
    const i = columns.findIndex((column) => fold(column) === fold(candidate));
    if (i >= 0) return i;
  }
  return -1;
}

// --------------------------------------------------------------------------------------------- JSON

interface JsonScope {
  record: unknown;
  /** The effective-dated row the record is read at, and its place (`jobInfoNav.results[2]`). */
  row?: unknown;
  rowLabel?: string;
}

function compiledPath(text: string): PathSegment[] {
  const parsed = parsePath(text);
  if (!parsed.ok) throw new Error(parsed.message); // the profile's validation has refused it already
  return parsed.segments;
}

function jsonSources(): CompileSource<JsonScope> {
  return (source, inRow): SourceLookup<JsonScope> => {
    const segments = compiledPath(source);
    const key = segments.length === 1 && segments[0]!.selectors.length === 0 ? segments[0]!.key : null;
    const one = key === null ? undefined : (value: unknown) => (isRecord(value) && Object.hasOwn(value as object, key) ? (value as Record<string, unknown>)[key] : undefined);
    return inRow
      ? { label: (scope) => `${scope.rowLabel ?? 'row'}.${source}`, read: (scope) => resolvePath(scope.row, segments), ...(one && { one: (scope: JsonScope) => one(scope.row) }) }
      : { label: () => source, read: (scope) => resolvePath(scope.record, segments), ...(one && { one: (scope: JsonScope) => one(scope.record) }) };
  };
}

// ---------------------------------------------------------------------------------- effective dates

/**
 * An effective-dated record (SuccessFactors EmpJob rows, Oracle HCM assignments): the row in effect on
 * `today` — the latest start on or before it, the highest sequence among rows of one day, the last in
 * the file among equals — gives the record (effectiveDate null); each later start gives one more
 * record dated that day (the last row of that day), unless it changes nothing the profile reads.
 * A record whose rows all start after today (a pre-hire) yields only dated records.
 */
function effectiveDatedReader(profile: PeopleProfile, compile: CompileSource<JsonScope>, map: (scope: JsonScope, line: number) => WorkerRecord | RowError, today: string) {
  const spec = profile.effectiveDated!;
  const rowPaths = (Array.isArray(spec.rows) ? spec.rows : [spec.rows]).map((text) => ({ text, segments: compiledPath(text) }));
  const start = compiledPath(spec.startDate);
  const sequence = spec.sequence ? compiledPath(spec.sequence) : null;
  const format = spec.format ?? profile.dateFormat;
  const externalIdOf = externalIdReader(profile, compile);

  return function* (record: unknown, line: number): Generator<WorkerRecord | RowError> {
    const fail = (error: string): RowError => ({ line, error, externalId: externalIdOf(record) });
    let rows: unknown[] = [];
    let rowsPath = '';
    for (const path of rowPaths) {
      const found = resolvePath(record, path.segments).flatMap((value) => (Array.isArray(value) ? value : [value]));
      if (found.length > 0) {
        rows = found;
        rowsPath = path.text;
        break;
      }
    }
    if (rows.length === 0) {
      yield fail(`${rowPaths.map((path) => path.text).join(' / ')}: no effective-dated rows`);
      return;
    }
    const dated: { index: number; day: string; sequence: number | string; row: unknown }[] = [];
    for (const [index, row] of rows.entries()) {
      const label = `${rowsPath}[${index}].${spec.startDate}`;
      const value = resolvePath(row, start)[0];
      if (typeof value !== 'string' || value.trim() === '') {
        yield fail(`${label}: missing`);
        return;
      }
      const day = parseDay(value.trim(), format);
      if (!day.ok) {
        yield fail(`${label}: ${day.message}`);
        return;
      }
      const raw = sequence ? resolvePath(row, sequence)[0] : undefined;
      const number = typeof raw === 'number' ? { ok: true as const, value: raw } : typeof raw === 'string' ? parseNumber(raw) : null;
      dated.push({ index, day: day.value, sequence: number?.ok ? number.value : typeof raw === 'string' ? raw : 0, row });
    }
    dated.sort((a, b) => (a.day !== b.day ? (a.day < b.day ? -1 : 1) : a.sequence !== b.sequence ? (a.sequence < b.sequence ? -1 : 1) : a.index - b.index));
    // The last row of each day stands for that day.
    const days = dated.filter((entry, i) => i === dated.length - 1 || dated[i + 1]!.day !== entry.day);
    const current = days.filter((entry) => entry.day <= today).pop();
    let previous: string | null = null;
    for (const entry of current ? [current, ...days.filter((e) => e.day > today)] : days) {
      const result = map({ record, row: entry.row, rowLabel: `${rowsPath}[${entry.index}]` }, line);
      if ('error' in result) {
        yield result;
        previous = null;
        continue;
      }
      const future = entry.day > today;
      const values = JSON.stringify({ ...result, effectiveDate: null });
      if (future && values === previous) continue;
      previous = values;
      yield future ? { ...result, effectiveDate: entry.day } : { ...result, effectiveDate: null };
    }
  };
}

/** The external id of a record, when it is readable, for RowErrors about the record as a whole. */
function externalIdReader(profile: PeopleProfile, compile: CompileSource<JsonScope>): (record: unknown) => string | null {
  const spec = profile.fields.externalId;
  if (spec.in === 'row' || spec.join) return () => null;
  const lookups = (Array.isArray(spec.from) ? spec.from : [spec.from!]).map((source) => compile(source, false));
  return (record) => {
    for (const lookup of lookups) {
      const value = lookup.read({ record })[0];
      const text = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
      if (text !== '' && !checkText(text, CAPS.externalId)) return text;
    }
    return null;
  };
}

