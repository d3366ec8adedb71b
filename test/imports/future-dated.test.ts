import { TestWorkflowEnvironment } from '@temporalio/testing';
import { dayIn, localTime } from '../../src/domain/time-zones';
import { applyImport } from '../../src/services/imports/apply';
import { diffRun } from '../../src/services/imports/diff';
import { stageRun } from '../../src/services/imports/staging';
import { temporalTestServerPath } from '../../src/temporal/binaries';
import { importRunStateQuery, type ImportStep } from '../../src/workflows/import-run';
import { createTenant, givenCatalog } from '../support/builders';
import { installTestRuntime, startHarness, type Harness } from '../support/harness';
import { apiClient } from '../support/http';
import { genericCsv, GENERIC_COLUMNS, receivedRun, sendFile, waitForRun } from './runs-support';

/**
 * Days pass in seconds on the time-skipping server. An HR file may say that a change takes effect
 * later: a transfer from a day ten days ahead, a leaver's last day three days ahead. Everything else in
 * the file applies at once; each dated change waits on the run's durable timer and applies at 09:00
 * (the tenant's time zone, New York here) on its day — not a minute before — and the run completes
 * when the last has applied.
 */
describe('future-dated changes', () => {
  let env: TestWorkflowEnvironment;
  let h: Harness;
  beforeAll(async () => {
    installTestRuntime();
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } });
    h = await startHarness({ temporal: { client: env.client, nativeConnection: env.nativeConnection } });
  });
  afterAll(async () => {
    await h?.close();
    await env?.teardown();
  });

  const ZONE = 'America/New_York';
  const DAY = 86_400_000;
  const plusDays = (iso: string, n: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);

  test('a transfer dated ten days ahead applies on that day at 09:00 tenant time, a termination three days ahead on its day, the rest at once', async () => {
    const { tenantId, apiKey } = await createTenant(h.db);
    const api = apiClient(h.baseUrl, apiKey);
    await givenCatalog(h.db, tenantId, {
      programs: { privacy: ['hipaa-basics'], 'forklift-license': ['forklift-safety'] },
      roles: { nurse: [{ program: 'privacy', dueOffsetDays: 30 }], 'warehouse-operator': [{ program: 'forklift-license', dueOffsetDays: 30 }] },
    });
    await h.db.notificationPolicy.create({ data: { tenantId, timeZone: ZONE } });
    // The tenant's HR export has an effective_date column: the generic profile, with that field.
    const generic = (await api.get('/api/v1/import-profiles/generic-csv')).body.definition;
    const saved = await api.put('/api/v1/import-profiles/hr-export', {
      ...generic,
      csv: { ...generic.csv, optionalColumns: [...generic.csv.optionalColumns, 'effective_date'] },
      fields: { ...generic.fields, effectiveDate: { from: 'effective_date' } },
    });
    expect(saved.status).toBe(201);

    const today = dayIn(await env.currentTimeMs(), ZONE);
    const staff = [
      { id: 'E-1', roles: ['nurse'], department: 'ICU', hired: today },
      { id: 'E-2', roles: ['nurse'], department: 'ICU', hired: today },
    ];
    const first = await sendFile(h, apiKey, genericCsv(staff), { profile: 'hr-export', mode: 'snapshot' });
    expect(first.status).toBe(202);
    await waitForRun(h, apiKey, first.body.id, ['completed']);

    // E-1 moves to the warehouse in ten days; E-2 leaves in three (their last day); E-3 joins today.
    const transferDay = plusDays(today, 10);
    const leavingDay = plusDays(today, 3);
    const rows = [
      [...GENERIC_COLUMNS, 'effective_date'].join(','),
      ['E-1', 'e-1@example.com', 'Person E-1', 'Logistics', '', '', 'warehouse-operator', today, '', 'active', transferDay].join(','),
      ['E-2', 'e-2@example.com', 'Person E-2', 'ICU', '', '', 'nurse', today, leavingDay, 'active', ''].join(','),
      ['E-3', 'e-3@example.com', 'Person E-3', 'ICU', '', '', 'nurse', today, '', 'active', ''].join(','),
    ];
    const sent = await sendFile(h, apiKey, `${rows.join('\r\n')}\r\n`, { profile: 'hr-export', mode: 'delta' });
    expect(sent.status).toBe(202);
    const handle = h.temporal.workflow.getHandle(sent.body.workflowId);
    const step = async (expected: (s: ImportStep) => boolean): Promise<ImportStep> => {
      let last: ImportStep | null = null;
      for (let i = 0; i < 300; i++) {
        last = await handle.query(importRunStateQuery).catch(() => null);
        if (last && expected(last)) return last;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`the import run never got there; last seen ${JSON.stringify(last)}`);
    };
    const person = (externalId: string) =>
      h.db.person.findFirstOrThrow({ where: { tenantId, externalId }, select: { status: true, department: true, roles: { select: { role: { select: { key: true } } } } } });
    const roles = async (externalId: string) => (await person(externalId)).roles.map((r) => r.role.key).sort();
    const run = async () => (await api.get(`/api/v1/imports/${sent.body.id}`)).body;
    const now = () => env.currentTimeMs();
    const sleepUntil = async (ms: number) => {
      const current = await now();
      if (ms > current) await env.sleep(ms - current);
    };

    // Today: E-3 is hired at once; the two dated changes wait for 09:00 New York time on the leaving day.
    const leavingAt = localTime(leavingDay, 9, ZONE);
    const transferAt = localTime(transferDay, 9, ZONE);
    await step((s) => s.state === 'applying' && s.nextChangeAt === new Date(leavingAt).toISOString());
    expect(await run()).toMatchObject({ state: 'applying', counts: { created: 1, updated: 1, terminated: 1, futureDated: 2 }, progress: { applied: 1, toApply: 3 } });
    expect(await person('E-3')).toMatchObject({ status: 'active' });
    expect(await person('E-2')).toMatchObject({ status: 'active' });
    expect(await roles('E-1')).toEqual(['nurse']);

    // A minute before 09:00 on the leaving day: nothing yet. Just after: E-2 has left, E-1 still waits.
    await sleepUntil(leavingAt - 60_000);
    expect(await person('E-2')).toMatchObject({ status: 'active' });
    await sleepUntil(leavingAt + 60_000);
    await step((s) => s.nextChangeAt === new Date(transferAt).toISOString());
    expect(await person('E-2')).toMatchObject({ status: 'terminated' });
    expect(await run()).toMatchObject({ state: 'applying', progress: { applied: 2, toApply: 3 } });
    expect(await person('E-1')).toMatchObject({ department: 'ICU' });

    // The transfer: not at 08:59 on its day, then at 09:00.
    await sleepUntil(transferAt - 60_000);
    expect(await roles('E-1')).toEqual(['nurse']);
    expect((await run()).state).toBe('applying');
    await sleepUntil(transferAt + 60_000);
    await step((s) => s.state === 'completed');
    expect(await roles('E-1')).toEqual(['warehouse-operator']);
    expect(await person('E-1')).toMatchObject({ department: 'Logistics' });
    expect(await run()).toMatchObject({ state: 'completed', progress: { applied: 3, toApply: 3 } });
    // The new role's training is assigned by the transfer.
    const forklift = await h.db.assignment.findFirstOrThrow({ where: { tenantId, person: { externalId: 'E-1' }, program: { key: 'forklift-license' } } });
    expect(forklift.status).toBe('assigned');
  });

  test('changes of several days that are all due at once (the worker was away) apply day by day: a leave, then the return', async () => {
    const { tenantId, apiKey } = await createTenant(h.db);
    const api = apiClient(h.baseUrl, apiKey);
    await givenCatalog(h.db, tenantId, { programs: { privacy: ['hipaa-basics'] }, roles: { nurse: [{ program: 'privacy', dueOffsetDays: 30 }] } });
    const generic = (await api.get('/api/v1/import-profiles/generic-csv')).body.definition;
    await api.put('/api/v1/import-profiles/hr-export', {
      ...generic,
      csv: { ...generic.csv, optionalColumns: [...generic.csv.optionalColumns, 'effective_date'] },
      fields: { ...generic.fields, effectiveDate: { from: 'effective_date' } },
    });
    const today = dayIn(Date.now(), 'UTC');
    const line = (status: string, effective: string) => ['E-1', 'e-1@example.com', 'Person E-1', 'ICU', '', '', 'nurse', today, '', status, effective].join(',');
    // Active now; on leave from the 3rd day; back on the 10th. The run's own process is not started here:
    // its step is called directly, as if it woke up only on the 12th day.
    const file = [[...GENERIC_COLUMNS, 'effective_date'].join(','), line('active', ''), line('on_leave', plusDays(today, 3)), line('active', plusDays(today, 10))].join('\r\n');
    const run = { id: await receivedRun(h, tenantId, `${file}\r\n`, { mode: 'delta', profileName: 'hr-export' }) };
    await stageRun(h.db, tenantId, run.id);
    expect(await diffRun(h.db, tenantId, run.id)).toMatchObject({ state: 'applying' });
    const changes = await h.db.importChange.findMany({ where: { runId: run.id }, orderBy: { line: 'asc' }, select: { kind: true, effectiveDate: true } });
    expect(changes.map((c) => `${c.kind} ${c.effectiveDate?.toISOString().slice(0, 10) ?? 'now'}`)).toEqual(['hire now', `leave ${plusDays(today, 3)}`, `return ${plusDays(today, 10)}`]);

    const delivery = { taskQueue: h.taskQueue, deliverNow: async () => undefined };
    const step = await applyImport(h.db, delivery, { tenantId, runId: run.id, at: Date.parse(`${plusDays(today, 12)}T12:00:00Z`) });

    expect(step).toEqual({ state: 'completed', nextChangeAt: null });
    expect(await h.db.person.findFirstOrThrow({ where: { tenantId, externalId: 'E-1' } })).toMatchObject({ status: 'active', leaveStartedAt: null });
    const events = await h.db.hrEvent.findMany({ where: { tenantId }, orderBy: { receivedAt: 'asc' }, select: { type: true } });
    expect(events.map((e) => e.type)).toEqual(['hire', 'leave', 'return']);
    await h.db.processCommand.deleteMany({ where: { taskQueue: `nobody-${tenantId}` } });
  });
});
