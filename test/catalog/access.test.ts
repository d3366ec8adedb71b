import { givenCatalog } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { tenantWithApi } from './fixtures';

/** The catalog is the tenant's own: keys need the catalog scopes, and another tenant's catalog does not exist for them. */
describe('who may read and change the catalog', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  /** A tenant whose catalog has a role, a course, a program and a requirement, all called by the same names as anyone else's. */
  async function tenantWithMatrix(scopes?: Parameters<typeof tenantWithApi>[1]) {
    const tenant = await tenantWithApi(h, scopes);
    await givenCatalog(h.db, tenant.tenantId, { programs: { privacy: ['hipaa-basics'] }, roles: { nurse: [{ program: 'privacy', dueOffsetDays: 14 }] } });
    const requirement = await h.db.requirement.findFirstOrThrow({ where: { tenantId: tenant.tenantId } });
    const ids = {
      role: (await h.db.role.findFirstOrThrow({ where: { tenantId: tenant.tenantId } })).id,
      course: (await h.db.course.findFirstOrThrow({ where: { tenantId: tenant.tenantId } })).id,
      program: (await h.db.program.findFirstOrThrow({ where: { tenantId: tenant.tenantId } })).id,
      requirement: requirement.id,
    };
    return { ...tenant, ids };
  }

  test("another tenant's roles, courses, programs and requirements are 404 by id, cannot be changed or deleted, and never listed", async () => {
    const mine = await tenantWithApi(h);
    const theirs = await tenantWithMatrix();

    const reads = [
      `/api/v1/roles/${theirs.ids.role}`,
      `/api/v1/courses/${theirs.ids.course}`,
      `/api/v1/programs/${theirs.ids.program}`,
      `/api/v1/requirements/${theirs.ids.requirement}`,
      '/api/v1/roles/nurse',
      '/api/v1/programs/privacy',
    ];
    for (const path of reads) {
      const response = await mine.api.get(path);
      expect({ path, status: response.status, code: response.body.error.code }).toEqual({ path, status: 404, code: 'not_found' });
    }
    expect((await mine.api.patch(`/api/v1/roles/${theirs.ids.role}`, { name: 'Mine now' })).status).toBe(404);
    expect((await mine.api.patch(`/api/v1/requirements/${theirs.ids.requirement}`, { dueOffsetDays: 1 })).status).toBe(404);
    expect((await mine.api.delete(`/api/v1/requirements/${theirs.ids.requirement}`)).status).toBe(404);
    expect((await mine.api.delete(`/api/v1/courses/${theirs.ids.course}`)).status).toBe(404);
    for (const list of ['roles', 'courses', 'programs', 'requirements']) {
      expect((await mine.api.get(`/api/v1/${list}`)).body).toEqual({ data: [], nextCursor: null });
    }

    // Their keys mean nothing here: referring to them is an unknown reference.
    const rule = await mine.api.post('/api/v1/requirements', { role: 'nurse', program: 'privacy', dueOffsetDays: 14 });
    const program = await mine.api.post('/api/v1/programs', { key: 'privacy', title: 'Privacy', courses: ['hipaa-basics'] });
    expect(rule.body.error.code).toBe('unknown_role');
    expect(program.body.error.code).toBe('unknown_course');

    // The same keys are free for this tenant, and theirs are untouched.
    expect((await mine.api.post('/api/v1/roles', { key: 'nurse', name: 'Nurse' })).status).toBe(201);
    expect((await theirs.api.get('/api/v1/roles/nurse')).body.name).toBe('Nurse');
    expect(await h.db.requirement.findUniqueOrThrow({ where: { id: theirs.ids.requirement } })).toMatchObject({ dueOffsetDays: 14 });
    expect(await h.db.auditEvent.count({ where: { tenantId: theirs.tenantId } })).toBe(0);
  });

  test('reading the catalog needs catalog:read and changing it catalog:write: 403 naming the scope, nothing written', async () => {
    const readOnly = await tenantWithMatrix(['catalog:read']);
    const hrOnly = await tenantWithMatrix(['hr:write']);

    expect((await readOnly.api.get('/api/v1/roles')).status).toBe(200);
    expect((await readOnly.api.get('/api/v1/notification-policy')).status).toBe(200);
    const writes = [
      await readOnly.api.post('/api/v1/roles', { key: 'porter', name: 'Porter' }),
      await readOnly.api.patch('/api/v1/courses/hipaa-basics', { title: 'HIPAA' }),
      await readOnly.api.delete(`/api/v1/requirements/${readOnly.ids.requirement}`),
      await readOnly.api.post('/api/v1/programs', { key: 'induction', title: 'Induction', courses: ['hipaa-basics'] }),
      await readOnly.api.put('/api/v1/notification-policy', {
        reminderDaysBeforeDue: [7],
        overdueNotice: true,
        managerEscalationDaysOverdue: 3,
        complianceEscalationDaysAfter: 7,
        complianceOfficerEmail: null,
      }),
    ];
    for (const response of writes) {
      expect(response.status).toBe(403);
      expect(response.body.error).toMatchObject({ code: 'forbidden', details: { requiredScope: 'catalog:write' } });
    }
    for (const path of ['/api/v1/roles', '/api/v1/programs/privacy', `/api/v1/requirements/${hrOnly.ids.requirement}`, '/api/v1/notification-policy']) {
      const response = await hrOnly.api.get(path);
      expect(response.status).toBe(403);
      expect(response.body.error.details).toEqual({ requiredScope: 'catalog:read' });
    }
    expect(await h.db.role.count({ where: { tenantId: readOnly.tenantId } })).toBe(1);
    expect(await h.db.requirement.count({ where: { tenantId: readOnly.tenantId } })).toBe(1);
    expect(await h.db.notificationPolicy.count({ where: { tenantId: readOnly.tenantId } })).toBe(0);
    expect(await h.db.auditEvent.count({ where: { tenantId: readOnly.tenantId } })).toBe(0);
  });

  test('without an API key the catalog is 401', async () => {
    const { baseUrl } = h;
    const response = await fetch(`${baseUrl}/api/v1/roles`);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
  });
});
