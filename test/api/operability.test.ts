import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config';
import { openRuntime, startApi } from '../../src/runtime';
import { createTenant, givenCatalog, hireEvent } from '../support/builders';
import { TEST_DATABASE_URL, temporalAddress } from '../support/environment';
import { startHarness, type Harness } from '../support/harness';
import { apiClient } from '../support/http';

/**
 * What operators rely on: Prometheus metrics of requests, errors, e-mail and process commands;
 * request ids in every error; security headers; a per-key rate limit that answers 429 with
 * Retry-After; and an API that listens on this machine only unless told otherwise.
 */
describe('operating trainhub', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ rateLimitPerMinute: 30 });
  });
  afterAll(async () => {
    await h.close();
  });

  const metric = (text: string, pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? NaN);

  test('GET /metrics counts requests by route pattern, errors by code, e-mails sent and process commands, with no tenant in any label', async () => {
    const { tenantId, apiKey } = await createTenant(h.db);
    const api = apiClient(h.baseUrl, apiKey);
    await givenCatalog(h.db, tenantId, { programs: { privacy: ['hipaa-basics'] }, roles: { nurse: [{ program: 'privacy', dueOffsetDays: 14 }] } });
    const hire = hireEvent({ roles: ['nurse'] });
    const hired = await api.post('/api/v1/hr/events', hire);
    await h.mail.waitFor((m) => m.envelopeTo.includes(hire.person.email));
    await api.get(`/api/v1/people/${hired.body.personId}/assignments`);
    await api.get('/api/v1/people/00000000-0000-4000-8000-000000000000/assignments');

    const text = await (await fetch(`${h.baseUrl}/metrics`)).text();
    expect(metric(text, /^trainhub_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/people\/:id\/assignments",status="200"\} (\d+)/m)).toBeGreaterThanOrEqual(1);
    expect(metric(text, /^trainhub_http_errors_total\{status="404",code="not_found"\} (\d+)/m)).toBeGreaterThanOrEqual(1);
    expect(metric(text, /^trainhub_emails_total\{result="sent"\} (\d+)/m)).toBeGreaterThanOrEqual(1);
    expect(metric(text, /^trainhub_process_commands_delivered_total\{action="signal_with_start",outcome="started"\} (\d+)/m)).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^trainhub_emails_pending \d+/m);
    expect(text).not.toContain(tenantId);
    expect(text).not.toContain(hired.body.personId);
  });

  test('every error names its request id, a caller may pass its own, and answers carry security headers', async () => {
    const { apiKey } = await createTenant(h.db);
    const response = await fetch(`${h.baseUrl}/api/v1/people/not-a-uuid/assignments`, { headers: { authorization: `Bearer ${apiKey}`, 'x-request-id': 'lms-batch-17' } });
    expect(response.headers.get('x-request-id')).toBe('lms-batch-17');
    expect(((await response.json()) as any).error.requestId).toBe('lms-batch-17');
    const odd = await fetch(`${h.baseUrl}/api/v1/roles`, { headers: { 'x-request-id': 'has spaces and {braces}' } });
    expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('strict-transport-security')).toContain('max-age=');
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  test('a key that makes too many requests in a minute gets 429 with Retry-After; other keys go on', async () => {
    const busy = await createTenant(h.db);
    const calm = await createTenant(h.db);
    const api = apiClient(h.baseUrl, busy.apiKey);
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await api.get('/api/v1/roles')).status);
    expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true);
    const limited = await fetch(`${h.baseUrl}/api/v1/roles`, { headers: { authorization: `Bearer ${busy.apiKey}` } });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.json()) as any).error).toMatchObject({ code: 'rate_limited', details: { retryAfterSeconds: expect.any(Number) } });
    expect((await apiClient(h.baseUrl, calm.apiKey).get('/api/v1/roles')).status).toBe(200);
  });

  test('the API listens on 127.0.0.1 unless HOST says otherwise', async () => {
    expect(loadConfig({}).HOST).toBe('127.0.0.1');
    const config = loadConfig({ PORT: '0', DATABASE_URL: TEST_DATABASE_URL, APPROVAL_LINK_SECRET: randomBytes(32).toString('base64url'), SECRETS_KEY: randomBytes(32).toString('base64'), LOG_LEVEL: 'silent', TEMPORAL_TASK_QUEUE: `bind-${Date.now()}` });
    const runtime = openRuntime(config, temporalAddress());
    const { server, client, dispatcher } = await startApi(runtime);
    try {
      expect(server.address()).toMatchObject({ address: '127.0.0.1' });
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await dispatcher.stop();
      await client.connection.close();
      await runtime.db.$disconnect();
    }
  });
});
