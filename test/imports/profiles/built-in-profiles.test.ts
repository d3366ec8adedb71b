import { BUILT_IN_PROFILES, readCompletions, readRecords } from '../../../src/connectors/hcm/read';
import { isRowError, type CompletionRecord, type ReadResult, type RowError, type WorkerRecord } from '../../../src/connectors/hcm/records';
import { SAMPLES, SAMPLE_TODAY, sampleStream, type SampleProfile } from '../samples';

/**
 * Each built-in profile reads its vendor-shaped sample (test/imports/samples, README.md there) to
 * exactly the workers the sample describes; the changed export differs by one transfer, one leaver
 * and one hire.
 */

async function read(profile: SampleProfile, version: 'first' | 'changed', today = SAMPLE_TODAY) {
  const results: ReadResult<WorkerRecord>[] = [];
  for await (const result of readRecords(BUILT_IN_PROFILES[profile]!, sampleStream(SAMPLES[profile][version]), { today })) results.push(result);
  const records = results.filter((r): r is WorkerRecord => !isRowError(r));
  const errors = results.filter(isRowError);
  const current = new Map(records.filter((r) => r.effectiveDate === null).map((r) => [r.externalId, r]));
  return { results, records, errors, current };
}

const worker = (fields: Partial<WorkerRecord> & Pick<WorkerRecord, 'line' | 'externalId' | 'name'>): WorkerRecord => ({
  email: `${fields.name.toLowerCase().replace(' ', '.')}@northwind.example`,
  department: null,
  location: null,
  managerExternalId: null,
  roles: [],
  hireDate: null,
  terminationDate: null,
  status: 'active',
  effectiveDate: null,
  ...fields,
});

/** What every sample has, whatever the vendor: who reports to whom, who is on leave or gone. */
function expectTheCast(current: Map<string, WorkerRecord>) {
  const managers = Object.fromEntries([...current.values()].map((r) => [r.externalId, r.managerExternalId]));
  expect(managers).toMatchObject({
    '1001': null,
    '1002': '1001',
    '1003': '1002',
    '1004': '1003',
    '1005': '1003',
    '1006': '1007',
    '1007': '1001',
    '1008': '1007',
    '1009': '1010',
    '1010': null,
    '1011': '1010',
    '1016': '1003',
    '1017': '1009',
    '1018': '1011',
  });
  expect(current.get('1008')).toMatchObject({ status: 'terminated', terminationDate: '2026-10-31' });
  expect([...current.values()].filter((r) => r.status === 'terminated').map((r) => r.externalId)).toEqual(['1008']);
  expect(current.get('1016')).toMatchObject({ hireDate: '2026-11-16', department: 'ICU', status: 'active' });
  expect(current.get('1013')).toMatchObject({ department: 'Radiology', location: 'Cambridge Clinic' });
}

/** The changed export: Clara Barton transferred, Dorothea Dix gone, Ida Gray hired — nothing else. */
function expectTheChanges(first: Map<string, WorkerRecord>, changed: Map<string, WorkerRecord>, leaverAbsent = false) {
  const differing = [...new Set([...first.keys(), ...changed.keys()])].filter((id) => {
    const [a, b] = [first.get(id), changed.get(id)];
    return JSON.stringify(a && { ...a, line: 0 }) !== JSON.stringify(b && { ...b, line: 0 });
  });
  expect(differing.sort()).toEqual(['1004', '1006', '1021']);
  expect(changed.get('1004')).toMatchObject({ department: 'Emergency', managerExternalId: '1007', status: 'active' });
  if (leaverAbsent) expect(changed.has('1006')).toBe(false);
  else expect(changed.get('1006')).toMatchObject({ status: 'terminated', terminationDate: '2026-11-26' });
  expect(changed.get('1021')).toMatchObject({ name: 'Ida Gray', department: 'Emergency', location: 'Boston General', managerExternalId: '1007', hireDate: '2026-11-23', status: 'active' });
}

const errorsOf = (errors: RowError[]) => errors.map(({ line, externalId, error }) => ({ line, externalId, error }));

