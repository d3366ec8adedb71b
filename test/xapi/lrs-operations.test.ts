import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTenant } from '../support/builders';
import { TEST_DATABASE_URL } from '../support/environment';
import { startHarness, type Harness } from '../support/harness';
import { lrsClient, statement } from '../support/lrs';
import { createLrsClient } from '../../src/services/xapi/lrs-clients';

/**
 * Running the LRS: clients made on the command line (key and secret printed once), a per-client rate
 * limit so one runaway content package slows only itself, and a clear answer to an oversized body.
 */
describe('operating the LRS', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ rateLimitPerMinute: 5 });
  });
  afterAll(() => h?.close());

  test('trainhub create-lrs-client prints an endpoint, key and secret that work at /xapi', async () => {
    const { tenantId } = await createTenant(h.db);
    const tenant = await h.db.tenant.findUniqueOrThrow({ where: { id: tenantId } });
    const root = path.resolve(__dirname, '..', '..');
    const { stdout } = await promisify(execFile)(path.join(root, 'node_modules', '.bin', 'tsx'), [path.join(root, 'src', 'main.ts'), 'create-lrs-client', tenant.slug, 'Storyline courses', 'write'], {
      env: { ...process.env, DATABASE_URL: TEST_DATABASE_URL, PUBLIC_URL: 'https://lrs.example.com' },
    });
    const printed = JSON.parse(stdout);
    expect(printed).toMatchObject({ endpoint: 'https://lrs.example.com/xapi/', key: expect.stringMatching(/^lrs_/), secret: expect.any(String), scopes: ['write'] });
    const lrs = lrsClient(h.baseUrl, printed);
    expect((await lrs.post('/statements', statement())).status).toBe(200);
    expect((await lrs.get('/statements')).status).toBe(403);
  });

  test('each client has its own rate limit: beyond it 429 with Retry-After, while other clients go on', async () => {
    const { tenantId } = await createTenant(h.db);
    const busy = lrsClient(h.baseUrl, await createLrsClient(h.db, tenantId, { type: 'system' }, { name: 'Busy', scopes: ['read'] }));
    const calm = lrsClient(h.baseUrl, await createLrsClient(h.db, tenantId, { type: 'system' }, { name: 'Calm', scopes: ['read'] }));
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await busy.get('/statements?limit=1')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const limited = await busy.get('/statements?limit=1');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body.error.code).toBe('rate_limited');
    expect((await calm.get('/statements?limit=1')).status).toBe(200);
  });

  test('a body over the size cap is 413 and stores nothing', async () => {
    const { tenantId } = await createTenant(h.db);
    const lrs = lrsClient(h.baseUrl, await createLrsClient(h.db, tenantId, { type: 'system' }, { name: 'Big', scopes: ['read', 'write'] }));
    const huge = JSON.stringify(statement({ result: { response: 'x'.repeat(21 * 1024 * 1024) } }));
    const response = await lrs.post('/statements', huge, { 'content-type': 'application/json' });
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('payload_too_large');
    expect(await h.db.xapiStatement.count({ where: { tenantId } })).toBe(0);
  });
});
