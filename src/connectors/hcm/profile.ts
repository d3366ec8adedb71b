import { z } from 'zod';
import { parsePath } from './paths';
import { DATE_FORMATS } from './values';

/**
 * A mapping profile: how one kind of file (a Workday RaaS report, a SuccessFactors OData extract, a
 * CSV …) becomes trainhub's WorkerRecords or CompletionRecords. Profiles are data — stored per tenant
 * and versioned (import_profile.definition), edited through the API — so this module is their format
 * and its validation. readRecords / readCompletions (read.ts) apply them.
 *
 * Where a value comes from ("a source") is, for CSV, a column name as the header writes it (compared
 * trimmed and case-insensitively); for JSON, a path into the record (paths.ts: `Email_Address`,
 * `names[0].LastName`, `emails[EmailType=W1].EmailAddress`, `employments[*].job_title`).
 *
 * A field is `{ from: source | [sources] }` (the first that has a value) or `{ join: [sources] }`
 * (all values, joined by `separator`; for roles, all of them), with optional `match` (a regular
 * expression: its first group is taken), `nullValues`, `default`, and `in: "row"` (read from the
 * effective-dated row in effect rather than the record). For example:
 *
 *   { "kind": "people", "format": "json", "json": { "records": "Report_Entry" },
 *     "fields": {
 *       "externalId": { "from": "Employee_ID" },
 *       "name": { "join": ["First_Name", "Last_Name"] },
 *       "department": { "from": "Supervisory_Organization", "match": "^(.*?)(?:\\s*\\([^()]*\\))?$" },
 *       "roles": { "join": ["Job_Code", "Additional_Jobs_group[*].Job_Code"] },
 *       "hireDate": { "from": "Hire_Date", "format": "MM/DD/YYYY" },
 *       "status": { "from": "Worker_Status", "values": { "Active": "active", "On Leave": "on_leave", "Terminated": "terminated" } } },
 *     "roleCodes": { "RN-01": ["nurse"], "CN-02": ["nurse", "charge-nurse"] }, "unmappedRoleCodes": "error" }
 */

const LIMITS = { sources: 20, source: 300, codes: 10_000 } as const;

const source = z.string().min(1).max(LIMITS.source).meta({ description: 'A CSV column name, or a path into a JSON record' });
const sources = z.union([source, z.array(source).min(1).max(LIMITS.sources)]);

const dateFormat = z.enum(DATE_FORMATS).meta({
  description: 'iso (YYYY-MM-DD, also ISO timestamps and dates with an offset), odata (/Date(ms)/), auto (iso or odata), MM/DD/YYYY, DD/MM/YYYY, DD.MM.YYYY, YYYYMMDD',
});

const WORKER_STATUSES = ['active', 'on_leave', 'terminated'] as const;
const workerStatus = z.enum(WORKER_STATUSES);

/** How one field is read. Exactly one of `from` and `join`. */
const fieldShape = {
  from: sources.optional().meta({ description: 'The source, or several: the first that has a value is taken' }),
  join: z.array(source).min(1).max(LIMITS.sources).optional().meta({ description: 'Several sources whose values are joined (e.g. first and last name)' }),
  separator: z.string().max(10).optional().meta({ description: "What `join` puts between values (default ' ')" }),
  in: z.enum(['record', 'row']).optional().meta({ description: 'Effective-dated sources: read from the record (default) or from the row in effect' }),
  match: z.string().min(1).max(500).optional().meta({ description: 'A regular expression the value must match; its first capture group (else the whole match) is taken' }),
  nullValues: z.array(z.string().max(200)).max(50).optional().meta({ description: 'Values that mean "none", e.g. NO_MANAGER or 0000-00-00' }),
  default: z.string().min(1).max(300).optional().meta({ description: 'The value when the file has none' }),
};
const field = z.strictObject(fieldShape).meta({ id: 'ImportProfileField' });
const dateField = z.strictObject({ ...fieldShape, format: dateFormat.optional().meta({ description: "The field's date format (default: the profile's dateFormat)" }) });
const rolesField = z.strictObject({
  ...fieldShape,
  split: z.string().min(1).max(10).optional().meta({ description: "A delimited field's separator, e.g. ';'" }),
  through: z.enum(['roleCodes', 'none']).default('roleCodes').meta({ description: 'roleCodes: job codes or positions mapped through the table; none: the values are role keys' }),
});
const statusValues = z.record(z.string().max(200), workerStatus);
const statusField = z.strictObject({
  ...fieldShape,
  values: statusValues.meta({ description: "The file's status values (a picklist) → active, on_leave or terminated" }),
  overrides: z
    .array(z.strictObject({ ...fieldShape, values: statusValues }))
    .max(5)
    .optional()
    .meta({ description: "Read first; a value in an override's table decides (e.g. a leave flag), any other value is passed over" }),
});
const passedField = z.strictObject({
  ...fieldShape,
  trueValues: z.array(z.string().min(1).max(100)).max(20).optional(),
  falseValues: z.array(z.string().min(1).max(100)).max(20).optional(),
});

