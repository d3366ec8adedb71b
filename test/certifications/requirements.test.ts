import { randomUUID } from 'node:crypto';
import type { PersonStatus } from '../../src/generated/prisma/enums';
import { certificationCommandsFor, requiredCertifications } from '../../src/services/certifications/required';
import { givenCatalog } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { tenantWithApi } from '../catalog/fixtures';

/**
 * Which roles must hold which certification: a certification requirement names a role and a
 * certification, optionally only for a department and/or location (a null filter matches everyone,
 * as for training requirements). Adding or removing one wakes, in the same transaction, the
 * certification process of every active person it applies to — which starts or stops what they owe.
 */
describe('certification requirements', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    // The processes themselves are another story: these tests look at the commands written.
    await h.stopWorker();
    await h.dispatcher.stop();
  });
  afterAll(async () => {
    await h.close();
  });

  async function tenantWithCertification() {
    const tenant = await tenantWithApi(h);
    await givenCatalog(h.db, tenant.tenantId, { roles: { driver: [], clerk: [] }, programs: { 'forklift-initial': ['forklift-theory'] } });
    const forklift = await tenant.api.put('/api/v1/certifications/forklift', { title: 'Forklift licence', initialProgramKey: 'forklift-initial', activePeriod: 'P2Y', windowPeriod: 'P3M' });
    await tenant.api.put('/api/v1/certifications/first-aid', { title: 'First aid', initialProgramKey: 'forklift-initial', activePeriod: 'P3Y', windowPeriod: 'P3M' });
    return { ...tenant, certificationId: forklift.body.id as string };
  }

  async function givenPerson(tenantId: string, spec: { roles: string[]; department?: string; location?: string; status?: PersonStatus }) {
    const externalId = `E-${randomUUID().slice(0, 8)}`;
    const roles = await h.db.role.findMany({ where: { tenantId, key: { in: spec.roles } } });
    return h.db.person.create({
      data: {
        tenantId,
        source: 'workday',
        externalId,
        email: `${externalId.toLowerCase()}@example.com`,
        name: externalId,
        department: spec.department ?? 'Logistics',
        location: spec.location ?? 'Hamburg',
        status: spec.status ?? 'active',
        hireDate: new Date('2026-01-05T00:00:00Z'),
        roles: { create: roles.map((role) => ({ tenantId, roleId: role.id })) },
      },
    });
  }

  const wokenIn = async (tenantId: string) =>
    (await h.db.processCommand.findMany({ where: { tenantId }, orderBy: { id: 'asc' } })).map((c) => ({
      workflowId: c.workflowId,
      type: c.workflowType,
      action: c.action,
      args: c.args,
      signal: c.signalName,
      priority: c.priority,
      queue: c.taskQueue,
    }));

  test('a requirement wakes the certification process of every active or on-leave holder of the role its filters match, and no one else', async () => {
    const { tenantId, api, certificationId } = await tenantWithCertification();
    const hamburg = await givenPerson(tenantId, { roles: ['driver'] });
    const onLeave = await givenPerson(tenantId, { roles: ['driver'], status: 'on_leave' });
    await givenPerson(tenantId, { roles: ['driver'], status: 'terminated' });
    await givenPerson(tenantId, { roles: ['driver'], location: 'Bremen' });
    await givenPerson(tenantId, { roles: ['driver'], department: 'Sales' });
    await givenPerson(tenantId, { roles: ['clerk'] });

    const created = await api.post('/api/v1/certification-requirements', { roleKey: 'driver', certificationKey: 'forklift', location: 'Hamburg', department: 'Logistics' });
    const role = await h.db.role.findFirstOrThrow({ where: { tenantId, key: 'driver' } });
    expect(created).toEqual({
      status: 201,
      body: {
        id: expect.any(String),
        role: { id: role.id, key: 'driver' },
        certification: { id: certificationId, key: 'forklift' },
        department: 'Logistics',
        location: 'Hamburg',
        createdAt: expect.any(String),
        processesWoken: 2,
      },
    });
    const wake = (personId: string) => ({
      workflowId: `certification:${tenantId}:${certificationId}:${personId}`,
      type: 'certification',
      action: 'signal_with_start',
      args: [{ tenantId, certificationId, personId }],
      signal: 'certificationChanged',
      priority: 1,
      queue: h.taskQueue,
    });
    expect(await wokenIn(tenantId)).toEqual(expect.arrayContaining([wake(hamburg.id), wake(onLeave.id)]));
    expect(await wokenIn(tenantId)).toHaveLength(2);

    const audit = await h.db.auditEvent.findMany({ where: { tenantId, entityType: 'certification_requirement' } });
    const { processesWoken: _count, ...requirement } = created.body;
    expect(audit.map((a) => [a.action, a.data])).toEqual([['certification_requirement.created', { before: null, after: requirement }]]);
  });

  test('removing a requirement wakes the same people (their process stops where nothing else requires it)', async () => {
    const { tenantId, api, certificationId } = await tenantWithCertification();
    const driver = await givenPerson(tenantId, { roles: ['driver'] });
    const created = await api.post('/api/v1/certification-requirements', { roleKey: 'driver', certificationKey: 'forklift' });
    await h.db.processCommand.deleteMany({ where: { tenantId } });

    expect((await api.delete(`/api/v1/certification-requirements/${created.body.id}`)).status).toBe(204);
    expect((await wokenIn(tenantId)).map((c) => [c.workflowId, c.priority])).toEqual([[`certification:${tenantId}:${certificationId}:${driver.id}`, 1]]);
    expect(await h.db.certificationRequirement.count({ where: { tenantId } })).toBe(0);
    expect((await api.delete(`/api/v1/certification-requirements/${created.body.id}`)).status).toBe(404);
    const audit = await h.db.auditEvent.findMany({ where: { tenantId, entityType: 'certification_requirement' }, orderBy: { at: 'asc' } });
    expect(audit.map((a) => a.action)).toEqual(['certification_requirement.created', 'certification_requirement.deleted']);
  });

  test('a requirement with no one in the role wakes nothing; unknown keys are 422, a repeated rule 409, bad fields 400', async () => {
    const { tenantId, api } = await tenantWithCertification();
    const nobody = await api.post('/api/v1/certification-requirements', { roleKey: 'clerk', certificationKey: 'forklift' });
    expect(nobody.status).toBe(201);
    expect(nobody.body.processesWoken).toBe(0);

    const again = await api.post('/api/v1/certification-requirements', { roleKey: 'clerk', certificationKey: 'forklift', department: null });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'duplicate_certification_requirement', details: { id: nobody.body.id } });
    expect((await api.post('/api/v1/certification-requirements', { roleKey: 'clerk', certificationKey: 'forklift', department: 'Sales' })).status).toBe(201);

    const unknownRole = await api.post('/api/v1/certification-requirements', { roleKey: 'pilot', certificationKey: 'forklift' });
    expect(unknownRole.body.error).toMatchObject({ code: 'unknown_role' });
    const unknownCertification = await api.post('/api/v1/certification-requirements', { roleKey: 'clerk', certificationKey: 'crane' });
    expect([unknownCertification.status, unknownCertification.body.error.code]).toEqual([422, 'unknown_certification']);

    const bad = await api.post('/api/v1/certification-requirements', { roleKey: '', certification: 'forklift', location: ' ' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['body.certification', 'body.certificationKey', 'body.location', 'body.roleKey']);
    expect(await h.db.processCommand.count({ where: { tenantId } })).toBe(0);
  });

  test('requirements are listed oldest first, by role or certification, page by page; writing needs certifications:write', async () => {
    const { api } = await tenantWithCertification();
    const a = await api.post('/api/v1/certification-requirements', { roleKey: 'driver', certificationKey: 'forklift' });
    const b = await api.post('/api/v1/certification-requirements', { roleKey: 'clerk', certificationKey: 'first-aid' });
    const c = await api.post('/api/v1/certification-requirements', { roleKey: 'driver', certificationKey: 'first-aid' });
    const view = (response: { body: Record<string, unknown> }) => {
      const { processesWoken: _count, ...rest } = response.body;
      return rest;
    };

    const first = await api.get('/api/v1/certification-requirements?limit=2');
    expect(first.body.data).toEqual([view(a), view(b)]);
    expect((await api.get(`/api/v1/certification-requirements?limit=2&cursor=${first.body.nextCursor}`)).body).toEqual({ data: [view(c)], nextCursor: null });
    expect((await api.get('/api/v1/certification-requirements?role=driver')).body.data).toEqual([view(a), view(c)]);
    expect((await api.get('/api/v1/certification-requirements?certification=first-aid&role=clerk')).body.data).toEqual([view(b)]);
    expect(await api.get(`/api/v1/certification-requirements/${a.body.id}`)).toEqual({ status: 200, body: view(a) });

    const reader = await tenantWithApi(h, ['catalog:read']);
    expect((await reader.api.post('/api/v1/certification-requirements', { roleKey: 'driver', certificationKey: 'forklift' })).status).toBe(403);
    expect((await reader.api.get(`/api/v1/certification-requirements/${a.body.id}`)).status).toBe(404);
  });

  test('who must hold what, and the wake-ups an HR change calls for: required now, or a process under way', async () => {
    const { tenantId, api, certificationId } = await tenantWithCertification();
    const firstAid = await h.db.certification.findFirstOrThrow({ where: { tenantId, key: 'first-aid' } });
    await api.post('/api/v1/certification-requirements', { roleKey: 'driver', certificationKey: 'forklift' });
    await api.post('/api/v1/certification-requirements', { roleKey: 'driver', certificationKey: 'forklift', location: 'Hamburg' });
    const driver = await givenPerson(tenantId, { roles: ['driver'] });
    const clerk = await givenPerson(tenantId, { roles: ['clerk'] });
    const leaver = await givenPerson(tenantId, { roles: ['driver'], status: 'terminated' });
    // The clerk moved out of driving: their forklift process is still under way; their first aid one ended.
    for (const [person, certification, state] of [[clerk.id, certificationId, 'certified'], [clerk.id, firstAid.id, 'inactive'], [leaver.id, certificationId, 'window_open']] as const) {
      await h.db.certificationStatus.create({ data: { tenantId, personId: person, certificationId: certification, state, workflowId: `w-${person}-${certification}` } });
    }

    const everyone = [driver.id, clerk.id, leaver.id];
    expect(await requiredCertifications(h.db, tenantId, everyone)).toEqual([{ personId: driver.id, certificationId }]);
    const commands = await certificationCommandsFor(h.db, tenantId, everyone);
    expect(commands.map((c) => [c.workflowId, c.action, c.priority]).sort()).toEqual(
      [driver.id, clerk.id, leaver.id].map((personId) => [`certification:${tenantId}:${certificationId}:${personId}`, 'signal_with_start', 0]).sort(),
    );
    expect(await certificationCommandsFor(h.db, tenantId, [])).toEqual([]);
  });
});
