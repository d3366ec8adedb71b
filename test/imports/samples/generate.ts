/**
 * Writes the vendor-shaped sample files of this folder from one cast of workers (README.md says who is
 * who). Run `npx tsx test/imports/samples/generate.ts` after changing the cast; the files are checked in.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLE_FUTURE_DATE, SAMPLE_PENDING_START } from './index';

const DOMAIN = 'northwind.example';

interface JobRow {
  /** The day the row takes effect. */
  start: string;
  jobs: string[];
  department: string;
  location: string;
  manager: string | null;
  status: 'active' | 'on_leave' | 'terminated';
  action: string;
}

interface Worker {
  id: string;
  first: string;
  last: string;
  hireDate: string;
  terminationDate?: string;
  /** Effective-dated history, oldest first; the flat exports show the row in effect on the export day. */
  rows: JobRow[];
  /** A bad row: how each vendor's file spoils it (see README). */
  bad?: boolean;
}

const TITLES: Record<string, string> = {
  'EXEC-01': 'Chief Nursing Officer',
  'EXEC-02': 'Chief Medical Officer',
  'NM-03': 'Nurse Manager',
  'CN-02': 'Charge Nurse',
  'RN-01': 'Registered Nurse',
  'MD-10': 'Physician',
  'MD-11': 'Infectious Disease Physician',
  'PHARM-20': 'Pharmacist',
  'LAB-30': 'Lab Technician',
  'RSO-35': 'Radiation Safety Officer',
  'HR-40': 'HR Partner',
};
/** The generic CSV carries trainhub role keys. */
const ROLE_KEYS: Record<string, string> = {
  'EXEC-01': 'cno',
  'EXEC-02': 'cmo',
  'NM-03': 'nurse-manager',
  'CN-02': 'charge-nurse',
  'RN-01': 'nurse',
  'MD-10': 'physician',
  'MD-11': 'infectious-disease-physician',
  'PHARM-20': 'pharmacist',
  'LAB-30': 'lab-technician',
  'RSO-35': 'radiation-safety-officer',
  'HR-40': 'hr-partner',
};

const BOS = 'Boston General';
const CAM = 'Cambridge Clinic';
const row = (start: string, jobs: string[], department: string, location: string, manager: string | null, status: JobRow['status'] = 'active', action = 'HIRE'): JobRow => ({
  start,
  jobs,
  department,
  location,
  manager,
  status,
  action,
});

const FUTURE_DATE = SAMPLE_FUTURE_DATE;
const PENDING_START = SAMPLE_PENDING_START;