describe('Workday RaaS (workday-raas)', () => {
  it('reads Report_Entry: 18 workers and 2 row errors', async () => {
    const { records, errors, current } = await read('workday-raas', 'first');
    expect(records).toHaveLength(18);
    expect(current.get('1003')).toEqual(
      worker({
        line: 3,
        externalId: '1003',
        name: 'Mary Seacole',
        department: 'ICU',
        location: 'Boston General',
        managerExternalId: '1002',
        roles: ['cn-02', 'rn-01'],
        hireDate: '2017-01-09',
      }),
    );
    expect(current.get('1005')).toMatchObject({ status: 'on_leave', roles: ['rn-01'] });
    expect(current.get('1001')).toMatchObject({ department: 'Nursing Administration', managerExternalId: null, roles: ['exec-01'] });
    expectTheCast(current);
    expect(errorsOf(errors)).toEqual([
      { line: 19, externalId: null, error: 'Employee_ID: missing' },
      { line: 20, externalId: '1020', error: 'Hire_Date: "2026-02-30" is not a date (no such day)' },
    ]);
  });

  it('the changed report: a transfer, a leaver, a hire', async () => {
    const [first, changed] = [await read('workday-raas', 'first'), await read('workday-raas', 'changed')];
    expect(changed.records).toHaveLength(19);
    expectTheChanges(first.current, changed.current);
    expect(changed.errors.map((e) => e.line)).toEqual([19, 20]);
  });
});

describe('SAP SuccessFactors (successfactors-odata)', () => {
  it('reads d.results with the EmpJob row in effect, and the future-dated row as a record of its own', async () => {
    const { records, errors, current } = await read('successfactors-odata', 'first');
    expect(records).toHaveLength(19);
    expectTheCast(current);
    // A past promotion: the latest row on or before today.
    expect(current.get('1002')).toMatchObject({ roles: ['nm-03'], department: 'ICU' });
    // managerId is the userId "mseacole"; the expanded managerUserNav names her by personIdExternal.
    expect(current.get('1004')).toEqual(
      worker({ line: 4, externalId: '1004', name: 'Clara Barton', department: 'ICU', location: 'Boston General', managerExternalId: '1003', roles: ['rn-01'], hireDate: '2019-06-03' }),
    );
    expect(current.get('1005')).toMatchObject({ status: 'on_leave' });
    expect(current.get('1003')).toMatchObject({ externalId: '1003', roles: ['cn-02'] });
    const salk = records.filter((r) => r.externalId === '1017');
    expect(salk).toEqual([
      worker({ line: 17, externalId: '1017', name: 'Jonas Salk', department: 'Internal Medicine', location: 'Cambridge Clinic', managerExternalId: '1009', roles: ['md-10'], hireDate: '2024-04-01' }),
      worker({
        line: 17,
        externalId: '1017',
        name: 'Jonas Salk',
        department: 'Infectious Diseases',
        location: 'Cambridge Clinic',
        managerExternalId: '1009',
        roles: ['md-11'],
        hireDate: '2024-04-01',
        effectiveDate: '2027-07-01',
      }),
    ]);
    expect(errorsOf(errors)).toEqual([
      { line: 19, externalId: '1019', error: 'email: "walter.reed(at)northwind.example" is not an e-mail address' },
      { line: 20, externalId: '1020', error: 'empInfo.jobInfoNav.results[0].emplStatusNav.externalCode: "X" is not a known status (A, U, P, S, F, T, R, D, O)' },
    ]);
  });

  it('on the day of the future row, that row is in effect and nothing is future-dated', async () => {
    const { records } = await read('successfactors-odata', 'first', '2027-07-01');
    expect(records.filter((r) => r.externalId === '1017')).toEqual([expect.objectContaining({ roles: ['md-11'], department: 'Infectious Diseases', effectiveDate: null })]);
  });

  it('the changed extract: a transfer, a leaver, a hire', async () => {
    const [first, changed] = [await read('successfactors-odata', 'first'), await read('successfactors-odata', 'changed')];
    expect(changed.records).toHaveLength(20);
    expectTheChanges(first.current, changed.current);
  });
});

