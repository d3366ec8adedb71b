import { onboardingWorkflowId } from '../../src/domain/workflow-ids';
import { createTenant, daysFromToday, givenCatalog, hireEvent } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { apiClient } from '../support/http';
import { waitForOnboarding } from '../support/onboarding-status';
import { errorsCsv, sendFile, waitForRun } from './runs-support';

/**
 * A customer moving from another LMS brings its transcript: historic completions, each naming the
 * person by HR external id or e-mail and the course by trainhub key or by the old LMS's code (the
 * profile's code table). They are recorded as the LMS completion endpoint records them — source (the
 * profile's system) + the LMS's record id make each one a single completion, so importing the same
 * records again creates nothing — and the assignments they complete are completed, their people's
 * training processes told.
 */
describe('transcript imports', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  const transcript = (rows: string[][]) => `person,course,completed_at,score,passed,record_id\r\n${rows.map((r) => r.join(',')).join('\r\n')}\r\n`;

  test('historic completions by external id or e-mail and by course key or code complete assignments, once however often they are imported', async () => {
    const { tenantId, apiKey } = await createTenant(h.db);
    const api = apiClient(h.baseUrl, apiKey);
    await givenCatalog(h.db, tenantId, {
      programs: { privacy: ['hipaa-basics'], fire: ['fire-drill', 'fire-extinguisher'] },
      roles: { nurse: [{ program: 'privacy', dueOffsetDays: 30 }, { program: 'fire', dueOffsetDays: 30 }] },
    });
    const hire = async (externalId: string) => (await api.post('/api/v1/hr/events', hireEvent({ externalId, roles: ['nurse'], hireDate: daysFromToday(0) }))).body as { personId: string; workflowId: string };
    const ada = await hire('N-1');
    const grace = await hire('N-2');
    // The old LMS's course codes, and its name as the source of what it recorded.
    const base = (await api.get('/api/v1/import-profiles/lms-transcript-csv')).body.definition;
    const saved = await api.put('/api/v1/import-profiles/legacy-lms', { ...base, system: 'legacy-lms', courseCodes: { 'HIPAA-101': 'hipaa-basics', 'FIRE-1': 'fire-drill', 'FIRE-2': 'fire-extinguisher' } });
    expect(saved.status).toBe(201);

    const first = transcript([
      ['N-1', 'HIPAA-101', '2025-03-01', '95', 'yes', 'LMS-1'],
      ['n-2@example.com', 'hipaa-basics', '2025-04-02T10:30:00Z', '88', 'yes', 'LMS-2'],
      ['N-1', 'FIRE-1', '2025-05-05', '40', 'no', 'LMS-3'],
      ['U-9', 'HIPAA-101', '2025-05-06', '90', 'yes', 'LMS-4'],
    ]);
    const sent = await sendFile(h, apiKey, first, { profile: 'legacy-lms', mode: 'delta' });
    expect(sent.status).toBe(202);
    expect(sent.body).toMatchObject({ kind: 'transcript' });
    const run = await waitForRun(h, apiKey, sent.body.id, ['completed']);

    expect(run.counts).toMatchObject({ rows: 4, rejected: 1, completions: 3 });
    expect(run.progress).toEqual({ applied: 3, toApply: 3 });
    expect((await errorsCsv(h, apiKey, run.id)).text).toMatch(/^5,U-9,.*no person/m);
    const completions = async () =>
      (await h.db.completion.findMany({ where: { tenantId }, include: { course: { select: { key: true } } }, orderBy: { externalId: 'asc' } })).map((c) => ({
        source: c.source,
        externalId: c.externalId,
        personId: c.personId,
        course: c.course.key,
        completedAt: c.completedAt.toISOString(),
        passed: c.passed,
        score: c.score === null ? null : Number(c.score),
      }));
    const recorded = await completions();
    expect(recorded).toEqual([
      { source: 'legacy-lms', externalId: 'LMS-1', personId: ada.personId, course: 'hipaa-basics', completedAt: '2025-03-01T00:00:00.000Z', passed: true, score: 95 },
      { source: 'legacy-lms', externalId: 'LMS-2', personId: grace.personId, course: 'hipaa-basics', completedAt: '2025-04-02T10:30:00.000Z', passed: true, score: 88 },
      { source: 'legacy-lms', externalId: 'LMS-3', personId: ada.personId, course: 'fire-drill', completedAt: '2025-05-05T00:00:00.000Z', passed: false, score: 40 },
    ]);
    // The privacy training both owed is completed; the failed fire drill completes nothing.
    const statuses = async (personId: string) =>
      Object.fromEntries((await h.db.assignment.findMany({ where: { tenantId, personId }, include: { program: { select: { key: true } } } })).map((a) => [a.program.key, a.status]));
    expect(await statuses(ada.personId)).toEqual({ privacy: 'completed', fire: 'assigned' });
    expect(await statuses(grace.personId)).toEqual({ privacy: 'completed', fire: 'assigned' });
    // Their training processes now wait only for the fire training.
    const fireOf = async (personId: string) => (await h.db.assignment.findFirstOrThrow({ where: { tenantId, personId, program: { key: 'fire' } } })).id;
    for (const person of [ada, grace]) {
      const fire = await fireOf(person.personId);
      await waitForOnboarding(h.temporal, onboardingWorkflowId(tenantId, person.personId), (s) => s.outstandingAssignmentIds.length === 1 && s.outstandingAssignmentIds[0] === fire);
    }

    // The next export repeats the same records (in another order) and adds two: a new file, a new run —
    // the three known records are recognised by their record ids and create nothing.
    const commandsBefore = await h.db.processCommand.count({ where: { tenantId, workflowType: 'onboarding' } });
    const second = transcript([
      ['N-1', 'FIRE-1', '2025-05-05', '40', 'no', 'LMS-3'],
      ['n-2@example.com', 'hipaa-basics', '2025-04-02T10:30:00Z', '88', 'yes', 'LMS-2'],
      ['N-1', 'HIPAA-101', '2025-03-01', '95', 'yes', 'LMS-1'],
      ['N-1', 'FIRE-1', '2025-06-01', '85', 'yes', 'LMS-5'],
      ['N-1', 'fire-extinguisher', '2025-06-02', '90', 'yes', 'LMS-6'],
    ]);
    const again = await sendFile(h, apiKey, second, { profile: 'legacy-lms', mode: 'delta' });
    expect(again.status).toBe(202);
    expect(again.body.id).not.toBe(run.id);
    const rerun = await waitForRun(h, apiKey, again.body.id, ['completed']);

    expect(rerun.progress).toEqual({ applied: 5, toApply: 5 });
    const now = await completions();
    expect(now).toHaveLength(5);
    expect(now.filter((c) => ['LMS-1', 'LMS-2', 'LMS-3'].includes(c.externalId))).toEqual(recorded);
    expect(await h.db.auditEvent.count({ where: { tenantId, action: 'completion.recorded' } })).toBe(5);
    // Ada's fire training is complete now, and her process has nothing left to wait for.
    expect(await statuses(ada.personId)).toEqual({ privacy: 'completed', fire: 'completed' });
    expect(await h.temporal.workflow.getHandle(ada.workflowId).result()).toMatchObject({ phase: 'completed' });
    // Only Ada's process was told of anything: the repeated records woke no one.
    const woken = await h.db.processCommand.findMany({ where: { tenantId, workflowType: 'onboarding' }, orderBy: { id: 'asc' }, skip: commandsBefore, select: { workflowId: true } });
    expect(woken.map((c) => c.workflowId)).toEqual([ada.workflowId]);

    // The very same file again is the same run: nothing at all happens.
    const same = await sendFile(h, apiKey, second, { profile: 'legacy-lms', mode: 'delta' });
    expect(same).toMatchObject({ status: 200, body: { id: rerun.id } });
    expect(await completions()).toHaveLength(5);
  });
});
