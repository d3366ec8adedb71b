import { createHash, randomUUID } from 'node:crypto';
import { readStatementsRequest, writeMultipart } from '../../src/connectors/xapi/multipart';
import { createTenant } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { lrsClient, query, statement, verbs } from '../support/lrs';
import { createLrsClient } from '../../src/services/xapi/lrs-clients';
import { removeTenant } from '../../src/services/identity/tenants';

/**
 * The Statement Resource over real HTTP, as xAPI 1.0.3 Communication 2.1 (and 2.0.0) says: storing
 * one or many statements all or nothing, immutability, voiding, every filter with `more` paging,
 * formats, the required headers, credentials and tenants.
 */
describe('xAPI statements resource', () => {
  let h: Harness;
  let lrs: ReturnType<typeof lrsClient>;
  let tenantId: string;
  let credentials: { key: string; secret: string };
  beforeAll(async () => {
    h = await startHarness();
    ({ tenantId } = await createTenant(h.db));
    credentials = await createLrsClient(h.db, tenantId, { type: 'system' }, { name: 'Acme LMS', scopes: ['read', 'write'] });
    lrs = lrsClient(h.baseUrl, credentials);
  });
  afterAll(() => h?.close());

  const learner = () => ({ objectType: 'Agent', mbox: `mailto:${randomUUID()}@example.com` });
  const activity = () => ({ objectType: 'Activity', id: `https://example.com/activities/${randomUUID()}` });
  const ids = (body: { statements: { id: string }[] }) => body.statements.map((s) => s.id);

  test('Communication 2.1.2: POST stores one or many and answers their ids; the LRS sets id, stored, authority, version and timestamp', async () => {
    const given = randomUUID();
    const posted = await lrs.post('/statements', [statement({ id: given }), statement()]);
    expect(posted.status).toBe(200);
    expect(posted.headers.get('x-experience-api-version')).toBe('1.0.3');
    expect(posted.body).toHaveLength(2);
    expect(posted.body[0]).toBe(given);
    expect(posted.body[1]).toMatch(/^[0-9a-f-]{36}$/);
    const got = await lrs.get(`/statements?statementId=${posted.body[1]}`);
    expect(got.status).toBe(200);
    expect(got.headers.get('x-experience-api-consistent-through')).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(got.headers.get('last-modified')).toBeTruthy();
    expect(got.body).toMatchObject({ ...statement(), id: posted.body[1], version: '1.0.0', authority: { objectType: 'Agent', account: { homePage: 'http://trainhub.test', name: expect.stringMatching(/^lrs_/) } } });
    expect(got.body.stored).toBe(got.body.timestamp);
    expect(new Date(got.body.stored).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  test('Communication 2.1.1: PUT stores a statement under its statementId; the same again is accepted, other content is 409', async () => {
    const id = randomUUID();
    const body = statement({ actor: learner() });
    expect((await lrs.put(`/statements?statementId=${id}`, body)).status).toBe(204);
    expect((await lrs.put(`/statements?statementId=${id}`, body)).status).toBe(204);
    expect((await lrs.post('/statements', { ...body, id })).status).toBe(200);
    expect((await lrs.put(`/statements?statementId=${id}`, { ...body, verb: verbs.completed })).status).toBe(409);
    expect((await lrs.put('/statements', body)).status).toBe(400);
    expect((await lrs.put(`/statements?statementId=${id}`, [body])).status).toBe(400);
    expect((await lrs.put(`/statements?statementId=${randomUUID()}`, { ...body, id: randomUUID() })).status).toBe(400);
    expect((await lrs.get(`/statements?statementId=${id}`)).body.verb.id).toBe(body.verb.id);
  });

  test('Communication 2.1.2: a batch with an invalid statement, or the same id twice, is refused whole', async () => {
    const actor = learner();
    const good = statement({ actor });
    const invalid = await lrs.post('/statements', [good, statement({ actor, verb: { id: 'not an iri' } })]);
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.message).toMatch(/verb/);
    const id = randomUUID();
    expect((await lrs.post('/statements', [{ ...good, id }, { ...good, id }])).status).toBe(400);
    expect((await lrs.get(`/statements${query({ agent: actor })}`)).body.statements).toEqual([]);
  });

  test('Communication 2.1.2: JSON the store cannot keep as sent — a NUL character, an unpaired surrogate, nesting past 64 levels, a number past double range — is 400 naming where, and nothing of its batch is stored', async () => {
    const actor = learner();
    const extension = 'https://example.com/extensions/notes';
    const nested = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const bodies = [
      [JSON.stringify([statement({ actor }), statement({ actor, result: { response: 'a\u0000b' } })]), /statement\[1\]\.result\.response.*NUL/],
      [JSON.stringify([statement({ actor }), statement({ actor, result: { extensions: { [extension]: { 'key\u0000': 1 } } } })]), /statement\[1\]\.result\.extensions.*NUL/],
      [`[${JSON.stringify(statement({ actor }))},${JSON.stringify(statement({ actor, result: { response: '__' } })).replace('__', '\\ud800')}]`, /statement\[1\]\.result\.response.*surrogate/],
      [`[${JSON.stringify(statement({ actor }))},${JSON.stringify(statement({ actor, result: { extensions: { [extension]: 0 } } })).replace(':0}', `:${nested}}`)}]`, /statement\[1\]\.result\.extensions.*64 levels/],
      [`[${JSON.stringify(statement({ actor, result: { extensions: { [extension]: 0 } } })).replace(':0}', ':1e400}')}]`, /statement\[0\]\.result\.extensions.*range/],
    ] as const;
    for (const [body, named] of bodies) {
      const refused = await lrs.post('/statements', body, { 'content-type': 'application/json' });
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toMatch(named);
    }
    expect((await lrs.get(`/statements${query({ agent: actor })}`)).body.statements).toEqual([]);
  });

  test('Data 2.3.2 / Communication 2.1.3: a voided statement leaves queries but is found by voidedStatementId; a voiding statement cannot be voided', async () => {
    const actor = learner();
    const [target] = (await lrs.post('/statements', statement({ actor }))).body;
    const [voiding] = (await lrs.post('/statements', statement({ actor, verb: verbs.voided, object: { objectType: 'StatementRef', id: target } }))).body;
    expect((await lrs.get(`/statements?statementId=${target}`)).status).toBe(404);
    expect((await lrs.get(`/statements?voidedStatementId=${target}`)).body.id).toBe(target);
    expect((await lrs.get(`/statements?voidedStatementId=${voiding}`)).status).toBe(404);
    expect(ids((await lrs.get(`/statements${query({ agent: actor })}`)).body)).toEqual([voiding]);
    const again = await lrs.post('/statements', statement({ actor, verb: verbs.voided, object: { objectType: 'StatementRef', id: voiding } }));
    expect(again.status).toBe(400);
  });

  test('Communication 2.1.3: agent, verb, activity and registration filters; related_agents and related_activities widen them', async () => {
    const actor = learner();
    const instructor = learner();
    const course = activity();
    const lesson = activity();
    const registration = randomUUID();
    const [a, b, c] = (
      await lrs.post('/statements', [
        statement({ actor, object: course, verb: verbs.completed }),
        statement({ actor, object: lesson, context: { registration, instructor, contextActivities: { parent: [course] } } }),
        statement({ actor: instructor, object: actor }),
      ])
    ).body;
    const find = async (params: Record<string, unknown>) => ids((await lrs.get(`/statements${query(params)}`)).body);
    expect(await find({ agent: actor })).toEqual([c, b, a]);
    expect(await find({ agent: instructor })).toEqual([c]);
    expect(await find({ agent: instructor, related_agents: true })).toEqual([c, b]);
    expect(await find({ agent: actor, verb: verbs.completed.id })).toEqual([a]);
    expect(await find({ activity: course.id })).toEqual([a]);
    expect(await find({ activity: course.id, related_activities: true })).toEqual([b, a]);
    expect(await find({ registration })).toEqual([b]);
    expect(await find({ agent: actor, ascending: true })).toEqual([a, b, c]);
  });

  test('Communication 2.1.3: a statement referring to a matching statement matches too', async () => {
    const actor = learner();
    const [target] = (await lrs.post('/statements', statement({ actor }))).body;
    const [ref] = (await lrs.post('/statements', statement({ actor: learner(), object: { objectType: 'StatementRef', id: target } }))).body;
    expect(ids((await lrs.get(`/statements${query({ agent: actor })}`)).body)).toEqual([ref, target]);
  });

  test('Communication 2.1.3: since, until, limit and the more link page through everything once', async () => {
    const actor = learner();
    const first = (await lrs.post('/statements', Array.from({ length: 5 }, () => statement({ actor })))).body as string[];
    const stored = (await lrs.get(`/statements?statementId=${first[4]}`)).body.stored;
    const later = (await lrs.post('/statements', Array.from({ length: 2 }, () => statement({ actor })))).body as string[];
    const seen: string[] = [];
    let page = await lrs.get(`/statements${query({ agent: actor, limit: '3' })}`);
    for (;;) {
      seen.push(...ids(page.body));
      if (!page.body.more) break;
      expect(page.body.more).toMatch(/^\/xapi\/statements\?/);
      page = await lrs.get(page.body.more.replace('/xapi', ''));
    }
    expect(seen).toEqual([...first, ...later].reverse());
    expect(ids((await lrs.get(`/statements${query({ agent: actor, until: stored })}`)).body)).toEqual([...first].reverse());
    expect(ids((await lrs.get(`/statements${query({ agent: actor, since: stored })}`)).body)).toEqual([...later].reverse());
    expect((await lrs.get(`/statements${query({ agent: actor, limit: '0' })}`)).body.statements).toHaveLength(7);
  });

  test('Communication 2.1.3: the more link pages through an activity\'s statements in either order, also with related_activities', async () => {
    const lesson = activity();
    const course = activity();
    const direct = (await lrs.post('/statements', Array.from({ length: 4 }, () => statement({ actor: learner(), object: lesson })))).body as string[];
    const inContext = (await lrs.post('/statements', Array.from({ length: 3 }, () => statement({ actor: learner(), object: activity(), context: { contextActivities: { parent: [lesson] } } })))).body as string[];
    await lrs.post('/statements', statement({ actor: learner(), object: course }));
    const all = async (params: Record<string, unknown>) => {
      const seen: string[] = [];
      for (let page = await lrs.get(`/statements${query({ ...params, limit: '2' })}`); ; page = await lrs.get(page.body.more.replace('/xapi', ''))) {
        seen.push(...ids(page.body));
        if (!page.body.more) return seen;
      }
    };
    expect(await all({ activity: lesson.id, ascending: 'true' })).toEqual(direct);
    expect(await all({ activity: lesson.id })).toEqual([...direct].reverse());
    expect(await all({ activity: lesson.id, related_activities: 'true', ascending: 'true' })).toEqual([...direct, ...inContext]);
  });

  test('Communication 2.1.3: format=ids keeps only identifiers; canonical keeps the language the caller prefers', async () => {
    const actor = { ...learner(), name: 'Grace' };
    const object = { ...activity(), definition: { name: { 'en-US': 'Safety', 'de-DE': 'Sicherheit' }, type: 'http://adlnet.gov/expapi/activities/course' } };
    const [id] = (await lrs.post('/statements', statement({ actor, object }))).body;
    const idsOnly = (await lrs.get(`/statements?statementId=${id}&format=ids`)).body;
    expect(idsOnly.actor).toEqual({ objectType: 'Agent', mbox: actor.mbox });
    expect(idsOnly.object).toEqual({ objectType: 'Activity', id: object.id });
    const canonical = (await lrs.get(`/statements?statementId=${id}&format=canonical`, { 'accept-language': 'de-DE, en;q=0.5' })).body;
    expect(canonical.object.definition.name).toEqual({ 'de-DE': 'Sicherheit' });
    expect((await lrs.get(`/statements?statementId=${id}&format=whatever`)).status).toBe(400);
  });

  test('Communication 1.3 / 2.1: the version header, parameters and credentials are checked', async () => {
    const bare = await fetch(`${h.baseUrl}/xapi/statements`, { headers: { authorization: 'Basic eDp5' } });
    expect(bare.status).toBe(400);
    expect((await lrsClient(h.baseUrl, { key: 'lrs_nobody', secret: 'wrong' }).get('/statements')).status).toBe(401);
    expect((await lrs.get('/statements?verb=http://adlnet.gov/expapi/verbs/completed&statementId=' + randomUUID())).status).toBe(400);
    expect((await lrs.get('/statements?colour=blue')).status).toBe(400);
    expect((await lrs.get('/statements?since=yesterday')).status).toBe(400);
    expect((await lrs.get('/statements?agent={"name":"no identifier"}')).status).toBe(400);
    const readOnly = lrsClient(h.baseUrl, await createLrsClient(h.db, tenantId, { type: 'system' }, { name: 'Reports', scopes: ['read'] }));
    expect((await readOnly.post('/statements', statement())).status).toBe(403);
    expect((await readOnly.get('/statements?limit=1')).status).toBe(200);
  });

  test('tenants: one tenant’s client never sees another’s statements', async () => {
    const [id] = (await lrs.post('/statements', statement({ actor: learner() }))).body;
    const other = await createTenant(h.db);
    const theirs = lrsClient(h.baseUrl, await createLrsClient(h.db, other.tenantId, { type: 'system' }, { name: 'Other', scopes: ['read', 'write'] }));
    expect((await theirs.get(`/statements?statementId=${id}`)).status).toBe(404);
    expect((await theirs.get('/statements')).body.statements).toEqual([]);
  });

  test('xAPI 2.0.0: requests speaking 2.0.0 are answered as 2.0.0 and stored as version 2.0.0', async () => {
    const lrs2 = lrsClient(h.baseUrl, await createLrsClient(h.db, tenantId, { type: 'system' }, { name: 'Modern content', scopes: ['read', 'write'] }), '2.0.0');
    const posted = await lrs2.post('/statements', statement({ actor: learner(), timestamp: '2026-11-01T10:00:00.000Z' }));
    expect(posted.headers.get('x-experience-api-version')).toBe('2.0.0');
    expect((await lrs2.get(`/statements?statementId=${posted.body[0]}`)).body.version).toBe('2.0.0');
  });

  test('Communication 1.3: browser content gets CORS; the 1.0.3 alternate request syntax stands for the request it carries', async () => {
    const preflight = await fetch(`${h.baseUrl}/xapi/statements`, { method: 'OPTIONS', headers: { origin: 'https://content.example.com', 'access-control-request-method': 'PUT' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://content.example.com');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('X-Experience-API-Version');

    const id = randomUUID();
    const form = new URLSearchParams({
      statementId: id,
      'X-Experience-API-Version': '1.0.3',
      'Content-Type': 'application/json',
      content: JSON.stringify(statement({ actor: learner() })),
    });
    const old = await createLrsClient(h.db, tenantId, { type: 'system' }, { name: 'Old content', scopes: ['read', 'write'] });
    form.set('Authorization', `Basic ${Buffer.from(`${old.key}:${old.secret}`).toString('base64')}`);
    const response = await fetch(`${h.baseUrl}/xapi/statements?method=PUT`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    expect(response.status).toBe(204);
    expect((await lrs.get(`/statements?statementId=${id}`)).status).toBe(200);
  });

  test('Data 2.4.11 / Communication 1.5.2: statements with attachments arrive as multipart/mixed; GET attachments=true returns them', async () => {
    const certificate = Buffer.from('%PDF-1.4 certificate of completion');
    const sha2 = createHash('sha256').update(certificate).digest('hex');
    const attachment = { usageType: 'http://id.tincanapi.com/attachment/certificate-of-completion', display: { 'en-US': 'Certificate' }, contentType: 'application/pdf', length: certificate.length, sha2 };
    const actor = learner();
    // Two statements, one attachment part: both name the same hash.
    const { contentType, body } = writeMultipart([statement({ actor, attachments: [attachment] }), statement({ actor, attachments: [attachment] })], [{ sha2, contentType: 'application/pdf', content: certificate }]);
    const posted = await lrs.post('/statements', body, { 'content-type': contentType });
    expect(posted.status).toBe(200);
    const missingPart = writeMultipart([statement({ actor, attachments: [{ ...attachment, sha2: createHash('sha256').update('other').digest('hex') }] })], []);
    expect((await lrs.post('/statements', missingPart.body, { 'content-type': missingPart.contentType })).status).toBe(400);

    const response = await fetch(`${h.baseUrl}/xapi/statements?statementId=${posted.body[0]}&attachments=true`, {
      headers: { authorization: `Basic ${Buffer.from(`${credentials.key}:${credentials.secret}`).toString('base64')}`, 'x-experience-api-version': '1.0.3' },
    });
    expect(response.headers.get('content-type')).toMatch(/^multipart\/mixed; boundary=/);
    const { statementsJson, parts } = readStatementsRequest(response.headers.get('content-type')!, Buffer.from(await response.arrayBuffer()));
    expect((statementsJson as { id: string }).id).toBe(posted.body[0]);
    expect(parts.map((p) => [p.sha2, p.content.toString()])).toEqual([[sha2, certificate.toString()]]);
  });

  test('Data 2.4.11 / Communication 1.5.2: the attachment of a SubStatement comes back with a GET attachments=true', async () => {
    const signature = Buffer.from('signed by the instructor');
    const sha2 = createHash('sha256').update(signature).digest('hex');
    const attachment = { usageType: 'http://example.com/attachment/signature', display: { 'en-US': 'Signature' }, contentType: 'text/plain', length: signature.length, sha2 };
    const { object: lesson, ...sub } = statement({ actor: learner() });
    const planned = statement({ actor: learner(), object: { objectType: 'SubStatement', ...sub, object: lesson, attachments: [attachment] } });
    const { contentType, body } = writeMultipart([planned], [{ sha2, contentType: 'text/plain', content: signature }]);
    const posted = await lrs.post('/statements', body, { 'content-type': contentType });
    expect(posted.status).toBe(200);

    const response = await fetch(`${h.baseUrl}/xapi/statements?statementId=${posted.body[0]}&attachments=true`, {
      headers: { authorization: `Basic ${Buffer.from(`${credentials.key}:${credentials.secret}`).toString('base64')}`, 'x-experience-api-version': '1.0.3' },
    });
    const { parts } = readStatementsRequest(response.headers.get('content-type')!, Buffer.from(await response.arrayBuffer()));
    expect(parts.map((p) => [p.sha2, p.content.toString()])).toEqual([[sha2, signature.toString()]]);
  });

  test('Data 2.4: concurrent batches that share new activities are all stored, without deadlock', async () => {
    for (let round = 0; round < 3; round++) {
      const shared = Array.from({ length: 12 }, (_, i) => ({ objectType: 'Activity', id: `https://example.com/shared/${randomUUID()}/${i}`, definition: { name: { 'en-US': `Shared ${i}` } } }));
      const actor = learner();
      // Each batch names the shared activities in its own order, as concurrent content does.
      const batches = Array.from({ length: 12 }, (_, b) => Array.from({ length: 24 }, (_, i) => statement({ actor, object: shared[(b * 5 + i * 7) % shared.length] })));
      const results = await Promise.all(batches.map((batch) => lrs.post('/statements', batch)));
      expect(results.map((r) => r.status)).toEqual(batches.map(() => 200));
      expect((await lrs.get(`/statements${query({ agent: actor, limit: '0' })}`)).body.statements).toHaveLength(288);
      expect((await lrs.get(`/activities?activityId=${encodeURIComponent(shared[0]!.id)}`)).body.definition.name).toEqual({ 'en-US': 'Shared 0' });
    }
  });

  test('Communication 2.1.2: concurrent batches that repeat the same statements in different orders are all accepted, each statement stored once', async () => {
    for (let round = 0; round < 5; round++) {
      const actor = learner();
      const shared = Array.from({ length: 40 }, () => ({ ...statement({ actor }), id: randomUUID() }));
      // A client resending what another connection is still sending, in its own order.
      const batches = Array.from({ length: 4 }, (_, b) => (b % 2 === 0 ? shared : [...shared].reverse()));
      const results = await Promise.all(batches.map((batch) => lrs.post('/statements', batch)));
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      expect((await lrs.get(`/statements${query({ agent: actor, limit: '0' })}`)).body.statements).toHaveLength(40);
    }
  });

  test("a tenant's removal takes its statements with their agent and activity rows; another tenant keeps its own", async () => {
    const withStatements = async () => {
      const tenant = await createTenant(h.db);
      const content = lrsClient(h.baseUrl, await createLrsClient(h.db, tenant.tenantId, { type: 'system' }, { name: 'Content', scopes: ['write'] }));
      const context = { contextActivities: { parent: [activity()] } };
      expect((await content.post('/statements', Array.from({ length: 3 }, () => statement({ actor: learner(), object: activity(), context })))).status).toBe(200);
      return tenant.tenantId;
    };
    const held = async (id: string) => [
      await h.db.xapiStatement.count({ where: { tenantId: id } }),
      await h.db.xapiStatementAgent.count({ where: { tenantId: id } }),
      await h.db.xapiStatementActivity.count({ where: { tenantId: id } }),
    ];
    const [gone, kept] = [await withStatements(), await withStatements()];
    // Each statement: its actor and authority, its object and parent.
    expect(await held(gone)).toEqual([3, 6, 6]);

    await removeTenant(h.db, gone);

    expect(await held(gone)).toEqual([0, 0, 0]);
    expect(await held(kept)).toEqual([3, 6, 6]);
  });

  test('XAPI-00152: X-Experience-API-Consistent-Through is never before the stored of a statement the answer returns, even one stored a moment ago', async () => {
    await lrs.post('/statements', [statement({ actor: learner() }), statement({ actor: learner() })]);
    const got = await lrs.get('/statements?limit=5');
    const through = Date.parse(got.headers.get('x-experience-api-consistent-through')!);
    expect(got.body.statements.length).toBeGreaterThan(0);
    for (const s of got.body.statements) expect(Date.parse(s.stored)).toBeLessThanOrEqual(through);
  });

  test('XAPI-00153: every answer to GET /statements carries X-Experience-API-Consistent-Through, a 400 for a missing version header and a 404 included', async () => {
    const bare = await fetch(`${h.baseUrl}/xapi/statements`);
    expect(bare.status).toBe(400);
    expect(Date.parse(bare.headers.get('x-experience-api-consistent-through')!)).not.toBeNaN();
    const missing = await lrs.get(`/statements?statementId=${randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-experience-api-consistent-through')).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  test('Communication 3.3.s3.b1 (XAPI-00333, 2.0.0 XAPI-00321): every answer carries X-Experience-API-Version — a 400 for a missing or unsupported version header, a 401 and a CORS preflight included', async () => {
    const basic = `Basic ${Buffer.from(`${credentials.key}:${credentials.secret}`).toString('base64')}`;
    for (const path of ['/statements', '/activities', '/activities/state', '/activities/profile', '/agents', '/agents/profile']) {
      const bare = await fetch(`${h.baseUrl}/xapi${path}`, { headers: { authorization: basic } });
      expect([path, bare.status, bare.headers.get('x-experience-api-version')]).toEqual([path, 400, '2.0.0']);
    }
    const unsupported = await fetch(`${h.baseUrl}/xapi/statements`, { headers: { authorization: basic, 'x-experience-api-version': '0.95' } });
    expect([unsupported.status, unsupported.headers.get('x-experience-api-version')]).toEqual([400, '2.0.0']);
    const stranger = await fetch(`${h.baseUrl}/xapi/statements`, { headers: { authorization: 'Basic Zm9vOmJhcg==', 'x-experience-api-version': '1.0.3' } });
    expect([stranger.status, stranger.headers.get('x-experience-api-version')]).toEqual([401, '1.0.3']);
    const preflight = await fetch(`${h.baseUrl}/xapi/statements`, { method: 'OPTIONS', headers: { origin: 'https://content.example', 'x-experience-api-version': '2.0' } });
    expect([preflight.status, preflight.headers.get('x-experience-api-version')]).toEqual([204, '2.0.0']);
  });

  test('XAPI-00161: a statement, a StatementResult, the ids of a POST and an error are application/json exactly, without a charset parameter', async () => {
    const posted = await lrs.post('/statements', statement({ actor: learner() }));
    expect(posted.headers.get('content-type')).toBe('application/json');
    expect((await lrs.get(`/statements?statementId=${posted.body[0]}`)).headers.get('content-type')).toBe('application/json');
    expect((await lrs.get(`/statements?statementId=${posted.body[0]}&attachments=false`)).headers.get('content-type')).toBe('application/json');
    expect((await lrs.get('/statements?limit=1')).headers.get('content-type')).toBe('application/json');
    const refused = await lrs.get('/statements?colour=blue');
    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toBe('application/json');
    expect(refused.body.error.code).toBe('bad_request');
  });

  test('Communication 2 (ADL suite "405 Method Not Allowed"): a method a resource does not define is 405 with Allow; a path that is no resource is 404', async () => {
    const deleted = await lrs.delete(`/statements?statementId=${randomUUID()}`);
    expect(deleted.status).toBe(405);
    expect(deleted.headers.get('allow')).toBe('GET, HEAD, PUT, POST');
    const activityId = encodeURIComponent('http://www.example.com/meetings/occurances/34534');
    for (const method of ['DELETE', 'POST', 'PUT']) {
      expect((await lrs.raw(method, `/activities?activityId=${activityId}`)).status).toBe(405);
      expect((await lrs.raw(method, `/agents${query({ agent: learner() })}`)).status).toBe(405);
    }
    expect((await lrs.get('/no-such-resource')).status).toBe(404);
  });
});
