import { completionReport, createTenant, givenCatalog, hireEvent } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { apiClient } from '../support/http';
import { givenOrganisation, renewalRequest, threeLevelChain } from '../renewals/fixtures';

/**
 * An event id, a completion's external id and a renewal request's external id are idempotency keys:
 * the same delivery again is a 200 duplicate that changes nothing; the same key with different
 * content is a mistake the sender hears about (409), as payment APIs do, instead of a change silently
 * dropped.
 */
describe('idempotency keys of inbound deliveries', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  async function nurseTenant() {
    const tenant = await createTenant(h.db);
    await givenCatalog(h.db, tenant.tenantId, { programs: { privacy: ['hipaa-basics'] }, roles: { nurse: [{ program: 'privacy', dueOffsetDays: 14 }], porter: [] } });
    return { ...tenant, api: apiClient(h.baseUrl, tenant.apiKey) };
  }

  test('an HR event id reused for other content is 409 event_id_reused; the same event again is a 200 duplicate', async () => {
    const { tenantId, api } = await nurseTenant();
    const hire = hireEvent({ eventId: 'wd-42', roles: ['nurse'] });
    expect((await api.post('/api/v1/hr/events', hire)).status).toBe(202);
    expect((await api.post('/api/v1/hr/events', hire)).body).toMatchObject({ duplicate: true });

    const changed = await api.post('/api/v1/hr/events', { ...hire, person: { ...hire.person, roles: ['porter'] } });
    expect(changed.status).toBe(409);
    expect(changed.body.error).toMatchObject({ code: 'event_id_reused', details: { source: 'workday', eventId: 'wd-42' } });
    const roles = await h.db.personRole.findMany({ where: { tenantId }, include: { role: true } });
    expect(roles.map((r) => r.role.key)).toEqual(['nurse']);
  });

  test("a completion's external id reused for another course, date or score is 409 external_id_reused", async () => {
    const { tenantId, api } = await nurseTenant();
    const { personId } = (await api.post('/api/v1/hr/events', hireEvent({ roles: ['nurse'] }))).body;
    const completion = completionReport(personId, 'hipaa-basics', { externalId: 'lms-7' });
    expect((await api.post('/api/v1/completions', completion)).status).toBe(201);
    expect((await api.post('/api/v1/completions', completion)).status).toBe(200);

    for (const changed of [{ ...completion, score: 40 }, { ...completion, passed: false }, { ...completion, completedAt: '2026-01-01T00:00:00Z' }]) {
      const response = await api.post('/api/v1/completions', changed);
      expect(response.status).toBe(409);
      expect(response.body.error.code).toBe('external_id_reused');
    }
    // The same completion naming the person another way is still the same delivery.
    const person = await h.db.person.findUniqueOrThrow({ where: { id: personId } });
    expect((await api.post('/api/v1/completions', { ...completion, person: { email: person.email } })).status).toBe(200);
    expect(await h.db.completion.count({ where: { tenantId } })).toBe(1);
  });

  test("a renewal request's external id reused for another program or reason is 409", async () => {
    const { api, people } = await givenOrganisation(h.db, h.baseUrl);
    await api.put('/api/v1/approval-chains/program', threeLevelChain());
    const request = renewalRequest(people.rita.id, { externalId: 'SN-1', source: 'servicenow' });
    expect((await api.post('/api/v1/renewals', request)).status).toBe(202);
    expect((await api.post('/api/v1/renewals', request)).status).toBe(200);
    const other = await api.post('/api/v1/renewals', { ...request, reason: 'Something else entirely' });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('external_id_reused');
  });
});
