import type { CompletionRecord, RowError, WorkerRecord } from './records';
import type { DateFieldSpec, FieldSpec, PassedFieldSpec, PeopleProfile, RolesFieldSpec, StatusFieldSpec, TranscriptProfile, WorkerStatus } from './profile';
import { checkEmail, checkText, parseDay, parseMoment, parseNumber, parseYesNo, shown, slugOf, type DateFormat } from './values';

/**
 * A profile compiled for one file: each field becomes a function from a record (a CSV line's cells,
 * or a JSON record and the effective-dated row in effect) to its value or a message naming the field
 * as the file names it. The format-specific part — how a source is looked up — is given by the reader.
 */

/** How the reader looks a source up in a record of its format. */
export interface SourceLookup<S> {
  /** The source's name in messages (a column, a path; for a row, the row's path and index too). */
  label(scope: S): string;
  /** Every value the source holds in the record (none when it is absent). */
  read(scope: S): unknown[];
  /**
   * For a source that holds at most one value (a CSV column, a plain JSON key): that value, or
   * undefined — what `read` would give, without the array (the readers take this path per field).
   */
  one?(scope: S): unknown;
}

export type CompileSource<S> = (source: string, inRow: boolean) => SourceLookup<S>;

/** Field caps, as trainhub's API applies them to HR events and completions. */
export const CAPS = { externalId: 200, name: 300, email: 320, department: 200, location: 200, roleKey: 100, courseKey: 100, person: 320, recordId: 200 } as const;

const MATCH_CAP = 1000;

type Values = { ok: true; values: string[]; label: string } | { ok: false; message: string };

interface FieldReader<S> {
  /** The field's sources in messages, e.g. `First_Name + Last_Name` or `personIdExternal / userId`. */
  names(scope: S): string;
  read(scope: S): Values;
}

function compileField<S>(spec: FieldSpec, compile: CompileSource<S>): FieldReader<S> {
  const inRow = spec.in === 'row';
  const joined = spec.join !== undefined;
  const list = joined ? spec.join! : Array.isArray(spec.from) ? spec.from : [spec.from!];
  const lookups = list.map((text) => compile(text, inRow));
  const pattern = spec.match === undefined ? null : new RegExp(spec.match, 'u');
  const nulls = new Set(spec.nullValues ?? []);

  function clean(lookup: SourceLookup<S>, scope: S): Values {
    const values: string[] = [];
    const raw = lookup.read(scope);
    for (let i = 0; i < raw.length; i++) {
      const value = raw[i];
      if (Array.isArray(value)) {
        for (const item of value) {
          const problem = add(values, item, lookup, scope);
          if (problem) return problem;
        }
      } else {
        const problem = add(values, value, lookup, scope);
        if (problem) return problem;
      }
    }
    return { ok: true, values, label: lookup.label(scope) };
  }

  function add(values: string[], item: unknown, lookup: SourceLookup<S>, scope: S): Values | null {
    let text: string;
    if (item === null || item === undefined) return null;
    if (typeof item === 'string') text = item.trim();
    else if (typeof item === 'number' || typeof item === 'boolean' || typeof item === 'bigint') text = String(item);
    else return { ok: false, message: `${lookup.label(scope)}: is ${Array.isArray(item) ? 'a list' : 'an object'}, not a value` };
    if (text === '' || (nulls.size > 0 && nulls.has(text))) return null;
    if (pattern) {
      // A tenant's expression runs on bounded text only (no value a field takes is longer).
      if (text.length > MATCH_CAP) return { ok: false, message: `${lookup.label(scope)}: is longer than ${MATCH_CAP} characters` };
      const m = pattern.exec(text);
      if (!m) return { ok: false, message: `${lookup.label(scope)}: ${shown(text)} does not match ${spec.match}` };
      text = (m[1] ?? m[0]).trim();
      if (text === '' || nulls.has(text)) return null;
    }
    values.push(text);
    return null;
  }

  const names = (scope: S) => lookups.map((lookup) => lookup.label(scope)).join(joined ? ' + ' : ' / ');
  return {
    names,
    read(scope) {
      if (joined) {
        const values: string[] = [];
        for (const lookup of lookups) {
          const found = clean(lookup, scope);
          if (!found.ok) return found;
          values.push(...found.values);
        }
        if (values.length === 0 && spec.default !== undefined) values.push(spec.default);
        return { ok: true, values, label: names(scope) };
      }
      for (const lookup of lookups) {
        const found = clean(lookup, scope);
        if (!found.ok || found.values.length > 0) return found;
      }
      return { ok: true, values: spec.default === undefined ? [] : [spec.default], label: names(scope) };
    },
  };
}

