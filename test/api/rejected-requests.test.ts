import { completionReport, createTenant, givenCatalog, hireEvent } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { apiClient } from '../support/http';

/** Whatever a caller gets wrong, they get a 4xx that names the problem, and nothing is written. */
describe('requests the API refuses', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  async function tenantWithNurses(scopes?: Parameters<typeof createTenant>[1]) {
    const tenant = await createTenant(h.db, scopes);
    await givenCatalog(h.db, tenant.tenantId, { programs: { privacy: ['hipaa-basics'] }, roles: { nurse: [{ program: 'privacy', dueOffsetDays: 14 }] } });
    return { ...tenant, api: apiClient(h.baseUrl, tenant.apiKey) };
  }

  async function nothingWritten(tenantId: string) {
    expect(await h.db.person.count({ where: { tenantId } })).toBe(0);
    expect(await h.db.hrEvent.count({ where: { tenantId } })).toBe(0);
    expect(await h.db.completion.count({ where: { tenantId } })).toBe(0);
    expect(await h.db.auditEvent.count({ where: { tenantId } })).toBe(0);
  }

  test('a malformed hire gets 400 naming each bad field', async () => {
    const { tenantId, api } = await tenantWithNurses();
    const event = hireEvent();
    const response = await api.post('/api/v1/hr/events', {
      ...event,
      person: { ...event.person, email: 'not-an-email', hireDate: '02/03/2026' },
    });

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_request');
    expect(response.body.error.details.map((d: any) => d.field).sort()).toEqual(['body.person.email', 'body.person.hireDate']);
    expect(response.body.error.message).toContain('body.person.email');
    await nothingWritten(tenantId);
  });

  test('a body that is not JSON gets 400 malformed_json', async () => {
    const { tenantId, api } = await tenantWithNurses();
    const response = await api.postRaw('/api/v1/hr/events', '{"type": "hire",');
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('malformed_json');
    await nothingWritten(tenantId);
  });

  test('an event type trainhub does not know gets 400 naming the type field', async () => {
    const { tenantId, api } = await tenantWithNurses();
    const response = await api.post('/api/v1/hr/events', { ...hireEvent(), type: 'promotion' });
    expect(response.status).toBe(400);
    expect(response.body.error.details[0].field).toBe('body.type');
    await nothingWritten(tenantId);
  });

  test('a hire into a role the tenant does not have gets 422 unknown_role', async () => {
    const { tenantId, api } = await tenantWithNurses();
    const response = await api.post('/api/v1/hr/events', hireEvent({ roles: ['nurse', 'astronaut'] }));
    expect(response.status).toBe(422);
    expect(response.body.error).toMatchObject({ code: 'unknown_role', details: { role: ['astronaut'] } });
    await nothingWritten(tenantId);
  });

  test('a completion for an unknown course or person gets 422 and records nothing', async () => {
    const { tenantId, api } = await tenantWithNurses();
    const hired = await api.post('/api/v1/hr/events', hireEvent());
    const before = await h.db.auditEvent.count({ where: { tenantId } });

    const unknownCourse = await api.post('/api/v1/completions', completionReport(hired.body.personId, 'basket-weaving'));
    const unknownPerson = await api.post('/api/v1/completions', { ...completionReport(hired.body.personId, 'hipaa-basics'), person: { email: 'nobody@example.com' } });
    const twoIdentities = await api.post('/api/v1/completions', {
      ...completionReport(hired.body.personId, 'hipaa-basics'),
      person: { id: hired.body.personId, email: 'a@example.com' },
    });

    expect(unknownCourse.body.error.code).toBe('unknown_course');
    expect(unknownCourse.status).toBe(422);
    expect(unknownPerson.body.error.code).toBe('unknown_person');
    expect(twoIdentities.status).toBe(400);
    expect(twoIdentities.body.error.message).toContain('give exactly one of id, externalId, email');
    expect(await h.db.completion.count({ where: { tenantId } })).toBe(0);
    expect(await h.db.auditEvent.count({ where: { tenantId } })).toBe(before);
  });

  test('no API key or a wrong one gets 401', async () => {
    const { tenantId } = await tenantWithNurses();
    const anonymous = await apiClient(h.baseUrl).post('/api/v1/hr/events', hireEvent());
    const forged = await apiClient(h.baseUrl, 'th_abcdefabcdef_thisIsNotTheRightSecretAtAll').post('/api/v1/hr/events', hireEvent());
    const garbage = await apiClient(h.baseUrl, 'letmein').get('/api/v1/people/00000000-0000-0000-0000-000000000000/assignments');

    for (const response of [anonymous, forged, garbage]) {
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('unauthenticated');
    }
    await nothingWritten(tenantId);
  });

  test('a key without the needed scope gets 403 naming the scope', async () => {
    const { tenantId, api } = await tenantWithNurses(['people:read']);
    const response = await api.post('/api/v1/hr/events', hireEvent());
    expect(response.status).toBe(403);
    expect(response.body.error).toMatchObject({ code: 'forbidden', details: { requiredScope: 'hr:write' } });
    await nothingWritten(tenantId);
  });

  test("another tenant's person is not found, and nothing of theirs can be reported against", async () => {
    const mine = await tenantWithNurses();
    const theirs = await tenantWithNurses();
    const hired = await theirs.api.post('/api/v1/hr/events', hireEvent());

    const read = await mine.api.get(`/api/v1/people/${hired.body.personId}/assignments`);
    const report = await mine.api.post('/api/v1/completions', completionReport(hired.body.personId, 'hipaa-basics'));

    expect(read.status).toBe(404);
    expect(read.body.error.code).toBe('not_found');
    expect(report.status).toBe(422);
    expect(await h.db.completion.count({ where: { tenantId: theirs.tenantId } })).toBe(0);
  });

  test('a person id that is not a UUID gets 400, an unknown route 404', async () => {
    const { api } = await tenantWithNurses();
    const badId = await api.get('/api/v1/people/42/assignments');
    expect(badId.status).toBe(400);
    expect(badId.body.error.details[0].field).toBe('path.id');
    const nowhere = await api.get('/api/v1/nowhere');
    expect(nowhere.status).toBe(404);
    expect(nowhere.body.error.code).toBe('route_not_found');
  });

  test('values the database cannot hold (a NUL character, a malformed id) are 400, never 500, and change nothing', async () => {
    const { tenantId, api } = await tenantWithNurses();
    const event = hireEvent();
    const nul = await api.post('/api/v1/hr/events', { ...event, person: { ...event.person, name: 'Ada\u0000Lovelace' } });
    const keyWithNul = await api.get('/api/v1/roles/nu%00rse');

    expect(nul.status).toBe(400);
    expect(nul.body.error.code).toBe('invalid_request');
    expect(keyWithNul.status).toBe(400);
    await nothingWritten(tenantId);
  });
});
