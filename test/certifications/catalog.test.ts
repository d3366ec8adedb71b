import { givenCatalog } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { tenantWithApi } from '../catalog/fixtures';

/**
 * Certifications are kept through the API like the rest of the catalog: a PUT creates or replaces
 * one — its paths (programs) and the rules of its validity, periods written as ISO 8601 — and every
 * change is audited. Reading needs catalog:read, writing certifications:write.
 */
describe('the certification catalog', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  async function tenantWithPrograms(scopes?: Parameters<typeof tenantWithApi>[1]) {
    const tenant = await tenantWithApi(h, scopes);
    await givenCatalog(h.db, tenant.tenantId, { roles: { driver: [] }, programs: { 'forklift-initial': ['forklift-theory', 'forklift-practice'], 'forklift-refresher': ['forklift-theory'] } });
    const programs = await h.db.program.findMany({ where: { tenantId: tenant.tenantId } });
    const ref = (key: string) => {
      const program = programs.find((p) => p.key === key)!;
      return { id: program.id, key: program.key, title: program.title };
    };
    return { ...tenant, ref };
  }

  const forklift = {
    title: 'Forklift licence',
    initialProgramKey: 'forklift-initial',
    recertificationProgramKey: 'forklift-refresher',
    activePeriod: 'P2Y',
    windowPeriod: 'P3M',
    reminderDaysBeforeExpiry: [7, 90, 30, 30],
    expiryBase: 'previous_expiry',
    dueOffsetDays: 14,
  };

  test('a certification is created, replaced, read by key or id and listed; each change audited, an unchanged PUT not', async () => {
    const { tenantId, api, ref } = await tenantWithPrograms();

    const created = await api.put('/api/v1/certifications/forklift', forklift);
    expect(created).toEqual({
      status: 201,
      body: {
        id: expect.any(String),
        key: 'forklift',
        title: 'Forklift licence',
        initialProgram: ref('forklift-initial'),
        recertificationProgram: ref('forklift-refresher'),
        activePeriod: 'P2Y',
        windowPeriod: 'P3M',
        reminderDaysBeforeExpiry: [90, 30, 7],
        expiryBase: 'previous_expiry',
        fixedExpiryDay: null,
        minimumActivePeriod: null,
        dueOffsetDays: 14,
        createdAt: expect.any(String),
      },
    });

    const replaced = await api.put('/api/v1/certifications/forklift', {
      title: 'Forklift licence (counterbalance)',
      initialProgramKey: 'forklift-initial',
      activePeriod: 'p1y6m',
      windowPeriod: 'P90D',
      expiryBase: 'fixed_date',
      fixedExpiryDay: '01-01',
      minimumActivePeriod: 'P6M',
    });
    expect(replaced).toEqual({
      status: 200,
      body: {
        ...created.body,
        title: 'Forklift licence (counterbalance)',
        // The recertification path defaults to the initial one; reminders and due offset to their defaults.
        recertificationProgram: ref('forklift-initial'),
        activePeriod: 'P1Y6M',
        windowPeriod: 'P90D',
        reminderDaysBeforeExpiry: [30, 7],
        expiryBase: 'fixed_date',
        fixedExpiryDay: '01-01',
        minimumActivePeriod: 'P6M',
        dueOffsetDays: 30,
      },
    });
    const same = await api.put('/api/v1/certifications/forklift', { ...replaced.body, id: undefined, key: undefined, createdAt: undefined, initialProgram: undefined, recertificationProgram: undefined, initialProgramKey: 'forklift-initial' });
    expect(same).toEqual({ status: 200, body: replaced.body });

    await api.put('/api/v1/certifications/first-aid', { ...forklift, title: 'First aid' });
    expect(await api.get(`/api/v1/certifications/${created.body.id}`)).toEqual({ status: 200, body: replaced.body });
    expect(await api.get('/api/v1/certifications/forklift')).toEqual({ status: 200, body: replaced.body });
    const firstPage = await api.get('/api/v1/certifications?limit=1');
    expect(firstPage.body.data.map((c: { key: string }) => c.key)).toEqual(['first-aid']);
    const secondPage = await api.get(`/api/v1/certifications?limit=1&cursor=${firstPage.body.nextCursor}`);
    expect(secondPage.body).toEqual({ data: [replaced.body], nextCursor: null });

    const audit = await h.db.auditEvent.findMany({ where: { tenantId, entityId: created.body.id }, orderBy: { at: 'asc' } });
    expect(audit.map((event) => [event.action, event.actorType, event.data])).toEqual([
      ['certification.created', 'api_client', { before: null, after: created.body }],
      ['certification.updated', 'api_client', { before: created.body, after: replaced.body }],
    ]);
  });

  test('replacing the rules wakes the processes under way (not those that ended); creating wakes none', async () => {
    const { tenantId, api } = await tenantWithPrograms();
    const created = await api.put('/api/v1/certifications/forklift', forklift);
    expect(await h.db.processCommand.count({ where: { tenantId } })).toBe(0);
    const people = await Promise.all(
      ['certified', 'inactive'].map((state, i) =>
        h.db.person.create({ data: { tenantId, source: 'workday', externalId: `E-${i}`, email: `e${i}@example.com`, name: `Person ${i}`, hireDate: new Date('2026-01-05T00:00:00Z') } }).then(async (person) => {
          await h.db.certificationStatus.create({ data: { tenantId, personId: person.id, certificationId: created.body.id, state: state as 'certified', workflowId: `certification:${tenantId}:${created.body.id}:${person.id}` } });
          return person;
        }),
      ),
    );

    await api.put('/api/v1/certifications/forklift', { ...forklift, windowPeriod: 'P6M' });
    const commands = await h.db.processCommand.findMany({ where: { tenantId } });
    expect(commands.map((c) => [c.workflowId, c.workflowType, c.action, c.signalName, c.priority])).toEqual([
      [`certification:${tenantId}:${created.body.id}:${people[0]!.id}`, 'certification', 'signal_with_start', 'certificationChanged', 1],
    ]);
  });

  test('periods, reminders, the expiry base and its fixed day are validated, each problem naming its field', async () => {
    const { tenantId, api } = await tenantWithPrograms();
    const fields = async (body: Record<string, unknown>) => {
      const response = await api.put('/api/v1/certifications/forklift', body);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('invalid_request');
      return response.body.error.details.map((d: { field: string }) => d.field).sort();
    };

    expect(await fields({ ...forklift, activePeriod: '2 years', windowPeriod: 'PT12H' })).toEqual(['body.activePeriod', 'body.windowPeriod']);
    expect(await fields({ ...forklift, activePeriod: 'P0D' })).toEqual(['body.activePeriod']);
    expect(await fields({ ...forklift, activePeriod: 'P51Y' })).toEqual(['body.activePeriod']);
    expect(await fields({ ...forklift, activePeriod: 'P601M' })).toEqual(['body.activePeriod']);
    expect(await fields({ ...forklift, activePeriod: 'P1Y', windowPeriod: 'P12M' })).toEqual(['body.windowPeriod']);
    expect(await fields({ ...forklift, activePeriod: 'P1M', windowPeriod: 'P30D' })).toEqual(['body.windowPeriod']);
    expect(await fields({ ...forklift, reminderDaysBeforeExpiry: [0, 30, 3651, 1.5] })).toEqual([
      'body.reminderDaysBeforeExpiry.0',
      'body.reminderDaysBeforeExpiry.2',
      'body.reminderDaysBeforeExpiry.3',
    ]);
    expect(await fields({ ...forklift, expiryBase: 'calendar' })).toEqual(['body.expiryBase']);
    expect(await fields({ ...forklift, expiryBase: 'fixed_date' })).toEqual(['body.fixedExpiryDay']);
    expect(await fields({ ...forklift, expiryBase: 'fixed_date', fixedExpiryDay: '02-29' })).toEqual(['body.fixedExpiryDay']);
    expect(await fields({ ...forklift, expiryBase: 'fixed_date', fixedExpiryDay: '04-31' })).toEqual(['body.fixedExpiryDay']);
    expect(await fields({ ...forklift, expiryBase: 'fixed_date', fixedExpiryDay: '1-1' })).toEqual(['body.fixedExpiryDay']);
    expect(await fields({ ...forklift, expiryBase: 'fixed_date', fixedExpiryDay: '12-31', minimumActivePeriod: 'P3Y' })).toEqual(['body.minimumActivePeriod']);
    expect(await fields({ ...forklift, fixedExpiryDay: '01-01', minimumActivePeriod: 'P6M' })).toEqual(['body.fixedExpiryDay', 'body.minimumActivePeriod']);
    expect(await fields({ ...forklift, dueOffsetDays: -1, title: ' ' })).toEqual(['body.dueOffsetDays', 'body.title']);
    expect(await fields({ ...forklift, colour: 'green' })).toEqual(['body.colour']);
    const { initialProgramKey: _dropped, ...withoutPath } = forklift;
    expect(await fields(withoutPath)).toEqual(['body.initialProgramKey']);

    const badKey = await api.put('/api/v1/certifications/Forklift%20Licence', forklift);
    expect(badKey.status).toBe(400);
    expect(badKey.body.error.details).toEqual([expect.objectContaining({ field: 'path.key' })]);

    const unknown = await api.put('/api/v1/certifications/forklift', { ...forklift, recertificationProgramKey: 'crane-refresher' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toMatchObject({ code: 'unknown_program', details: { program: 'crane-refresher' } });
    expect(await h.db.certification.count({ where: { tenantId } })).toBe(0);
  });

  test('a certification another tenant has, or none, is 404; reading needs catalog:read, writing certifications:write', async () => {
    const other = await tenantWithPrograms();
    const theirs = await other.api.put('/api/v1/certifications/forklift', forklift);
    const { api } = await tenantWithPrograms();
    expect((await api.get('/api/v1/certifications/forklift')).status).toBe(404);
    expect((await api.get(`/api/v1/certifications/${theirs.body.id}`)).status).toBe(404);
    expect((await api.get('/api/v1/certifications')).body).toEqual({ data: [], nextCursor: null });

    const catalogWriter = await tenantWithPrograms(['catalog:write', 'catalog:read']);
    const refused = await catalogWriter.api.put('/api/v1/certifications/forklift', forklift);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'forbidden', details: { requiredScope: 'certifications:write' } });

    const writerOnly = await tenantWithPrograms(['certifications:write']);
    expect((await writerOnly.api.put('/api/v1/certifications/forklift', forklift)).status).toBe(201);
    expect((await writerOnly.api.get('/api/v1/certifications/forklift')).status).toBe(403);
  });
});