type Result<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * A field read from a record: its value, or null when the record has none or it is wrong — what is
 * wrong goes into the record's list of problems (so a record costs one list, not an object per field).
 * `label` names where the value came from, for messages about the value itself.
 */
interface Field<S, T> {
  (scope: S, problems: string[]): T | null;
  label(scope: S): string;
}

function field<S, T>(read: (scope: S, problems: string[]) => T | null, label: (scope: S) => string): Field<S, T> {
  return Object.assign(read, { label });
}

const noField = <S, T>(): Field<S, T> => field<S, T>(() => null, () => '');

/** One value of text, checked: null when the file has none. */
function textField<S>(spec: FieldSpec | undefined, compile: CompileSource<S>, max: number): Field<S, string> {
  if (!spec) return noField();
  const reader = compileField(spec, compile);
  const sources = spec.join !== undefined ? [] : Array.isArray(spec.from) ? spec.from : [spec.from!];
  // The common case, read without arrays: one source holding one value, no default.
  const single = spec.default === undefined && sources.length === 1 ? compile(sources[0]!, spec.in === 'row') : null;
  const one = single?.one?.bind(single);
  const nulls = new Set(spec.nullValues ?? []);
  const pattern = spec.match === undefined ? null : new RegExp(spec.match, 'u');
  const label = (scope: S) => {
    const found = reader.read(scope);
    return found.ok && found.values.length > 0 ? found.label : reader.names(scope);
  };
  return field((scope, problems) => {
    if (one) {
      const raw = one(scope);
      if (raw === undefined || raw === null) return null;
      if (typeof raw === 'string') {
        let text = raw.trim();
        if (text === '' || (nulls.size > 0 && nulls.has(text))) return null;
        if (pattern) {
          // As compileField's: a tenant's expression runs on bounded text only.
          if (text.length > MATCH_CAP) {
            problems.push(`${single!.label(scope)}: is longer than ${MATCH_CAP} characters`);
            return null;
          }
          const m = pattern.exec(text);
          if (!m) {
            problems.push(`${single!.label(scope)}: ${shown(text)} does not match ${spec.match}`);
            return null;
          }
          text = (m[1] ?? m[0]).trim();
          if (text === '' || nulls.has(text)) return null;
        }
        const problem = checkText(text, max);
        if (problem) problems.push(`${single!.label(scope)}: ${problem}`);
        return problem ? null : text;
      }
      // A number, a list, an object: as the general path says.
    }
    const found = reader.read(scope);
    if (!found.ok) {
      problems.push(found.message);
      return null;
    }
    if (found.values.length === 0) return null;
    if (spec.join === undefined && found.values.length > 1) {
      problems.push(`${found.label}: has ${found.values.length} values, one expected`);
      return null;
    }
    const text = found.values.join(spec.separator ?? ' ');
    const problem = checkText(text, max);
    if (problem) problems.push(`${found.label}: ${problem}`);
    return problem ? null : text;
  }, label);
}

/** A field the record must have: "missing" when it has none. */
function required<S>(read: Field<S, string>, spec: FieldSpec, compile: CompileSource<S>): Field<S, string> {
  const reader = compileField(spec, compile);
  return field((scope, problems) => {
    const before = problems.length;
    const text = read(scope, problems);
    if (text === null && problems.length === before) problems.push(`${reader.names(scope)}: missing`);
    return text;
  }, read.label);
}

function dayField<S>(spec: DateFieldSpec | undefined, compile: CompileSource<S>, profileFormat: DateFormat): Field<S, string> {
  if (!spec) return noField();
  const format = spec.format ?? profileFormat;
  const text = textField(spec, compile, 100);
  // Files repeat their dates (hire dates, the report's day): each text is parsed once.
  const days = new Map<string, Result<string>>();
  return field((scope, problems) => {
    const value = text(scope, problems);
    if (value === null) return null;
    let day = days.get(value);
    if (day === undefined) {
      day = parseDay(value, format);
      if (days.size < 10_000) days.set(value, day);
    }
    if (day.ok) return day.value;
    problems.push(`${text.label(scope)}: ${day.message}`);
    return null;
  }, text.label);
}

export interface PeopleContext {
  /** YYYY-MM-DD: what "now" is for statuses and effective dates. */
  today: string;
}

/** Maps one record (or one effective-dated row of it) to a WorkerRecord, or says what is wrong with it. */
export type WorkerMapper<S> = (scope: S, line: number) => WorkerRecord | RowError;

