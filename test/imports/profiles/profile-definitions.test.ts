import { Readable } from 'node:stream';
import { z } from 'zod';
import { profileDefinitionSchema, type ProfileInput } from '../../../src/connectors/hcm/profile';
import { BUILT_IN_PROFILES, parseProfileDefinition, readRecords, type ProfileDefinition } from '../../../src/connectors/hcm/read';
import type { ReadResult, WorkerRecord } from '../../../src/connectors/hcm/records';

/**
 * Profiles are data a tenant writes (or copies from a built-in and edits): parseProfileDefinition
 * validates them and names each problem's place, and what a profile says — role tables, joined and
 * matched values, date formats, status picklists — is what the reader does.
 */

const TODAY = '2026-11-28';

function problemsOf(input: unknown) {
  const parsed = parseProfileDefinition(input);
  if (parsed.ok) throw new Error('expected problems');
  return parsed.problems;
}

function definition(input: ProfileInput): ProfileDefinition {
  const parsed = parseProfileDefinition(input);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.definition;
}

/** A JSON profile over `{ "rows": [...] }` with the given fields (externalId `id` and name `name` unless given). */
function jsonProfile(fields: Record<string, unknown>, extra: Record<string, unknown> = {}): ProfileDefinition {
  return definition({ kind: 'people', format: 'json', json: { records: 'rows' }, fields: { externalId: { from: 'id' }, name: { from: 'name' }, ...fields }, ...extra } as ProfileInput);
}

async function read(profile: ProfileDefinition, rows: Record<string, unknown>[], today = TODAY): Promise<ReadResult<WorkerRecord>[]> {
  const out: ReadResult<WorkerRecord>[] = [];
  for await (const result of readRecords(profile, Readable.from([JSON.stringify({ rows })]), { today })) out.push(result);
  return out;
}

