import { Readable } from 'node:stream';
import { BUILT_IN_PROFILES, readRecords } from '../../../src/connectors/hcm/read';
import type { ReadResult, WorkerRecord } from '../../../src/connectors/hcm/records';

/**
 * Effective-dated sources (SuccessFactors EmpJob rows, Oracle HCM assignments): a worker's rows carry
 * start dates. The row in effect today — the latest start on or before it — gives the worker's record;
 * each later row is a future-dated change, a record of its own dated its start, on the same line.
 */

const TODAY = '2026-11-28';
const odata = (day: string) => `/Date(${Date.parse(`${day}T00:00:00Z`)})/`;

interface Job {
  start: string;
  /** The start as the file writes it, when not /Date(…)/ of `start`. */
  raw?: string;
  seq?: string;
  code?: string;
  dept?: string;
  status?: string;
  manager?: string;
}

/** A SuccessFactors User with its EmpJob rows, as the OData extract has it. */
function user(id: string, jobs: Job[], extra: Record<string, unknown> = {}) {
  return {
    userId: id,
    firstName: 'Worker',
    lastName: id,
    email: `w${id}@example.com`,
    empInfo: {
      personIdExternal: id,
      startDate: odata('2020-01-01'),
      jobInfoNav: {
        results: jobs.map((job) => ({
          startDate: job.raw ?? odata(job.start),
          seqNumber: job.seq ?? '1',
          jobCode: job.code ?? 'RN-01',
          departmentNav: { name: job.dept ?? 'ICU' },
          locationNav: { name: 'Boston General' },
          managerId: job.manager ?? 'NO_MANAGER',
          emplStatusNav: { externalCode: job.status ?? 'A' },
        })),
      },
    },
    ...extra,
  };
}

async function read(users: unknown[], today = TODAY): Promise<ReadResult<WorkerRecord>[]> {
  const out: ReadResult<WorkerRecord>[] = [];
  const file = JSON.stringify({ d: { results: users } });
  for await (const result of readRecords(BUILT_IN_PROFILES['successfactors-odata']!, Readable.from([file]), { today })) out.push(result);
  return out;
}

const brief = (results: ReadResult<WorkerRecord>[]) =>
  results.map((r) => ('error' in r ? { line: r.line, error: r.error, externalId: r.externalId } : { line: r.line, id: r.externalId, roles: r.roles, department: r.department, status: r.status, effectiveDate: r.effectiveDate }));

describe('effective-dated rows', () => {
  it('the latest row on or before today is in effect; each later row is a record dated its start, same line', async () => {
    const rows: Job[] = [
      { start: '2027-03-01', code: 'NM-03', dept: 'Emergency' }, // rows need not come in order
      { start: '2019-01-01', code: 'RN-01' },
      { start: '2026-11-28', code: 'CN-02' },
      { start: '2027-01-01', code: 'CN-02', dept: 'Emergency' },
    ];
    expect(brief(await read([user('1', rows)]))).toEqual([
      { line: 1, id: '1', roles: ['cn-02'], department: 'ICU', status: 'active', effectiveDate: null },
      { line: 1, id: '1', roles: ['cn-02'], department: 'Emergency', status: 'active', effectiveDate: '2027-01-01' },
      { line: 1, id: '1', roles: ['nm-03'], department: 'Emergency', status: 'active', effectiveDate: '2027-03-01' },
    ]);
  });

  it('a future-dated termination is a dated record with status terminated', async () => {
    expect(brief(await read([user('1', [{ start: '2020-01-01' }, { start: '2027-02-01', status: 'T' }])]))).toEqual([
      { line: 1, id: '1', roles: ['rn-01'], department: 'ICU', status: 'active', effectiveDate: null },
      { line: 1, id: '1', roles: ['rn-01'], department: 'ICU', status: 'terminated', effectiveDate: '2027-02-01' },
    ]);
  });

  it('several rows on one day: the highest sequence number wins, then the last in the file', async () => {
    const rows: Job[] = [
      { start: '2026-06-01', seq: '2', code: 'CN-02' },
      { start: '2026-06-01', seq: '10', code: 'NM-03' },
      { start: '2026-06-01', seq: '1', code: 'RN-01' },
    ];
    expect(brief(await read([user('1', rows)]))).toEqual([expect.objectContaining({ roles: ['nm-03'], effectiveDate: null })]);
  });

  it('a pre-hire (every row after today) has only dated records', async () => {
    expect(brief(await read([user('9', [{ start: '2027-01-04' }])]))).toEqual([{ line: 1, id: '9', roles: ['rn-01'], department: 'ICU', status: 'active', effectiveDate: '2027-01-04' }]);
  });

  it('a later row that changes nothing the profile reads is no change', async () => {
    // A pay change, say: the row differs in what trainhub does not read.
    expect(brief(await read([user('1', [{ start: '2020-01-01' }, { start: '2027-04-01' }])]))).toEqual([expect.objectContaining({ effectiveDate: null })]);
  });

  it('a worker without rows, or with a row whose start is not a date, is a row error naming the row', async () => {
    const withoutRows = { ...user('1', []), empInfo: { personIdExternal: '1', jobInfoNav: { results: [] } } };
    expect(brief(await read([withoutRows, user('2', [{ start: '2020-01-01' }, { start: '', raw: '2026-02-30' }]), user('3', [{ start: '2020-01-01' }])]))).toEqual([
      { line: 1, externalId: '1', error: 'empInfo.jobInfoNav.results / jobInfoNav.results / employmentNav.results[0].jobInfoNav.results: no effective-dated rows' },
      { line: 2, externalId: '2', error: 'empInfo.jobInfoNav.results[1].startDate: "2026-02-30" is not a date (no such day)' },
      { line: 3, id: '3', roles: ['rn-01'], department: 'ICU', status: 'active', effectiveDate: null },
    ]);
  });

  it('a bad future row is a row error of its own; the row in effect is still read', async () => {
    expect(brief(await read([user('1', [{ start: '2020-01-01' }, { start: '2027-01-01', status: 'Q' }])]))).toEqual([
      expect.objectContaining({ line: 1, id: '1', effectiveDate: null }),
      { line: 1, externalId: '1', error: 'empInfo.jobInfoNav.results[1].emplStatusNav.externalCode: "Q" is not a known status (A, U, P, S, F, T, R, D, O)' },
    ]);
  });

  it('reads extracts rooted at EmpEmployment as well as at User (userId vs personIdExternal)', async () => {
    const employment = {
      personIdExternal: 'P-77',
      userId: 'jdoe',
      startDate: odata('2021-05-03'),
      userNav: { firstName: 'Jane', lastName: 'Doe', email: 'jane@example.com' },
      jobInfoNav: { results: [{ startDate: odata('2021-05-03'), jobCode: 'LAB-30', department: 'LAB', location: 'CAM', managerId: 'msmith', emplStatusNav: { externalCode: 'P' } }] },
    };
    expect(await read([employment])).toEqual([
      {
        line: 1,
        externalId: 'P-77',
        email: 'jane@example.com',
        name: 'Jane Doe',
        department: 'LAB',
        location: 'CAM',
        // Without managerUserNav expanded the manager is named by userId (see the profile's note).
        managerExternalId: 'msmith',
        roles: ['lab-30'],
        hireDate: '2021-05-03',
        terminationDate: null,
        status: 'on_leave',
        effectiveDate: null,
      },
    ]);
  });
});