describe('Oracle HCM workers (oracle-hcm-workers)', () => {
  it('reads items with the assignment in effect, and the future-dated assignment as a record of its own', async () => {
    const { records, errors, current } = await read('oracle-hcm-workers', 'first');
    expect(records).toHaveLength(19);
    expectTheCast(current);
    expect(current.get('1002')).toMatchObject({ roles: ['nm-03'] });
    expect(current.get('1005')).toMatchObject({ status: 'on_leave' });
    expect(current.get('1018')).toEqual(
      worker({ line: 18, externalId: '1018', name: 'Katherine Johnson', department: 'Pharmacy', location: 'Cambridge Clinic', managerExternalId: '1011', roles: ['pharm-20'], hireDate: '2023-03-13' }),
    );
    expect(records.filter((r) => r.externalId === '1017').map((r) => [r.roles, r.department, r.effectiveDate])).toEqual([
      [['md-10'], 'Internal Medicine', null],
      [['md-11'], 'Infectious Diseases', '2027-07-01'],
    ]);
    expect(errorsOf(errors)).toEqual([
      { line: 19, externalId: '1019', error: 'names[0].FirstName + names[0].LastName: missing' },
      { line: 20, externalId: '1020', error: 'workRelationships[PrimaryFlag=true].assignments[0].EffectiveStartDate: "2025-13-02" is not a date (no such day)' },
    ]);
  });

  it('the changed extract: a transfer, a leaver, a hire', async () => {
    const [first, changed] = [await read('oracle-hcm-workers', 'first'), await read('oracle-hcm-workers', 'changed')];
    expect(changed.records).toHaveLength(20);
    expectTheChanges(first.current, changed.current);
  });
});

describe('BambooHR (bamboohr)', () => {
  it('reads employees: job titles as roles, 0000-00-00 as no date, leave from the employment status', async () => {
    const { records, errors, current } = await read('bamboohr', 'first');
    expect(records).toHaveLength(18);
    expectTheCast(current);
    expect(current.get('1005')).toEqual(
      worker({
        line: 5,
        externalId: '1005',
        name: 'Virginia Henderson',
        department: 'ICU',
        location: 'Boston General',
        managerExternalId: '1003',
        roles: ['registered-nurse'],
        hireDate: '2021-02-15',
        status: 'on_leave',
      }),
    );
    expect(current.get('1010')).toMatchObject({ roles: ['chief-medical-officer'], terminationDate: null, managerExternalId: null });
    expect(errorsOf(errors)).toEqual([
      { line: 19, externalId: '1019', error: 'firstName + lastName: missing' },
      { line: 20, externalId: '1020', error: 'firstName + lastName: contains a control character (U+0007)' },
    ]);
  });

  it('the changed report: a transfer, a leaver, a hire', async () => {
    const [first, changed] = [await read('bamboohr', 'first'), await read('bamboohr', 'changed')];
    expectTheChanges(first.current, changed.current);
    expect(changed.current.get('1021')).toMatchObject({ roles: ['registered-nurse'] });
  });
});

describe('unified HRIS (unified-hris)', () => {
  it('reads results: employments as roles, the expanded manager, a pending hire dated its start', async () => {
    const { records, errors, current } = await read('unified-hris', 'first');
    expect(records).toHaveLength(19);
    expect(current.get('1013')).toEqual(
      worker({
        line: 13,
        externalId: '1013',
        name: 'Marie Curie',
        department: 'Radiology',
        location: 'Cambridge Clinic',
        managerExternalId: '1010',
        roles: ['lab-technician', 'radiation-safety-officer'],
        hireDate: '2010-10-01',
      }),
    );
    // The model has no leave.
    expect(current.get('1005')).toMatchObject({ status: 'active' });
    current.set('1005', { ...current.get('1005')!, status: 'on_leave' });
    expectTheCast(current);
    expect(records.find((r) => r.externalId === '1022')).toEqual(
      worker({
        line: 21,
        externalId: '1022',
        name: 'Hazel Johnson',
        department: 'ICU',
        location: 'Boston General',
        managerExternalId: '1003',
        roles: ['registered-nurse'],
        hireDate: '2027-01-04',
        effectiveDate: '2027-01-04',
      }),
    );
    expect(errorsOf(errors)).toEqual([
      { line: 19, externalId: null, error: 'remote_id: missing' },
      { line: 20, externalId: '1020', error: 'work_email: "linda.richards@northwind" is not an e-mail address' },
    ]);
  });

  it('the changed export: a transfer, a leaver, a hire', async () => {
    const [first, changed] = [await read('unified-hris', 'first'), await read('unified-hris', 'changed')];
    expectTheChanges(first.current, changed.current);
    expect(changed.records.find((r) => r.externalId === '1022')).toMatchObject({ line: 22, effectiveDate: '2027-01-04' });
  });
});

