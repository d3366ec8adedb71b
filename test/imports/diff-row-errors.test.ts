import Papa from 'papaparse';
import { createTenant, givenCatalog } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { errorsCsv, sendFile, waitForRun } from './runs-support';

/**
 * A bad row is refused on its own, with its line, and the rest of the file imports: a value the
 * profile cannot read, a role trainhub does not have, a manager nobody knows, managers who manage
 * each other, one person twice, a hire without an e-mail. errors.csv lists them by line.
 */
describe('row errors of an import', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  const rowsOf = (csv: string) => Papa.parse<{ line: string; external_id: string; error: string }>(csv, { header: true, skipEmptyLines: true }).data;

  test('each bad row is refused with its line and why; the rest imports', async () => {
    const { tenantId, apiKey } = await createTenant(h.db);
    await givenCatalog(h.db, tenantId, { roles: { nurse: [], doctor: [] }, programs: {} });
    const csv = [
      'external_id,email,name,department,location,manager_external_id,roles,hire_date,termination_date,status', // 1
      'E-1,e1@example.com,Ada Boss,Board,,,doctor,2024-01-15,,active', // 2
      'E-2,e2@example.com,Bad Date,Ward,,E-1,nurse,2024-02-30,,active', // 3
      'E-3,e3@example.com,Odd Role,Ward,,E-1,nurse;astronaut,2024-01-15,,active', // 4
      'E-4,e4@example.com,Lost Manager,Ward,,E-99,nurse,2024-01-15,,active', // 5
      'E-5,e5@example.com,Cyc One,Ward,,E-6,nurse,2024-01-15,,active', // 6
      'E-6,e6@example.com,Cyc Two,Ward,,E-5,nurse,2024-01-15,,active', // 7
      'E-7,e7@example.com,Twice,Ward,,E-1,nurse,2024-01-15,,active', // 8
      'E-7,e7@example.com,Twice Again,Ward,,E-1,nurse,2024-01-15,,active', // 9
      'E-8,,No Mail,Ward,,E-1,nurse,2024-01-15,,active', // 10
      'E-9,e9@example.com,"Multi', // 11
      'Line",Ward,,E-1,nurse,2024-01-15,,active', // 12
      'E-10,e10@example.com,Many Roles,Ward,,E-1,doctor;ghost;alien,2024-01-15,,active', // 13
      'E-11,e11@example.com,Under Refused,Ward,,E-3,nurse,2024-01-15,,active', // 14
    ].join('\r\n');

    const sent = await sendFile(h, apiKey, csv);
    const run = await waitForRun(h, apiKey, sent.body.id, ['completed']);

    expect(run.counts).toMatchObject({ rows: 12, rejected: 9, created: 3 });
    const errors = await errorsCsv(h, apiKey, run.id);
    expect(errors.status).toBe(200);
    expect(errors.type).toBe('text/csv; charset=utf-8');
    expect(errors.text.split('\r\n')[0]).toBe('line,external_id,error');
    const rows = rowsOf(errors.text);
    expect(rows.map((r) => [r.line, r.external_id])).toEqual([
      ['3', 'E-2'], ['4', 'E-3'], ['5', 'E-4'], ['6', 'E-5'], ['7', 'E-6'], ['8', 'E-7'], ['9', 'E-7'], ['10', 'E-8'], ['13', 'E-10'],
    ]);
    const why = Object.fromEntries(rows.map((r) => [r.line, r.error]));
    expect(why['3']).toMatch(/2024-02-30/);
    expect(why['4']).toBe('no role has the key "astronaut"');
    expect(why['5']).toBe('manager "E-99" is neither in the file nor in trainhub');
    expect(why['6']).toBe('the manager chain forms a cycle: E-5 → E-6 → E-5');
    expect(why['7']).toBe('the manager chain forms a cycle: E-6 → E-5 → E-6');
    expect(why['8']).toBe('external id "E-7" is also on line 9: a person may appear once');
    expect(why['9']).toBe('external id "E-7" is also on line 8: a person may appear once');
    expect(why['10']).toBe('a hire needs an e-mail address');
    expect(why['13']).toBe('no roles have the keys "alien", "ghost"');

    const people = await h.db.person.findMany({ where: { tenantId }, orderBy: { externalId: 'asc' }, select: { externalId: true, name: true } });
    expect(people).toEqual([
      { externalId: 'E-1', name: 'Ada Boss' },
      { externalId: 'E-11', name: 'Under Refused' },
      { externalId: 'E-9', name: 'Multi\r\nLine' },
    ]);
  });

  test("a transcript's rows naming people or courses trainhub does not have are refused by line; the rest are recorded", async () => {
    const { tenantId, apiKey } = await createTenant(h.db);
    await givenCatalog(h.db, tenantId, { roles: {}, programs: { basics: ['hand-hygiene'] } });
    await h.db.person.create({ data: { tenantId, source: 'workday', externalId: 'W-1', email: 'w1@example.com', name: 'Known', hireDate: new Date('2024-01-01') } });
    const csv = [
      'person,course,completed_at,score,passed,record_id',
      'W-1,hand-hygiene,2024-03-01,90,yes,R-1',
      'w1@example.com,hand-hygiene,2024-04-01,80,yes,R-2',
      'W-404,hand-hygiene,2024-03-01,90,yes,R-3',
      'nobody@example.com,hand-hygiene,2024-03-01,90,yes,R-4',
      'W-1,knitting,2024-03-01,90,yes,R-5',
      'W-1,hand-hygiene,2024-05-01,70,yes,R-1',
    ].join('\n');

    const sent = await sendFile(h, apiKey, csv, { profile: 'lms-transcript-csv' });
    expect(sent.body).toMatchObject({ kind: 'transcript' });
    const run = await waitForRun(h, apiKey, sent.body.id, ['completed']);

    expect(run.counts).toMatchObject({ rows: 6, rejected: 5, completions: 1 });
    expect(rowsOf((await errorsCsv(h, apiKey, run.id)).text)).toEqual([
      { line: '2', external_id: 'W-1', error: 'record id "R-1" is also on line 7: a record may appear once' },
      { line: '4', external_id: 'W-404', error: 'no person has the external id "W-404"' },
      { line: '5', external_id: 'nobody@example.com', error: 'no person has the e-mail "nobody@example.com"' },
      { line: '6', external_id: 'W-1', error: 'no course has the key "knitting"' },
      { line: '7', external_id: 'W-1', error: 'record id "R-1" is also on line 2: a record may appear once' },
    ]);
    expect(await h.db.completion.count({ where: { tenantId } })).toBe(1);
  });
});
