import { createHash, randomUUID } from 'node:crypto';
import { SYSTEM } from '../../src/services/audit/trail';
import { createLrsClient, type LrsScope } from '../../src/services/xapi/lrs-clients';
import { createTenant } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';

/**
 * What the LRS tells about itself and about what its statements mention (xAPI 1.0.3 Communication
 * 2.4, 2.5, 2.8; 2.0.0 alike): the versions it speaks, open to anyone; the full definition of an
 * activity; and a Person object of what is known about an agent.
 */
describe('About, Activities and Agents Resources', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  async function lrsClient(scopes: LrsScope[] = ['read', 'write']) {
    const { tenantId } = await createTenant(h.db);
    const client = await createLrsClient(h.db, tenantId, SYSTEM, { name: 'reporting', scopes });
    const get = async (path: string, query: Record<string, unknown> = {}, version = '1.0.3') => {
      const url = new URL(`${h.baseUrl}/xapi${path}`);
      for (const [name, value] of Object.entries(query)) url.searchParams.set(name, typeof value === 'string' ? value : JSON.stringify(value));
      const response = await fetch(url, { headers: { authorization: `Basic ${Buffer.from(`${client.key}:${client.secret}`).toString('base64')}`, 'x-experience-api-version': version } });
      const text = await response.text();
      return { status: response.status, headers: response.headers, text, json: text ? JSON.parse(text) : undefined };
    };
    return { tenantId, clientId: client.id, get };
  }

  /** A statement as the statement resource stores it, with the actor's identifier in its column. */
  async function givenStoredStatement(tenantId: string, clientId: string, actor: Record<string, string | Record<string, string>>, actorIdentifier: string) {
    const id = randomUUID();
    const statement = { id, actor, verb: { id: 'http://adlnet.gov/expapi/verbs/experienced' }, object: { objectType: 'Activity', id: 'http://trainhub.test/a' } };
    await h.db.xapiStatement.create({ data: { tenantId, id, statement, verb: statement.verb.id, actor: actorIdentifier, activity: statement.object.id, timestamp: new Date(), clientId } });
  }

  const sha1 = (content: string) => createHash('sha1').update(content).digest('hex');

  test('Communication 2.8: GET /about answers anyone, with or without a version header, with only the versions this LRS speaks — 1.0.3 and 2.0.0 among them', async () => {
    const asked: Record<string, string>[] = [{}, { 'x-experience-api-version': '1.0.3' }, { 'x-experience-api-version': '2.0.0' }, { 'x-experience-api-version': '0.95' }];
    for (const headers of asked) {
      const response = await fetch(`${h.baseUrl}/xapi/about`, { headers });
      expect(response.status).toBe(200);
      const about = (await response.json()) as { version: string[] };
      expect(Object.keys(about)).toEqual(['version']);
      expect(about.version).toEqual(expect.arrayContaining(['1.0.3', '2.0.0']));
      for (const version of about.version) expect(['1.0.0', '1.0.1', '1.0.2', '1.0.3', '2.0.0']).toContain(version);
      expect(response.headers.get('x-experience-api-version')).toMatch(/^(1\.0\.3|2\.0\.0)$/);
    }
    const asked103 = await fetch(`${h.baseUrl}/xapi/about`, { headers: { 'x-experience-api-version': '1.0.2' } });
    expect(asked103.headers.get('x-experience-api-version')).toBe('1.0.3');
    const asked200 = await fetch(`${h.baseUrl}/xapi/about`, { headers: { 'x-experience-api-version': '2.0.0' } });
    expect(asked200.headers.get('x-experience-api-version')).toBe('2.0.0');
    // Wrong credentials do not matter either.
    expect((await fetch(`${h.baseUrl}/xapi/about`, { headers: { authorization: 'Basic Zm9vOmJhcg==' } })).status).toBe(200);
    expect((await fetch(`${h.baseUrl}/xapi/about`, { method: 'HEAD' })).status).toBe(200);
  });

  test('Communication 2.5: GET /activities returns the Activity Object with the canonical definition the statements built, and an ETag', async () => {
    const lrs = await lrsClient();
    const activityId = `http://trainhub.test/courses/${randomUUID()}`;
    const definition = { name: { 'en-US': 'Hand hygiene', 'de-DE': 'Händehygiene' }, type: 'http://adlnet.gov/expapi/activities/course' };
    await h.db.xapiActivity.create({ data: { tenantId: lrs.tenantId, id: activityId, definition } });

    const answer = await lrs.get('/activities', { activityId });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ objectType: 'Activity', id: activityId, definition });
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.headers.get('etag')).toBe(`"${sha1(answer.text)}"`);
  });

  test('Communication 2.5.s2: an activity the LRS has no definition of is still an Activity Object with its id (200)', async () => {
    const lrs = await lrsClient();
    const activityId = `http://trainhub.test/never-seen/${randomUUID()}`;
    const answer = await lrs.get('/activities', { activityId }, '2.0.0');
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ objectType: 'Activity', id: activityId });
  });

  test('Communication 2.5: activityId is required and must be an IRI; no other parameter is accepted (400); the read scope is needed (403)', async () => {
    const lrs = await lrsClient();
    expect((await lrs.get('/activities')).status).toBe(400);
    const notIri = await lrs.get('/activities', { activityId: 'true' });
    expect(notIri.status).toBe(400);
    expect(notIri.json.error.message).toMatch(/activityId/);
    expect((await lrs.get('/activities', { activityId: 'http://trainhub.test/a', format: 'canonical' })).status).toBe(400);
    const writer = await lrsClient(['write']);
    expect((await writer.get('/activities', { activityId: 'http://trainhub.test/a' })).status).toBe(403);
  });

  test('Tenants: an activity defined in another tenant\'s statements is unknown here', async () => {
    const ours = await lrsClient();
    const theirs = await lrsClient();
    const activityId = `http://trainhub.test/courses/${randomUUID()}`;
    await h.db.xapiActivity.create({ data: { tenantId: theirs.tenantId, id: activityId, definition: { name: { en: 'Theirs' } } } });
    expect((await ours.get('/activities', { activityId })).json).toEqual({ objectType: 'Activity', id: activityId });
    expect((await theirs.get('/activities', { activityId })).json.definition).toEqual({ name: { en: 'Theirs' } });
  });

  test('Communication 2.4: GET /agents returns a Person: each property an array, holding the agent\'s own identifier and the names statements gave it', async () => {
    const lrs = await lrsClient();
    const account = { homePage: 'http://lms.trainhub.test', name: `u-${randomUUID()}` };
    const identifier = `account:${account.homePage}|${account.name}`;
    await givenStoredStatement(lrs.tenantId, lrs.clientId, { objectType: 'Agent', name: 'Ada Lovelace', account }, identifier);
    await givenStoredStatement(lrs.tenantId, lrs.clientId, { objectType: 'Agent', name: 'Ada King', account }, identifier);
    await givenStoredStatement(lrs.tenantId, lrs.clientId, { objectType: 'Agent', account }, identifier);

    const answer = await lrs.get('/agents', { agent: { objectType: 'Agent', account } });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ objectType: 'Person', name: expect.arrayContaining(['Ada Lovelace', 'Ada King']), account: [account] });
    expect(answer.json.name).toHaveLength(2);
    expect(answer.headers.get('etag')).toBe(`"${sha1(answer.text)}"`);
  });

  test('Communication 2.4.s3: an agent the LRS knows nothing of is still a Person, with only what the request said of it', async () => {
    const lrs = await lrsClient();
    const mbox = `mailto:${randomUUID()}@example.com`;
    expect((await lrs.get('/agents', { agent: { objectType: 'Agent', name: 'Grace Hopper', mbox } })).json).toEqual({ objectType: 'Person', name: ['Grace Hopper'], mbox: [mbox] });
    const sha = sha1(mbox);
    expect((await lrs.get('/agents', { agent: { mbox_sha1sum: sha } }, '2.0.0')).json).toEqual({ objectType: 'Person', mbox_sha1sum: [sha] });
    expect((await lrs.get('/agents', { agent: { openid: 'http://openid.example.com/grace' } })).json).toEqual({ objectType: 'Person', openid: ['http://openid.example.com/grace'] });
  });

  test('Communication 2.4: agent is required and must be an identified Agent — not a Group, not without an identifier, not broken JSON (400); the read scope is needed (403)', async () => {
    const lrs = await lrsClient();
    expect((await lrs.get('/agents')).status).toBe(400);
    const refused = [
      { objectType: 'Agent', name: 'No Identifier' },
      { objectType: 'Group', name: 'Ward 3', mbox: 'mailto:ward3@example.com', member: [] },
      { not_actor: 'yup' },
      '{"objectType":"Agent","mbox":"mailto:a@example.com"',
      'true',
    ];
    for (const agent of refused) {
      const answer = await lrs.get('/agents', { agent });
      expect([agent, answer.status]).toEqual([agent, 400]);
      expect(answer.json.error.message).toMatch(/agent/);
    }
    expect((await lrs.get('/agents', { agent: { mbox: 'mailto:a@example.com' }, since: new Date().toISOString() })).status).toBe(400);
    const writer = await lrsClient(['write']);
    expect((await writer.get('/agents', { agent: { mbox: 'mailto:a@example.com' } })).status).toBe(403);
  });

  test('Tenants: names known to another tenant\'s statements do not appear in this tenant\'s Person', async () => {
    const ours = await lrsClient();
    const theirs = await lrsClient();
    const account = { homePage: 'http://lms.trainhub.test', name: `u-${randomUUID()}` };
    await givenStoredStatement(theirs.tenantId, theirs.clientId, { name: 'Known Elsewhere', account }, `account:${account.homePage}|${account.name}`);
    expect((await ours.get('/agents', { agent: { account } })).json).toEqual({ objectType: 'Person', account: [account] });
    expect((await theirs.get('/agents', { agent: { account } })).json).toEqual({ objectType: 'Person', name: ['Known Elsewhere'], account: [account] });
  });
});
