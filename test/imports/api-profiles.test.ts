import { createTenant } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { apiClient } from '../support/http';
import { genericCsv, sendFile, waitForRun } from './runs-support';

/**
 * Import profiles through the API: the built-in ones are there for every tenant; a tenant saves its
 * own under a name, each changed definition a new version (a run keeps the version it began with),
 * and a definition that cannot work is refused naming where.
 */
describe('import profiles', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  async function tenant() {
    const t = await createTenant(h.db);
    return { ...t, api: apiClient(h.baseUrl, t.apiKey) };
  }

  test('the built-in profiles are listed and readable by every tenant', async () => {
    const { api } = await tenant();
    const list = await api.get('/api/v1/import-profiles');
    expect(list.status).toBe(200);
    expect(list.body.profiles.map((p: { name: string; builtIn: boolean }) => [p.name, p.builtIn])).toEqual([
      ['bamboohr', true], ['generic-csv', true], ['lms-transcript-csv', true], ['oracle-hcm-workers', true],
      ['successfactors-odata', true], ['unified-hris', true], ['workday-raas', true],
    ]);
    expect(list.body.profiles.find((p: { name: string }) => p.name === 'workday-raas')).toMatchObject({ kind: 'people', format: 'json', version: null, createdAt: null });
    const one = await api.get('/api/v1/import-profiles/lms-transcript-csv');
    expect(one).toMatchObject({ status: 200, body: { name: 'lms-transcript-csv', kind: 'transcript', format: 'csv', builtIn: true, definition: { kind: 'transcript', format: 'csv' } } });
    expect((await api.get('/api/v1/import-profiles/no-such')).status).toBe(404);
  });

  test('a saved profile gets a new version only when its definition changes; runs take the latest and keep theirs', async () => {
    const { tenantId, apiKey, api } = await tenant();
    const generic = (await api.get('/api/v1/import-profiles/generic-csv')).body.definition;
    const v1 = { ...generic, system: 'acme-hr', description: 'Our HR export' };

    const created = await api.put('/api/v1/import-profiles/acme', v1);
    expect(created).toMatchObject({ status: 201, body: { name: 'acme', version: 1, builtIn: false, source: 'acme-hr', kind: 'people', definition: { system: 'acme-hr' } } });
    expect(await api.put('/api/v1/import-profiles/acme', v1)).toMatchObject({ status: 200, body: { version: 1 } });
    const first = await sendFile(h, apiKey, genericCsv([{ id: 'V-1' }]), { profile: 'acme' });
    expect(first.body.profile).toEqual({ name: 'acme', version: 1 });

    const changed = await api.put('/api/v1/import-profiles/acme', { ...v1, description: 'Our HR export, v2' });
    expect(changed).toMatchObject({ status: 201, body: { version: 2 } });
    const second = await sendFile(h, apiKey, genericCsv([{ id: 'V-2' }]), { profile: 'acme' });
    expect(second.body.profile).toEqual({ name: 'acme', version: 2 });
    expect((await api.get('/api/v1/import-profiles/acme')).body).toMatchObject({ version: 2, definition: { description: 'Our HR export, v2' } });
    expect((await api.get('/api/v1/import-profiles/acme?version=1')).body).toMatchObject({ version: 1, definition: { description: 'Our HR export' } });
    expect((await api.get('/api/v1/import-profiles')).body.profiles).toContainEqual(expect.objectContaining({ name: 'acme', version: 2, builtIn: false }));
    // People are recorded under the profile's system.
    await waitForRun(h, apiKey, first.body.id, ['completed']);
    expect(await h.db.person.findFirst({ where: { tenantId, externalId: 'V-1', source: 'acme-hr' } })).not.toBeNull();

    // A tenant's profile of a built-in's name is the one its runs take; other tenants still see the built-in.
    const shadow = await api.put('/api/v1/import-profiles/generic-csv', { ...generic, system: 'shadow' });
    expect(shadow).toMatchObject({ status: 201, body: { name: 'generic-csv', version: 1, builtIn: false } });
    const third = await sendFile(h, apiKey, genericCsv([{ id: 'V-3' }]));
    expect(third.body.profile).toEqual({ name: 'generic-csv', version: 1 });
    const other = await tenant();
    expect((await other.api.get('/api/v1/import-profiles/generic-csv')).body).toMatchObject({ builtIn: true, version: null });
    expect((await other.api.get('/api/v1/import-profiles/acme')).status).toBe(404);
    expect((await sendFile(h, other.apiKey, genericCsv([{ id: 'V-1' }]), { profile: 'acme' })).status).toBe(422);
  });

  test('a definition that cannot work is refused (400) naming each problem where it is; nothing is saved', async () => {
    const { tenantId, api } = await tenant();
    const refused = await api.put('/api/v1/import-profiles/broken', {
      kind: 'people',
      format: 'json',
      fields: { externalId: { from: 'id', join: ['a', 'b'] }, name: {} },
    });
    expect(refused.status).toBe(400);
    const fields = refused.body.error.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['body.json', 'body.fields.externalId', 'body.fields.name']));
    expect((await api.put('/api/v1/import-profiles/Not%20A%20Name', { kind: 'people' })).status).toBe(400);
    expect(await h.db.importProfile.count({ where: { tenantId } })).toBe(0);
  });
});