function cast(changed: boolean): Worker[] {
  const workers: Worker[] = [
    { id: '1001', first: 'Grace', last: 'Hopper', hireDate: '2012-04-02', rows: [row('2012-04-02', ['EXEC-01'], 'Nursing Administration', BOS, null)] },
    {
      id: '1002',
      first: 'Florence',
      last: 'Nightingale',
      hireDate: '2015-09-14',
      rows: [row('2015-09-14', ['RN-01'], 'ICU', BOS, '1001'), row('2020-03-01', ['NM-03'], 'ICU', BOS, '1001', 'active', 'PROMOTION')],
    },
    { id: '1003', first: 'Mary', last: 'Seacole', hireDate: '2017-01-09', rows: [row('2017-01-09', ['CN-02', 'RN-01'], 'ICU', BOS, '1002')] },
    {
      id: '1004',
      first: 'Clara',
      last: 'Barton',
      hireDate: '2019-06-03',
      rows: [row('2019-06-03', ['RN-01'], 'ICU', BOS, '1003'), ...(changed ? [row('2026-11-25', ['RN-01'], 'Emergency', BOS, '1007', 'active', 'TRANSFER')] : [])],
    },
    {
      id: '1005',
      first: 'Virginia',
      last: 'Henderson',
      hireDate: '2021-02-15',
      rows: [row('2021-02-15', ['RN-01'], 'ICU', BOS, '1003'), row('2026-10-05', ['RN-01'], 'ICU', BOS, '1003', 'on_leave', 'LEAVE')],
    },
    {
      id: '1006',
      first: 'Dorothea',
      last: 'Dix',
      hireDate: '2018-11-19',
      ...(changed ? { terminationDate: '2026-11-26' } : {}),
      rows: [row('2018-11-19', ['RN-01'], 'Emergency', BOS, '1007'), ...(changed ? [row('2026-11-27', ['RN-01'], 'Emergency', BOS, '1007', 'terminated', 'TERMINATION')] : [])],
    },
    { id: '1007', first: 'Lillian', last: 'Wald', hireDate: '2014-03-03', rows: [row('2014-03-03', ['NM-03'], 'Emergency', BOS, '1001')] },
    {
      id: '1008',
      first: 'Mary',
      last: 'Breckinridge',
      hireDate: '2020-08-24',
      terminationDate: '2026-10-31',
      rows: [row('2020-08-24', ['RN-01'], 'Emergency', BOS, '1007'), row('2026-11-01', ['RN-01'], 'Emergency', BOS, '1007', 'terminated', 'TERMINATION')],
    },
    { id: '1009', first: 'Elizabeth', last: 'Blackwell', hireDate: '2016-05-16', rows: [row('2016-05-16', ['MD-10'], 'Internal Medicine', CAM, '1010')] },
    { id: '1010', first: 'Charles', last: 'Drew', hireDate: '2009-01-05', rows: [row('2009-01-05', ['EXEC-02'], 'Medical Administration', BOS, null)] },
    { id: '1011', first: 'Alexander', last: 'Fleming', hireDate: '2013-07-01', rows: [row('2013-07-01', ['PHARM-20'], 'Pharmacy', BOS, '1010')] },
    { id: '1012', first: 'Rosalind', last: 'Franklin', hireDate: '2022-01-10', rows: [row('2022-01-10', ['LAB-30'], 'Laboratory', CAM, '1010')] },
    { id: '1013', first: 'Marie', last: 'Curie', hireDate: '2010-10-01', rows: [row('2010-10-01', ['LAB-30', 'RSO-35'], 'Radiology', CAM, '1010')] },
    { id: '1014', first: 'Joseph', last: 'Lister', hireDate: '2011-02-28', rows: [row('2011-02-28', ['MD-10'], 'Surgery', BOS, '1010')] },
    { id: '1015', first: 'Frances', last: 'Perkins', hireDate: '2019-09-09', rows: [row('2019-09-09', ['HR-40'], 'Human Resources', BOS, '1010')] },
    { id: '1016', first: 'Mae', last: 'Jemison', hireDate: '2026-11-16', rows: [row('2026-11-16', ['RN-01'], 'ICU', BOS, '1003')] },
    {
      id: '1017',
      first: 'Jonas',
      last: 'Salk',
      hireDate: '2024-04-01',
      rows: [row('2024-04-01', ['MD-10'], 'Internal Medicine', CAM, '1009'), row(FUTURE_DATE, ['MD-11'], 'Infectious Diseases', CAM, '1009', 'active', 'TRANSFER')],
    },
    { id: '1018', first: 'Katherine', last: 'Johnson', hireDate: '2023-03-13', rows: [row('2023-03-13', ['PHARM-20'], 'Pharmacy', CAM, '1011')] },
    { id: '1019', first: 'Walter', last: 'Reed', hireDate: '2025-05-05', rows: [row('2025-05-05', ['MD-10'], 'Surgery', BOS, '1010')], bad: true },
    { id: '1020', first: 'Linda', last: 'Richards', hireDate: '2025-06-02', rows: [row('2025-06-02', ['RN-01'], 'Emergency', BOS, '1007')], bad: true },
  ];
  if (changed) workers.push({ id: '1021', first: 'Ida', last: 'Gray', hireDate: '2026-11-23', rows: [row('2026-11-23', ['RN-01'], 'Emergency', BOS, '1007')] });
  return workers;
}

/** The export day of each version: the flat (not effective-dated) files show the row in effect then. */
const EXPORTED = { first: '2026-11-20', changed: '2026-11-27' };

function current(worker: Worker, day: string): JobRow {
  return worker.rows.filter((r) => r.start <= day).pop()!;
}

const email = (w: Worker) => `${w.first.toLowerCase()}.${w.last.toLowerCase()}@${DOMAIN}`;
const byId = (workers: Worker[], id: string | null) => workers.find((w) => w.id === id);
const fullName = (w: Worker | undefined) => (w ? `${w.first} ${w.last}` : '');

// ------------------------------------------------------------------------------------------ Workday