const csvOptions = z
  .strictObject({
    delimiter: z.string().length(1).default(','),
    quote: z.string().length(1).default('"'),
    encoding: z.enum(['utf-8', 'utf-16le', 'latin1']).default('utf-8').meta({ description: 'A byte-order mark, when present, is honoured and removed' }),
    header: z.boolean().default(true).meta({ description: 'The first line (after skipLines) names the columns' }),
    columns: z.array(z.string().min(1).max(LIMITS.source)).max(500).optional().meta({ description: 'The column names, when the file has no header' }),
    skipLines: z.number().int().min(0).max(100).default(0).meta({ description: 'Lines before the header (a title, an export note)' }),
    optionalColumns: z.array(z.string().min(1).max(LIMITS.source)).max(500).default([]).meta({ description: 'Columns the profile names that a file may lack (their fields read as empty)' }),
  })
  .meta({ id: 'ImportProfileCsv' });

const jsonOptions = z
  .strictObject({
    records: z
      .string()
      .max(200)
      .meta({ description: 'Where the array of records is: keys separated by "." (Report_Entry, d.results, items, employees, results); "" when the document is the array' }),
  })
  .meta({ id: 'ImportProfileJson' });

const effectiveDated = z
  .strictObject({
    rows: sources.meta({ description: "Where a record's effective-dated rows are (e.g. empInfo.jobInfoNav.results); the first path present is taken" }),
    startDate: source.meta({ description: "The row's effective start date" }),
    sequence: source.optional().meta({ description: 'Orders rows starting the same day (e.g. seqNumber): the highest wins' }),
    format: dateFormat.optional(),
  })
  .meta({
    id: 'ImportProfileEffectiveDated',
    description: 'The row in effect today (the latest start on or before it) gives the record; each later row gives a future-dated record',
  });

const roleKey = z.string().min(1).max(100);
const common = {
  format: z.enum(['csv', 'json']),
  description: z.string().max(1000).optional(),
  system: z.string().min(1).max(100).optional().meta({ description: 'The HR system or LMS the records come from (their source), e.g. workday' }),
  csv: csvOptions.optional(),
  json: jsonOptions.optional(),
  dateFormat: dateFormat.default('iso'),
};

const peopleProfile = z
  .strictObject({
    kind: z.literal('people'),
    ...common,
    effectiveDated: effectiveDated.optional(),
    fields: z.strictObject({
      externalId: field,
      name: field,
      email: field.optional(),
      department: field.optional(),
      location: field.optional(),
      managerExternalId: field.optional(),
      roles: rolesField.optional(),
      hireDate: dateField.optional(),
      terminationDate: dateField.optional(),
      status: statusField.optional().meta({ description: 'Without it (or when empty): terminated from the termination date on, else active' }),
      effectiveDate: dateField.optional().meta({ description: 'A date from which the values hold (a day after today makes the record future-dated)' }),
    }),
    roleCodes: z
      .record(z.string().min(1).max(200), z.array(roleKey).max(50))
      .default({})
      .meta({ description: 'Job code or position → role keys, e.g. { "RN-01": ["nurse"] }' }),
    unmappedRoleCodes: z
      .enum(['slug', 'ignore', 'error'])
      .default('slug')
      .meta({ description: 'A code the table lacks: slug (the role key is the code lower-cased, e.g. rn-01), ignore, or error (the row is refused)' }),
  })
  .meta({ id: 'PeopleImportProfile' });

