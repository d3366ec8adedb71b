import { createTenant, daysFromToday, givenCatalog } from '../support/builders';
import { readFile } from 'node:fs/promises';
import { startHarness, type Harness } from '../support/harness';
import { Prisma } from '../../src/db/client';
import { changesWithEvents } from '../../src/services/imports/change-events';
import { profileSource } from '../../src/services/imports/profiles';
import { samplePath, SAMPLE_FUTURE_DATE } from './samples';
import { errorsCsv } from './runs-support';
import { genericCsv, sendFile, waitForRun, type Worker } from './runs-support';

/**
 * An HR file compared with what trainhub holds: the first import of a population hires everyone;
 * a second, changed file yields exactly the hires, transfers, leaves, returns and terminations that
 * tell the difference — each as the HR event the existing rules apply, one per person and kind.
 * A snapshot is everyone (whom it lacks has left); a delta file only speaks of whom it names.
 */
describe('the diff of an import', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  async function tenantWithRoles() {
    const tenant = await createTenant(h.db);
    await givenCatalog(h.db, tenant.tenantId, {
      roles: { nurse: [{ program: 'hygiene', dueOffsetDays: 14 }], doctor: [{ program: 'hygiene', dueOffsetDays: 14 }], pharmacist: [] },
      programs: { hygiene: ['hand-hygiene'] },
    });
    return tenant;
  }

  /** The run's changes as [external id, kind, the event's person, effective day], in a stable order. */
  async function changesOf(runId: string) {
    const rows = await h.db.importChange.findMany({ where: { runId }, orderBy: [{ externalId: 'asc' }, { kind: 'asc' }] });
    const run = await h.db.importRun.findUniqueOrThrow({ where: { id: runId } });
    const events = new Map((await changesWithEvents(h.db, runId, profileSource(run.profile as never, run.profileName), Prisma.sql`true`)).map((e) => [`${e.line}:${e.kind}`, e.payload]));
    return rows.map((c) => {
      const payload = events.get(`${c.line}:${c.kind}`) as { type: string; source: string; eventId: string; person: Record<string, unknown> };
      expect(payload.type).toBe(c.kind);
      expect(payload.eventId).toBe(c.line >= 2_000_000_000 ? `import:${runId}:absent:${c.externalId}` : `import:${runId}:${c.line}:${c.kind}`);
      return [c.externalId, c.kind, payload.person, c.effectiveDate?.toISOString().slice(0, 10) ?? null];
    });
  }

  async function peopleOf(tenantId: string) {
    const people = await h.db.person.findMany({
      where: { tenantId },
      include: { roles: { include: { role: true } }, manager: true },
      orderBy: { externalId: 'asc' },
    });
    return people.map((p) => ({
      externalId: p.externalId,
      source: p.source,
      email: p.email,
      name: p.name,
      department: p.department,
      manager: p.manager?.externalId ?? null,
      roles: p.roles.map((r) => r.role.key).sort(),
      status: p.status,
    }));
  }

  const FIRST: Worker[] = [
    { id: 'E-1', name: 'Ada Boss', department: 'Board', roles: ['doctor'] },
    { id: 'E-2', name: 'Bea Nurse', department: 'Ward 1', manager: 'E-1', roles: ['nurse'] },
    { id: 'E-3', name: 'Cem Nurse', department: 'Ward 1', manager: 'E-1', roles: ['nurse'] },
    { id: 'E-4', name: 'Dov Pharma', department: 'Pharmacy', manager: 'E-1', roles: ['pharmacist'] },
    { id: 'E-5', name: 'Eli Leave', department: 'Ward 2', manager: 'E-2', roles: ['nurse'], status: 'on_leave' },
    { id: 'E-6', name: 'Fay Away', department: 'Ward 2', manager: 'E-2', roles: ['nurse'], status: 'on_leave' },
    { id: 'E-7', name: 'Gil Stay', department: 'Ward 2', manager: 'E-2', roles: ['nurse'] },
    { id: 'E-0', name: 'Old Leaver', status: 'terminated', terminated: '2023-12-31' },
  ];

  test('the first import of a population hires everyone, managers resolved, leavers trainhub never knew left out', async () => {
    const { tenantId, apiKey } = await tenantWithRoles();

    const sent = await sendFile(h, apiKey, genericCsv(FIRST), { mode: 'snapshot' });
    const run = await waitForRun(h, apiKey, sent.body.id, ['completed']);

    expect(run.counts).toEqual({
      rows: 8, rejected: 0, created: 7, rehired: 0, updated: 0, onLeave: 2, returned: 0, terminated: 0, absent: 0, unchanged: 1, futureDated: 0, refused: 0,
    });
    expect(run.progress).toEqual({ applied: 9, toApply: 9 });
    const changes = await changesOf(run.id);
    expect(changes.map(([id, kind]) => `${id}:${kind}`)).toEqual([
      'E-1:hire', 'E-2:hire', 'E-3:hire', 'E-4:hire', 'E-5:hire', 'E-5:leave', 'E-6:hire', 'E-6:leave', 'E-7:hire',
    ]);
    expect(changes[1]).toEqual([
      'E-2',
      'hire',
      { externalId: 'E-2', email: 'e-2@example.com', name: 'Bea Nurse', department: 'Ward 1', location: null, managerExternalId: 'E-1', hireDate: '2024-01-15', roleKeys: ['nurse'] },
      null,
    ]);
    const people = await peopleOf(tenantId);
    expect(people.map((p) => [p.externalId, p.manager, p.roles.join(','), p.status])).toEqual([
      ['E-1', null, 'doctor', 'active'],
      ['E-2', 'E-1', 'nurse', 'active'],
      ['E-3', 'E-1', 'nurse', 'active'],
      ['E-4', 'E-1', 'pharmacist', 'active'],
      ['E-5', 'E-2', 'nurse', 'on_leave'],
      ['E-6', 'E-2', 'nurse', 'on_leave'],
      ['E-7', 'E-2', 'nurse', 'active'],
    ]);
    // Recorded under the profile's source, as HR events of this run.
    expect(new Set(people.map((p) => p.source))).toEqual(new Set(['generic-csv']));
    expect(await h.db.hrEvent.count({ where: { tenantId, externalId: { startsWith: `import:${run.id}:` } } })).toBe(9);
  });

  test('a second, changed snapshot yields exactly the hires, transfers, leaves, returns and terminations', async () => {
    const { tenantId, apiKey } = await tenantWithRoles();
    const first = await sendFile(h, apiKey, genericCsv(FIRST), { mode: 'snapshot' });
    await waitForRun(h, apiKey, first.body.id, ['completed']);
    // Someone who left earlier, as trainhub knows them: they come back in the new file.
    await h.db.person.create({
      data: { tenantId, source: 'generic-csv', externalId: 'E-9', email: 'e-9@example.com', name: 'Ivy Back', hireDate: new Date('2020-01-01'), status: 'terminated', terminatedAt: new Date('2023-01-01') },
    });

    const changed: Worker[] = [
      { id: 'E-1', name: 'Ada Boss', department: 'Board', roles: ['doctor'] }, // unchanged
      { id: 'E-2', name: 'Bea Nurse', department: 'Ward 1', manager: 'E-1', roles: ['doctor', 'nurse'] }, // transfer: roles
      { id: 'E-3', name: 'Cem Nurse', email: 'cem@example.com', department: 'Ward 3', manager: 'E-2', roles: ['nurse'] }, // transfer: e-mail, department, manager
      // E-4 is missing: left (snapshot)
      { id: 'E-5', name: 'Eli Leave', department: 'Ward 2', manager: 'E-2', roles: ['nurse'] }, // return
      { id: 'E-6', name: 'Fay Away', department: 'Ward 2', manager: 'E-2', roles: ['nurse'], status: 'terminated', terminated: '2024-05-31' }, // terminate
      { id: 'E-7', name: 'Gil Stay', department: 'Ward 2', manager: 'E-2', roles: ['nurse'], status: 'on_leave' }, // leave
      { id: 'E-8', name: 'Hal New', department: 'Ward 3', manager: 'E-3', roles: ['nurse'], hired: daysFromToday(-3) }, // hire
      { id: 'E-9', name: 'Ivy Back', department: 'Ward 3', manager: 'E-3', roles: ['pharmacist'] }, // rehire
      { id: 'E-0', name: 'Old Leaver', status: 'terminated', terminated: '2023-12-31' }, // unchanged
    ];
    const second = await sendFile(h, apiKey, genericCsv(changed), { mode: 'snapshot' });
    const run = await waitForRun(h, apiKey, second.body.id, ['completed']);

    expect(await changesOf(run.id)).toEqual([
      ['E-2', 'transfer', { externalId: 'E-2', roleKeys: ['doctor', 'nurse'] }, null],
      ['E-3', 'transfer', { externalId: 'E-3', email: 'cem@example.com', department: 'Ward 3', managerExternalId: 'E-2' }, null],
      ['E-4', 'terminate', { externalId: 'E-4' }, null],
      ['E-5', 'return', { externalId: 'E-5' }, null],
      ['E-6', 'terminate', { externalId: 'E-6' }, null],
      ['E-7', 'leave', { externalId: 'E-7' }, null],
      ['E-8', 'hire', expect.objectContaining({ externalId: 'E-8', managerExternalId: 'E-3', hireDate: daysFromToday(-3), roleKeys: ['nurse'] }), null],
      ['E-9', 'hire', expect.objectContaining({ externalId: 'E-9', roleKeys: ['pharmacist'] }), null],
    ]);
    expect(run.counts).toEqual({
      rows: 9, rejected: 0, created: 1, rehired: 1, updated: 2, onLeave: 1, returned: 1, terminated: 2, absent: 1, unchanged: 2, futureDated: 0, refused: 0,
    });
    expect(run.progress).toEqual({ applied: 8, toApply: 8 });
    expect((await peopleOf(tenantId)).map((p) => [p.externalId, p.email, p.department, p.manager, p.roles.join(','), p.status])).toEqual([
      ['E-1', 'e-1@example.com', 'Board', null, 'doctor', 'active'],
      ['E-2', 'e-2@example.com', 'Ward 1', 'E-1', 'doctor,nurse', 'active'],
      ['E-3', 'cem@example.com', 'Ward 3', 'E-2', 'nurse', 'active'],
      ['E-4', 'e-4@example.com', 'Pharmacy', 'E-1', 'pharmacist', 'terminated'],
      ['E-5', 'e-5@example.com', 'Ward 2', 'E-2', 'nurse', 'active'],
      ['E-6', 'e-6@example.com', 'Ward 2', 'E-2', 'nurse', 'terminated'],
      ['E-7', 'e-7@example.com', 'Ward 2', 'E-2', 'nurse', 'on_leave'],
      ['E-8', 'e-8@example.com', 'Ward 3', 'E-3', 'nurse', 'active'],
      ['E-9', 'e-9@example.com', 'Ward 3', 'E-3', 'pharmacist', 'active'],
    ]);

    // The same population again changes nothing.
    const third = await sendFile(h, apiKey, genericCsv([...changed].reverse()), { mode: 'snapshot' });
    const quiet = await waitForRun(h, apiKey, third.body.id, ['completed']);
    expect(quiet.counts).toMatchObject({ rows: 9, created: 0, updated: 0, terminated: 0, unchanged: 9 });
    expect(await h.db.importChange.count({ where: { runId: quiet.id } })).toBe(0);
  });

  test('a hire without a hire date is hired on the day of the import', async () => {
    const { tenantId, apiKey } = await tenantWithRoles();

    const sent = await sendFile(h, apiKey, genericCsv([{ id: 'N-1', name: 'Nia Undated', roles: ['nurse'], hired: '' }]), { mode: 'delta' });
    const run = await waitForRun(h, apiKey, sent.body.id, ['completed']);

    expect((await changesOf(run.id))[0]).toEqual(['N-1', 'hire', expect.objectContaining({ externalId: 'N-1', hireDate: daysFromToday(0) }), null]);
    const person = await h.db.person.findFirstOrThrow({ where: { tenantId, externalId: 'N-1' } });
    expect(person.hireDate?.toISOString().slice(0, 10)).toBe(daysFromToday(0));
  });

  test('in delta mode absence changes nothing: only the people the file names are compared', async () => {
    const { tenantId, apiKey } = await tenantWithRoles();
    const first = await sendFile(h, apiKey, genericCsv(FIRST), { mode: 'snapshot' });
    await waitForRun(h, apiKey, first.body.id, ['completed']);

    const delta = await sendFile(h, apiKey, genericCsv([{ id: 'E-3', name: 'Cem Nurse', department: 'Ward 1', manager: 'E-1', roles: ['doctor'] }, { id: 'E-10', name: 'Jo New', roles: ['nurse'] }]), { mode: 'delta' });
    const run = await waitForRun(h, apiKey, delta.body.id, ['completed']);

    expect(run).toMatchObject({ mode: 'delta', counts: { rows: 2, created: 1, updated: 1, terminated: 0, absent: 0, unchanged: 0 } });
    expect((await changesOf(run.id)).map(([id, kind]) => `${id}:${kind}`)).toEqual(['E-10:hire', 'E-3:transfer']);
    const statuses = (await peopleOf(tenantId)).map((p) => `${p.externalId}:${p.status}`);
    expect(statuses).toEqual(['E-1:active', 'E-10:active', 'E-2:active', 'E-3:active', 'E-4:active', 'E-5:on_leave', 'E-6:on_leave', 'E-7:active']);
  });

  test('records dated after today become changes dated that day; a termination date ahead is a termination on it', async () => {
    const { apiKey } = await tenantWithRoles();
    const first = await sendFile(h, apiKey, genericCsv(FIRST.slice(0, 3)), { mode: 'delta' });
    await waitForRun(h, apiKey, first.body.id, ['completed']);
    // The tenant's own profile: generic CSV with an effective date column.
    const generic: any = await (await fetch(`${h.baseUrl}/api/v1/import-profiles/generic-csv`, { headers: { authorization: `Bearer ${apiKey}` } })).json();
    const definition = { ...generic.definition, csv: { ...generic.definition.csv, optionalColumns: [...generic.definition.csv.optionalColumns, 'effective_date'] } };
    definition.fields = { ...definition.fields, effectiveDate: { from: 'effective_date' } };
    delete definition.system;
    const saved = await fetch(`${h.baseUrl}/api/v1/import-profiles/dated-csv`, { method: 'PUT', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ ...definition, system: 'generic-csv' }) });
    expect(saved.status).toBe(201);

    const csv = [
      'external_id,email,name,department,manager_external_id,roles,hire_date,termination_date,status,effective_date',
      `E-2,e-2@example.com,Bea Nurse,Ward 9,E-1,nurse,2024-01-15,,active,${daysFromToday(10)}`,
      `E-3,e-3@example.com,Cem Nurse,Ward 1,E-1,nurse,2024-01-15,${daysFromToday(30)},active,`,
    ].join('\r\n');
    const sent = await sendFile(h, apiKey, csv, { profile: 'dated-csv', mode: 'delta' });
    const run = await waitForRun(h, apiKey, sent.body.id, ['applying', 'completed']);

    expect(run.profile).toEqual({ name: 'dated-csv', version: 1 });
    expect(run.counts).toMatchObject({ rows: 2, updated: 1, terminated: 1, futureDated: 2 });
    expect(await changesOf(run.id)).toEqual([
      ['E-2', 'transfer', { externalId: 'E-2', department: 'Ward 9' }, daysFromToday(10)],
      ['E-3', 'terminate', { externalId: 'E-3' }, daysFromToday(30)],
    ]);
  });

  test("an effective-dated source's later row (SuccessFactors) becomes a change dated its day, beside the row in effect", async () => {
    const { tenantId, apiKey } = await createTenant(h.db);
    const roles = ['exec-01', 'exec-02', 'nm-03', 'cn-02', 'rn-01', 'md-10', 'md-11', 'pharm-20', 'lab-30', 'rso-35', 'hr-40'];
    await h.db.role.createMany({ data: roles.map((key) => ({ tenantId, key, name: key })) });
    const file = await readFile(samplePath('successfactors-odata.json'));

    const sent = await sendFile(h, apiKey, file, { profile: 'successfactors-odata', mode: 'snapshot' }, 'application/json');
    expect(sent.status).toBe(202);
    const run = await waitForRun(h, apiKey, sent.body.id, ['applying', 'completed']);

    // 19 good records (Jonas Salk's two of line 17 among them) and 2 refused rows.
    expect(run.counts).toMatchObject({ rows: 21, rejected: 2, created: 17, onLeave: 1, unchanged: 1, updated: 1, futureDated: 1 });
    const salk = (await changesOf(run.id)).filter(([id]) => id === '1017');
    expect(salk).toEqual([
      ['1017', 'hire', expect.objectContaining({ roleKeys: ['md-10'], department: 'Internal Medicine' }), null],
      ['1017', 'transfer', { externalId: '1017', roleKeys: ['md-11'], department: 'Infectious Diseases' }, SAMPLE_FUTURE_DATE],
    ]);
    const errors = (await errorsCsv(h, apiKey, run.id)).text.split('\r\n').filter(Boolean);
    expect(errors.map((line) => line.split(',')[0])).toEqual(['line', '19', '20']);
  });
});
