import { completionReport, createTenant, givenCatalog, hireEvent } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { apiClient } from '../support/http';
import { waitForOnboarding, waitingForCompletions } from '../support/onboarding-status';

/**
 * An LMS posts a day's completions at once (POST /completions/batch, up to 1,000): each is answered
 * on its own and in order — recorded, a duplicate of one on record, or rejected with the error a
 * single POST would have given — and only the rejected ones are left out.
 */
describe('completions in batches', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  async function nurses(count: number) {
    const tenant = await createTenant(h.db);
    await givenCatalog(h.db, tenant.tenantId, {
      programs: { privacy: ['hipaa-basics'], 'clinical-safety': ['infection-control', 'hand-hygiene'] },
      roles: { nurse: [{ program: 'privacy', dueOffsetDays: 14 }, { program: 'clinical-safety', dueOffsetDays: 30 }] },
    });
    const api = apiClient(h.baseUrl, tenant.apiKey);
    const people: { personId: string; workflowId: string; externalId: string }[] = [];
    for (let i = 0; i < count; i++) {
      const event = hireEvent({ roles: ['nurse'] });
      const hired = await api.post('/api/v1/hr/events', event);
      people.push({ personId: hired.body.personId, workflowId: hired.body.workflowId, externalId: event.person.externalId });
    }
    return { ...tenant, api, people };
  }

  const statusesOf = async (tenantId: string, personId: string) =>
    Object.fromEntries((await h.db.assignment.findMany({ where: { tenantId, personId }, include: { program: true } })).map((a) => [a.program.key, a.status]));

  test('each completion is answered in order; the good ones complete assignments and the processes hear of it', async () => {
    const { tenantId, api, people } = await nurses(2);
    const [anna, ben] = people as [(typeof people)[0], (typeof people)[0]];
    const reused = completionReport(ben.personId, 'hipaa-basics');
    const batch = [
      completionReport(anna.personId, 'hipaa-basics'),
      // An LMS that writes UUIDs in capitals names the same person.
      completionReport(anna.personId.toUpperCase(), 'infection-control'),
      { ...completionReport(anna.personId, 'hand-hygiene'), person: { externalId: anna.externalId } },
      reused,
      { ...completionReport(ben.personId, 'hipaa-basics'), courseKey: undefined },
      completionReport(ben.personId, 'no-such-course'),
      completionReport('00000000-0000-4000-8000-000000000000', 'hipaa-basics'),
      reused,
      { ...reused, passed: false },
    ];

    const answer = await api.post('/api/v1/completions/batch', { completions: batch });

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ recorded: 4, duplicates: 1, rejected: 4 });
    expect(answer.body.results.map((r: any) => [r.index, r.status, r.error?.code])).toEqual([
      [0, 'recorded', undefined],
      [1, 'recorded', undefined],
      [2, 'recorded', undefined],
      [3, 'recorded', undefined],
      [4, 'rejected', 'invalid_request'],
      [5, 'rejected', 'unknown_course'],
      [6, 'rejected', 'unknown_person'],
      [7, 'duplicate', undefined],
      [8, 'rejected', 'external_id_reused'],
    ]);
    expect(answer.body.results[4].error.details).toEqual([{ field: 'body.completions.4.courseKey', message: expect.any(String) }]);
    expect(answer.body.results[7].completion.id).toBe(answer.body.results[3].completion.id);
    expect(answer.body.results[1].completion).toMatchObject({ personId: anna.personId, courseKey: 'infection-control' });
    expect(answer.body.results[2].completion).toMatchObject({ personId: anna.personId, courseKey: 'hand-hygiene', score: 92 });
    // Anna's three courses complete both her programs; Ben's one his privacy program.
    const annasAssignments = await h.db.assignment.findMany({ where: { tenantId, personId: anna.personId } });
    expect(answer.body.results[2].completedAssignmentIds.sort()).toEqual(annasAssignments.map((a) => a.id).sort());
    expect(await statusesOf(tenantId, anna.personId)).toEqual({ privacy: 'completed', 'clinical-safety': 'completed' });
    expect(await statusesOf(tenantId, ben.personId)).toEqual({ privacy: 'completed', 'clinical-safety': 'assigned' });
    expect(await h.db.completion.count({ where: { tenantId } })).toBe(4);

    expect((await h.temporal.workflow.getHandle(anna.workflowId).result()).phase).toBe('completed');
    const bens = await waitForOnboarding(h.temporal, ben.workflowId, (s) => waitingForCompletions(s) && s.outstandingAssignmentIds.length === 1);
    expect(bens.outstandingAssignmentIds).toHaveLength(1);
  });

  test('sending a batch again records nothing new: every completion is a duplicate, the audit trail unchanged', async () => {
    const { tenantId, api, people } = await nurses(3);
    const batch = people.map((p) => completionReport(p.personId, 'infection-control'));
    const first = await api.post('/api/v1/completions/batch', { completions: batch });
    expect(first.body).toMatchObject({ recorded: 3, duplicates: 0, rejected: 0 });
    const audited = await h.db.auditEvent.count({ where: { tenantId } });

    const again = await api.post('/api/v1/completions/batch', { completions: batch });

    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ recorded: 0, duplicates: 3, rejected: 0 });
    expect(again.body.results.map((r: any) => r.completion.id)).toEqual(first.body.results.map((r: any) => r.completion.id));
    expect(await h.db.completion.count({ where: { tenantId } })).toBe(3);
    expect(await h.db.auditEvent.count({ where: { tenantId } })).toBe(audited);
  });

  test('two deliveries of the same batch at the same moment record each completion once', async () => {
    const { tenantId, api, people } = await nurses(4);
    const batch = people.map((p) => completionReport(p.personId, 'hipaa-basics'));

    const [a, b] = await Promise.all([api.post('/api/v1/completions/batch', { completions: batch }), api.post('/api/v1/completions/batch', { completions: batch })]);

    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.recorded + b.body.recorded).toBe(4);
    expect(a.body.duplicates + b.body.duplicates).toBe(4);
    expect(await h.db.completion.count({ where: { tenantId } })).toBe(4);
    expect(await h.db.assignment.count({ where: { tenantId, status: 'completed' } })).toBe(4);
  });

  test('completing a prerequisite in a batch assigns the program that needed it, completed at once when its course is in the batch too', async () => {
    const tenant = await createTenant(h.db);
    await givenCatalog(h.db, tenant.tenantId, {
      programs: { basics: ['basics-course'], advanced: ['advanced-course'] },
      roles: { nurse: [{ program: 'advanced', dueOffsetDays: 30 }] },
    });
    const [basics, advanced] = await Promise.all(['basics', 'advanced'].map((key) => h.db.program.findFirstOrThrow({ where: { tenantId: tenant.tenantId, key } })));
    await h.db.programPrerequisite.create({ data: { tenantId: tenant.tenantId, programId: advanced!.id, prerequisiteId: basics!.id } });
    const api = apiClient(h.baseUrl, tenant.apiKey);
    const { personId } = (await api.post('/api/v1/hr/events', hireEvent({ roles: ['nurse'] }))).body;
    expect(await statusesOf(tenant.tenantId, personId)).toEqual({ basics: 'assigned' });

    const answer = await api.post('/api/v1/completions/batch', {
      completions: [completionReport(personId, 'advanced-course'), completionReport(personId, 'basics-course')],
    });

    expect(answer.body).toMatchObject({ recorded: 2, rejected: 0 });
    expect(await statusesOf(tenant.tenantId, personId)).toEqual({ basics: 'completed', advanced: 'completed' });
    expect(answer.body.results[1].completedAssignmentIds).toHaveLength(2);
  });

  test('a batch is refused whole only when the request itself is wrong: empty, over 1,000, or not a list', async () => {
    const { api, people } = await nurses(1);
    const one = completionReport(people[0]!.personId, 'hipaa-basics');
    for (const body of [{ completions: [] }, { completions: Array.from({ length: 1001 }, () => one) }, { completions: one }, { completions: [one], extra: 1 }]) {
      const answer = await api.post('/api/v1/completions/batch', body);
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('invalid_request');
    }
    expect(await h.db.completion.count({ where: { personId: people[0]!.personId } })).toBe(0);
  });
});