function workday(changed: boolean): string {
  const day = changed ? EXPORTED.changed : EXPORTED.first;
  const workers = cast(changed);
  const entries = workers.map((w) => {
    const r = current(w, day);
    const manager = byId(workers, r.manager);
    const supervisor = r.manager === null ? w : manager!;
    const entry: Record<string, unknown> = {
      Employee_ID: w.id,
      Worker: `${w.first} ${w.last}`,
      Email_Address: email(w),
      Hire_Date: w.hireDate,
      ...(w.terminationDate ? { Termination_Date: w.terminationDate } : {}),
      Job_Code: r.jobs[0],
      Job_Profile: TITLES[r.jobs[0]!],
      Position: `P-${w.id.slice(1)} ${TITLES[r.jobs[0]!]}`,
      Supervisory_Organization: `${r.department} (${fullName(supervisor)})`,
      Location: r.location,
      ...(manager ? { Manager_ID: manager.id, Manager: fullName(manager) } : {}),
      Worker_Status: { active: 'Active', on_leave: 'On Leave', terminated: 'Terminated' }[r.status],
      Active_Status: r.status === 'terminated' ? '0' : '1',
      On_Leave: r.status === 'on_leave' ? '1' : '0',
      ...(r.jobs.length > 1 ? { Additional_Jobs_group: r.jobs.slice(1).map((code) => ({ Job_Code: code, Job_Profile: TITLES[code] })) } : {}),
    };
    if (w.id === '1019') delete entry.Employee_ID; // bad: no Employee_ID
    if (w.id === '1020') entry.Hire_Date = '2026-02-30'; // bad: no such day
    return entry;
  });
  return `${JSON.stringify({ Report_Entry: entries }, null, 2)}\n`;
}

// --------------------------------------------------------------------------------- SuccessFactors

const odata = (day: string) => `/Date(${Date.parse(`${day}T00:00:00Z`)})/`;
const EMPL_STATUS = { active: { id: '6021', code: 'A' }, on_leave: { id: '6024', code: 'U' }, terminated: { id: '6027', code: 'T' } } as const;
/** Mary Seacole's user id differs from her person id: her reports' managerId is "mseacole". */
const userIdOf = (id: string) => (id === '1003' ? 'mseacole' : id);

