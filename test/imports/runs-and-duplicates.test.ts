import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { importRunWorkflowId } from '../../src/domain/workflow-ids';
import { ImportTooLarge, receiveImport } from '../../src/services/imports/runs';
import { diffRun } from '../../src/services/imports/diff';
import { removeTenant } from '../../src/services/identity/tenants';
import { readStoredFile, stageRun } from '../../src/services/imports/staging';
import { createTenant } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { genericCsv, receivedRun, sendFile, waitForRun, type Worker } from './runs-support';

/**
 * A file sent for import becomes a run: its bytes are kept in the database in pieces of 1 MiB (so any
 * worker reads them back), its SHA-256 names the run's process, and the same file again — later or
 * at the same moment — is the same run. What cannot be a run (an empty body, a file over the cap,
 * the wrong type, an unknown profile) is refused before anything is kept.
 */
describe('receiving import files', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  const sha256 = (content: string | Buffer) => createHash('sha256').update(content).digest('hex');
  const workers = (prefix: string, n: number): Worker[] => Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i + 1}` }));

  async function runsOf(tenantId: string) {
    return h.db.importRun.findMany({ where: { tenantId }, include: { _count: { select: { chunks: true } } } });
  }

  test('a file becomes a run: 202 with the run, its bytes kept in 1 MiB pieces, its process named by the hash', async () => {
    const { tenantId, apiKey } = await createTenant(h.db);
    // Long enough for three pieces: 1 MiB, 1 MiB and the rest. (Leavers trainhub never knew: nothing to apply.)
    const csv = genericCsv(
      Array.from({ length: 24_000 }, (_, i) => ({ id: `E-${i + 1}`, name: `A person with a rather long name number ${i + 1}`, status: 'terminated', terminated: '2024-06-30' })),
    );
    expect(Buffer.byteLength(csv)).toBeGreaterThan(2 * 1024 * 1024);

    const sent = await sendFile(h, apiKey, csv, { fileName: 'workers.csv' });

    expect(sent.status).toBe(202);
    expect(sent.body).toMatchObject({
      kind: 'people',
      mode: 'delta',
      profile: { name: 'generic-csv', version: null },
      source: 'api',
      fileName: 'workers.csv',
      sizeBytes: Buffer.byteLength(csv),
      contentHash: sha256(csv),
      workflowId: importRunWorkflowId(tenantId, 'people', sha256(csv)),
      links: { self: `/api/v1/imports/${sent.body.id}`, errors: `/api/v1/imports/${sent.body.id}/errors.csv` },
    });
    const chunks = await h.db.importChunk.findMany({ where: { runId: sent.body.id }, orderBy: { seq: 'asc' } });
    expect(chunks.map((c) => [c.seq, c.data.length])).toEqual([
      [0, 1024 * 1024],
      [1, 1024 * 1024],
      [2, Buffer.byteLength(csv) - 2 * 1024 * 1024],
    ]);
    // Read back as a stream, it is the file.
    const back: Buffer[] = [];
    for await (const piece of readStoredFile(h.db, sent.body.id)) back.push(piece as Buffer);
    expect(sha256(Buffer.concat(back))).toBe(sha256(csv));

    // Its process runs it through: every record staged and compared.
    const done = await waitForRun(h, apiKey, sent.body.id, ['completed']);
    expect(done.counts).toMatchObject({ rows: 24_000, rejected: 0, created: 0, unchanged: 24_000 });
    expect(done.progress).toEqual({ applied: 0, toApply: 0 });
    const description = await h.temporal.workflow.getHandle(done.workflowId).describe();
    expect(description.type).toBe('importRun');
  });

  test('a JSON file (a Workday report) is streamed as it is, however large', async () => {
    const { apiKey } = await createTenant(h.db);
    const entries = Array.from({ length: 6_000 }, (_, i) => ({
      Employee_ID: `W${i + 1}`, Worker: `Worker number ${i + 1}`, Email_Address: `w${i + 1}@example.com`, Hire_Date: '2020-01-01',
      Termination_Date: '2024-01-31', Job_Code: 'RN-01', Location: 'Boston General', Worker_Status: 'Terminated',
    }));
    const json = JSON.stringify({ Report_Entry: entries });
    expect(Buffer.byteLength(json)).toBeGreaterThan(1024 * 1024);

    const sent = await sendFile(h, apiKey, json, { profile: 'workday-raas' }, 'application/json');

    expect(sent.status).toBe(202);
    const done = await waitForRun(h, apiKey, sent.body.id, ['completed']);
    expect(done).toMatchObject({ sizeBytes: Buffer.byteLength(json), counts: { rows: 6_000, rejected: 0, unchanged: 6_000 } });
  });

  test('the same file again is the same run (200), whatever else the request says; a changed file is a new run', async () => {
    const { tenantId, apiKey } = await createTenant(h.db);
    const csv = genericCsv(workers('S', 3));
    const first = await sendFile(h, apiKey, csv, { mode: 'delta' });
    const again = await sendFile(h, apiKey, csv, { mode: 'snapshot', fileName: 'renamed.csv' });

    expect(first.status).toBe(202);
    expect(again).toEqual({ status: 200, body: expect.objectContaining({ id: first.body.id, mode: 'delta', fileName: null }) });
    const changed = await sendFile(h, apiKey, genericCsv(workers('S', 4)));
    expect(changed.status).toBe(202);
    expect(changed.body.id).not.toBe(first.body.id);
    const runs = await runsOf(tenantId);
    expect(runs.map((r) => [r.id, r._count.chunks]).sort()).toEqual([[first.body.id, 1], [changed.body.id, 1]].sort());
  });

  test('two identical uploads at the same moment make one run', async () => {
    const { tenantId, apiKey } = await createTenant(h.db);
    const csv = genericCsv(workers('C', 50));

    const answers = await Promise.all([1, 2, 3, 4].map(() => sendFile(h, apiKey, csv)));

    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 202]);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    const runs = await runsOf(tenantId);
    expect(runs).toHaveLength(1);
    expect(runs[0]!._count.chunks).toBe(1);
    const done = await waitForRun(h, apiKey, runs[0]!.id);
    expect(done).toMatchObject({ state: 'completed', counts: { rows: 50, created: 50 } });
  });

  test('an empty body, the wrong type, an unknown profile or kind are refused before anything is kept', async () => {
    const { tenantId, apiKey } = await createTenant(h.db);
    const csv = genericCsv(workers('R', 2));

    const empty = await sendFile(h, apiKey, '');
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toMatch(/empty/);
    const plain = await sendFile(h, apiKey, csv, {}, 'text/plain');
    expect(plain.status).toBe(415);
    expect(plain.body.error.message).toMatch(/text\/csv or application\/json/);
    const jsonForCsv = await sendFile(h, apiKey, '[]', {}, 'application/json');
    expect(jsonForCsv.status).toBe(415);
    expect(jsonForCsv.body.error.message).toMatch(/generic-csv.*reads CSV/);
    const unknown = await sendFile(h, apiKey, csv, { profile: 'no-such-profile' });
    expect(unknown).toMatchObject({ status: 422, body: { error: { code: 'unknown_profile' } } });
    const wrongKind = await sendFile(h, apiKey, csv, { kind: 'transcript' });
    expect(wrongKind).toMatchObject({ status: 422, body: { error: { code: 'profile_kind_mismatch' } } });
    const badMode = await sendFile(h, apiKey, csv, { mode: 'sometimes' as 'delta' });
    expect(badMode.status).toBe(400);

    expect(await runsOf(tenantId)).toEqual([]);
    expect(await h.db.importChunk.count({ where: { run: { tenantId } } })).toBe(0);
  });

  test('a file over the cap is refused (413 naming the cap) and what was received is dropped', async () => {
    const { tenantId } = await createTenant(h.db);
    const delivery = { taskQueue: h.taskQueue, deliverNow: async () => undefined };
    // 3 MiB of rows against a cap of 2 MiB: two pieces are written before the cap is seen.
    const big = Readable.from((function* () {
      for (let i = 0; i < 48; i++) yield Buffer.from(`${'x'.repeat(65_535)}\n`);
    })());

    const refused = receiveImport(h.db, delivery, { type: 'system', id: 'test' }, {
      tenantId, profileName: 'generic-csv', mode: 'delta', source: 'test', content: big, maxBytes: 2 * 1024 * 1024,
    });

    await expect(refused).rejects.toThrow(ImportTooLarge);
    await expect(refused).rejects.toMatchObject({ status: 413, code: 'upload_too_large', message: expect.stringContaining('2 MiB') });
    expect(await runsOf(tenantId)).toEqual([]);
    expect(await h.db.importChunk.count({ where: { run: { tenantId } } })).toBe(0);
  });

  test('its steps may run again, or twice at once (a retried activity, a lost worker): the run is staged and compared once', async () => {
    const { tenantId } = await createTenant(h.db);
    await h.db.role.create({ data: { tenantId, key: 'nurse', name: 'Nurse' } });
    const run = { id: await receivedRun(h, tenantId, genericCsv(workers('T', 40).map((w) => ({ ...w, roles: ['nurse'] }))), { mode: 'snapshot' }) };

    const staged = await Promise.all([stageRun(h.db, tenantId, run.id), stageRun(h.db, tenantId, run.id)]);
    expect(staged.map((s) => s.state)).toEqual(['diffing', 'diffing']);
    expect(await stageRun(h.db, tenantId, run.id)).toEqual({ state: 'diffing' });
    expect(await h.db.importRow.count({ where: { runId: run.id } })).toBe(40);

    const diffed = await Promise.all([diffRun(h.db, tenantId, run.id), diffRun(h.db, tenantId, run.id)]);
    expect(diffed.map((d) => d.state)).toEqual(['applying', 'applying']);
    expect(await diffRun(h.db, tenantId, run.id)).toEqual({ state: 'applying' });
    expect(await h.db.importChange.count({ where: { runId: run.id } })).toBe(40);
    expect(await h.db.importRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ state: 'applying', toApply: 40, counts: expect.objectContaining({ rows: 40, created: 40 }) });
  });

  test('a run removed with its tenant takes its pieces, staged rows and changes with it; other runs keep theirs', async () => {
    const stagedAndDiffed = async () => {
      const { tenantId } = await createTenant(h.db);
      const runId = await receivedRun(h, tenantId, genericCsv(workers('R', 12)), { mode: 'snapshot' });
      await stageRun(h.db, tenantId, runId);
      await diffRun(h.db, tenantId, runId);
      return { tenantId, runId };
    };
    const held = async (runId: string) =>
      [await h.db.importChunk.count({ where: { runId } }), await h.db.importRow.count({ where: { runId } }), await h.db.importChange.count({ where: { runId } })];
    const [gone, kept] = [await stagedAndDiffed(), await stagedAndDiffed()];
    expect(await held(gone.runId)).toEqual([1, 12, 12]);

    await removeTenant(h.db, gone.tenantId);

    expect(await held(gone.runId)).toEqual([0, 0, 0]);
    expect(await held(kept.runId)).toEqual([1, 12, 12]);
  });

  test('a file the profile cannot read at all fails its run with the reason, without retrying', async () => {
    const { apiKey } = await createTenant(h.db);

    const sent = await sendFile(h, apiKey, 'Employee,Mail\r\nE-1,e1@example.com\r\n');

    expect(sent.status).toBe(202);
    const failed = await waitForRun(h, apiKey, sent.body.id, ['failed']);
    expect(failed.error).toMatch(/external_id|name/);
    expect(failed.counts).toEqual({});
    expect(await h.db.importRow.count({ where: { runId: sent.body.id } })).toBe(0);
  });
});
