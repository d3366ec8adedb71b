import { createTenant, givenCatalog, hireEvent } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { apiClient } from '../support/http';
import { waitForOnboarding } from '../support/onboarding-status';

/** Assignments move through their lifecycle with a timestamp, a reason and an actor for every change. */
describe('waivers and progress reports', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  async function nurse() {
    const tenant = await createTenant(h.db);
    await givenCatalog(h.db, tenant.tenantId, {
      programs: { privacy: ['hipaa-basics'], 'clinical-safety': ['infection-control', 'hand-hygiene'] },
      roles: { nurse: [{ program: 'privacy', dueOffsetDays: 14 }, { program: 'clinical-safety', dueOffsetDays: 30 }] },
    });
    const api = apiClient(h.baseUrl, tenant.apiKey);
    const hired = await api.post('/api/v1/hr/events', hireEvent({ roles: ['nurse'] }));
    const assignments = (await api.get(`/api/v1/people/${hired.body.personId}/assignments`)).body.data;
    return { ...tenant, api, ...hired.body, assignments };
  }

  test('an authorised user waives an open assignment with a reason; it is audited and no longer awaited', async () => {
    const { tenantId, api, workflowId, assignments } = await nurse();
    const privacy = assignments.find((a: any) => a.programKey === 'privacy');

    const waived = await api.post(`/api/v1/assignments/${privacy.id}/waive`, { reason: 'Holds an equivalent certificate from a previous employer' });

    expect(waived.status).toBe(200);
    expect(waived.body).toMatchObject({ status: 'waived', statusReason: 'Holds an equivalent certificate from a previous employer' });
    const audit = await h.db.auditEvent.findFirstOrThrow({ where: { tenantId, action: 'assignment.waived', entityId: privacy.id } });
    const client = await h.db.apiClient.findFirstOrThrow({ where: { tenantId } });
    expect(audit).toMatchObject({ actorType: 'api_client', actorId: client.id, reason: 'Holds an equivalent certificate from a previous employer' });
    await waitForOnboarding(h.temporal, workflowId, (s) => s.outstandingAssignmentIds.length === 1);

    const twice = await api.post(`/api/v1/assignments/${privacy.id}/waive`, { reason: 'again' });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('assignment_not_open');
    const noReason = await api.post(`/api/v1/assignments/${assignments[1].id}/waive`, {});
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.details[0].field).toBe('body.reason');
  });

  test('waiving needs the assignments:write scope and the tenant that owns the assignment', async () => {
    const { assignments } = await nurse();
    const readOnly = await createTenant(h.db, ['people:read']);
    const other = await createTenant(h.db);
    expect((await apiClient(h.baseUrl, readOnly.apiKey).post(`/api/v1/assignments/${assignments[0].id}/waive`, { reason: 'nope' })).status).toBe(403);
    expect((await apiClient(h.baseUrl, other.apiKey).post(`/api/v1/assignments/${assignments[0].id}/waive`, { reason: 'nope' })).status).toBe(404);
  });

  test('an LMS reports a course started and half done: the program is in progress with its share done', async () => {
    const { tenantId, api, personId } = await nurse();

    const started = await api.post('/api/v1/progress', { source: 'acme-lms', person: { id: personId }, courseKey: 'infection-control', status: 'started' });
    const half = await api.post('/api/v1/progress', { source: 'acme-lms', person: { id: personId }, courseKey: 'infection-control', status: 'in_progress', progress: 50 });

    expect(started.status).toBe(200);
    expect(half.body.assignments).toEqual([expect.objectContaining({ status: 'in_progress', progress: 25 })]);
    const clinical = await h.db.assignment.findFirstOrThrow({ where: { tenantId, personId, program: { key: 'clinical-safety' } } });
    expect(clinical.startedAt).not.toBeNull();
    const privacy = await h.db.assignment.findFirstOrThrow({ where: { tenantId, personId, program: { key: 'privacy' } } });
    expect(privacy.status).toBe('assigned');

    const unknown = await api.post('/api/v1/progress', { source: 'acme-lms', person: { id: personId }, courseKey: 'juggling', status: 'started' });
    expect(unknown.status).toBe(422);
  });
});
