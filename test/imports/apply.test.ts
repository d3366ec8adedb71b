import { onboardingWorkflowId } from '../../src/domain/workflow-ids';
import { applyImport, managerLevels } from '../../src/services/imports/apply';
import { diffRun } from '../../src/services/imports/diff';
import { getImportRun } from '../../src/services/imports/runs';
import { stageRun } from '../../src/services/imports/staging';
import { createTenant, daysFromToday, givenCatalog, hireEvent } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { waitForOnboarding, waitingForCompletions } from '../support/onboarding-status';
import { apiClient } from '../support/http';
import { errorsCsv, genericCsv, receivedRun, sendFile, waitForRun, type Worker } from './runs-support';

/**
 * An HR file, applied: each change the diff found goes through the rules a single HR event goes
 * through. A first snapshot hires everyone — with their roles and managers (reports listed before
 * their managers still point at them), their training assigned, their training processes started
 * and one welcome each; the next snapshot transfers, terminates and hires exactly the people whose
 * records changed, and no one else hears of it.
 */
describe('applying an import', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  async function hospital() {
    const tenant = await createTenant(h.db);
    await givenCatalog(h.db, tenant.tenantId, {
      programs: { privacy: ['hipaa-basics'], 'clinical-safety': ['infection-control'], leadership: ['leading-teams'], 'forklift-license': ['forklift-safety'] },
      roles: {
        nurse: [
          { program: 'privacy', dueOffsetDays: 14 },
          { program: 'clinical-safety', dueOffsetDays: 30 },
        ],
        'charge-nurse': [{ program: 'leadership', dueOffsetDays: 30 }],
        'warehouse-operator': [
          { program: 'privacy', dueOffsetDays: 14 },
          { program: 'forklift-license', dueOffsetDays: 7 },
        ],
      },
    });
    return tenant;
  }

  const welcomes = (email: string) => h.mail.messages.filter((m) => m.envelopeTo.includes(email) && m.subject.startsWith('Welcome aboard'));

  async function peopleOf(tenantId: string) {
    const rows = await h.db.person.findMany({
      where: { tenantId },
      include: { manager: { select: { externalId: true } }, roles: { include: { role: { select: { key: true } } } }, assignments: { include: { program: { select: { key: true } } } } },
      orderBy: { externalId: 'asc' },
    });
    return Object.fromEntries(
      rows.map((p) => [
        p.externalId,
        {
          id: p.id,
          status: p.status,
          department: p.department,
          manager: p.manager?.externalId ?? null,
          roles: p.roles.map((r) => r.role.key).sort(),
          assignments: Object.fromEntries(p.assignments.map((a) => [a.program.key, a.status])),
        },
      ]),
    );
  }

  test('a first snapshot hires everyone with roles and managers and starts their training; the next one changes exactly those whose records changed', async () => {
    const { tenantId, apiKey } = await hospital();
    // Reports come before their managers in the file; N-3 reports to N-1, who reports to M-1. All start today.
    const hired = daysFromToday(0);
    const staff: Worker[] = [
      { id: 'N-3', roles: ['nurse'], department: 'ICU', manager: 'N-1', hired },
      { id: 'N-1', roles: ['nurse', 'charge-nurse'], department: 'ICU', manager: 'M-1', hired },
      { id: 'N-2', roles: ['nurse'], department: 'ICU', manager: 'M-1', hired },
      { id: 'W-1', roles: ['warehouse-operator'], department: 'Logistics', manager: 'M-1', hired },
      { id: 'M-1', roles: ['charge-nurse'], department: 'Nursing', hired },
    ];

    const sent = await sendFile(h, apiKey, genericCsv(staff), { mode: 'snapshot', fileName: 'staff-2026-11.csv' });
    expect(sent.status).toBe(202);
    const run = await waitForRun(h, apiKey, sent.body.id, ['completed']);

    expect(run.counts).toMatchObject({ rows: 5, rejected: 0, created: 5, updated: 0, terminated: 0 });
    expect(run.progress).toEqual({ applied: 5, toApply: 5 });
    const people = await peopleOf(tenantId);
    expect(people).toMatchObject({
      'M-1': { status: 'active', manager: null, roles: ['charge-nurse'], assignments: { leadership: 'assigned' } },
      'N-1': { status: 'active', manager: 'M-1', roles: ['charge-nurse', 'nurse'], assignments: { privacy: 'assigned', 'clinical-safety': 'assigned', leadership: 'assigned' } },
      'N-2': { status: 'active', manager: 'M-1', roles: ['nurse'], assignments: { privacy: 'assigned', 'clinical-safety': 'assigned' } },
      'N-3': { status: 'active', manager: 'N-1', roles: ['nurse'], department: 'ICU' },
      'W-1': { status: 'active', manager: 'M-1', roles: ['warehouse-operator'], assignments: { privacy: 'assigned', 'forklift-license': 'assigned' } },
    });
    // One HR event per person, named after the run and the line.
    const events = await h.db.hrEvent.findMany({ where: { tenantId }, select: { type: true, externalId: true, personId: true } });
    expect(events.map((e) => e.personId).sort()).toEqual(Object.values(people).map((p) => p.id).sort());
    expect(events.every((e) => e.type === 'hire' && e.externalId.startsWith(`import:${run.id}:`))).toBe(true);
    // Everyone's training process runs and each person was welcomed once.
    for (const [externalId, person] of Object.entries(people)) {
      await waitForOnboarding(h.temporal, onboardingWorkflowId(tenantId, person.id), waitingForCompletions);
      await h.mail.waitFor((m) => m.envelopeTo.includes(`${externalId.toLowerCase()}@example.com`) && m.subject.startsWith('Welcome aboard'));
    }

    // Next month: N-2 moved to the warehouse, N-3 left (absent from the snapshot), W-2 joined; the rest as before.
    const next: Worker[] = [
      staff[1]!,
      { id: 'N-2', roles: ['warehouse-operator'], department: 'Logistics', manager: 'M-1', hired },
      staff[3]!,
      staff[4]!,
      { id: 'W-2', roles: ['warehouse-operator'], department: 'Logistics', manager: 'W-1', hired },
    ];
    const second = await sendFile(h, apiKey, genericCsv(next), { mode: 'snapshot', fileName: 'staff-2026-12.csv' });
    expect(second.status).toBe(202);
    const changed = await waitForRun(h, apiKey, second.body.id, ['completed']);

    expect(changed.counts).toMatchObject({ rows: 5, created: 1, updated: 1, terminated: 1, absent: 1, unchanged: 3 });
    expect(changed.progress).toEqual({ applied: 3, toApply: 3 });
    const after = await peopleOf(tenantId);
    expect(after['N-2']).toMatchObject({ roles: ['warehouse-operator'], department: 'Logistics', assignments: { privacy: 'assigned', 'clinical-safety': 'waived', 'forklift-license': 'assigned' } });
    expect(after['N-3']).toMatchObject({ status: 'terminated', assignments: { privacy: 'cancelled', 'clinical-safety': 'cancelled' } });
    expect(after['W-2']).toMatchObject({ status: 'active', manager: 'W-1', roles: ['warehouse-operator'], assignments: { privacy: 'assigned', 'forklift-license': 'assigned' } });
    for (const id of ['M-1', 'N-1', 'W-1']) expect(after[id]).toEqual(people[id]);
    // Exactly these three events came of it.
    const secondEvents = await h.db.hrEvent.findMany({ where: { tenantId, externalId: { startsWith: `import:${changed.id}:` } }, select: { type: true, personId: true } });
    const externalIdOf = new Map(Object.entries(after).map(([externalId, p]) => [p.id, externalId]));
    expect(secondEvents.map((e) => `${e.type} ${externalIdOf.get(e.personId)}`).sort()).toEqual(['hire W-2', 'terminate N-3', 'transfer N-2']);
    expect(await h.db.hrEvent.count({ where: { tenantId } })).toBe(8);
    // N-3's process ended; N-2's now waits for the forklift licence; W-2 was welcomed.
    expect(await h.temporal.workflow.getHandle(onboardingWorkflowId(tenantId, after['N-3']!.id)).result()).toMatchObject({ phase: 'terminated' });
    const forklift = await h.db.assignment.findFirstOrThrow({ where: { tenantId, personId: after['N-2']!.id, program: { key: 'forklift-license' } } });
    await waitForOnboarding(h.temporal, onboardingWorkflowId(tenantId, after['N-2']!.id), (s) => s.outstandingAssignmentIds.includes(forklift.id));
    await h.mail.waitFor((m) => m.envelopeTo.includes('w-2@example.com') && m.subject.startsWith('Welcome aboard'));
    for (const id of ['M-1', 'N-1', 'N-2', 'N-3', 'W-1', 'W-2']) expect(welcomes(`${id.toLowerCase()}@example.com`)).toHaveLength(1);
  });

  test('a change the rules refuse is kept with its error and counted, and the rest of the run is applied', async () => {
    const { tenantId, apiKey } = await hospital();
    await h.db.role.create({ data: { tenantId, key: 'visitor', name: 'Visitor' } });
    const api = apiClient(h.baseUrl, apiKey);
    // B-2 came from the same HR system (the profile's source) before.
    const b2 = await api.post('/api/v1/hr/events', { ...hireEvent({ externalId: 'B-2', roles: ['nurse'] }), source: 'generic-csv' });
    expect(b2.status).toBe(202);

    // The run is staged and compared as its process would; then, before it is applied, the world moves:
    // the role "visitor" is deleted and B-2 is terminated by another HR event.
    const runId = await receivedRun(
      h,
      tenantId,
      genericCsv([
        { id: 'A-1', roles: ['nurse'] },
        { id: 'A-2', roles: ['visitor'] },
        { id: 'B-2', roles: ['nurse'], name: 'Ada Lovelace', department: 'Oncology' },
      ]),
      { mode: 'delta' },
    );
    expect(await stageRun(h.db, tenantId, runId)).toMatchObject({ state: 'diffing' });
    expect(await diffRun(h.db, tenantId, runId)).toMatchObject({ state: 'applying' });
    await h.db.role.deleteMany({ where: { tenantId, key: 'visitor' } });
    expect((await api.post('/api/v1/hr/events', { type: 'terminate', eventId: 'hr-term-b2', source: 'generic-csv', person: { externalId: 'B-2' } })).status).toBe(202);

    const step = await applyImport(h.db, { taskQueue: h.taskQueue, deliverNow: async () => undefined }, { tenantId, runId, at: Date.now() });

    expect(step).toEqual({ state: 'completed', nextChangeAt: null });
    const run = await getImportRun(h.db, tenantId, runId);
    expect(run).toMatchObject({ state: 'completed', progress: { applied: 1, toApply: 3 }, counts: { created: 2, updated: 1, refused: 2 } });
    const changes = await h.db.importChange.findMany({ where: { runId }, orderBy: { line: 'asc' }, select: { externalId: true, kind: true, appliedAt: true, error: true } });
    expect(changes).toEqual([
      { externalId: 'A-1', kind: 'hire', appliedAt: expect.any(Date), error: null },
      { externalId: 'A-2', kind: 'hire', appliedAt: null, error: expect.stringMatching(/^unknown_role: /) },
      { externalId: 'B-2', kind: 'transfer', appliedAt: null, error: expect.stringMatching(/^person_terminated: /) },
    ]);
    expect(await h.db.person.findMany({ where: { tenantId, externalId: { startsWith: 'A-' } }, select: { externalId: true } })).toEqual([{ externalId: 'A-1' }]);
    // errors.csv names the refused change by its line.
    const errors = await errorsCsv(h, apiKey, runId);
    expect(errors.text).toMatch(/^3,A-2,"hire: unknown_role: /m);
    expect(errors.text).toMatch(/^4,B-2,transfer: person_terminated: /m);
    // Asked again (a retry), the run stays as it is: nothing is applied twice.
    expect(await applyImport(h.db, { taskQueue: h.taskQueue, deliverNow: async () => undefined }, { tenantId, runId, at: Date.now() })).toEqual({ state: 'completed', nextChangeAt: null });
    expect(await h.db.hrEvent.count({ where: { tenantId, externalId: { startsWith: `import:${runId}:` } } })).toBe(1);
    await h.db.processCommand.deleteMany({ where: { taskQueue: `nobody-${tenantId}` } });
  });

  test('hires apply managers first: each level of the run\'s own manager chains before the next', () => {
    const hire = (line: number, externalId: string, manager: string | null) => ({ line, external_id: externalId, manager });
    // E reports to D, D to C (both hired here); B's manager is known already (not in the run); A and B report to nobody here.
    const levels = managerLevels([hire(2, 'E', 'D'), hire(3, 'A', null), hire(4, 'D', 'C'), hire(5, 'B', 'Z-known'), hire(6, 'C', 'A'), hire(7, 'F', 'A')]);
    expect(levels).toEqual([[3, 5], [6, 7], [4], [2]]);
    // A cycle (the diff refuses them; here as if one slipped through) is broken, not followed for ever.
    expect(managerLevels([hire(2, 'X', 'Y'), hire(3, 'Y', 'X')]).flat().sort()).toEqual([2, 3]);
  });
});