export function compileWorkerMapper<S>(profile: PeopleProfile, compile: CompileSource<S>, context: PeopleContext): WorkerMapper<S> {
  const { fields } = profile;
  const externalId = required(textField(fields.externalId, compile, CAPS.externalId), fields.externalId, compile);
  const name = required(textField(fields.name, compile, CAPS.name), fields.name, compile);
  const email = textField(fields.email, compile, CAPS.email);
  const department = textField(fields.department, compile, CAPS.department);
  const location = textField(fields.location, compile, CAPS.location);
  const manager = textField(fields.managerExternalId, compile, CAPS.externalId);
  const hireDate = dayField(fields.hireDate, compile, profile.dateFormat);
  const terminationDate = dayField(fields.terminationDate, compile, profile.dateFormat);
  const effectiveDate = dayField(fields.effectiveDate, compile, profile.dateFormat);
  const roles = fields.roles ? rolesReader(fields.roles, profile, compile) : () => ({ ok: true as const, value: [] as string[] });
  const status = fields.status ? statusReader(fields.status, compile) : () => ({ ok: true as const, value: null });

  return (scope, line) => {
    const problems: string[] = [];
    const take = <T>(result: Result<T>, fallback: T): T => {
      if (result.ok) return result.value;
      problems.push(result.message);
      return fallback;
    };
    const id = externalId(scope, problems) ?? '';
    const address = email(scope, problems);
    const record: WorkerRecord = {
      line,
      externalId: id,
      email: address === null ? null : address.toLowerCase(),
      name: name(scope, problems) ?? '',
      department: department(scope, problems),
      location: location(scope, problems),
      managerExternalId: manager(scope, problems),
      roles: take(roles(scope), []),
      hireDate: hireDate(scope, problems),
      terminationDate: terminationDate(scope, problems),
      status: 'active',
      effectiveDate: effectiveDate(scope, problems),
    };
    if (record.email !== null) {
      const problem = checkEmail(record.email);
      if (problem) problems.push(`${email.label(scope)}: ${problem}`);
    }
    const stated = take<WorkerStatus | null>(status(scope), null);
    record.status = stated ?? (record.terminationDate !== null && record.terminationDate <= context.today ? 'terminated' : 'active');
    if (record.effectiveDate !== null && record.effectiveDate <= context.today) record.effectiveDate = null;
    if (problems.length > 0) return { line, error: problems.join('; '), externalId: id === '' ? null : id };
    return record;
  };
}

function rolesReader<S>(spec: RolesFieldSpec, profile: PeopleProfile, compile: CompileSource<S>): (scope: S) => Result<string[]> {
  const reader = compileField(spec, compile);
  const table = codeTable(profile.roleCodes);
  // What a code maps to (role keys) or why it is refused; codes repeat across a file, so answers are kept.
  const known = new Map<string, string[] | string>();
  const keysOf = (code: string): string[] | string => {
    let mapped: string[];
    if (spec.through === 'none') mapped = [code];
    else {
      const listed = table(code);
      if (listed) mapped = listed;
      else if (profile.unmappedRoleCodes === 'ignore') mapped = [];
      else if (profile.unmappedRoleCodes === 'error') return `${shown(code)} is not in the profile's roleCodes`;
      else {
        const slug = slugOf(code);
        if (slug === '') return `${shown(code)} makes no role key`;
        mapped = [slug];
      }
    }
    for (const key of mapped) {
      const problem = checkText(key, CAPS.roleKey);
      if (problem) return `role ${shown(key)} ${problem}`;
    }
    return mapped;
  };
  return (scope) => {
    const found = reader.read(scope);
    if (!found.ok) return found;
    const codes = spec.split === undefined ? found.values : found.values.flatMap((value) => value.split(spec.split!).map((part) => part.trim()).filter((part) => part !== ''));
    const keys: string[] = [];
    for (const code of codes) {
      let mapped = known.get(code);
      if (mapped === undefined) {
        mapped = keysOf(code);
        if (known.size < 10_000) known.set(code, mapped);
      }
      if (typeof mapped === 'string') return { ok: false, message: `${found.label}: ${mapped}` };
      for (const key of mapped) if (!keys.includes(key)) keys.push(key);
    }
    return { ok: true, value: keys };
  };
}

/** A code table, looked up exactly, else ignoring case; answers are remembered (codes repeat). */
function codeTable<T>(table: Record<string, T>): (value: string) => T | undefined {
  const exact = new Map(Object.entries(table));
  const folded = new Map(Object.entries(table).map(([key, mapped]) => [key.toLowerCase(), mapped]));
  return (value) => exact.get(value) ?? folded.get(value.toLowerCase());
}