describe('parseProfileDefinition', () => {
  it('accepts a profile as a tenant writes it and fills in the defaults', () => {
    const parsed = parseProfileDefinition({ kind: 'people', format: 'csv', fields: { externalId: { from: 'Badge' }, name: { join: ['First', 'Last'] } } });
    expect(parsed).toEqual({
      ok: true,
      definition: { kind: 'people', format: 'csv', dateFormat: 'iso', fields: { externalId: { from: 'Badge' }, name: { join: ['First', 'Last'] } }, roleCodes: {}, unmappedRoleCodes: 'slug' },
    });
  });

  it('accepts every built-in, and a copy of one with the tenant’s role table', () => {
    for (const profile of Object.values(BUILT_IN_PROFILES)) expect(parseProfileDefinition(JSON.parse(JSON.stringify(profile)))).toEqual({ ok: true, definition: profile });
    const copy = { ...structuredClone(BUILT_IN_PROFILES['workday-raas']!), roleCodes: { 'RN-01': ['nurse'], 'CN-02': ['nurse', 'charge-nurse'] }, unmappedRoleCodes: 'error' };
    expect(parseProfileDefinition(copy)).toMatchObject({ ok: true, definition: { roleCodes: copy.roleCodes, unmappedRoleCodes: 'error' } });
  });

  it('names where each problem is', () => {
    expect(problemsOf('workday')).toEqual([{ path: '', message: expect.stringContaining('expected object') }]);
    expect(problemsOf({ kind: 'payroll', format: 'csv', fields: {} })).toEqual([{ path: 'kind', message: expect.any(String) }]);
    expect(
      problemsOf({
        kind: 'people',
        format: 'json',
        dateFormat: 'YYYY/MM/DD',
        fields: {
          externalId: { from: 'id', join: ['a', 'b'] },
          name: { from: ['names[0', 'Name'] },
          department: { from: 'Org', match: '(unclosed', in: 'row' },
          status: { from: 'Status', values: { Active: 'active', Retired: 'retired' } },
          nickname: { from: 'Nick' },
        },
        roleCodes: { 'RN-01': ['x'.repeat(101)] },
      }),
    ).toEqual(
      expect.arrayContaining([
        { path: 'dateFormat', message: expect.any(String) },
        { path: 'fields', message: expect.stringContaining('nickname') },
        { path: 'fields.status.values.Retired', message: expect.any(String) },
        { path: 'roleCodes.RN-01[0]', message: expect.stringContaining('100') },
      ]),
    );
    // Rules across fields are checked once the shape is right.
    expect(
      problemsOf({
        kind: 'people',
        format: 'json',
        fields: { externalId: { from: 'id', join: ['a', 'b'] }, name: { from: ['names[0', 'Name'] }, department: { from: 'Org', match: '(unclosed', in: 'row' } },
      }),
    ).toEqual([
      { path: 'json', message: 'A JSON profile says where the records are: json.records' },
      { path: 'fields.externalId', message: 'Give exactly one of from and join' },
      { path: 'fields.name.from[0]', message: '"names[0" has a "[" without "]"' },
      { path: 'fields.department.in', message: 'in: row needs effectiveDated' },
      { path: 'fields.department.match', message: expect.stringMatching(/^Not a regular expression/) },
    ]);
  });

  it('refuses options that do not fit the format', () => {
    expect(problemsOf({ kind: 'people', format: 'csv', csv: { header: false }, effectiveDated: { rows: 'jobs', startDate: 'start' }, fields: { externalId: { from: 'a' }, name: { from: 'b' } } })).toEqual([
      { path: 'csv.columns', message: 'A file without a header needs its column names' },
      { path: 'effectiveDated', message: 'Effective-dated rows are nested in JSON records: a CSV profile cannot have them' },
    ]);
    expect(problemsOf({ kind: 'people', format: 'json', json: { records: 'd.results[0]' }, fields: { externalId: { from: 'a' }, name: { from: 'b' } } })).toEqual([
      { path: 'json.records', message: 'Keys separated by "." (no selectors), or "" for a document that is the array' },
    ]);
    expect(problemsOf({ kind: 'transcript', format: 'csv', fields: { person: { from: 'p' }, course: { from: 'c' } } })).toEqual([{ path: 'fields.completedAt', message: expect.any(String) }]);
  });

  it('is a JSON Schema the API can publish', () => {
    const schema = z.toJSONSchema(profileDefinitionSchema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' });
    expect(JSON.stringify(schema)).toContain('roleCodes');
  });
});

describe('what a profile says, the reader does', () => {
  it('maps job codes through the role table (several roles a code, any case); unmapped codes are slugged, ignored or refused', async () => {
    const rows = [
      { id: '1', name: 'A', job: 'CN-02' },
      { id: '2', name: 'B', job: 'rn-01' },
      { id: '3', name: 'C', job: 'Nurse Practitioner (NP)' },
    ];
    const roleCodes = { 'RN-01': ['nurse'], 'CN-02': ['nurse', 'charge-nurse'] };
    const rolesOf = async (unmappedRoleCodes: string) =>
      (await read(jsonProfile({ roles: { from: 'job' } }, { roleCodes, unmappedRoleCodes }), rows)).map((r) => ('error' in r ? r.error : r.roles));
    expect(await rolesOf('slug')).toEqual([['nurse', 'charge-nurse'], ['nurse'], ['nurse-practitioner-np']]);
    expect(await rolesOf('ignore')).toEqual([['nurse', 'charge-nurse'], ['nurse'], []]);
    expect(await rolesOf('error')).toEqual([['nurse', 'charge-nurse'], ['nurse'], 'job: "Nurse Practitioner (NP)" is not in the profile\'s roleCodes']);
  });

  it('reads roles from a list, a delimited field, or several fields at once', async () => {
    const profile = jsonProfile({ roles: { join: ['primary', 'extra[*].code', 'tags'], split: '|', through: 'none' } });
    expect(await read(profile, [{ id: '1', name: 'A', primary: 'nurse', extra: [{ code: 'charge-nurse' }, { code: 'nurse' }], tags: 'fire-warden| first-aider |' }])).toEqual([
      expect.objectContaining({ roles: ['nurse', 'charge-nurse', 'fire-warden', 'first-aider'] }),
    ]);
  });

  it('joins, matches, and treats null values and defaults as the profile says', async () => {
    const profile = jsonProfile({
      name: { join: ['first', 'middle', 'last'] },
      department: { from: 'org', match: '^(.*?)(?:\\s*\\([^()]*\\))?$' },
      location: { from: 'site', default: 'Head Office' },
      managerExternalId: { from: 'manager', nullValues: ['NO_MANAGER', '0'] },
      email: { from: ['work_email', 'home_email'] },
    });
    expect(
      await read(profile, [
        { id: '1', first: 'Ada', last: 'Byron', org: 'ICU (Grace Hopper)', manager: 'NO_MANAGER', home_email: 'Ada@Example.com' },
        { id: '2', first: 'Bo', middle: 'Q', last: 'Chen', org: 'ICU', site: 'Annex', manager: 7, work_email: 'bo@example.com', home_email: 'x' },
      ]),
    ).toEqual([
      expect.objectContaining({ name: 'Ada Byron', department: 'ICU', location: 'Head Office', managerExternalId: null, email: 'ada@example.com' }),
      expect.objectContaining({ name: 'Bo Q Chen', department: 'ICU', location: 'Annex', managerExternalId: '7', email: 'bo@example.com' }),
    ]);
  });

  it('reads the date formats vendors write, and refuses days that do not exist', async () => {
    const dates = async (format: string, values: string[]) =>
      (await read(jsonProfile({ hireDate: { from: 'd', format } }), values.map((d, i) => ({ id: String(i), name: 'N', d })))).map((r) => ('error' in r ? r.error : r.hireDate));
    expect(await dates('iso', ['2026-03-01', '2026-03-01T23:30:00-05:00', '2026-03-01-08:00', '2026-03-01T00:00:00Z', '2026-02-29', '1899-12-31', '03/01/2026'])).toEqual([
      '2026-03-01',
      '2026-03-01',
      '2026-03-01',
      '2026-03-01',
      'd: "2026-02-29" is not a date (no such day)',
      'd: "1899-12-31" is out of range (1900 to 2999)',
      'd: "03/01/2026" is not a date (YYYY-MM-DD)',
    ]);
    expect(await dates('MM/DD/YYYY', ['3/1/2026', '12/31/2026', '13/01/2026'])).toEqual(['2026-03-01', '2026-12-31', 'd: "13/01/2026" is not a date (no such day)']);
    expect(await dates('DD/MM/YYYY', ['31/12/2026'])).toEqual(['2026-12-31']);
    expect(await dates('DD.MM.YYYY', ['01.03.2026', '30.02.2026'])).toEqual(['2026-03-01', 'd: "30.02.2026" is not a date (no such day)']);
    expect(await dates('YYYYMMDD', ['20260301'])).toEqual(['2026-03-01']);
    expect(await dates('odata', ['/Date(1772323200000)/', '/Date(1772319600000+0100)/', '2026-03-01'])).toEqual(['2026-03-01', '2026-03-01', 'd: "2026-03-01" is not a date (/Date(milliseconds)/)']);
    expect(await dates('auto', ['/Date(1772323200000)/', '2026-03-01'])).toEqual(['2026-03-01', '2026-03-01']);
  });

  it('maps a status picklist, lets an override decide first, and without a status judges by the termination date', async () => {
    const profile = jsonProfile({
      terminationDate: { from: 'end' },
      status: { from: 'status', values: { A: 'active', T: 'terminated' }, overrides: [{ from: 'leave', values: { Y: 'on_leave' } }] },
    });
    expect(
      (
        await read(profile, [
          { id: '1', name: 'N', status: 'a' },
          { id: '2', name: 'N', status: 'A', leave: 'Y' },
          { id: '3', name: 'N', status: 'A', leave: 'N' },
          { id: '4', name: 'N', end: '2026-11-01' },
          { id: '5', name: 'N', end: '2026-12-31' },
          { id: '6', name: 'N', status: 'Z' },
        ])
      ).map((r) => ('error' in r ? r.error : r.status)),
    ).toEqual(['active', 'on_leave', 'active', 'terminated', 'active', 'status: "Z" is not a known status (A, T)']);
  });

  it('an effective date on or before today means the values hold now; a later one dates the record', async () => {
    const profile = jsonProfile({ effectiveDate: { from: 'start' } });
    expect((await read(profile, [{ id: '1', name: 'N', start: '2026-11-28' }, { id: '2', name: 'N', start: '2026-11-29' }])).map((r) => 'effectiveDate' in r && r.effectiveDate)).toEqual([null, '2026-11-29']);
  });

  it('paths reach into nested records: selectors by index, by a key’s value, and every element', async () => {
    const profile = jsonProfile({
      externalId: { from: 'PersonNumber' },
      name: { from: 'names[-1].DisplayName' },
      email: { from: ['emails[EmailType=W1].EmailAddress', 'emails[0].EmailAddress'] },
      department: { from: 'work[Primary=true].Dept' },
      roles: { from: 'work[*].Job' },
    });
    expect(
      await read(profile, [
        {
          PersonNumber: 42,
          names: [{ DisplayName: 'Old Name' }, { DisplayName: 'New Name' }],
          emails: [{ EmailType: 'H1', EmailAddress: 'home@example.com' }, { EmailType: 'W1', EmailAddress: 'work@example.com' }],
          work: [
            { Primary: false, Dept: 'Lab', Job: 'LAB-30' },
            { Primary: true, Dept: 'ICU', Job: 'RN-01' },
          ],
          constructor: 'not a prototype',
        },
      ]),
    ).toEqual([expect.objectContaining({ externalId: '42', name: 'New Name', email: 'work@example.com', department: 'ICU', roles: ['lab-30', 'rn-01'] })]);
  });
});
