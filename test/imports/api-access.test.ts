import { createApiClient } from '../../src/services/identity/api-keys';
import { createTenant } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { apiClient } from '../support/http';
import { errorsCsv, genericCsv, sendFile, waitForRun } from './runs-support';

/**
 * Who may import and see imports: sending files, following, confirming and cancelling runs, and
 * editing profiles need `imports:write`; reading profiles needs `catalog:read`. A tenant never
 * sees another's runs or profiles.
 */
describe('access to imports', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  test('without imports:write a key can neither import nor see runs; with catalog:read it reads profiles', async () => {
    const owner = await createTenant(h.db);
    const sent = await sendFile(h, owner.apiKey, genericCsv([{ id: 'A-1' }]));
    expect(sent.status).toBe(202);
    // Another key of the same tenant, without imports:write.
    const { key } = await createApiClient(h.db, { tenantId: owner.tenantId, name: 'reader', scopes: ['catalog:read', 'hr:write'] });
    const api = apiClient(h.baseUrl, key);

    const refused = await sendFile(h, key, genericCsv([{ id: 'A-2' }]));
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'forbidden', details: { requiredScope: 'imports:write' } } } });
    for (const path of ['/api/v1/imports', `/api/v1/imports/${sent.body.id}`, `/api/v1/imports/${sent.body.id}/errors.csv`]) {
      expect((await api.get(path)).status).toBe(403);
    }
    for (const path of [`/api/v1/imports/${sent.body.id}/confirm`, `/api/v1/imports/${sent.body.id}/cancel`]) {
      expect((await api.post(path)).status).toBe(403);
    }
    expect((await api.put('/api/v1/import-profiles/mine', { kind: 'people' })).status).toBe(403);
    expect((await api.put('/api/v1/import-policy', { maxSharePercent: 50, minPeople: 0 })).status).toBe(403);
    expect((await api.get('/api/v1/import-profiles')).status).toBe(200);
    expect((await api.get('/api/v1/import-profiles/generic-csv')).status).toBe(200);
    expect((await api.get('/api/v1/import-policy')).status).toBe(200);
    expect((await apiClient(h.baseUrl).get(`/api/v1/imports/${sent.body.id}`)).status).toBe(401);
  });

  test("another tenant's run is not found (404), whatever is asked of it; lists hold the tenant's own runs", async () => {
    const owner = await createTenant(h.db);
    const other = await createTenant(h.db);
    const sent = await sendFile(h, owner.apiKey, genericCsv([{ id: 'B-1', status: 'terminated', terminated: '2024-01-01' }]));
    await waitForRun(h, owner.apiKey, sent.body.id);
    const api = apiClient(h.baseUrl, other.apiKey);

    expect(await api.get(`/api/v1/imports/${sent.body.id}`)).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect((await errorsCsv(h, other.apiKey, sent.body.id)).status).toBe(404);
    expect((await api.post(`/api/v1/imports/${sent.body.id}/confirm`)).status).toBe(404);
    expect((await api.post(`/api/v1/imports/${sent.body.id}/cancel`)).status).toBe(404);
    expect((await api.get('/api/v1/imports/not-a-uuid')).status).toBe(400);
    expect((await api.get('/api/v1/imports')).body).toEqual({ runs: [] });
    // The same file sent by the other tenant is a run of its own.
    const theirs = await sendFile(h, other.apiKey, genericCsv([{ id: 'B-1', status: 'terminated', terminated: '2024-01-01' }]));
    expect(theirs.status).toBe(202);
    expect(theirs.body.id).not.toBe(sent.body.id);
    expect((await api.get('/api/v1/imports')).body.runs.map((r: { id: string }) => r.id)).toEqual([theirs.body.id]);
    const mine = await apiClient(h.baseUrl, owner.apiKey).get('/api/v1/imports?limit=5');
    expect(mine.body.runs.map((r: { id: string }) => r.id)).toEqual([sent.body.id]);
  });
});