describe('generic CSV (generic-csv)', () => {
  it('reads the columns as trainhub names them: BOM, CRLF, role keys separated by ;', async () => {
    const { records, errors, current } = await read('generic-csv', 'first');
    expect(records).toHaveLength(18);
    expectTheCast(current);
    expect(current.get('1013')).toEqual(
      worker({
        line: 14,
        externalId: '1013',
        name: 'Marie Curie',
        department: 'Radiology',
        location: 'Cambridge Clinic',
        managerExternalId: '1010',
        roles: ['lab-technician', 'radiation-safety-officer'],
        hireDate: '2010-10-01',
      }),
    );
    expect(current.get('1001')).toMatchObject({ line: 2, roles: ['cno'] });
    expect(errorsOf(errors)).toEqual([
      { line: 20, externalId: '1019', error: 'hire_date: "2026-02-30" is not a date (no such day)' },
      { line: 21, externalId: '1020', error: 'has 7 fields where the header has 10' },
    ]);
  });

  it('the changed snapshot: a transfer, a hire, and the leaver simply absent', async () => {
    const [first, changed] = [await read('generic-csv', 'first'), await read('generic-csv', 'changed')];
    expectTheChanges(first.current, changed.current, true);
    expect(changed.errors.map((e) => e.line)).toEqual([19, 20]);
    expect(changed.current.get('1021')).toMatchObject({ line: 21, roles: ['nurse'] });
  });
});

describe('LMS transcript (lms-transcript-csv)', () => {
  async function completions(version: 'first' | 'changed') {
    const results: ReadResult<CompletionRecord>[] = [];
    for await (const result of readCompletions(BUILT_IN_PROFILES['lms-transcript-csv']!, sampleStream(SAMPLES['lms-transcript-csv'][version]), { today: SAMPLE_TODAY })) {
      results.push(result);
    }
    return { records: results.filter((r): r is CompletionRecord => !isRowError(r)), errors: results.filter(isRowError) };
  }

  it('reads completions by external id or e-mail, with scores, results and record ids', async () => {
    const { records, errors } = await completions('first');
    expect(records).toHaveLength(11);
    expect(new Set(records.map((r) => r.recordId)).size).toBe(10);
    expect(records.slice(0, 5)).toEqual([
      { line: 2, person: '1004', courseKey: 'hand-hygiene', completedAt: '2026-03-14T10:22:00.000Z', score: 92, passed: true, recordId: 'LMS-000101' },
      { line: 3, person: '1004', courseKey: 'bls', completedAt: '2025-11-02T00:00:00.000Z', score: null, passed: true, recordId: 'LMS-000102' },
      { line: 4, person: 'grace.hopper@northwind.example', courseKey: 'fire-safety', completedAt: '2026-01-20T13:00:00.000Z', score: 100, passed: true, recordId: 'LMS-000103' },
      { line: 5, person: '1005', courseKey: 'hand-hygiene', completedAt: '2026-02-11T14:05:00.000Z', score: 64, passed: false, recordId: 'LMS-000104' },
      { line: 6, person: '1005', courseKey: 'hand-hygiene', completedAt: '2026-02-12T09:30:00.000Z', score: 88, passed: true, recordId: 'LMS-000105' },
    ]);
    expect(records.find((r) => r.line === 7)).toMatchObject({ passed: true, score: 95 });
    expect(records.find((r) => r.line === 12)).toMatchObject({ person: 'jonas.salk@northwind.example' });
    expect(errorsOf(errors)).toEqual([
      { line: 13, externalId: '1009', error: 'completed_at: "2026-02-30" is not a date (no such day)' },
      { line: 14, externalId: '1014', error: 'score: "150" is not between 0 and 100' },
      { line: 15, externalId: null, error: 'person: missing' },
    ]);
  });

  it('the changed transcript adds three records', async () => {
    const [first, changed] = [await completions('first'), await completions('changed')];
    const known = new Set(first.records.map((r) => r.recordId));
    expect(changed.records.filter((r) => !known.has(r.recordId)).map((r) => [r.line, r.person, r.courseKey, r.passed])).toEqual([
      [16, '1021', 'hand-hygiene', true],
      [17, '1004', 'fire-safety', true],
      [18, '1018', 'controlled-substances', false],
    ]);
  });
});

describe('the built-in profiles', () => {
  it('are the seven named in the contract, valid, and frozen', () => {
    expect(Object.keys(BUILT_IN_PROFILES).sort()).toEqual(['bamboohr', 'generic-csv', 'lms-transcript-csv', 'oracle-hcm-workers', 'successfactors-odata', 'unified-hris', 'workday-raas']);
    expect(Object.isFrozen(BUILT_IN_PROFILES['workday-raas']!.fields)).toBe(true);
    expect(BUILT_IN_PROFILES['lms-transcript-csv']!.kind).toBe('transcript');
  });
});
