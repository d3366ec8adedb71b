import { completionReport, createTenant, daysFromToday, givenCatalog, hireEvent } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { apiClient } from '../support/http';
import { waitForOnboarding } from '../support/onboarding-status';

/**
 * A program waits for its prerequisites, and the compliance view explains every item: which role and
 * rule asked for it, since when, and where it stands — to the person's own tenant only.
 */
describe('prerequisites and the compliance explanation', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  async function icuTenant() {
    const tenant = await createTenant(h.db);
    await givenCatalog(h.db, tenant.tenantId, {
      programs: { 'basic-life-support': ['bls'], 'advanced-life-support': ['als-theory', 'als-practice'] },
      roles: { 'icu-nurse': [{ program: 'advanced-life-support', dueOffsetDays: 60 }] },
    });
    const [basic, advanced] = await Promise.all(
      ['basic-life-support', 'advanced-life-support'].map((key) => h.db.program.findFirstOrThrow({ where: { tenantId: tenant.tenantId, key } })),
    );
    await h.db.programPrerequisite.create({ data: { tenantId: tenant.tenantId, programId: advanced!.id, prerequisiteId: basic!.id } });
    return { ...tenant, api: apiClient(h.baseUrl, tenant.apiKey) };
  }

  test('only the prerequisite is assigned first; completing it assigns the program that needed it', async () => {
    const { api } = await icuTenant();
    const hired = await api.post('/api/v1/hr/events', hireEvent({ roles: ['icu-nurse'] }));
    const { personId, workflowId } = hired.body;

    const first = (await api.get(`/api/v1/people/${personId}/assignments`)).body.data;
    expect(first.map((a: any) => [a.programKey, a.status, a.dueDate])).toEqual([['basic-life-support', 'assigned', daysFromToday(60)]]);

    const done = await api.post('/api/v1/completions', completionReport(personId, 'bls'));
    expect(done.body.completedAssignmentIds).toEqual([first[0].id]);
    const next = (await api.get(`/api/v1/people/${personId}/assignments`)).body.data;
    expect(next.map((a: any) => [a.programKey, a.status])).toEqual([
      ['basic-life-support', 'completed'],
      ['advanced-life-support', 'assigned'],
    ]);
    const advanced = next[1];
    await waitForOnboarding(h.temporal, workflowId, (s) => s.outstandingAssignmentIds.join() === advanced.id);
  });

  test('the compliance view explains each item by role and rule, and shows what waits for a prerequisite', async () => {
    const { tenantId, api } = await icuTenant();
    const hired = await api.post('/api/v1/hr/events', hireEvent({ roles: ['icu-nurse'], hireDate: daysFromToday(-70) }));
    const { personId } = hired.body;

    const report = await api.get(`/api/v1/people/${personId}/compliance`);

    expect(report.status).toBe(200);
    expect(report.body.state).toBe('overdue'); // hired 70 days ago, due after 60
    expect(report.body.person.roles.map((r: any) => r.key)).toEqual(['icu-nurse']);
    const [basic, advanced] = report.body.items;
    const rule = await h.db.requirement.findFirstOrThrow({ where: { tenantId } });
    expect(basic).toMatchObject({
      program: { key: 'basic-life-support' },
      status: 'assigned',
      dueDate: daysFromToday(-10),
      provenance: { requirementId: rule.id, role: 'icu-nurse', mandatory: true, dueOffsetDays: 60, dueRelativeTo: 'hire_date', prerequisiteOf: 'advanced-life-support' },
    });
    expect(Date.parse(basic.provenance.since)).toBeGreaterThanOrEqual(rule.createdAt.getTime());
    expect(advanced).toMatchObject({
      program: { key: 'advanced-life-support' },
      status: 'waiting_for_prerequisites',
      waitingFor: ['basic-life-support'],
      provenance: { role: 'icu-nurse', prerequisiteOf: null },
    });

    const other = await createTenant(h.db);
    const peek = await apiClient(h.baseUrl, other.apiKey).get(`/api/v1/people/${personId}/compliance`);
    expect(peek.status).toBe(404);
  });

  test('a person whose open items are far from due is compliant, one close to due is due soon', async () => {
    const { api } = await icuTenant();
    const fresh = await api.post('/api/v1/hr/events', hireEvent({ roles: ['icu-nurse'] }));
    expect((await api.get(`/api/v1/people/${fresh.body.personId}/compliance`)).body.state).toBe('compliant');
    const soon = await api.post('/api/v1/hr/events', hireEvent({ roles: ['icu-nurse'], hireDate: daysFromToday(-55) }));
    expect((await api.get(`/api/v1/people/${soon.body.personId}/compliance`)).body.state).toBe('due_soon');
  });
});