const transcriptProfile = z
  .strictObject({
    kind: z.literal('transcript'),
    ...common,
    fields: z.strictObject({
      person: field.meta({ description: "The person's HR external id or e-mail" }),
      course: field,
      completedAt: dateField,
      score: field.optional(),
      passed: passedField.optional().meta({ description: 'Without it: score ≥ passMark when both are known, else passed' }),
      recordId: field.optional().meta({ description: "The LMS's id of the record; without it: person|course|completedAt" }),
    }),
    courseCodes: z.record(z.string().min(1).max(200), roleKey).default({}).meta({ description: 'LMS course code → trainhub course key' }),
    unmappedCourseCodes: z.enum(['as_is', 'error']).default('as_is').meta({ description: 'A code the table lacks: taken as the course key, or refused' }),
    passMark: z.number().min(0).max(100).optional(),
  })
  .meta({ id: 'TranscriptImportProfile' });

export const profileDefinitionSchema = z
  .discriminatedUnion('kind', [peopleProfile, transcriptProfile])
  .superRefine((profile, ctx) => {
    for (const problem of consistencyProblems(profile)) ctx.addIssue({ code: 'custom', message: problem.message, path: problem.path });
  })
  .meta({ id: 'ImportProfileDefinition', description: 'How a file maps to trainhub people or completions' });

export type ProfileDefinition = z.output<typeof profileDefinitionSchema>;
/** A profile as written (defaults may be left out). */
export type ProfileInput = z.input<typeof profileDefinitionSchema>;
export type PeopleProfile = Extract<ProfileDefinition, { kind: 'people' }>;
export type TranscriptProfile = Extract<ProfileDefinition, { kind: 'transcript' }>;
export type FieldSpec = z.output<typeof field>;
export type DateFieldSpec = z.output<typeof dateField>;
export type RolesFieldSpec = z.output<typeof rolesField>;
export type StatusFieldSpec = z.output<typeof statusField>;
export type PassedFieldSpec = z.output<typeof passedField>;
export type CsvOptions = z.output<typeof csvOptions>;
export type WorkerStatus = (typeof WORKER_STATUSES)[number];

export interface ProfileProblem {
  path: string;
  message: string;
}

type Path = (string | number)[];