function successFactors(changed: boolean): string {
  const workers = cast(changed);
  const results = workers.map((w) => {
    const userId = userIdOf(w.id);
    const uri = (entity: string, key: string) => ({ uri: `https://api4.successfactors.com/odata/v2/${entity}(${key})`, type: `SFOData.${entity}` });
    const jobRows = w.rows.map((r, i) => {
      const next = w.rows[i + 1];
      const manager = byId(workers, r.manager);
      const status = w.id === '1020' ? { id: '6099', code: 'X' } : EMPL_STATUS[r.status]; // 1020 bad: unknown status code
      return {
        __metadata: uri('EmpJob', `seqNumber=1L,startDate=datetime'${r.start}T00:00:00',userId='${userId}'`),
        userId,
        startDate: odata(r.start),
        endDate: next ? odata(new Date(Date.parse(`${next.start}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10)) : odata('9999-12-31'),
        seqNumber: '1',
        eventReason: r.action === 'HIRE' ? 'HIRNEW' : r.action === 'TERMINATION' ? 'TERRESIG' : r.action === 'LEAVE' ? 'LOAUNPAID' : r.action === 'PROMOTION' ? 'PROPROMO' : 'DATACHG',
        jobCode: r.jobs[0],
        jobTitle: TITLES[r.jobs[0]!],
        department: r.department.toUpperCase().replace(/[^A-Z]+/g, '_'),
        departmentNav: { __metadata: uri('FODepartment', r.department), name: r.department },
        location: r.location === BOS ? 'BOS_GEN' : 'CAM_CLN',
        locationNav: { __metadata: uri('FOLocation', r.location), name: r.location },
        managerId: manager ? userIdOf(manager.id) : 'NO_MANAGER',
        // Katherine Johnson's extract lacks the expansion: the managerId (a userId equal to the person id) stands in.
        managerUserNav: manager && w.id !== '1018' ? { __metadata: uri('User', `'${userIdOf(manager.id)}'`), userId: userIdOf(manager.id), empInfo: { personIdExternal: manager.id } } : null,
        emplStatus: status.id,
        emplStatusNav: { __metadata: uri('PicklistOption', status.id), id: status.id, externalCode: status.code },
      };
    });
    return {
      __metadata: uri('User', `'${userId}'`),
      userId,
      username: userId === w.id ? `${w.first[0]}${w.last}`.toLowerCase() : userId,
      firstName: w.first,
      lastName: w.last,
      email: w.id === '1019' ? `walter.reed(at)${DOMAIN}` : email(w), // 1019 bad: not an e-mail address
      status: w.terminationDate ? 'inactive' : 'active',
      empInfo: {
        __metadata: uri('EmpEmployment', `personIdExternal='${w.id}',userId='${userId}'`),
        personIdExternal: w.id,
        userId,
        startDate: odata(w.hireDate),
        endDate: w.terminationDate ? odata(w.terminationDate) : null,
        jobInfoNav: { results: jobRows },
      },
    };
  });
  // SuccessFactors writes /Date(…)/ with escaped slashes.
  return `${JSON.stringify({ d: { results: results, __next: null } }, null, 2).replace(/"\/Date\((-?\d+)\)\/"/g, '"\\/Date($1)\\/"')}\n`;
}

// ------------------------------------------------------------------------------------------ Oracle

function oracle(changed: boolean): string {
  const workers = cast(changed);
  const items = workers.map((w, n) => {
    const personId = 300000047100000 + Number(w.id);
    const assignments = w.rows.map((r, i) => {
      const next = w.rows[i + 1];
      const manager = byId(workers, r.manager);
      return {
        AssignmentId: 300000047200000 + Number(w.id),
        AssignmentNumber: `E${w.id}`,
        AssignmentName: TITLES[r.jobs[0]!],
        ActionCode: r.action === 'LEAVE' ? 'ASG_CHANGE' : r.action,
        EffectiveStartDate: w.id === '1020' ? '2025-13-02' : r.start, // 1020 bad: no 13th month
        EffectiveEndDate: next ? new Date(Date.parse(`${next.start}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10) : '4712-12-31',
        EffectiveSequence: 1,
        EffectiveLatestChange: 'Y',
        AssignmentStatusType: { active: 'ACTIVE', on_leave: 'SUSPENDED', terminated: 'INACTIVE' }[r.status],
        AssignmentType: 'E',
        BusinessUnitName: 'Northwind Health BU',
        JobCode: r.jobs[0],
        DepartmentName: r.department,
        LocationCode: r.location,
        PrimaryFlag: true,
        managers: manager
          ? [
              {
                ManagerAssignmentNumber: `E${manager.id}`,
                ManagerType: 'LINE_MANAGER',
                // Some extracts (a BI-based feed) carry the person number as well.
                ...(w.id === '1004' || w.id === '1017' ? { ManagerPersonNumber: manager.id } : {}),
              },
            ]
          : [],
      };
    });
    return {
      PersonId: personId,
      PersonNumber: w.id,
      DateOfBirth: null,
      CreationDate: `${w.hireDate}T09:00:00+00:00`,
      names:
        w.id === '1019'
          ? [] // 1019 bad: no name record
          : [{ PersonNameId: personId + 1, EffectiveStartDate: w.hireDate, EffectiveEndDate: '4712-12-31', LegislationCode: 'US', FirstName: w.first, LastName: w.last, DisplayName: `${w.first} ${w.last}`, NameType: 'GLOBAL' }],
      emails: [{ EmailAddressId: personId + 2, EmailType: 'W1', EmailAddress: email(w), PrimaryFlag: true }],
      workRelationships: [
        {
          PeriodOfServiceId: personId + 3,
          LegalEmployerName: 'Northwind Health US',
          WorkerType: 'E',
          PrimaryFlag: true,
          StartDate: w.hireDate,
          TerminationDate: w.terminationDate ?? null,
          assignments,
        },
      ],
      links: [{ rel: 'self', href: `https://hcm.example.oraclecloud.com/hcmRestApi/resources/11.13.18.05/workers/${n}`, name: 'workers', kind: 'item' }],
    };
  });
  return `${JSON.stringify({ items, count: items.length, hasMore: false, limit: 500, offset: 0, links: [] }, null, 2)}\n`;
}

// ----------------------------------------------------------------------------------------- BambooHR

function bamboo(changed: boolean): string {
  const day = changed ? EXPORTED.changed : EXPORTED.first;
  const workers = cast(changed);
  const employees = workers.map((w) => {
    const r = current(w, day);
    return {
      id: w.id,
      employeeNumber: `NW-${w.id}`,
      firstName: w.id === '1019' ? '' : w.first, // 1019 bad: no name
      lastName: w.id === '1019' ? '' : w.id === '1020' ? 'Rich\u0007ards' : w.last, // 1020 bad: a control character
      workEmail: email(w),
      department: r.department,
      location: r.location,
      jobTitle: TITLES[r.jobs[0]!],
      hireDate: w.hireDate,
      terminationDate: w.terminationDate ?? '0000-00-00',
      status: r.status === 'terminated' ? 'Inactive' : 'Active',
      employmentHistoryStatus: r.status === 'terminated' ? 'Terminated' : r.status === 'on_leave' ? 'Leave of Absence' : 'Full-Time',
      supervisorEId: r.manager ?? '',
      supervisor: fullName(byId(workers, r.manager)),
    };
  });
  const fields = [
    ['employeeNumber', 'text', 'Employee #'],
    ['firstName', 'text', 'First Name'],
    ['lastName', 'text', 'Last Name'],
    ['workEmail', 'email', 'Work Email'],
    ['department', 'list', 'Department'],
    ['location', 'list', 'Location'],
    ['jobTitle', 'list', 'Job Title'],
    ['hireDate', 'date', 'Hire Date'],
    ['terminationDate', 'date', 'Termination Date'],
    ['status', 'status', 'Status'],
    ['employmentHistoryStatus', 'list', 'Employment Status'],
    ['supervisorEId', 'int', 'Supervisor EID'],
    ['supervisor', 'employee', 'Supervisor'],
  ].map(([id, type, name]) => ({ id, type, name }));
  return `${JSON.stringify({ title: 'trainhub export', fields, employees }, null, 2)}\n`;
}

// ---------------------------------------------------------------------------------- unified HRIS

const uuidOf = (id: string, kind = 'e') => `${kind === 'e' ? 'a1b2c3d4' : 'f0e1d2c3'}-0000-4000-8000-${id.padStart(12, '0')}`;

function unified(changed: boolean): string {
  const day = changed ? EXPORTED.changed : EXPORTED.first;
  const workers = cast(changed);
  // A hire in PENDING state: starts after the export day (the unified model's future-dated hire).
  workers.push({ id: '1022', first: 'Hazel', last: 'Johnson', hireDate: PENDING_START, rows: [row(PENDING_START, ['RN-01'], 'ICU', BOS, '1003')] });
  const results = workers.map((w) => {
    const r = w.rows[0]!.start > day ? w.rows[0]! : current(w, day);
    const manager = byId(workers, r.manager);
    const status = w.rows[0]!.start > day ? 'PENDING' : r.status === 'terminated' ? 'INACTIVE' : 'ACTIVE'; // the model has no leave
    return {
      id: uuidOf(w.id),
      remote_id: w.id === '1019' ? null : w.id, // 1019 bad: no remote id
      employee_number: w.id,
      company: 'c0ffee00-0000-4000-8000-000000000001',
      first_name: w.first,
      last_name: w.last,
      display_full_name: `${w.first} ${w.last}`,
      username: `${w.first[0]}${w.last}`.toLowerCase(),
      work_email: w.id === '1020' ? `linda.richards@northwind` : email(w), // 1020 bad: no top-level domain
      personal_email: null,
      groups: [{ id: uuidOf(w.id, 'g'), remote_id: `DEP-${r.department.length}`, name: r.department, type: 'DEPARTMENT' }],
      work_location: { id: uuidOf(r.location === BOS ? '1' : '2', 'g'), name: r.location, location_type: 'WORK' },
      manager: manager ? { id: uuidOf(manager.id), remote_id: manager.id, first_name: manager.first, last_name: manager.last, work_email: email(manager) } : null,
      team: null,
      employments: r.jobs.map((code, i) => ({ id: uuidOf(`${w.id}${i}`, 'g'), remote_id: `${w.id}-${i + 1}`, job_title: TITLES[code], employment_type: 'FULL_TIME' })),
      employment_status: status,
      start_date: `${w.hireDate}T00:00:00Z`,
      hire_date: `${w.hireDate}T00:00:00Z`,
      termination_date: w.terminationDate ? `${w.terminationDate}T00:00:00Z` : null,
      remote_was_deleted: false,
      modified_at: `${day}T06:00:00Z`,
    };
  });
  return `${JSON.stringify({ next: null, previous: null, results }, null, 2)}\n`;
}

// -------------------------------------------------------------------------------------- generic CSV

function csvCell(value: string, quoteAlways = false): string {
  return quoteAlways || /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function genericCsv(changed: boolean): string {
  const day = changed ? EXPORTED.changed : EXPORTED.first;
  const lines = ['external_id,email,name,department,location,manager_external_id,roles,hire_date,termination_date,status'];
  for (const w of cast(changed)) {
    if (changed && w.id === '1006') continue; // the leaver of the changed snapshot is simply absent
    const r = current(w, day);
    const cells = [
      w.id,
      email(w),
      `${w.first} ${w.last}`,
      r.department,
      csvCell(r.location, r.location === CAM),
      r.manager ?? '',
      r.jobs.map((code) => ROLE_KEYS[code]).join(';'),
      w.id === '1019' ? '2026-02-30' : w.hireDate, // 1019 bad: no such day
      w.terminationDate ?? '',
      r.status,
    ];
    lines.push(w.id === '1020' ? cells.slice(0, 7).join(',') : cells.join(',')); // 1020 bad: the line stops after roles
  }
  // Excel's "CSV UTF-8": a byte-order mark and CRLF line ends.
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

// --------------------------------------------------------------------------------------- transcript

function transcript(changed: boolean): string {
  const rows = [
    'person,course,completed_at,score,passed,record_id',
    '1004,hand-hygiene,2026-03-14T10:22:00Z,92,yes,LMS-000101',
    '1004,bls,2025-11-02,,passed,LMS-000102',
    `grace.hopper@${DOMAIN},fire-safety,2026-01-20T08:00:00-05:00,100,true,LMS-000103`,
    '1005,hand-hygiene,2026-02-11T14:05:00Z,64,failed,LMS-000104',
    '1005,hand-hygiene,2026-02-12T09:30:00Z,88,passed,LMS-000105',
    '1013,radiation-safety,2026-06-30,95,,LMS-000106',
    '1012,bloodborne-pathogens,2026-05-05,81,yes,LMS-000107',
    '1012,bloodborne-pathogens,2026-05-05,81,yes,LMS-000107',
    '1011,controlled-substances,2025-12-01T16:45:00Z,77,yes,LMS-000108',
    '1016,hand-hygiene,2026-11-20T11:00:00Z,90,yes,LMS-000109',
    `JONAS.SALK@${DOMAIN.toUpperCase()},bls,2026-09-09,,yes,LMS-000110`,
    '1009,hand-hygiene,2026-02-30,90,yes,LMS-000111',
    '1014,fire-safety,2026-04-01,150,yes,LMS-000112',
    ',bls,2026-04-01,80,yes,LMS-000113',
  ];
  if (changed) {
    rows.push('1021,hand-hygiene,2026-11-24T09:15:00Z,85,yes,LMS-000114', '1004,fire-safety,2026-11-25,97,yes,LMS-000115', '1018,controlled-substances,2026-11-26T13:00:00Z,58,no,LMS-000116');
  }
  return `${rows.join('\n')}\n`;
}

const here = __dirname;
const files: Record<string, string> = {
  'workday-raas.json': workday(false),
  'workday-raas-changed.json': workday(true),
  'successfactors-odata.json': successFactors(false),
  'successfactors-odata-changed.json': successFactors(true),
  'oracle-hcm-workers.json': oracle(false),
  'oracle-hcm-workers-changed.json': oracle(true),
  'bamboohr.json': bamboo(false),
  'bamboohr-changed.json': bamboo(true),
  'unified-hris.json': unified(false),
  'unified-hris-changed.json': unified(true),
  'generic.csv': genericCsv(false),
  'generic-changed.csv': genericCsv(true),
  'lms-transcript.csv': transcript(false),
  'lms-transcript-changed.csv': transcript(true),
};

if (require.main === module) {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(here, name), text);
  console.log(`wrote ${Object.keys(files).length} files to ${here}`);
}
