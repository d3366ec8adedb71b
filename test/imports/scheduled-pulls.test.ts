import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ScheduleNotFoundError, ScheduleOverlapPolicy, type ScheduleDescription } from '@temporalio/client';
import { loadConfig } from '../../src/config';
import { hcmPullScheduleId } from '../../src/domain/workflow-ids';
import { developmentConnectorSettings, pullConnector, PullFailed, urlProblem } from '../../src/services/imports/connectors';
import { developmentKeyring, openSecret, sealSecret, secretsKeyring } from '../../src/services/imports/secrets';
import { tenantWithApi as newTenant } from '../catalog/fixtures';
import { startHarness, type Harness } from '../support/harness';

/**
 * Scheduled pulls: a tenant's connector names a report URL (Workday RaaS style), its profile, its
 * credentials (HTTP Basic or OAuth2 client credentials, stored encrypted) and an interval; a Temporal
 * Schedule pulls it into an import run (source `connector:<name>`), never two at once. A failed pull
 * shows on the connector and is retried a bounded number of times; the same report again is the same run.
 * A local HTTP server plays the HCM system.
 */

/** A Workday RaaS report as `?format=json` returns it. */
function workdayReport(workers: { id: string; name: string; job: string }[]) {
  return JSON.stringify({
    Report_Entry: workers.map((w) => ({
      Employee_ID: w.id,
      Worker: w.name,
      Email_Address: `${w.id.toLowerCase()}@example.com`,
      Job_Code: w.job,
      Supervisory_Organization: 'ICU (Florence Nightingale)',
      Location: 'Berlin',
      Hire_Date: '2024-03-01',
      Worker_Status: 'Active',
    })),
  });
}

const REPORT_PATH = '/ccx/service/customreport2/acme/ISU_Training/Workers_for_Training';
const USER = 'ISU_Training';
const PASSWORD = `pw-${randomBytes(12).toString('hex')}`;
const CLIENT_ID = 'trainhub-client';
const CLIENT_SECRET = `cs-${randomBytes(12).toString('hex')}`;

/** The HCM system: a RaaS report behind HTTP Basic, the same behind OAuth2 client credentials, and its token endpoint. */
class HcmServer {
  report = workdayReport([{ id: 'W-1', name: 'Ada Lovelace', job: 'NURSE' }]);
  /** Answers the next N report requests with this status instead of the report. */
  failures: number[] = [];
  /** While set, report requests wait for it before answering (a slow report); `silent`: they never answer. */
  hold: Promise<void> | null = null;
  silent = false;
  requests: { path: string; authorization: string | undefined }[] = [];
  tokenRequests = 0;
  private issued = new Set<string>();
  private server!: Server;
  url = '';

