import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTenant } from '../support/builders';
import { TEST_DATABASE_URL } from '../support/environment';
import { startHarness, type Harness } from '../support/harness';
import { genericCsv } from './runs-support';

/**
 * `trainhub import <file> --tenant <slug> --profile <name>`: the file streamed into a run (the running
 * workers take it), a progress bar while it runs, the counts at the end — and an exit code a script
 * can act on: 0 applied, 1 failed, 2 held by the accidental-deletion guard.
 */
describe('the import command', () => {
  let h: Harness;
  let folder: string;
  beforeAll(async () => {
    h = await startHarness();
    folder = await mkdtemp(path.join(tmpdir(), 'trainhub-import-cli-'));
  });
  afterAll(async () => {
    await h.close();
    await rm(folder, { recursive: true, force: true });
  });

  async function trainhubImport(file: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await promisify(execFile)(
        path.resolve(__dirname, '..', '..', 'node_modules', '.bin', 'tsx'),
        [path.resolve(__dirname, '..', '..', 'src', 'main.ts'), 'import', file, ...args],
        // The harness's dispatcher and worker serve this task queue, as a deployment's do.
        { env: { ...process.env, DATABASE_URL: TEST_DATABASE_URL, TEMPORAL_TASK_QUEUE: h.taskQueue } },
      );
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  test('imports a file, following its run to the end, and prints the counts', async () => {
    const { tenantId } = await createTenant(h.db);
    const tenant = await h.db.tenant.findUniqueOrThrow({ where: { id: tenantId } });
    const file = path.join(folder, `people-${tenantId}.csv`);
    await writeFile(file, genericCsv([{ id: 'C-1' }, { id: 'C-2', manager: 'C-1' }, { id: 'C-3', roles: ['astronaut'] }]));

    const { code, stdout, stderr } = await trainhubImport(file, '--tenant', tenant.slug, '--profile', 'generic-csv', '--mode', 'snapshot');

    expect({ code, stderr }).toMatchObject({ code: 0 });
    const printed = JSON.parse(stdout);
    expect(printed).toMatchObject({ state: 'completed', counts: { rows: 3, created: 2, rejected: 1 } });
    const run = await h.db.importRun.findUniqueOrThrow({ where: { id: printed.id } });
    expect(run).toMatchObject({ tenantId, source: 'cli', fileName: path.basename(file), mode: 'snapshot' });
    const lines = stderr.trim().split('\n');
    expect(lines).toContain(`uploaded 0.0 MB: run ${printed.id}`);
    expect(lines.at(-2)).toBe('applied 2 of 2 changes');
    expect(lines.at(-1)).toBe(`1 rows were refused: GET /api/v1/imports/${printed.id}/errors.csv`);
    expect(await h.db.person.count({ where: { tenantId } })).toBe(2);

    // The same file again is the same run, reported as it stands.
    const again = await trainhubImport(file, '--tenant', tenant.slug, '--profile', 'generic-csv');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).id).toBe(printed.id);
    expect(again.stderr).toContain('this file was imported before');
  });

  test('a snapshot the guard holds ends the command with exit code 2 and how to confirm', async () => {
    const { tenantId } = await createTenant(h.db);
    const tenant = await h.db.tenant.findUniqueOrThrow({ where: { id: tenantId } });
    await h.db.person.createMany({
      data: Array.from({ length: 10 }, (_, i) => ({ tenantId, source: 'generic-csv', externalId: `G-${i}`, email: `g${i}@example.com`, name: `G ${i}`, hireDate: new Date('2024-01-15') })),
    });
    const file = path.join(folder, `few-${tenantId}.csv`);
    await writeFile(file, genericCsv([{ id: 'G-0' }]));

    const { code, stdout, stderr } = await trainhubImport(file, '--tenant', tenant.slug, '--profile', 'generic-csv', '--mode', 'snapshot');

    expect(code).toBe(2);
    const printed = JSON.parse(stdout);
    expect(printed).toMatchObject({ state: 'awaiting_confirmation', counts: { terminated: 9 } });
    expect(stderr).toContain('The snapshot would terminate 9 of 10 active people');
    expect(stderr).toContain(`POST /api/v1/imports/${printed.id}/confirm`);
    expect(await h.db.person.count({ where: { tenantId, status: 'active' } })).toBe(10);
  });

  test('a mistake on the command line or an unknown profile is told, with exit code 1', async () => {
    const { tenantId } = await createTenant(h.db);
    const tenant = await h.db.tenant.findUniqueOrThrow({ where: { id: tenantId } });
    const file = path.join(folder, `x-${tenantId}.csv`);
    await writeFile(file, genericCsv([{ id: 'X-1' }]));

    const missing = await trainhubImport(file, '--tenant', tenant.slug);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('missing: --profile');
    const mode = await trainhubImport(file, '--tenant', tenant.slug, '--profile', 'generic-csv', '--mode', 'full');
    expect(mode.stderr).toContain('--mode is snapshot or delta');
    const unknown = await trainhubImport(file, '--tenant', tenant.slug, '--profile', 'nope');
    expect(unknown).toMatchObject({ code: 1, stderr: expect.stringContaining('unknown_profile') });
  });
});