/** What the schema cannot say: rules that span fields (sources, formats, regular expressions). */
function consistencyProblems(profile: ProfileDefinition): { path: Path; message: string }[] {
  const problems: { path: Path; message: string }[] = [];
  const json = profile.format === 'json';
  if (json && !profile.json) problems.push({ path: ['json'], message: 'A JSON profile says where the records are: json.records' });
  if (!json && profile.json) problems.push({ path: ['json'], message: 'Only a JSON profile has json options' });
  if (json && profile.csv) problems.push({ path: ['csv'], message: 'Only a CSV profile has csv options' });
  if (profile.json && profile.json.records !== '' && !/^[^.[\]]+(\.[^.[\]]+)*$/.test(profile.json.records)) {
    problems.push({ path: ['json', 'records'], message: 'Keys separated by "." (no selectors), or "" for a document that is the array' });
  }
  const csv = profile.csv;
  if (csv) {
    if (!csv.header && !csv.columns) problems.push({ path: ['csv', 'columns'], message: 'A file without a header needs its column names' });
    if (csv.header && csv.columns) problems.push({ path: ['csv', 'columns'], message: 'The header names the columns: give columns only with header: false' });
    if (csv.delimiter === csv.quote || /[\r\n]/.test(csv.delimiter + csv.quote)) problems.push({ path: ['csv', 'delimiter'], message: 'The delimiter must differ from the quote and from line breaks' });
  }
  const dated = profile.kind === 'people' ? profile.effectiveDated : undefined;
  if (dated) {
    if (!json) problems.push({ path: ['effectiveDated'], message: 'Effective-dated rows are nested in JSON records: a CSV profile cannot have them' });
    const rows = Array.isArray(dated.rows) ? dated.rows : [dated.rows];
    rows.forEach((path, i) => checkPath(path, Array.isArray(dated.rows) ? ['effectiveDated', 'rows', i] : ['effectiveDated', 'rows']));
    checkPath(dated.startDate, ['effectiveDated', 'startDate']);
    if (dated.sequence) checkPath(dated.sequence, ['effectiveDated', 'sequence']);
    if (profile.kind === 'people' && profile.fields.effectiveDate) {
      problems.push({ path: ['fields', 'effectiveDate'], message: "An effective-dated profile takes each record's effective date from its rows" });
    }
  }

  function checkPath(text: string, at: Path) {
    if (!json) return;
    const parsed = parsePath(text);
    if (!parsed.ok) problems.push({ path: at, message: parsed.message });
  }

  function checkField(spec: (FieldSpec & { overrides?: FieldSpec[] }) | undefined, at: Path) {
    if (!spec) return;
    if ((spec.from === undefined) === (spec.join === undefined)) problems.push({ path: at, message: 'Give exactly one of from and join' });
    if (spec.separator !== undefined && spec.join === undefined) problems.push({ path: [...at, 'separator'], message: 'separator goes with join' });
    if (spec.in === 'row' && !dated) problems.push({ path: [...at, 'in'], message: 'in: row needs effectiveDated' });
    const list = spec.from === undefined ? [] : Array.isArray(spec.from) ? spec.from : [spec.from];
    list.forEach((path, i) => checkPath(path, Array.isArray(spec.from) ? [...at, 'from', i] : [...at, 'from']));
    (spec.join ?? []).forEach((path, i) => checkPath(path, [...at, 'join', i]));
    if (spec.match !== undefined) {
      try {
        new RegExp(spec.match, 'u');
      } catch (error) {
        problems.push({ path: [...at, 'match'], message: `Not a regular expression: ${(error as Error).message}` });
      }
    }
    spec.overrides?.forEach((override, i) => checkField(override, [...at, 'overrides', i]));
  }

  for (const [name, spec] of Object.entries(profile.fields)) checkField(spec as FieldSpec | undefined, ['fields', name]);
  if (profile.kind === 'people' && profile.fields.roles?.through === 'none' && Object.keys(profile.roleCodes).length > 0) {
    problems.push({ path: ['roleCodes'], message: 'roles.through is none: the table would not be used' });
  }
  if (profile.kind === 'people' && Object.keys(profile.roleCodes).length > LIMITS.codes) problems.push({ path: ['roleCodes'], message: `At most ${LIMITS.codes} codes` });
  if (profile.kind === 'transcript' && Object.keys(profile.courseCodes).length > LIMITS.codes) problems.push({ path: ['courseCodes'], message: `At most ${LIMITS.codes} codes` });
  return problems;
}

function pathText(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text === '' ? String(key) : `${text}.${String(key)}`), '');
}

/**
 * Validates a profile as a tenant wrote it (JSON), filling in defaults. Problems name where they are
 * (`fields.hireDate.format`, `csv.delimiter` …), for the API to answer 400 with.
 */
export function parseProfileDefinition(json: unknown): { ok: true; definition: ProfileDefinition } | { ok: false; problems: ProfileProblem[] } {
  const parsed = profileDefinitionSchema.safeParse(json);
  if (parsed.success) return { ok: true, definition: parsed.data };
  return { ok: false, problems: parsed.error.issues.map((issue) => ({ path: pathText(issue.path), message: issue.message })) };
}
