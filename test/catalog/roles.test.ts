import { givenCatalog } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { givenPerson, tenantWithApi } from './fixtures';

/** Administrators keep the tenant's roles — what HR events name and the training matrix keys on — through the API. */
describe('the roles of the catalog', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  const tenant = () => tenantWithApi(h);

  test('a role is created, read by key or id, renamed and deleted, each change audited with its before and after', async () => {
    const { tenantId, api } = await tenant();

    const created = await api.post('/api/v1/roles', { key: 'icu-nurse', name: 'ICU nurse' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(String), key: 'icu-nurse', name: 'ICU nurse', createdAt: expect.any(String) });
    const { id } = created.body;

    expect(await api.get('/api/v1/roles/icu-nurse')).toEqual({ status: 200, body: created.body });
    expect(await api.get(`/api/v1/roles/${id}`)).toEqual({ status: 200, body: created.body });

    const renamed = await api.patch('/api/v1/roles/icu-nurse', { name: 'Intensive care nurse' });
    expect(renamed).toEqual({ status: 200, body: { ...created.body, name: 'Intensive care nurse' } });
    expect((await api.get(`/api/v1/roles/${id}`)).body.name).toBe('Intensive care nurse');

    const deleted = await api.delete('/api/v1/roles/icu-nurse');
    expect(deleted.status).toBe(204);
    expect((await api.get('/api/v1/roles/icu-nurse')).status).toBe(404);

    const client = await h.db.apiClient.findFirstOrThrow({ where: { tenantId } });
    const audit = await h.db.auditEvent.findMany({ where: { tenantId, entityType: 'role', entityId: id }, orderBy: { at: 'asc' } });
    expect(audit.map((event) => event.action)).toEqual(['role.created', 'role.updated', 'role.deleted']);
    expect(audit.every((event) => event.actorType === 'api_client' && event.actorId === client.id && event.requestId)).toBe(true);
    expect(audit.map((event) => event.data)).toEqual([
      { before: null, after: created.body },
      { before: created.body, after: renamed.body },
      { before: renamed.body, after: null },
    ]);
  });

  test('roles are listed in key order, a page at a time, each role exactly once', async () => {
    const { api } = await tenant();
    const keys = ['porter', 'nurse', 'anaesthetist', 'midwife', 'cleaner'];
    for (const key of keys) expect((await api.post('/api/v1/roles', { key, name: key })).status).toBe(201);

    const seen: string[] = [];
    let path = '/api/v1/roles?limit=2';
    for (;;) {
      const page = await api.get(path);
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data.map((role: { key: string }) => role.key));
      if (!page.body.nextCursor) break;
      path = `/api/v1/roles?limit=2&cursor=${encodeURIComponent(page.body.nextCursor)}`;
    }
    expect(seen).toEqual([...keys].sort());

    const all = await api.get('/api/v1/roles');
    expect(all.body).toEqual({ data: expect.any(Array), nextCursor: null });
    expect(all.body.data.map((role: { key: string }) => role.key)).toEqual([...keys].sort());
  });

  test('a key already taken is 409 duplicate_role and the existing role is untouched', async () => {
    const { tenantId, api } = await tenant();
    const first = await api.post('/api/v1/roles', { key: 'nurse', name: 'Nurse' });

    const again = await api.post('/api/v1/roles', { key: 'nurse', name: 'Another nurse' });

    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'duplicate_role', details: { key: 'nurse', id: first.body.id } });
    expect(await h.db.role.findMany({ where: { tenantId }, select: { name: true } })).toEqual([{ name: 'Nurse' }]);
    expect(await h.db.auditEvent.count({ where: { tenantId } })).toBe(1);
  });

  test('a key that is not slug-like, a missing name or an unknown field is 400 naming the field, and nothing is written', async () => {
    const { tenantId, api } = await tenant();

    const badKeys = await Promise.all(
      ['ICU Nurse', 'nurse--icu', '', '0b6c2f3e-8f5d-4c1a-9d3e-2f1a0b6c2f3e'].map((key) => api.post('/api/v1/roles', { key, name: 'Nurse' })),
    );
    const noName = await api.post('/api/v1/roles', { key: 'nurse' });
    const extra = await api.post('/api/v1/roles', { key: 'nurse', name: 'Nurse', grade: 'B7' });

    for (const response of badKeys) {
      expect(response.status).toBe(400);
      expect(response.body.error.details).toEqual([expect.objectContaining({ field: 'body.key' })]);
    }
    expect(badKeys[0]!.body.error.message).toContain('lowercase letters and digits');
    expect(badKeys[3]!.body.error.message).toContain('Must not look like a UUID');
    expect(noName.body.error.details).toEqual([expect.objectContaining({ field: 'body.name' })]);
    expect(extra.status).toBe(400);
    expect(extra.body.error.details).toEqual([{ field: 'body.grade', message: 'Unknown field' }]);
    expect(await h.db.role.count({ where: { tenantId } })).toBe(0);
    expect(await h.db.auditEvent.count({ where: { tenantId } })).toBe(0);
  });

  test('a role is renamed but never re-keyed, and an empty change is refused', async () => {
    const { tenantId, api } = await tenant();
    await api.post('/api/v1/roles', { key: 'nurse', name: 'Nurse' });

    const rekey = await api.patch('/api/v1/roles/nurse', { key: 'rn' });
    const empty = await api.patch('/api/v1/roles/nurse', {});

    expect(rekey.status).toBe(400);
    expect(rekey.body.error.details).toEqual([{ field: 'body.key', message: 'Unknown field' }]);
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toContain('Give at least one field to change');
    expect(await h.db.role.findMany({ where: { tenantId }, select: { key: true, name: true } })).toEqual([{ key: 'nurse', name: 'Nurse' }]);
    expect(await h.db.auditEvent.count({ where: { tenantId, action: 'role.updated' } })).toBe(0);
  });

  test('a role that requirements name or people hold cannot be deleted: 409 role_in_use, and it stays', async () => {
    const { tenantId, api } = await tenant();
    await givenCatalog(h.db, tenantId, {
      programs: { privacy: ['hipaa-basics'] },
      roles: { nurse: [{ program: 'privacy', dueOffsetDays: 14 }], porter: [] },
    });
    await givenPerson(h.db, tenantId, { roles: ['porter'] });

    const named = await api.delete('/api/v1/roles/nurse');
    const held = await api.delete('/api/v1/roles/porter');

    expect(named.status).toBe(409);
    expect(named.body.error).toEqual({
      code: 'role_in_use',
      message: expect.stringContaining('requirements: 1'),
      details: { role: 'nurse', usage: { requirements: 1, people: 0, approvalLevels: 0, documentTypes: 0 } },
      requestId: expect.any(String),
    });
    expect(held.status).toBe(409);
    expect(held.body.error.details).toEqual({ role: 'porter', usage: { requirements: 0, people: 1, approvalLevels: 0, documentTypes: 0 } });
    expect((await h.db.role.findMany({ where: { tenantId }, orderBy: { key: 'asc' } })).map((role) => role.key)).toEqual(['nurse', 'porter']);
    expect(await h.db.requirement.count({ where: { tenantId } })).toBe(1);
    expect(await h.db.personRole.count({ where: { tenantId } })).toBe(1);
    expect(await h.db.auditEvent.count({ where: { tenantId, entityType: 'role' } })).toBe(0);
  });

  test('an unknown role is 404 for reads, changes and deletes alike', async () => {
    const { api } = await tenant();
    for (const response of [
      await api.get('/api/v1/roles/astronaut'),
      await api.patch('/api/v1/roles/astronaut', { name: 'Astronaut' }),
      await api.delete('/api/v1/roles/astronaut'),
    ]) {
      expect(response.status).toBe(404);
      expect(response.body.error).toMatchObject({ code: 'not_found', details: { entity: 'role', id: 'astronaut' } });
    }
  });
});
