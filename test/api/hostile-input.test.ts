import { request } from 'node:http';
import { Prisma } from '../../src/db/client';
import { hopelessFailure } from '../../src/activities/failures';
import { errorHandler } from '../../src/api/errors';
import { completionReport, createTenant, daysFromToday, givenCatalog, hireEvent } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { apiClient } from '../support/http';
import { decide, givenOrganisation, openStep, renewalRequest, threeLevelChain } from '../renewals/fixtures';

/**
 * What an attacker (or a broken integration) sends is refused with a 4xx naming the field, before
 * anything is written or any process is told: control characters, lone surrogates, dates outside the
 * calendar, durations that overflow, bodies from callers without a key. Nothing the database says
 * reaches the caller.
 */
describe('hostile input', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  async function nurseTenant() {
    const tenant = await createTenant(h.db);
    await givenCatalog(h.db, tenant.tenantId, { programs: { privacy: ['hipaa-basics'] }, roles: { nurse: [{ program: 'privacy', dueOffsetDays: 14 }] } });
    return { ...tenant, api: apiClient(h.baseUrl, tenant.apiKey) };
  }

  test('a NUL in a decision reason, a requester note or a cancel reason is 400 naming the field; the request stays pending and decidable', async () => {
    const { api, people } = await givenOrganisation(h.db, h.baseUrl);
    await api.put('/api/v1/approval-chains/program', threeLevelChain());
    const { id } = (await api.post('/api/v1/renewals', renewalRequest(people.rita.id))).body.renewal;
    const step = await openStep(api, id, 1);

    const rejected = await decide(api, step.id, people.manny.id, 'reject', { reason: 'no\u0000thanks' });
    expect(rejected.status).toBe(400);
    expect(rejected.body.error.details).toEqual([{ field: 'body.reason', message: 'Must not contain control characters or unpaired surrogates (found U+0000)' }]);
    const cancelled = await api.post(`/api/v1/renewals/${id}/cancel`, { actorPersonId: people.rita.id, reason: 'bell\u0007' });
    expect(cancelled.body.error.details[0]).toMatchObject({ field: 'body.reason' });
    const noted = await api.post('/api/v1/renewals', renewalRequest(people.rita.id, { notes: 'lone \ud800 surrogate', externalId: 'R-2' }));
    expect(noted.status).toBe(400);
    expect(noted.body.error.details[0]).toMatchObject({ field: 'body.notes', message: expect.stringContaining('U+D800') });

    // Nothing was recorded or decided: the step still takes a proper decision.
    expect((await api.get(`/api/v1/renewals/${id}`)).body).toMatchObject({ status: 'pending', steps: [{ status: 'pending' }] });
    expect((await decide(api, step.id, people.manny.id, 'reject', { reason: 'Not this year' })).body).toMatchObject({ requestStatus: 'rejected' });
  });

  test('control characters and lone surrogates anywhere in a hire are 400, and no person is created', async () => {
    const { tenantId, api } = await nurseTenant();
    const event = hireEvent();
    for (const name of ['Ada\u0000Lovelace', 'Ada \udc00', 'Ada\u001bLovelace']) {
      const response = await api.post('/api/v1/hr/events', { ...event, person: { ...event.person, name } });
      expect(response.status).toBe(400);
      expect(response.body.error.details[0].field).toBe('body.person.name');
    }
    const blank = await api.post('/api/v1/hr/events', { ...event, person: { ...event.person, name: '   ' } });
    expect(blank.body.error.details[0].field).toBe('body.person.name');
    // Tabs and line breaks are text; they are kept.
    expect((await api.post('/api/v1/hr/events', { ...event, person: { ...event.person, name: 'Ada\tLovelace' } })).status).toBe(202);
    expect(await h.db.person.count({ where: { tenantId } })).toBe(1);
  });

  test('dates and durations outside sane bounds are 400 naming the field; nothing is computed from them', async () => {
    const { tenantId, api } = await nurseTenant();
    const far = await api.post('/api/v1/hr/events', hireEvent({ hireDate: '9999-12-31' }));
    expect(far.status).toBe(400);
    expect(far.body.error.details).toEqual([{ field: 'body.person.hireDate', message: 'Must be a date from 1900 to 2999' }]);
    const ahead = await api.post('/api/v1/hr/events', hireEvent({ hireDate: '2900-01-01' }));
    expect(ahead.body.error.details).toEqual([{ field: 'body.person.hireDate', message: 'Must not be more than 730 days from today' }]);
    const ancient = await api.post('/api/v1/hr/events', hireEvent({ hireDate: '1066-10-14' }));
    expect(ancient.body.error.details).toEqual([{ field: 'body.person.hireDate', message: 'Must be a date from 1900 to 2999' }]);
    expect(await h.db.person.count({ where: { tenantId } })).toBe(0);

    const hired = await api.post('/api/v1/hr/events', hireEvent({ hireDate: daysFromToday(-3) }));
    const farFuture = await api.post('/api/v1/completions', { ...completionReport(hired.body.personId, 'hipaa-basics'), completedAt: '9999-01-01T00:00:00Z' });
    expect(farFuture.status).toBe(400);
    expect(farFuture.body.error.details).toEqual([{ field: 'body.completedAt', message: 'Must be a moment from 1970 to 2999' }]);
    const tomorrow = await api.post('/api/v1/completions', { ...completionReport(hired.body.personId, 'hipaa-basics'), completedAt: `${daysFromToday(1)}T12:00:00Z` });
    expect(tomorrow.body.error.details).toEqual([{ field: 'body.completedAt', message: 'Must not be in the future' }]);
    expect(await h.db.completion.count({ where: { tenantId } })).toBe(0);
    expect((await api.get(`/api/v1/people/${hired.body.personId}/compliance`)).status).toBe(200);

    const { api: renewals } = await givenOrganisation(h.db, h.baseUrl);
    const level = threeLevelChain().levels[0]!;
    for (const [deadline, message] of [
      ['P100000000D', 'must be at most P365D'],
      ['P1000Y', 'must be an ISO 8601 duration of days, hours and minutes, e.g. P3D, PT12H, P1DT6H, PT30M'],
      ['P366D', 'must be at most P365D'],
    ] as const) {
      const chain = await renewals.put('/api/v1/approval-chains/program', { name: 'Chain', levels: [{ ...level, deadline }] });
      expect(chain.status).toBe(400);
      expect(chain.body.error.details).toContainEqual({ field: 'body.levels.0.deadline', message });
    }
  });

  test('a caller without a valid key is 401 first, whatever its body: no 400 or 413 tells it anything', async () => {
    const unknownKey = apiClient(h.baseUrl, 'th_000000000000_not-a-real-key-000000000000');
    const malformed = await fetch(`${h.baseUrl}/api/v1/hr/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":' });
    const oversized = await fetch(`${h.baseUrl}/api/v1/hr/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pad: 'x'.repeat(2_000_000) }) });
    expect([malformed.status, oversized.status, (await unknownKey.postRaw('/api/v1/completions', '{')).status]).toEqual([401, 401, 401]);
  });

  test('the database never speaks to callers: a value it refuses is a plain 400', () => {
    const refused = new Prisma.PrismaClientKnownRequestError('Invalid `prisma.person.create()` invocation:\nDatabase error. Code: 22021. invalid byte sequence for encoding "UTF8": 0x00', {
      code: 'P2039',
      clientVersion: '7',
      meta: { driverAdapterError: { cause: { originalCode: '22021', kind: 'postgres' } } },
    });
    let answer: { status?: number; body?: any } = {};
    const res = { status: (status: number) => ({ json: (body: unknown) => (answer = { status, body }) }) };
    errorHandler(refused, { id: 'req-1' } as never, res as never, () => undefined);
    expect(answer).toEqual({
      status: 400,
      body: { error: { code: 'invalid_request', message: 'A value in the request cannot be stored (out of range or malformed)', requestId: 'req-1' } },
    });
    expect(JSON.stringify(answer)).not.toMatch(/22021|Database|UTF8/);
  });

  test("a value the database refuses while a process writes is hopeless: no retry, the process learns at once", async () => {
    const { tenantId } = await createTenant(h.db);
    const refused = await h.db.$executeRaw`INSERT INTO audit_event (id, tenant_id, actor_type, action, entity_type, entity_id)
      VALUES (gen_random_uuid(), ${tenantId}::uuid, 'system', ${'bad\u0000'}, 'x', 'y')`.then(
      () => null,
      (error: unknown) => error,
    );
    const failure = hopelessFailure(refused);
    expect(failure).toMatchObject({ type: 'invalid_data', nonRetryable: true, message: 'the database refused a value this step writes' });
  });

  test('a database going away while a process writes is not the value\'s fault: the step is retried', () => {
    const shutdown = new Prisma.PrismaClientKnownRequestError('Database error. Code: 57P01. terminating connection due to administrator command', {
      code: 'P2039',
      clientVersion: '7',
      meta: { driverAdapterError: { cause: { originalCode: '57P01', kind: 'postgres' } } },
    });
    expect(hopelessFailure(shutdown)).toBeNull();
  });

  test('the OpenAPI document says what is accepted: no empty changes, one way to name a person, distinct offsets, no blank text; TRACE is 405', async () => {
    const { body } = await apiClient(h.baseUrl).get('/api/v1/openapi.json');
    const schemas = body.components.schemas;
    expect(schemas.RequirementChanges).toMatchObject({ minProperties: 1, additionalProperties: false });
    expect(schemas.CompletionInput.properties.person).toMatchObject({ minProperties: 1, maxProperties: 1, additionalProperties: false });
    expect(schemas.NotificationPolicyInput.properties.reminderDaysBeforeDue).toMatchObject({ uniqueItems: true });
    const notes = schemas.RenewalRequestInput.properties.notes;
    expect(new RegExp(notes.pattern).test('   ')).toBe(false);
    expect(new RegExp(notes.pattern).test('Line one\nline two')).toBe(true);
    expect(schemas.ApprovalDecisionInput.oneOf).toHaveLength(4);

    const { apiKey } = await createTenant(h.db);
    // fetch refuses to send TRACE; node's http client does, as any probe would.
    const trace = await new Promise<{ status: number; allow: string }>((resolve, reject) => {
      request(`${h.baseUrl}/api/v1/roles`, { method: 'TRACE', headers: { authorization: `Bearer ${apiKey}` } }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, allow: String(res.headers.allow) });
      })
        .on('error', reject)
        .end();
    });
    expect(trace.status).toBe(405);
    expect(trace.allow).toContain('GET');
    const emptyChange = await apiClient(h.baseUrl, apiKey).patch('/api/v1/requirements/00000000-0000-4000-8000-000000000000', {});
    expect(emptyChange.status).toBe(400);
  });
});