  async start() {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop() {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(resolve));
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    let body = '';
    for await (const chunk of req) body += chunk;
    const path = (req.url ?? '').split('?')[0]!;
    if (path === '/oauth2/token') {
      this.tokenRequests++;
      const form = new URLSearchParams(body);
      const expected = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;
      if (req.method !== 'POST' || form.get('grant_type') !== 'client_credentials') return json(res, 400, { error: 'unsupported_grant_type' });
      if (req.headers.authorization !== expected) return json(res, 401, { error: 'invalid_client' });
      const token = randomBytes(16).toString('hex');
      this.issued.add(token);
      return json(res, 200, { access_token: token, token_type: 'Bearer', expires_in: 3600, scope: form.get('scope') });
    }
    this.requests.push({ path, authorization: req.headers.authorization });
    if (this.silent) return;
    const redirect = { '/moved': `${REPORT_PATH}?format=json`, '/to-metadata': 'http://169.254.169.254/latest/meta-data/' }[path];
    if (redirect) {
      res.writeHead(302, { location: redirect });
      return res.end();
    }
    if (this.hold) await this.hold;
    const failure = this.failures.shift();
    if (failure) return json(res, failure, { error: 'unavailable' });
    const authorized =
      path === REPORT_PATH
        ? req.headers.authorization === `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`
        : path === '/oauth/report'
          ? this.issued.has((req.headers.authorization ?? '').replace(/^Bearer /, ''))
          : false;
    if (!authorized) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="Workday"' });
      return res.end();
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(this.report);
  }
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Waits for something the system does on its own (a schedule's pull, its retries) by asking again. */
async function until<T>(probe: () => Promise<T>, accept: (value: T) => boolean, what: string, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (accept(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} never happened; last seen ${JSON.stringify(last)}`);
}

describe('scheduled pulls of HCM reports', () => {
  let h: Harness;
  const hcm = new HcmServer();

  beforeAll(async () => {
    h = await startHarness();
    await hcm.start();
  });
  afterAll(async () => {
    // The schedules the tests left behind (their tenants' connectors) go with them.
    const connectors = await h.db.hcmConnector.findMany({ where: { tenantId: { in: tenants } }, select: { scheduleId: true } });
    await Promise.all(connectors.map((c) => h.temporal.schedule.getHandle(c.scheduleId).delete().catch(() => undefined)));
    await hcm.stop();
    await h.close();
  });

  const tenants: string[] = [];
  const tenantWithApi = async (...args: Parameters<typeof newTenant>) => {
    const tenant = await newTenant(...args);
    tenants.push(tenant.tenantId);
    return tenant;
  };

  const basicConnector = (overrides: Record<string, unknown> = {}) => ({
    url: `${hcm.url}${REPORT_PATH}?format=json`,
    profileName: 'workday-raas',
    mode: 'snapshot',
    auth: { type: 'basic', username: USER, password: PASSWORD },
    intervalMinutes: 60,
    ...overrides,
  });

  const scheduleOf = (tenantId: string, name: string) => h.temporal.schedule.getHandle(hcmPullScheduleId(tenantId, name));
  const describeSchedule = (tenantId: string, name: string) => scheduleOf(tenantId, name).describe().catch((error: unknown) => (error instanceof ScheduleNotFoundError ? null : Promise.reject(error)));
  /** The pull workflow the schedule started last, once it has ended. */
  const lastPullEnded = async (tenantId: string, name: string) => {
    const actions = (await scheduleOf(tenantId, name).describe()).info.recentActions;
    return h.temporal.workflow.getHandle(actions.at(-1)!.action.workflow.workflowId).result();
  };
  const runsOf = (tenantId: string) => h.db.importRun.findMany({ where: { tenantId, NOT: { contentHash: { startsWith: 'receiving:' } } }, orderBy: { createdAt: 'asc' } });

  test('a connector pulls its report on its schedule into an import run of source connector:<name>; the same report again is the same run', async () => {
    const { tenantId, api } = await tenantWithApi(h);

    const created = await api.put('/api/v1/hcm-connectors/workday', basicConnector());
    expect(created).toEqual({
      status: 201,
      body: {
        id: expect.any(String),
        name: 'workday',
        url: `${hcm.url}${REPORT_PATH}?format=json`,
        profileName: 'workday-raas',
        mode: 'snapshot',
        auth: { type: 'basic', username: USER, hasSecret: true },
        intervalMinutes: 60,
        paused: false,
        scheduleId: `hcm-pull:${tenantId}:workday`,
        lastPullAt: null,
        lastRunId: null,
        lastError: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      },
    });

    // The Schedule follows from the committed connector: every 60 minutes, no overlap, catch-up within one interval.
    const schedule = (await until(() => describeSchedule(tenantId, 'workday'), (d) => d !== null, 'the schedule'))!;
    expect(schedule.spec.intervals).toMatchObject([{ every: 3_600_000 }]);
    expect(schedule.policies).toMatchObject({ overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: 3_600_000, pauseOnFailure: false });
    expect(schedule.action).toMatchObject({ type: 'startWorkflow', workflowType: 'hcmPull', taskQueue: h.taskQueue, args: [{ tenantId, name: 'workday' }] });
    expect(schedule.state.paused).toBe(false);

    // The schedule's turn comes (triggered here rather than waited for).
    await scheduleOf(tenantId, 'workday').trigger();
    const pulled = await until(() => api.get('/api/v1/hcm-connectors/workday'), (r) => r.body.lastRunId !== null, 'the first pull');
    expect(pulled.body).toMatchObject({ lastError: null, lastPullAt: expect.any(String) });
    const [run] = await runsOf(tenantId);
    expect(run).toMatchObject({ id: pulled.body.lastRunId, source: 'connector:workday', connectorId: created.body.id, kind: 'people', mode: 'snapshot', profileName: 'workday-raas' });
    expect((await api.get(`/api/v1/imports/${run!.id}`)).body).toMatchObject({ id: run!.id, source: 'connector:workday' });
    expect(hcm.requests.at(-1)).toEqual({ path: REPORT_PATH, authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` });

    // The next turn (once the first pull has ended: turns never overlap) finds the same report: the same run, nothing new.
    await lastPullEnded(tenantId, 'workday');
    const firstPullAt = pulled.body.lastPullAt;
    await scheduleOf(tenantId, 'workday').trigger();
    const again = await until(() => api.get('/api/v1/hcm-connectors/workday'), (r) => r.body.lastPullAt !== firstPullAt, 'the second pull');
    expect(again.body).toMatchObject({ lastRunId: run!.id, lastError: null });
    expect(await runsOf(tenantId)).toHaveLength(1);

    // A changed report is a new run.
    await lastPullEnded(tenantId, 'workday');
    hcm.report = workdayReport([
      { id: 'W-1', name: 'Ada Lovelace', job: 'NURSE' },
      { id: 'W-2', name: 'Grace Hopper', job: 'NURSE' },
    ]);
    expect((await api.post('/api/v1/hcm-connectors/workday/pull')).status).toBe(202);
    const third = await until(() => api.get('/api/v1/hcm-connectors/workday'), (r) => r.body.lastRunId !== run!.id, 'the pull of the changed report');
    const runs = await runsOf(tenantId);
    expect(runs.map((r) => r.id)).toEqual([run!.id, third.body.lastRunId]);
    expect(runs[1]).toMatchObject({ source: 'connector:workday', connectorId: created.body.id });
  });

  test('a wrong password is a failed pull, visible on the connector, with no run and no retry; a server error is retried, three attempts at most, then left to the next turn', async () => {
    const { tenantId, api } = await tenantWithApi(h);
    await api.put('/api/v1/hcm-connectors/workday', basicConnector({ auth: { type: 'basic', username: USER, password: 'not-the-password' } }));

    const before = hcm.requests.length;
    expect((await api.post('/api/v1/hcm-connectors/workday/pull')).status).toBe(202);
    const failed = await until(() => api.get('/api/v1/hcm-connectors/workday'), (r) => r.body.lastError !== null, 'the failed pull');
    expect(failed.body).toMatchObject({ lastRunId: null, lastPullAt: expect.any(String), lastError: `HTTP 401 Unauthorized from ${hcm.url}${REPORT_PATH}` });
    expect(await runsOf(tenantId)).toEqual([]);
    // Wrong credentials are not mended by asking again: the pull ends (the next scheduled one tries again).
    await expect(lastPullEnded(tenantId, 'workday')).rejects.toMatchObject({ cause: { cause: { message: expect.stringContaining('HTTP 401'), nonRetryable: true } } });
    expect(hcm.requests.length - before).toBe(1);

    // The password put right, the server is in trouble (503): the pull is retried, three attempts in all, then left to the next turn.
    await api.put('/api/v1/hcm-connectors/workday', basicConnector());
    hcm.failures.push(503, 503, 503);
    let requestsBefore = hcm.requests.length;
    await api.post('/api/v1/hcm-connectors/workday/pull');
    const given = await until(() => api.get('/api/v1/hcm-connectors/workday'), (r) => r.body.lastError?.startsWith('HTTP 503') && hcm.failures.length === 0, 'three failed attempts');
    await expect(lastPullEnded(tenantId, 'workday')).rejects.toThrow();
    expect(hcm.requests.length - requestsBefore).toBe(3);
    expect(given.body).toMatchObject({ lastRunId: null, lastError: `HTTP 503 Service Unavailable from ${hcm.url}${REPORT_PATH}` });

    // The next turn succeeds and clears the error.
    requestsBefore = hcm.requests.length;
    await api.post('/api/v1/hcm-connectors/workday/pull');
    const recovered = await until(() => api.get('/api/v1/hcm-connectors/workday'), (r) => r.body.lastRunId !== null, 'the next pull');
    expect(recovered.body.lastError).toBeNull();
    expect(hcm.requests.length - requestsBefore).toBe(1);
    expect(await runsOf(tenantId)).toHaveLength(1);
  });

  test('pulls of a connector never overlap: one asked for while another runs is skipped', async () => {
    const { tenantId, api } = await tenantWithApi(h);
    await api.put('/api/v1/hcm-connectors/workday', basicConnector());
    hcm.report = workdayReport([{ id: 'S-1', name: 'Annie Easley', job: 'ANALYST' }]);
    let release!: () => void;
    hcm.hold = new Promise((resolve) => (release = resolve));
    const before = hcm.requests.length;
    try {
      await api.post('/api/v1/hcm-connectors/workday/pull');
      await until(async () => hcm.requests.length, (n) => n === before + 1, 'the first pull reaching the server');
      await api.post('/api/v1/hcm-connectors/workday/pull');
      await until(() => describeSchedule(tenantId, 'workday'), (d) => d?.info.numActionsSkippedOverlap === 1, 'the second pull skipped');
    } finally {
      hcm.hold = null;
      release();
    }
    await lastPullEnded(tenantId, 'workday');
    expect(hcm.requests.length - before).toBe(1);
    expect(await runsOf(tenantId)).toHaveLength(1);
  });

  test('a report that stops sending is a timeout: a failed pull a retry may mend', async () => {
    const { tenantId, api } = await tenantWithApi(h);
    await api.put('/api/v1/hcm-connectors/workday', basicConnector());
    const settings = { ...developmentConnectorSettings(), idleTimeoutMs: 300 };
    hcm.silent = true;
    try {
      const pulled = pullConnector(h.db, h.dispatcher, settings, { tenantId, name: 'workday' });
      await expect(pulled).rejects.toBeInstanceOf(PullFailed);
      await expect(pulled).rejects.toMatchObject({ retryable: true, message: 'Nothing arrived for 300 ms (timeout)' });
    } finally {
      hcm.silent = false;
    }
    expect((await api.get('/api/v1/hcm-connectors/workday')).body).toMatchObject({ lastRunId: null, lastError: 'Nothing arrived for 300 ms (timeout)' });
    expect(await runsOf(tenantId)).toEqual([]);
  });

  test('redirects are followed under the same rules: to the report, with the credentials of its origin; never to a link-local address', async () => {
    const { tenantId, api } = await tenantWithApi(h);
    await api.put('/api/v1/hcm-connectors/moved', basicConnector({ url: `${hcm.url}/moved` }));
    hcm.report = workdayReport([{ id: 'R-1', name: 'Margaret Hamilton', job: 'ENGINEER' }]);
    const settings = developmentConnectorSettings();
    expect(await pullConnector(h.db, h.dispatcher, settings, { tenantId, name: 'moved' })).toEqual({ outcome: 'imported', runId: expect.any(String) });
    expect(hcm.requests.slice(-2).map((r) => [r.path, r.authorization !== undefined])).toEqual([
      ['/moved', true],
      [REPORT_PATH, true],
    ]);

    await api.put('/api/v1/hcm-connectors/metadata', basicConnector({ url: `${hcm.url}/to-metadata` }));
    await expect(pullConnector(h.db, h.dispatcher, settings, { tenantId, name: 'metadata' })).rejects.toMatchObject({
      retryable: false,
      message: 'The report redirects to http://169.254.169.254/latest/meta-data/, where a connector may not go: Must not point at a link-local or unspecified address',
    });
    expect((await api.get('/api/v1/hcm-connectors/metadata')).body.lastError).toContain('169.254.169.254');
  });

  test('OAuth2 client credentials: a token from the token endpoint, kept until it expires, as Bearer on the report', async () => {
    const { tenantId, api } = await tenantWithApi(h);
    const put = await api.put('/api/v1/hcm-connectors/oracle', {
      url: `${hcm.url}/oauth/report`,
      profileName: 'workday-raas',
      mode: 'delta',
      auth: { type: 'oauth2_client_credentials', tokenUrl: `${hcm.url}/oauth2/token`, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, scope: 'reports' },
      intervalMinutes: 1440,
    });
    expect(put.body.auth).toEqual({ type: 'oauth2_client_credentials', tokenUrl: `${hcm.url}/oauth2/token`, clientId: CLIENT_ID, scope: 'reports', clientAuthentication: 'client_secret_basic', hasSecret: true });

    hcm.report = workdayReport([{ id: 'O-1', name: 'Katherine Johnson', job: 'PILOT' }]);
    const tokensBefore = hcm.tokenRequests;
    await api.post('/api/v1/hcm-connectors/oracle/pull');
    const first = await until(() => api.get('/api/v1/hcm-connectors/oracle'), (r) => r.body.lastRunId !== null || r.body.lastError !== null, 'the first pull');
    expect(first.body.lastError).toBeNull();
    expect(hcm.requests.at(-1)!.authorization).toMatch(/^Bearer [0-9a-f]{32}$/);

    hcm.report = workdayReport([{ id: 'O-2', name: 'Dorothy Vaughan', job: 'PILOT' }]);
    await api.post('/api/v1/hcm-connectors/oracle/pull');
    await until(() => api.get('/api/v1/hcm-connectors/oracle'), (r) => r.body.lastRunId !== first.body.lastRunId, 'the second pull');
    expect(hcm.tokenRequests - tokensBefore).toBe(1);
    expect((await runsOf(tenantId)).map((r) => [r.source, r.mode])).toEqual([
      ['connector:oracle', 'delta'],
      ['connector:oracle', 'delta'],
    ]);
  });

  test('secrets are stored encrypted with the deployment key, never shown or audited, kept on a PUT without them only while they go where they went', async () => {
    const { tenantId, api } = await tenantWithApi(h);
    const created = await api.put('/api/v1/hcm-connectors/workday', basicConnector());
    const row = await h.db.hcmConnector.findUniqueOrThrow({ where: { tenantId_name: { tenantId, name: 'workday' } } });
    const stored = Buffer.from(row.secret!);
    expect(stored.includes(Buffer.from(PASSWORD))).toBe(false);
    expect(stored[0]).toBe(developmentKeyring().currentKeyId);
    expect(openSecret(developmentKeyring(), stored, `hcm-connector:${tenantId}:${row.id}`)).toBe(PASSWORD);
    // Bound to its connector: the same bytes on another record do not open.
    expect(() => openSecret(developmentKeyring(), stored, `hcm-connector:${tenantId}:00000000-0000-4000-8000-000000000000`)).toThrow('does not open');

    const shown = [created.body, (await api.get('/api/v1/hcm-connectors/workday')).body, (await api.get('/api/v1/hcm-connectors')).body];
    for (const body of shown) expect(JSON.stringify(body)).not.toContain(PASSWORD);
    const audit = await h.db.auditEvent.findMany({ where: { tenantId, entityType: 'hcm_connector' } });
    expect(audit.map((e) => e.action)).toEqual(['hcm_connector.created']);
    expect(JSON.stringify(audit)).not.toContain(PASSWORD);

    // Left out, the stored secret stays (an interval change); no change at all is not audited.
    const slower = await api.put('/api/v1/hcm-connectors/workday', { ...basicConnector({ intervalMinutes: 120 }), auth: { type: 'basic', username: USER } });
    expect(slower).toMatchObject({ status: 200, body: { intervalMinutes: 120, auth: { hasSecret: true } } });
    expect(Buffer.from((await h.db.hcmConnector.findUniqueOrThrow({ where: { id: row.id } })).secret!)).toEqual(stored);
    expect((await api.put('/api/v1/hcm-connectors/workday', { ...basicConnector({ intervalMinutes: 120 }), auth: { type: 'basic', username: USER } })).status).toBe(200);
    expect(await h.db.auditEvent.count({ where: { tenantId, entityType: 'hcm_connector' } })).toBe(2);
    await until(() => describeSchedule(tenantId, 'workday'), (d) => d?.spec.intervals?.[0]?.every === 7_200_000, 'the schedule at the new interval');

    // But it is not sent somewhere else without being given again.
    const elsewhere = await api.put('/api/v1/hcm-connectors/workday', { ...basicConnector({ url: 'https://reports.example.com/raas?format=json' }), auth: { type: 'basic', username: USER } });
    expect(elsewhere).toMatchObject({ status: 400, body: { error: { code: 'invalid_request', details: [{ field: 'body.auth.password', message: expect.stringContaining('origin') }] } } });
  });

  test('a paused connector keeps a paused schedule; DELETE removes the connector and its schedule, and keeps its runs', async () => {
    const { tenantId, api } = await tenantWithApi(h);
    await api.put('/api/v1/hcm-connectors/workday', basicConnector({ paused: true }));
    await until(() => describeSchedule(tenantId, 'workday'), (d) => d?.state.paused === true, 'the paused schedule');

    hcm.report = workdayReport([{ id: 'D-1', name: 'Mary Jackson', job: 'ENGINEER' }]);
    await api.post('/api/v1/hcm-connectors/workday/pull');
    const pulled = await until(() => api.get('/api/v1/hcm-connectors/workday'), (r) => r.body.lastRunId !== null, 'a pull asked for while paused');

    expect((await api.delete('/api/v1/hcm-connectors/workday')).status).toBe(204);
    await until(() => describeSchedule(tenantId, 'workday'), (d: ScheduleDescription | null) => d === null, 'the schedule removed');
    expect((await api.get('/api/v1/hcm-connectors/workday')).status).toBe(404);
    expect((await runsOf(tenantId)).map((r) => [r.id, r.connectorId])).toEqual([[pulled.body.lastRunId, null]]);
    expect((await api.delete('/api/v1/hcm-connectors/workday')).status).toBe(404);
  });

  test('another tenant can neither see nor pull nor remove a connector; its own of the same name is its own', async () => {
    const owner = await tenantWithApi(h);
    const other = await tenantWithApi(h);
    await owner.api.put('/api/v1/hcm-connectors/workday', basicConnector());

    expect((await other.api.get('/api/v1/hcm-connectors')).body).toEqual({ data: [] });
    expect((await other.api.get('/api/v1/hcm-connectors/workday')).body.error.code).toBe('not_found');
    expect((await other.api.post('/api/v1/hcm-connectors/workday/pull')).status).toBe(404);
    expect((await other.api.delete('/api/v1/hcm-connectors/workday')).status).toBe(404);
    expect(await runsOf(other.tenantId)).toEqual([]);

    const theirs = await other.api.put('/api/v1/hcm-connectors/workday', basicConnector({ intervalMinutes: 30 }));
    expect(theirs).toMatchObject({ status: 201, body: { scheduleId: `hcm-pull:${other.tenantId}:workday` } });
    expect((await owner.api.get('/api/v1/hcm-connectors/workday')).body.intervalMinutes).toBe(60);
    await owner.api.delete('/api/v1/hcm-connectors/workday');
    await other.api.delete('/api/v1/hcm-connectors/workday');

    const withoutScope = await tenantWithApi(h, ['people:read']);
    expect((await withoutScope.api.get('/api/v1/hcm-connectors')).status).toBe(403);
  });

  test('a connector is refused with the field named: plain http elsewhere than this machine, link-local addresses, credentials in the URL, intervals out of range, unknown profiles', async () => {
    const { tenantId, api } = await tenantWithApi(h);
    const refused = async (body: unknown) => (await api.put('/api/v1/hcm-connectors/bad', body)).body.error;

    expect(await refused(basicConnector({ url: 'http://reports.example.com/raas' }))).toMatchObject({ code: 'invalid_request', details: [{ field: 'body.url', message: expect.stringContaining('https://') }] });
    expect(await refused(basicConnector({ url: 'https://169.254.169.254/latest/meta-data' }))).toMatchObject({ details: [{ field: 'body.url', message: expect.stringContaining('link-local') }] });
    expect(await refused(basicConnector({ url: 'https://user:pw@reports.example.com/raas' }))).toMatchObject({ details: [{ field: 'body.url', message: expect.stringContaining('credentials') }] });
    expect(await refused(basicConnector({ intervalMinutes: 4 }))).toMatchObject({ details: [{ field: 'body.intervalMinutes' }] });
    expect(await refused(basicConnector({ intervalMinutes: 10_081 }))).toMatchObject({ details: [{ field: 'body.intervalMinutes' }] });
    expect(await refused(basicConnector({ auth: { type: 'basic', username: USER } }))).toMatchObject({ details: [{ field: 'body.auth.password', message: 'Required' }] });
    expect(await refused(basicConnector({ auth: { type: 'oauth2_client_credentials', tokenUrl: 'http://idp.example.com/token', clientId: 'x', clientSecret: 'y' } }))).toMatchObject({
      details: [{ field: 'body.auth.tokenUrl' }],
    });
    expect(await refused(basicConnector({ profileName: 'no-such-profile' }))).toMatchObject({ code: 'unknown_profile' });
    expect((await api.get('/api/v1/hcm-connectors')).body).toEqual({ data: [] });

    // Where the deployment does not allow it (production), this machine is out of reach too, also for a connector written before.
    expect(urlProblem('http://127.0.0.1:8080/report', false)).toContain('this machine');
    expect(urlProblem('http://localhost.:8080/report', false)).toContain('this machine');
    expect(urlProblem('http://[::ffff:127.0.0.1]/report', false)).toContain('this machine');
    await api.put('/api/v1/hcm-connectors/local', basicConnector());
    const production = { ...developmentConnectorSettings(), allowLoopbackUrls: false };
    await expect(pullConnector(h.db, h.dispatcher, production, { tenantId, name: 'local' })).rejects.toMatchObject({ retryable: false, message: expect.stringContaining('this machine') });
    expect(await runsOf(tenantId)).toEqual([]);
    expect(urlProblem('https://localhost/report', false)).toContain('this machine');
    expect(urlProblem('http://[::1]/report', true)).toBeNull();
    expect(urlProblem('https://wd5-services1.myworkday.com/ccx/service/customreport2/acme/ISU/Report?format=json', false)).toBeNull();
  });

  test('keys rotate: a secret sealed under an earlier key still opens and is sealed again under the new one at the next pull; SECRETS_KEY is required but for `trainhub dev`', async () => {
    const oldKey = randomBytes(32).toString('base64');
    const newKey = randomBytes(32).toString('base64');
    const before = secretsKeyring(loadConfig({ SECRETS_KEY: oldKey }));
    const sealed = sealSecret(before, 'hunter2', 'hcm-connector:t:c');
    expect(sealed[0]).toBe(1);

    const after = secretsKeyring(loadConfig({ SECRETS_KEY: newKey, SECRETS_KEY_ID: '2', SECRETS_PREVIOUS_KEYS: `1:${oldKey}` }));
    expect(openSecret(after, sealed, 'hcm-connector:t:c')).toBe('hunter2');
    expect(sealSecret(after, 'hunter2', 'hcm-connector:t:c')[0]).toBe(2);
    expect(() => openSecret(secretsKeyring(loadConfig({ SECRETS_KEY: newKey, SECRETS_KEY_ID: '2' })), sealed, 'hcm-connector:t:c')).toThrow('sealed under key 1');

    const { tenantId, api } = await tenantWithApi(h);
    await api.put('/api/v1/hcm-connectors/workday', basicConnector());
    const { id } = await h.db.hcmConnector.findUniqueOrThrow({ where: { tenantId_name: { tenantId, name: 'workday' } } });
    const context = `hcm-connector:${tenantId}:${id}`;
    await h.db.hcmConnector.update({ where: { id }, data: { secret: new Uint8Array(sealSecret(before, PASSWORD, context)) } });
    const result = await pullConnector(h.db, h.dispatcher, { ...developmentConnectorSettings(), keyring: after }, { tenantId, name: 'workday' });
    expect(result.outcome).toBe('imported');
    const resealed = Buffer.from((await h.db.hcmConnector.findUniqueOrThrow({ where: { id } })).secret!);
    expect(resealed[0]).toBe(2);
    expect(openSecret(after, resealed, context)).toBe(PASSWORD);

    expect(() => secretsKeyring(loadConfig({}))).toThrow('SECRETS_KEY: must be set');
    expect(secretsKeyring(loadConfig({}), { development: true }).currentKeyId).toBe(0);
    expect(() => loadConfig({ SECRETS_KEY: 'too-short' })).toThrow('SECRETS_KEY: must be 32 bytes in base64');
  });
});