function statusReader<S>(spec: StatusFieldSpec, compile: CompileSource<S>): (scope: S) => Result<WorkerStatus | null> {
  const main = compileField(spec, compile);
  const values = codeTable(spec.values);
  const overrides = (spec.overrides ?? []).map((override) => ({ reader: compileField(override, compile), values: codeTable(override.values) }));
  return (scope) => {
    for (const override of overrides) {
      const found = override.reader.read(scope);
      if (!found.ok) return found;
      for (const value of found.values) {
        const status = override.values(value);
        if (status) return { ok: true, value: status };
      }
    }
    const found = main.read(scope);
    if (!found.ok) return found;
    if (found.values.length === 0) return { ok: true, value: null };
    if (found.values.length > 1) return { ok: false, message: `${found.label}: has ${found.values.length} values, one expected` };
    const value = found.values[0]!;
    const status = values(value);
    if (status) return { ok: true, value: status };
    const known = Object.keys(spec.values);
    return { ok: false, message: `${found.label}: ${shown(value)} is not a known status (${known.slice(0, 10).join(', ')}${known.length > 10 ? ', …' : ''})` };
  };
}

export type CompletionMapper<S> = (scope: S, line: number) => CompletionRecord | RowError;

export function compileCompletionMapper<S>(profile: TranscriptProfile, compile: CompileSource<S>, context: PeopleContext): CompletionMapper<S> {
  const { fields } = profile;
  const person = required(textField(fields.person, compile, CAPS.person), fields.person, compile);
  const course = required(textField(fields.course, compile, 200), fields.course, compile);
  const completedText = required(textField(fields.completedAt, compile, 100), fields.completedAt, compile);
  const completedFormat = fields.completedAt.format ?? profile.dateFormat;
  const scoreText = textField(fields.score, compile, 50);
  const passedText = textField(fields.passed, compile, 100);
  const passedSpec: PassedFieldSpec | undefined = fields.passed;
  const recordId = textField(fields.recordId, compile, CAPS.recordId);
  const courseCodes = codeTable(profile.courseCodes);
  const latest = Date.parse(`${context.today}T23:59:59.999Z`) + 14 * 3_600_000;

  return (scope, line) => {
    const problems: string[] = [];
    let who = person(scope, problems) ?? '';
    if (who.includes('@')) who = who.toLowerCase();

    let courseKey = '';
    const code = course(scope, problems);
    if (code !== null) {
      const mapped = courseCodes(code);
      if (mapped !== undefined) courseKey = mapped;
      else if (profile.unmappedCourseCodes === 'error') problems.push(`${course.label(scope)}: ${shown(code)} is not in the profile's courseCodes`);
      else if (code.length > CAPS.courseKey) problems.push(`${course.label(scope)}: is longer than ${CAPS.courseKey} characters`);
      else courseKey = code;
    }

    let completedAt = '';
    const completed = completedText(scope, problems);
    if (completed !== null) {
      const moment = parseMoment(completed, completedFormat);
      if (!moment.ok) problems.push(`${completedText.label(scope)}: ${moment.message}`);
      else if (Date.parse(moment.value) > latest) problems.push(`${completedText.label(scope)}: ${shown(completed)} is in the future`);
      else completedAt = moment.value;
    }

    let score: number | null = null;
    const scoreValue = scoreText(scope, problems);
    if (scoreValue !== null) {
      const parsed = parseNumber(scoreValue);
      if (!parsed.ok) problems.push(`${scoreText.label(scope)}: ${parsed.message}`);
      else if (parsed.value < 0 || parsed.value > 100) problems.push(`${scoreText.label(scope)}: ${shown(scoreValue)} is not between 0 and 100`);
      else score = parsed.value;
    }

    let passed = true;
    const passedValue = passedText(scope, problems);
    if (passedValue !== null) {
      const parsed = parseYesNo(passedValue, passedSpec?.trueValues, passedSpec?.falseValues);
      if (!parsed.ok) problems.push(`${passedText.label(scope)}: ${parsed.message}`);
      else passed = parsed.value;
    } else if (profile.passMark !== undefined && score !== null) {
      passed = score >= profile.passMark;
    }

    const id = recordId(scope, problems) ?? `${who}|${courseKey}|${completedAt}`;
    if (problems.length > 0) return { line, error: problems.join('; '), externalId: who === '' ? null : who };
    return { line, person: who, courseKey, completedAt, score, passed, recordId: id };
  };
}
