import { createApiClient } from '../../src/services/identity/api-keys';
import { createTenant } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { apiClient } from '../support/http';

/**
 * A tenant's administrator keeps its API keys: issues one per system with the scopes it needs, sees
 * when each was last used, rotates a key with a grace period so the system can switch over, and
 * revokes a key at once. Every change is audited.
 */
describe('API keys', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  async function admin() {
    const { tenantId } = await createTenant(h.db, ['api-keys:read']);
    const { key } = await createApiClient(h.db, { tenantId, name: 'admin', scopes: ['api-keys:read', 'api-keys:write'] });
    return { tenantId, api: apiClient(h.baseUrl, key) };
  }

  test('a key issued for a system works with its scopes only, and the list shows when it was last used', async () => {
    const { tenantId, api } = await admin();
    const issued = await api.post('/api/v1/api-keys', { name: 'lms', scopes: ['completions:write', 'people:read'] });
    expect(issued.status).toBe(201);
    expect(issued.body.apiKey).toMatchObject({ name: 'lms', scopes: ['completions:write', 'people:read'], lastUsedAt: null, revokedAt: null });
    expect(issued.body.key).toMatch(new RegExp(`^th_${issued.body.apiKey.keyPrefix}_`));

    const lms = apiClient(h.baseUrl, issued.body.key);
    expect((await lms.get('/api/v1/roles')).body.error.details).toEqual({ requiredScope: 'catalog:read' });
    const listed = (await api.get('/api/v1/api-keys')).body.data.find((k: any) => k.id === issued.body.apiKey.id);
    expect(listed).toMatchObject({ name: 'lms', lastUsedAt: expect.any(String) });
    expect(JSON.stringify((await api.get('/api/v1/api-keys')).body)).not.toContain(issued.body.key);
    expect(await h.db.auditEvent.findFirst({ where: { tenantId, action: 'api_key.created', entityId: issued.body.apiKey.id } })).not.toBeNull();

    const unknownScope = await api.post('/api/v1/api-keys', { name: 'bad', scopes: ['everything'] });
    expect(unknownScope.status).toBe(400);
  });

  test('rotation gives a new key at once and keeps the old one working for the grace period; revocation ends a key at once', async () => {
    const { tenantId, api } = await admin();
    const issued = (await api.post('/api/v1/api-keys', { name: 'hris', scopes: ['catalog:read'] })).body;
    const old = apiClient(h.baseUrl, issued.key);

    const rotated = await api.post(`/api/v1/api-keys/${issued.apiKey.id}/rotate`, { graceMinutes: 30 });
    expect(rotated.status).toBe(201);
    expect(rotated.body.apiKey).toMatchObject({ name: 'hris', scopes: ['catalog:read'], rotatedFromId: issued.apiKey.id });
    expect(Date.parse(rotated.body.previous.revokedAt) - Date.now()).toBeGreaterThan(29 * 60_000);
    const fresh = apiClient(h.baseUrl, rotated.body.key);
    expect((await fresh.get('/api/v1/roles')).status).toBe(200);
    expect((await old.get('/api/v1/roles')).status).toBe(200);

    // No grace: the old key is refused from now on.
    const again = await api.post(`/api/v1/api-keys/${rotated.body.apiKey.id}/rotate`, { graceMinutes: 0 });
    expect((await fresh.get('/api/v1/roles')).status).toBe(401);
    const revoked = await api.post(`/api/v1/api-keys/${again.body.apiKey.id}/revoke`, { reason: 'laptop lost' });
    expect(revoked.body.revokedAt).not.toBeNull();
    const refused = await apiClient(h.baseUrl, again.body.key).get('/api/v1/roles');
    expect(refused).toMatchObject({ status: 401, body: { error: { code: 'unauthenticated', message: 'The API key is not valid or was revoked' } } });
    expect((await api.post(`/api/v1/api-keys/${again.body.apiKey.id}/rotate`)).body.error.code).toBe('api_key_revoked');

    const audit = await h.db.auditEvent.findMany({ where: { tenantId, entityType: 'api_key' }, orderBy: { at: 'asc' } });
    expect(audit.map((a) => a.action)).toEqual(['api_key.created', 'api_key.rotated', 'api_key.rotated', 'api_key.revoked']);
    expect(audit.at(-1)!.reason).toBe('laptop lost');
  });

  test("another tenant's keys can be neither listed nor rotated nor revoked", async () => {
    const mine = await admin();
    const theirs = await admin();
    const theirKey = (await theirs.api.post('/api/v1/api-keys', { name: 'theirs', scopes: ['catalog:read'] })).body;
    expect((await mine.api.get('/api/v1/api-keys')).body.data.map((k: any) => k.id)).not.toContain(theirKey.apiKey.id);
    expect((await mine.api.post(`/api/v1/api-keys/${theirKey.apiKey.id}/revoke`)).status).toBe(404);
    expect((await mine.api.post(`/api/v1/api-keys/${theirKey.apiKey.id}/rotate`)).status).toBe(404);
    expect((await apiClient(h.baseUrl, theirKey.key).get('/api/v1/roles')).status).toBe(200);
  });
});
