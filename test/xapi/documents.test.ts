import { createHash, randomUUID } from 'node:crypto';
import { SYSTEM } from '../../src/services/audit/trail';
import { createLrsClient, type LrsScope } from '../../src/services/xapi/lrs-clients';
import { createTenant } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';

/**
 * The Document Resources of the LRS (xAPI 1.0.3 Communication 2.2–2.7 and 3.1; 2.0.0 alike unless a
 * test says otherwise): content keeps scratch data as documents — state per activity, agent and
 * registration, profiles per activity or per agent — and reads back exactly the bytes and the
 * Content-Type it wrote, with ETags that keep two writers from overwriting each other unknowingly.
 */
describe('Document Resources', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  interface Sent {
    query?: Record<string, unknown>;
    body?: string | Buffer | object;
    type?: string;
    headers?: Record<string, string>;
    version?: string;
  }
  interface Answer {
    status: number;
    headers: Headers;
    bytes: Buffer;
    text: string;
    json: any;
  }

  /** An LRS client of a tenant of its own, calling /xapi as content does (HTTP Basic, a version header). */
  async function lrsClient(scopes: LrsScope[] = ['read', 'write'], tenantId?: string) {
    const tenant = tenantId ?? (await createTenant(h.db)).tenantId;
    const { key, secret } = await createLrsClient(h.db, tenant, SYSTEM, { name: 'course player', scopes });
    const call = async (method: string, path: string, sent: Sent = {}): Promise<Answer> => {
      const url = new URL(`${h.baseUrl}/xapi${path}`);
      for (const [name, value] of Object.entries(sent.query ?? {})) url.searchParams.set(name, typeof value === 'string' ? value : JSON.stringify(value));
      const headers: Record<string, string> = { authorization: `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`, 'x-experience-api-version': sent.version ?? '1.0.3', ...sent.headers };
      let body: string | Buffer | undefined;
      if (sent.body !== undefined) {
        body = typeof sent.body === 'string' || Buffer.isBuffer(sent.body) ? sent.body : JSON.stringify(sent.body);
        headers['content-type'] = sent.type ?? (typeof sent.body === 'object' && !Buffer.isBuffer(sent.body) ? 'application/json' : 'application/octet-stream');
      }
      const response = await fetch(url, { method, headers, body });
      const bytes = Buffer.from(await response.arrayBuffer());
      const text = bytes.toString('utf8');
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { status: response.status, headers: response.headers, bytes, text, json };
    };
    return { tenantId: tenant, get: (p: string, s?: Sent) => call('GET', p, s), head: (p: string, s?: Sent) => call('HEAD', p, s), put: (p: string, s?: Sent) => call('PUT', p, s), post: (p: string, s?: Sent) => call('POST', p, s), delete: (p: string, s?: Sent) => call('DELETE', p, s) };
  }

  const activity = () => `http://trainhub.test/activities/${randomUUID()}`;
  const learner = (name = 'Ada Lovelace') => ({ objectType: 'Agent', name, account: { homePage: 'http://lms.trainhub.test', name: `u-${randomUUID()}` } });
  const sha1 = (content: string | Buffer) => createHash('sha1').update(content).digest('hex');
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  test('Communication 2.3: State PUT stores a document that GET returns byte for byte with its Content-Type; DELETE removes it and GET is then 404', async () => {
    const lrs = await lrsClient();
    const state = { activityId: activity(), agent: learner(), stateId: 'bookmark' };
    const text = 'page 7 — “Sterile field”';
    expect((await lrs.put('/activities/state', { query: state, body: text, type: 'text/plain; charset=utf-8' })).status).toBe(204);
    const read = await lrs.get('/activities/state', { query: state });
    expect(read.status).toBe(200);
    expect(read.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(read.text).toBe(text);

    const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const suspend = { ...state, stateId: 'suspend_data' };
    expect((await lrs.put('/activities/state', { query: suspend, body: binary, type: 'application/x-trainhub-bytes' })).status).toBe(204);
    const bytes = await lrs.get('/activities/state', { query: suspend });
    expect(bytes.headers.get('content-type')).toBe('application/x-trainhub-bytes');
    expect(bytes.bytes.equals(binary)).toBe(true);

    expect((await lrs.delete('/activities/state', { query: state })).status).toBe(204);
    const gone = await lrs.get('/activities/state', { query: state });
    expect(gone.status).toBe(404);
    expect((await lrs.get('/activities/state', { query: suspend })).status).toBe(200);
  });

  test('Communication 2.3: a state under a registration is its own document; without registration the id list and delete-all cover every registration of the activity and agent', async () => {
    const lrs = await lrsClient();
    const context = { activityId: activity(), agent: learner() };
    const registration = randomUUID();
    await lrs.put('/activities/state', { query: { ...context, stateId: 'progress' }, body: { page: 1 } });
    await lrs.put('/activities/state', { query: { ...context, registration, stateId: 'progress' }, body: { page: 9 } });
    await lrs.put('/activities/state', { query: { ...context, registration, stateId: 'score' }, body: { raw: 80 } });

    expect((await lrs.get('/activities/state', { query: { ...context, stateId: 'progress' } })).json).toEqual({ page: 1 });
    // A registration is a UUID however it is cased.
    expect((await lrs.get('/activities/state', { query: { ...context, registration: registration.toUpperCase(), stateId: 'progress' } })).json).toEqual({ page: 9 });
    expect((await lrs.get('/activities/state', { query: { ...context, registration } })).json.sort()).toEqual(['progress', 'score']);
    expect((await lrs.get('/activities/state', { query: context })).json.sort()).toEqual(['progress', 'score']);

    expect((await lrs.delete('/activities/state', { query: { ...context, registration } })).status).toBe(204);
    expect((await lrs.get('/activities/state', { query: { ...context, registration } })).json).toEqual([]);
    expect((await lrs.get('/activities/state', { query: context })).json).toEqual(['progress']);

    expect((await lrs.delete('/activities/state', { query: context })).status).toBe(204);
    expect((await lrs.get('/activities/state', { query: context })).json).toEqual([]);
  });

  test('Communication 2.3.s5: DELETE without stateId removes the state of that activity and agent only', async () => {
    const lrs = await lrsClient();
    const agent = learner();
    const mine = { activityId: activity(), agent };
    const otherActivity = { activityId: activity(), agent };
    const otherAgent = { activityId: mine.activityId, agent: learner('Grace Hopper') };
    for (const context of [mine, otherActivity, otherAgent]) await lrs.put('/activities/state', { query: { ...context, stateId: 's' }, body: { kept: true } });

    expect((await lrs.delete('/activities/state', { query: mine })).status).toBe(204);
    expect((await lrs.get('/activities/state', { query: mine })).json).toEqual([]);
    expect((await lrs.get('/activities/state', { query: otherActivity })).json).toEqual(['s']);
    expect((await lrs.get('/activities/state', { query: otherAgent })).json).toEqual(['s']);
  });

  test('Communication 2.2 JSON Procedure: POST of a new document stores it; POST over a JSON object sets its top-level properties (whole values replaced) and answers 204', async () => {
    const lrs = await lrsClient();
    const state = { activityId: activity(), agent: learner(), stateId: 'vars' };
    expect((await lrs.post('/activities/state', { query: state, body: { x: 'foo', y: 'bar', nested: { a: 1, b: 2 } } })).status).toBe(204);
    expect((await lrs.get('/activities/state', { query: state })).json).toEqual({ x: 'foo', y: 'bar', nested: { a: 1, b: 2 } });

    expect((await lrs.post('/activities/state', { query: state, body: { x: 'bash', z: 'faz', nested: { c: 3 } } })).status).toBe(204);
    const merged = await lrs.get('/activities/state', { query: state });
    expect(merged.json).toEqual({ x: 'bash', y: 'bar', z: 'faz', nested: { c: 3 } });
    expect(merged.headers.get('content-type')).toBe('application/json');

    // The same procedure on both profile resources.
    const activityProfile = { activityId: activity(), profileId: 'settings' };
    await lrs.post('/activities/profile', { query: activityProfile, body: { car: 'Honda' } });
    await lrs.post('/activities/profile', { query: activityProfile, body: { type: 'Civic' } });
    expect((await lrs.get('/activities/profile', { query: activityProfile })).json).toEqual({ car: 'Honda', type: 'Civic' });
    const agentProfile = { agent: learner(), profileId: 'preferences' };
    await lrs.post('/agents/profile', { query: agentProfile, body: { language: 'en' } });
    await lrs.post('/agents/profile', { query: agentProfile, body: { language: 'de', captions: true } });
    expect((await lrs.get('/agents/profile', { query: agentProfile })).json).toEqual({ language: 'de', captions: true });
  });

  test('Communication 2.2.s8: a POST onto a document merges only two JSON objects; anything else is 400 and the document stays as it was', async () => {
    const lrs = await lrsClient();
    const json = { activityId: activity(), agent: learner(), stateId: 'json' };
    await lrs.put('/activities/state', { query: json, body: { keep: 'me' } });
    const refused = [
      { body: 'abcdefg', type: 'text/plain' },
      { body: '{"broken": ', type: 'application/json' },
      { body: '[1, 2, 3]', type: 'application/json' },
      { body: '"a string"', type: 'application/json' },
    ];
    for (const post of refused) {
      const answer = await lrs.post('/activities/state', { query: json, ...post });
      expect([post.body, answer.status]).toEqual([post.body, 400]);
    }
    expect((await lrs.get('/activities/state', { query: json })).json).toEqual({ keep: 'me' });

    const bytes = { ...json, stateId: 'bytes' };
    await lrs.put('/activities/state', { query: bytes, body: '/ asdf / undefined', type: 'application/octet-stream' });
    expect((await lrs.post('/activities/state', { query: bytes, body: { add: 1 } })).status).toBe(400);
    const unchanged = await lrs.get('/activities/state', { query: bytes });
    expect([unchanged.text, unchanged.headers.get('content-type')]).toEqual(['/ asdf / undefined', 'application/octet-stream']);

    // A POST of a new document is stored as sent, whatever it is (Communication 2.2.s4: no prior knowledge needed).
    const fresh = { ...json, stateId: 'fresh' };
    expect((await lrs.post('/activities/state', { query: fresh, body: '1', type: 'application/x-www-form-urlencoded' })).status).toBe(204);
    expect((await lrs.get('/activities/state', { query: fresh })).text).toBe('1');
  });

  test('Communication 2.2.s8.b2 (XAPI-00314): a POST whose Content-Type is application/json but whose body is no JSON object is 400 even when no document exists, and nothing is stored', async () => {
    const lrs = await lrsClient();
    const places = [
      ['/activities/state', { activityId: activity(), agent: learner(), stateId: 'new' }],
      ['/activities/profile', { activityId: activity(), profileId: 'new' }],
      ['/agents/profile', { agent: learner(), profileId: 'new' }],
    ] as const;
    for (const [path, query] of places) {
      for (const body of ['{"test":"value"}[', '[1, 2]', '', 'abcdefg']) {
        const answer = await lrs.post(path, { query, body, type: 'application/json; charset=utf-8' });
        expect([path, body, answer.status]).toEqual([path, body, 400]);
        expect(answer.json.error.message).toMatch(/^The posted document is/);
      }
      expect((await lrs.get(path, { query })).status).toBe(404);
      expect((await lrs.post(path, { query, body: { test: 'value' } })).status).toBe(204);
      expect((await lrs.get(path, { query })).json).toEqual({ test: 'value' });
    }
  });

  test('Communication 2.3.s4 / 2.6.s4 / 2.7.s4: GET without the id lists the ids of the scope; since keeps those updated after it (exclusive); Last-Modified is the latest update', async () => {
    const lrs = await lrsClient();
    const context = { activityId: activity(), agent: learner() };
    await lrs.put('/activities/state', { query: { ...context, stateId: 'first' }, body: { n: 1 } });
    await sleep(20);
    const between = new Date();
    await sleep(20);
    await lrs.put('/activities/state', { query: { ...context, stateId: 'second' }, body: { n: 2 } });

    const all = await lrs.get('/activities/state', { query: context });
    expect(all.status).toBe(200);
    expect(all.json.sort()).toEqual(['first', 'second']);
    const second = await h.db.xapiDocument.findFirstOrThrow({ where: { tenantId: lrs.tenantId, documentId: 'second' } });
    expect(all.headers.get('last-modified')).toBe(second.updated.toUTCString());
    expect(all.headers.get('etag')).toBe(`"${sha1(all.text)}"`);

    expect((await lrs.get('/activities/state', { query: { ...context, since: between.toISOString() } })).json).toEqual(['second']);
    expect((await lrs.get('/activities/state', { query: { ...context, since: second.updated.toISOString() } })).json).toEqual([]);
    expect((await lrs.get('/activities/state', { query: { ...context, since: '2000-01-01T00:00:00+02:00' } })).json.sort()).toEqual(['first', 'second']);

    const activityId = activity();
    await lrs.put('/activities/profile', { query: { activityId, profileId: 'a' }, body: {}, headers: { 'if-none-match': '*' } });
    await lrs.put('/activities/profile', { query: { activityId, profileId: 'b' }, body: {}, headers: { 'if-none-match': '*' } });
    expect((await lrs.get('/activities/profile', { query: { activityId } })).json.sort()).toEqual(['a', 'b']);
    expect((await lrs.get('/activities/profile', { query: { activityId, since: new Date(Date.now() + 60_000).toISOString() } })).json).toEqual([]);

    const agent = learner();
    await lrs.post('/agents/profile', { query: { agent, profileId: 'p' }, body: { x: 1 } });
    expect((await lrs.get('/agents/profile', { query: { agent } })).json).toEqual(['p']);
    expect((await lrs.get('/agents/profile', { query: { agent: learner() } })).json).toEqual([]);
  });

  test('Communication 2.6 / 2.7: profile documents are kept per activity and per agent; the agent is known by its identifier, not its name', async () => {
    const lrs = await lrsClient();
    const activityId = activity();
    const profile = { activityId, profileId: 'glossary' };
    expect((await lrs.put('/activities/profile', { query: profile, body: 'term,definition', type: 'text/csv', headers: { 'if-none-match': '*' } })).status).toBe(204);
    const read = await lrs.get('/activities/profile', { query: profile });
    expect([read.status, read.text, read.headers.get('content-type')]).toEqual([200, 'term,definition', 'text/csv']);
    expect((await lrs.get('/activities/profile', { query: { activityId: activity(), profileId: 'glossary' } })).status).toBe(404);

    const agent = learner('Ada Lovelace');
    expect((await lrs.put('/agents/profile', { query: { agent, profileId: 'prefs' }, body: { theme: 'dark' }, headers: { 'if-none-match': '*' } })).status).toBe(204);
    const renamed = { ...agent, name: 'Ada King' };
    expect((await lrs.get('/agents/profile', { query: { agent: renamed, profileId: 'prefs' } })).json).toEqual({ theme: 'dark' });
    const withoutObjectType = { account: agent.account };
    expect((await lrs.get('/agents/profile', { query: { agent: withoutObjectType, profileId: 'prefs' } })).json).toEqual({ theme: 'dark' });

    const etag = (await lrs.get('/agents/profile', { query: { agent, profileId: 'prefs' } })).headers.get('etag')!;
    expect((await lrs.delete('/agents/profile', { query: { agent, profileId: 'prefs' }, headers: { 'if-match': etag } })).status).toBe(204);
    expect((await lrs.get('/agents/profile', { query: { agent, profileId: 'prefs' } })).status).toBe(404);
    expect((await lrs.delete('/activities/profile', { query: profile })).status).toBe(204);
    expect((await lrs.get('/activities/profile', { query: profile })).status).toBe(404);
  });

  test('Communication 3.1: GET of a document carries an ETag, the quoted lowercase SHA-1 of its content, and a Last-Modified that moves with each write (Communication 2.2.s6)', async () => {
    const lrs = await lrsClient();
    const state = { activityId: activity(), agent: learner(), stateId: 'etag' };
    const content = '{"lesson":3}';
    await lrs.put('/activities/state', { query: state, body: content, type: 'application/json' });
    const first = await lrs.get('/activities/state', { query: state });
    expect(first.headers.get('etag')).toBe(`"${sha1(content)}"`);
    const stored = await h.db.xapiDocument.findFirstOrThrow({ where: { tenantId: lrs.tenantId, documentId: 'etag' } });
    expect(first.headers.get('last-modified')).toBe(stored.updated.toUTCString());

    await sleep(1100);
    await lrs.post('/activities/state', { query: state, body: { lesson: 4 } });
    const second = await lrs.get('/activities/state', { query: state });
    expect(second.headers.get('etag')).toBe(`"${sha1(second.bytes)}"`);
    expect(second.headers.get('etag')).not.toBe(first.headers.get('etag'));
    expect(Date.parse(second.headers.get('last-modified')!)).toBeGreaterThan(Date.parse(first.headers.get('last-modified')!));
  });

  test('Communication 1.1: HEAD answers as GET would, without the body', async () => {
    const lrs = await lrsClient();
    const state = { activityId: activity(), agent: learner(), stateId: 'head' };
    await lrs.put('/activities/state', { query: state, body: { big: 'x'.repeat(1000) } });
    const get = await lrs.get('/activities/state', { query: state });
    const head = await lrs.head('/activities/state', { query: state });
    expect(head.status).toBe(200);
    expect(head.bytes.length).toBe(0);
    expect(['etag', 'last-modified', 'content-type'].map((n) => head.headers.get(n))).toEqual(['etag', 'last-modified', 'content-type'].map((n) => get.headers.get(n)));
    expect((await lrs.head('/activities/state', { query: { ...state, stateId: 'missing' } })).status).toBe(404);
  });

  test('Communication 3.1: If-Match with the current ETag lets PUT, POST and DELETE through; a stale or unknown ETag is 412 and the document is not modified', async () => {
    const lrs = await lrsClient();
    const profile = { activityId: activity(), profileId: 'course-settings' };
    await lrs.put('/activities/profile', { query: profile, body: { v: 1 }, headers: { 'if-none-match': '*' } });
    const v1 = (await lrs.get('/activities/profile', { query: profile })).headers.get('etag')!;

    expect((await lrs.put('/activities/profile', { query: profile, body: { v: 2 }, headers: { 'if-match': v1 } })).status).toBe(204);
    const v2 = (await lrs.get('/activities/profile', { query: profile })).headers.get('etag')!;

    const stale = await lrs.put('/activities/profile', { query: profile, body: { v: 'lost update' }, headers: { 'if-match': v1 } });
    expect(stale.status).toBe(412);
    expect((await lrs.post('/activities/profile', { query: profile, body: { w: 1 }, headers: { 'if-match': v1 } })).status).toBe(412);
    expect((await lrs.delete('/activities/profile', { query: profile, headers: { 'if-match': `"${'1'.repeat(40)}"` } })).status).toBe(412);
    expect((await lrs.put('/activities/profile', { query: profile, body: { v: 'x' }, headers: { 'if-match': '1234' } })).status).toBe(412);
    expect((await lrs.get('/activities/profile', { query: profile })).json).toEqual({ v: 2 });

    // A list of tags matches when one of them is current; * matches any existing document.
    expect((await lrs.post('/activities/profile', { query: profile, body: { w: 1 }, headers: { 'if-match': `${v1}, ${v2}` } })).status).toBe(204);
    expect((await lrs.get('/activities/profile', { query: profile })).json).toEqual({ v: 2, w: 1 });
    expect((await lrs.put('/activities/profile', { query: profile, body: { v: 3 }, headers: { 'if-match': '*' } })).status).toBe(204);
    const v3 = (await lrs.get('/activities/profile', { query: profile })).headers.get('etag')!;
    expect((await lrs.delete('/activities/profile', { query: profile, headers: { 'if-match': v3 } })).status).toBe(204);

    // If-Match: * or a tag of a document that does not exist fails too.
    expect((await lrs.put('/activities/profile', { query: profile, body: { v: 4 }, headers: { 'if-match': '*' } })).status).toBe(412);
    expect((await lrs.get('/activities/profile', { query: profile })).status).toBe(404);
  });

  test('Communication 3.1: If-None-Match: * writes only a document that does not exist yet; otherwise 412 and nothing changes', async () => {
    const lrs = await lrsClient();
    const agent = learner();
    const profile = { agent, profileId: 'created-once' };
    expect((await lrs.put('/agents/profile', { query: profile, body: { first: true }, headers: { 'if-none-match': '*' } })).status).toBe(204);
    expect((await lrs.put('/agents/profile', { query: profile, body: { second: true }, headers: { 'if-none-match': '*' } })).status).toBe(412);
    expect((await lrs.post('/agents/profile', { query: profile, body: { second: true }, headers: { 'if-none-match': '*' } })).status).toBe(412);
    expect((await lrs.get('/agents/profile', { query: profile })).json).toEqual({ first: true });

    const state = { activityId: activity(), agent, stateId: 's' };
    expect((await lrs.put('/activities/state', { query: state, body: { a: 1 }, headers: { 'if-none-match': '*' } })).status).toBe(204);
    expect((await lrs.put('/activities/state', { query: state, body: { a: 2 }, headers: { 'if-none-match': '*' } })).status).toBe(412);
    expect((await lrs.get('/activities/state', { query: state })).json).toEqual({ a: 1 });
  });

  test('Communication 3.1 (1.0.3): a profile PUT with neither header is 409 over an existing document, explaining to GET the ETag and send If-Match; 400 for a new one; State may be replaced without headers', async () => {
    const lrs = await lrsClient();
    const profile = { activityId: activity(), profileId: 'p' };
    await lrs.post('/activities/profile', { query: profile, body: { original: true } });
    const conflict = await lrs.put('/activities/profile', { query: profile, body: { replaced: true } });
    expect(conflict.status).toBe(409);
    expect(conflict.json.error.message).toMatch(/If-Match/);
    expect(conflict.json.error.message).toMatch(/GET/);
    expect((await lrs.get('/activities/profile', { query: profile })).json).toEqual({ original: true });

    const agentProfile = { agent: learner(), profileId: 'p' };
    await lrs.post('/agents/profile', { query: agentProfile, body: { original: true } });
    expect((await lrs.put('/agents/profile', { query: agentProfile, body: { replaced: true } })).status).toBe(409);
    expect((await lrs.get('/agents/profile', { query: agentProfile })).json).toEqual({ original: true });

    expect((await lrs.put('/activities/profile', { query: { activityId: activity(), profileId: 'new' }, body: {} })).status).toBe(400);
    expect((await lrs.put('/agents/profile', { query: { agent: learner(), profileId: 'new' }, body: {} })).status).toBe(400);

    const state = { activityId: activity(), agent: learner(), stateId: 'suspend_data' };
    expect((await lrs.put('/activities/state', { query: state, body: 'A1B2' })).status).toBe(204);
    expect((await lrs.put('/activities/state', { query: state, body: 'C3D4' })).status).toBe(204);
    expect((await lrs.get('/activities/state', { query: state })).text).toBe('C3D4');
  });

  test('Concurrency in 2.0.0: a PUT with neither header over any existing document, State included, is 409; new documents are created without headers', async () => {
    const lrs = await lrsClient();
    const v2 = { version: '2.0.0' };
    const state = { activityId: activity(), agent: learner(), stateId: 'progress' };
    expect((await lrs.put('/activities/state', { ...v2, query: state, body: { page: 1 } })).status).toBe(204);
    const conflict = await lrs.put('/activities/state', { ...v2, query: state, body: { page: 2 } });
    expect(conflict.status).toBe(409);
    expect(conflict.headers.get('x-experience-api-version')).toBe('2.0.0');
    expect((await lrs.get('/activities/state', { ...v2, query: state })).json).toEqual({ page: 1 });
    const etag = (await lrs.get('/activities/state', { ...v2, query: state })).headers.get('etag')!;
    expect((await lrs.put('/activities/state', { ...v2, query: state, body: { page: 2 }, headers: { 'if-match': etag } })).status).toBe(204);

    const profile = { activityId: activity(), profileId: 'p' };
    expect((await lrs.put('/activities/profile', { ...v2, query: profile, body: { a: 1 } })).status).toBe(204);
    expect((await lrs.put('/activities/profile', { ...v2, query: profile, body: { a: 2 } })).status).toBe(409);
    const agentProfile = { agent: learner(), profileId: 'p' };
    expect((await lrs.put('/agents/profile', { ...v2, query: agentProfile, body: { a: 1 } })).status).toBe(204);
    expect((await lrs.put('/agents/profile', { ...v2, query: agentProfile, body: { a: 2 } })).status).toBe(409);
    expect((await lrs.get('/agents/profile', { ...v2, query: agentProfile })).json).toEqual({ a: 1 });

    // POST and DELETE without headers stay allowed, and honour If-Match when given.
    expect((await lrs.post('/activities/state', { ...v2, query: state, body: { note: 'x' } })).status).toBe(204);
    expect((await lrs.delete('/activities/state', { ...v2, query: state, headers: { 'if-match': etag } })).status).toBe(412);
    expect((await lrs.delete('/activities/state', { ...v2, query: state })).status).toBe(204);
  });

  test('Concurrency: two writers holding the same ETag — exactly one of them succeeds, the other gets 412', async () => {
    const lrs = await lrsClient();
    const profile = { activityId: activity(), profileId: 'race' };
    await lrs.put('/activities/profile', { query: profile, body: { n: 0 }, headers: { 'if-none-match': '*' } });
    const etag = (await lrs.get('/activities/profile', { query: profile })).headers.get('etag')!;
    const answers = await Promise.all([1, 2, 3, 4].map((n) => lrs.put('/activities/profile', { query: profile, body: { n }, headers: { 'if-match': etag } })));
    expect(answers.map((a) => a.status).sort()).toEqual([204, 412, 412, 412]);
    const created = await Promise.all([1, 2, 3].map((n) => lrs.put('/activities/profile', { query: { ...profile, profileId: 'created' }, body: { n }, headers: { 'if-none-match': '*' } })));
    expect(created.map((a) => a.status).sort()).toEqual([204, 412, 412]);
  });

  test('Communication 3.2: missing or malformed parameters are 400 naming the parameter; parameters this resource does not define here, or differ in case, are 400', async () => {
    const lrs = await lrsClient();
    const state = { activityId: activity(), agent: learner(), stateId: 's' };
    const bad: [string, string, Record<string, unknown>, string][] = [
      ['PUT', '/activities/state', { agent: state.agent, stateId: 's' }, 'activityId'],
      ['GET', '/activities/state', { ...state, activityId: 'not an IRI' }, 'activityId'],
      ['GET', '/activities/state', { activityId: state.activityId, stateId: 's' }, 'agent'],
      ['DELETE', '/activities/state', { ...state, agent: 'not JSON' }, 'agent'],
      ['GET', '/activities/state', { ...state, agent: { objectType: 'Agent', name: 'No Identifier' } }, 'agent'],
      ['GET', '/activities/state', { ...state, agent: '{"objectType":"Agent","account":{"homePage":"http://a.test"' }, 'agent'],
      ['POST', '/activities/state', { ...state, registration: 'not-a-uuid' }, 'registration'],
      ['PUT', '/activities/state', { activityId: state.activityId, agent: state.agent }, 'stateId'],
      ['POST', '/activities/state', { activityId: state.activityId, agent: state.agent }, 'stateId'],
      ['GET', '/activities/state', { activityId: state.activityId, agent: state.agent, since: 'yesterday' }, 'since'],
      ['PUT', '/activities/profile', { profileId: 'p' }, 'activityId'],
      ['DELETE', '/activities/profile', { activityId: state.activityId }, 'profileId'],
      ['POST', '/agents/profile', { agent: state.agent }, 'profileId'],
      ['GET', '/agents/profile', { profileId: 'p' }, 'agent'],
    ];
    for (const [method, path, query, parameter] of bad) {
      const answer = await ({ GET: lrs.get, PUT: lrs.put, POST: lrs.post, DELETE: lrs.delete } as const)[method as 'GET'](path, { query, body: method === 'PUT' || method === 'POST' ? { a: 1 } : undefined });
      expect([method, path, parameter, answer.status, answer.json?.error?.message?.includes(parameter)]).toEqual([method, path, parameter, 400, true]);
    }

    const unexpected: [string, string, Record<string, unknown>][] = [
      ['GET', '/activities/state', { ...state, StateId: 's' }],
      ['GET', '/activities/state', { ...state, foo: 'bar' }],
      ['PUT', '/activities/state', { ...state, since: new Date().toISOString() }],
      ['DELETE', '/activities/state', { ...state, since: new Date().toISOString() }],
      ['GET', '/activities/profile', { activityId: state.activityId, profileId: 'p', agent: state.agent }],
      ['GET', '/agents/profile', { agent: state.agent, profileId: 'p', registration: randomUUID() }],
      ['POST', '/agents/profile', { agent: state.agent, profileId: 'p', stateId: 's' }],
    ];
    for (const [method, path, query] of unexpected) {
      const answer = await ({ GET: lrs.get, PUT: lrs.put, POST: lrs.post, DELETE: lrs.delete } as const)[method as 'GET'](path, { query, body: method === 'PUT' || method === 'POST' ? { a: 1 } : undefined });
      expect([method, path, answer.status]).toEqual([method, path, 400]);
    }
    // Nothing of the refused writes was stored.
    expect(await h.db.xapiDocument.count({ where: { tenantId: lrs.tenantId } })).toBe(0);
  });

  test('Communication 1.3: a 1.0.3 client using the alternate request syntax writes and reads a state document', async () => {
    const lrs = await lrsClient();
    const state = { activityId: activity(), agent: learner(), stateId: 'ie-mode' };
    const login = await createLrsClient(h.db, lrs.tenantId, SYSTEM, { name: 'old browser', scopes: ['read', 'write'] });
    const form = new URLSearchParams({
      ...state,
      agent: JSON.stringify(state.agent),
      Authorization: `Basic ${Buffer.from(`${login.key}:${login.secret}`).toString('base64')}`,
      'X-Experience-API-Version': '1.0.3',
      'Content-Type': 'application/json',
      content: JSON.stringify({ page: 4 }),
    });
    const put = await fetch(`${h.baseUrl}/xapi/activities/state?method=PUT`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    expect(put.status).toBe(204);
    expect((await lrs.get('/activities/state', { query: state })).json).toEqual({ page: 4 });
  });

  test('Tenants: a client sees and deletes only its own tenant\'s documents, even under the same activity, agent and ids', async () => {
    const ours = await lrsClient();
    const theirs = await lrsClient();
    const context = { activityId: activity(), agent: learner() };
    await ours.put('/activities/state', { query: { ...context, stateId: 'shared-name' }, body: { tenant: 'ours' } });
    await ours.put('/activities/profile', { query: { activityId: context.activityId, profileId: 'p' }, body: { tenant: 'ours' }, headers: { 'if-none-match': '*' } });
    await ours.put('/agents/profile', { query: { agent: context.agent, profileId: 'p' }, body: { tenant: 'ours' }, headers: { 'if-none-match': '*' } });

    expect((await theirs.get('/activities/state', { query: { ...context, stateId: 'shared-name' } })).status).toBe(404);
    expect((await theirs.get('/activities/state', { query: context })).json).toEqual([]);
    expect((await theirs.get('/activities/profile', { query: { activityId: context.activityId, profileId: 'p' } })).status).toBe(404);
    expect((await theirs.get('/agents/profile', { query: { agent: context.agent } })).json).toEqual([]);

    // Their writes under the same names are documents of their own; their delete-all leaves ours.
    expect((await theirs.put('/activities/profile', { query: { activityId: context.activityId, profileId: 'p' }, body: { tenant: 'theirs' }, headers: { 'if-none-match': '*' } })).status).toBe(204);
    await theirs.put('/activities/state', { query: { ...context, stateId: 'shared-name' }, body: { tenant: 'theirs' } });
    expect((await theirs.delete('/activities/state', { query: context })).status).toBe(204);
    expect((await ours.get('/activities/state', { query: { ...context, stateId: 'shared-name' } })).json).toEqual({ tenant: 'ours' });
    expect((await ours.get('/activities/profile', { query: { activityId: context.activityId, profileId: 'p' } })).json).toEqual({ tenant: 'ours' });
    expect((await theirs.get('/activities/profile', { query: { activityId: context.activityId, profileId: 'p' } })).json).toEqual({ tenant: 'theirs' });
  });

  test('Scopes: reading needs the read scope and writing the write scope (403 otherwise); credentials are required (401)', async () => {
    const writer = await lrsClient(['write']);
    const reader = await lrsClient(['read'], writer.tenantId);
    const state = { activityId: activity(), agent: learner(), stateId: 's' };
    expect((await writer.put('/activities/state', { query: state, body: { a: 1 } })).status).toBe(204);
    expect((await writer.get('/activities/state', { query: state })).status).toBe(403);
    expect((await reader.get('/activities/state', { query: state })).json).toEqual({ a: 1 });
    for (const answer of [
      await reader.put('/activities/state', { query: state, body: { a: 2 } }),
      await reader.post('/activities/state', { query: state, body: { a: 2 } }),
      await reader.delete('/activities/state', { query: state }),
      await reader.put('/agents/profile', { query: { agent: state.agent, profileId: 'p' }, body: {}, headers: { 'if-none-match': '*' } }),
    ]) {
      expect(answer.status).toBe(403);
    }
    expect((await reader.get('/activities/state', { query: state })).json).toEqual({ a: 1 });

    const anonymous = await fetch(`${h.baseUrl}/xapi/activities/state?${new URLSearchParams({ ...state, agent: JSON.stringify(state.agent) })}`, { headers: { 'x-experience-api-version': '1.0.3' } });
    expect(anonymous.status).toBe(401);
  });
});
