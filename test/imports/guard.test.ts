import { createTenant } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { apiClient } from '../support/http';
import { genericCsv, sendFile, waitForRun } from './runs-support';

/**
 * The accidental-deletion guard: a snapshot that would terminate more than 10 % of the source's
 * active people (and more than 5 of them) — a truncated export, a wrong filter in the report —
 * stops before anything is applied and waits for a person to confirm or cancel it. A small tenant's
 * one or two leavers go through.
 */
describe('the accidental-deletion guard', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  /** A tenant whose HR system (generic CSV) has told trainhub of `n` active people. */
  async function tenantWithPeople(n: number) {
    const tenant = await createTenant(h.db);
    const ids = Array.from({ length: n }, (_, i) => `P-${String(i + 1).padStart(3, '0')}`);
    await h.db.person.createMany({
      data: ids.map((externalId) => ({ tenantId: tenant.tenantId, source: 'generic-csv', externalId, email: `${externalId.toLowerCase()}@example.com`, name: `Person ${externalId}`, hireDate: new Date('2024-01-15') })),
    });
    return { ...tenant, ids, api: apiClient(h.baseUrl, tenant.apiKey) };
  }

  const fileOf = (ids: readonly string[]) => genericCsv(ids.map((id) => ({ id, name: `Person ${id}` })));
  const statuses = async (tenantId: string) =>
    (await h.db.person.groupBy({ by: ['status'], where: { tenantId }, _count: true })).map((g) => `${g.status}:${g._count}`).sort();

  test('a snapshot missing most people stops at awaiting_confirmation with nothing terminated; confirmed, it applies', async () => {
    const { tenantId, apiKey, ids, api } = await tenantWithPeople(20);

    const sent = await sendFile(h, apiKey, fileOf(ids.slice(0, 3)), { mode: 'snapshot' });
    const held = await waitForRun(h, apiKey, sent.body.id, ['awaiting_confirmation']);

    expect(held.counts).toMatchObject({ rows: 3, unchanged: 3, terminated: 17, absent: 17 });
    expect(held.confirmation).toEqual({ terminations: 17, activePeople: 20, maxSharePercent: 10, minPeople: 5, confirmedAt: null, confirmedBy: null });
    expect(held.progress).toEqual({ applied: 0, toApply: 17 });
    expect(await statuses(tenantId)).toEqual(['active:20']);
    expect(await h.db.hrEvent.count({ where: { tenantId } })).toBe(0);

    const confirmed = await api.post(`/api/v1/imports/${held.id}/confirm`);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.confirmation).toMatchObject({ confirmedAt: expect.any(String), confirmedBy: expect.stringMatching(/^api_client:/) });
    const done = await waitForRun(h, apiKey, held.id, ['completed']);
    expect(done.progress).toEqual({ applied: 17, toApply: 17 });
    expect(await statuses(tenantId)).toEqual(['active:3', 'terminated:17']);
    // Confirming again answers the run as it is; cancelling a run that went on is refused.
    expect((await api.post(`/api/v1/imports/${held.id}/confirm`)).status).toBe(200);
    expect(await api.post(`/api/v1/imports/${held.id}/cancel`)).toMatchObject({ status: 409, body: { error: { code: 'import_not_awaiting_confirmation' } } });
    const audit = await h.db.auditEvent.findMany({ where: { tenantId, entityId: held.id }, orderBy: { at: 'asc' } });
    expect(audit.map((a) => a.action)).toEqual(['import_run.received', 'import_run.confirmed']);
  });

  test('cancelled, a held snapshot changes nothing and its process ends', async () => {
    const { tenantId, apiKey, ids, api } = await tenantWithPeople(12);

    const sent = await sendFile(h, apiKey, fileOf(ids.slice(0, 2)), { mode: 'snapshot' });
    const held = await waitForRun(h, apiKey, sent.body.id, ['awaiting_confirmation']);
    const cancelled = await api.post(`/api/v1/imports/${held.id}/cancel`);

    expect(cancelled).toMatchObject({ status: 200, body: { state: 'cancelled' } });
    const result = await h.temporal.workflow.getHandle(held.workflowId).result();
    expect(result).toMatchObject({ state: 'cancelled' });
    expect(await statuses(tenantId)).toEqual(['active:12']);
    expect(await h.db.importChange.count({ where: { runId: held.id, appliedAt: { not: null } } })).toBe(0);
    expect(await api.post(`/api/v1/imports/${held.id}/confirm`)).toMatchObject({ status: 409, body: { error: { code: 'import_not_awaiting_confirmation' } } });
    // The same file again is this cancelled run, not a new attempt.
    expect(await sendFile(h, apiKey, fileOf(ids.slice(0, 2)), { mode: 'snapshot' })).toMatchObject({ status: 200, body: { id: held.id, state: 'cancelled' } });
  });

  test("a small tenant's few leavers, a share under the limit, and a delta file's terminations go through unheld", async () => {
    // 4 of 8 leave: half of them, but not more than 5 people.
    const small = await tenantWithPeople(8);
    const few = await sendFile(h, small.apiKey, fileOf(small.ids.slice(0, 4)), { mode: 'snapshot' });
    expect(await waitForRun(h, small.apiKey, few.body.id, ['completed'])).toMatchObject({ counts: { terminated: 4 }, confirmation: null });

    // 6 of 80 leave: more than 5 people, but 7.5 %.
    const large = await tenantWithPeople(80);
    const share = await sendFile(h, large.apiKey, fileOf(large.ids.slice(0, 74)), { mode: 'snapshot' });
    expect(await waitForRun(h, large.apiKey, share.body.id, ['completed'], 120_000)).toMatchObject({ counts: { terminated: 6 }, confirmation: null });

    // A run not held cannot be confirmed.
    expect(await large.api.post(`/api/v1/imports/${share.body.id}/confirm`)).toMatchObject({ status: 409 });

    // A delta file's own terminations are meant: 7 of 12 leave, unheld.
    const delta = await tenantWithPeople(12);
    const leavers = genericCsv(delta.ids.slice(0, 7).map((id) => ({ id, name: `Person ${id}`, status: 'terminated', terminated: '2024-06-30' })));
    const sent = await sendFile(h, delta.apiKey, leavers, { mode: 'delta' });
    expect(await waitForRun(h, delta.apiKey, sent.body.id, ['completed'])).toMatchObject({ counts: { terminated: 7, absent: 0 }, confirmation: null });
    expect(await statuses(delta.tenantId)).toEqual(['active:5', 'terminated:7']);
  });

  test("the tenant sets its own guard: its share and floor judge the next snapshots", async () => {
    const { tenantId, apiKey, ids, api } = await tenantWithPeople(8);
    expect(await api.get('/api/v1/import-policy')).toEqual({ status: 200, body: { maxSharePercent: 10, minPeople: 5, updatedAt: null } });

    const set = await api.put('/api/v1/import-policy', { maxSharePercent: 20, minPeople: 1 });
    expect(set).toMatchObject({ status: 200, body: { maxSharePercent: 20, minPeople: 1, updatedAt: expect.any(String) } });
    expect(await api.put('/api/v1/import-policy', { maxSharePercent: 120, minPeople: -1 })).toMatchObject({ status: 400 });

    // 2 of 8 (25 %, and more than 1) now wait.
    const sent = await sendFile(h, apiKey, fileOf(ids.slice(0, 6)), { mode: 'snapshot' });
    const held = await waitForRun(h, apiKey, sent.body.id, ['awaiting_confirmation']);
    expect(held.confirmation).toMatchObject({ terminations: 2, activePeople: 8, maxSharePercent: 20, minPeople: 1 });
    expect(await statuses(tenantId)).toEqual(['active:8']);
  });
});
