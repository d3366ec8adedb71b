import { randomUUID } from 'node:crypto';
import { createTenant, givenCatalog, hireEvent } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { apiClient } from '../support/http';
import { lrsClient, statement, verbs } from '../support/lrs';
import { waitForOnboarding } from '../support/onboarding-status';
import { eventually } from '../support/scorm-player';
import { createLrsClient } from '../../src/services/xapi/lrs-clients';

const COURSE_ACTIVITY = 'https://lms.example.com/courses/fire-safety';

/**
 * Statements that mean "done" become completions by the tenant's mappings (activity → course, cmi5
 * moveOn, mastery score), through the same path as an LMS's webhook: the person's assignment is
 * completed and their process told. Voiding the statement takes the completion back. Statements
 * that map to nothing are kept and counted.
 */
describe('xAPI statements become completions', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  const given = async (mapping: Record<string, unknown> = {}) => {
    const { tenantId, apiKey } = await createTenant(h.db);
    const api = apiClient(h.baseUrl, apiKey);
    await givenCatalog(h.db, tenantId, { programs: { safety: ['fire-safety'] }, roles: { staff: [{ program: 'safety', dueOffsetDays: 10 }] } });
    const created = await api.post('/api/v1/xapi/mappings', { activity: COURSE_ACTIVITY, courseKey: 'fire-safety', ...mapping });
    expect(created.status).toBe(201);
    const hire = hireEvent({ roles: ['staff'] });
    const { personId, workflowId } = (await api.post('/api/v1/hr/events', hire)).body;
    const client = await api.post('/api/v1/lrs-clients', { name: 'Content', scopes: ['read', 'write'] });
    expect(client.status).toBe(201);
    const lrs = lrsClient(h.baseUrl, client.body);
    const actor = { objectType: 'Agent', mbox: `mailto:${hire.person.email}` };
    const about = (verb: object, extra: Record<string, unknown> = {}) => statement({ actor, verb, object: { objectType: 'Activity', id: COURSE_ACTIVITY }, ...extra });
    const assignment = async () => (await api.get(`/api/v1/people/${personId}/assignments`)).body.data[0];
    const completions = () => h.db.completion.findMany({ where: { tenantId, personId }, orderBy: { receivedAt: 'asc' } });
    return { tenantId, api, lrs, personId, workflowId, about, assignment, completions, hire };
  };

  test('a passed statement completes the course and the person’s process finishes; voiding it re-opens the assignment', async () => {
    const p = await given();
    const posted = await p.lrs.post('/statements', p.about(verbs.passed, { result: { success: true, score: { scaled: 0.92 } } }));
    expect(posted.status).toBe(200);
    expect((await p.completions()).map((c) => [c.source, c.externalId, c.passed, Number(c.score)])).toEqual([['xapi', posted.body[0], true, 92]]);
    expect((await p.assignment()).status).toBe('completed');
    expect((await waitForOnboarding(h.temporal, p.workflowId, (s) => s.phase === 'completed')).phase).toBe('completed');

    const voided = await p.lrs.post('/statements', statement({ actor: { objectType: 'Agent', mbox: 'mailto:admin@example.com' }, verb: verbs.voided, object: { objectType: 'StatementRef', id: posted.body[0] } }));
    expect(voided.status).toBe(200);
    expect(await p.completions()).toEqual([]);
    expect((await p.assignment()).status).toBe('assigned');
    const reopened = await waitForOnboarding(h.temporal, p.workflowId, (s) => s.phase === 'waiting_for_completions');
    expect(reopened.outstandingAssignmentIds).toEqual([(await p.assignment()).id]);
  });

  test('cmi5 moveOn CompletedAndPassed needs both, in one statement or two', async () => {
    const p = await given({ moveOn: 'CompletedAndPassed' });
    await p.lrs.post('/statements', p.about(verbs.completed, { result: { completion: true } }));
    expect(await p.completions()).toEqual([]);
    const [passedId] = (await p.lrs.post('/statements', p.about(verbs.passed, { result: { success: true } }))).body;
    expect((await p.completions()).map((c) => [c.externalId, c.passed])).toEqual([[passedId, true]]);
  });

  test('cmi5 moveOn Completed ignores passing alone; a mastery score decides a scored result', async () => {
    const completedOnly = await given({ moveOn: 'Completed' });
    await completedOnly.lrs.post('/statements', completedOnly.about(verbs.passed, { result: { success: true } }));
    expect(await completedOnly.completions()).toEqual([]);

    const mastery = await given({ moveOn: 'Passed', masteryScore: 0.8 });
    const [low] = (await mastery.lrs.post('/statements', mastery.about(verbs.passed, { result: { success: true, score: { scaled: 0.7 } } }))).body;
    const [high] = (await mastery.lrs.post('/statements', mastery.about(verbs.failed, { result: { success: false, score: { scaled: 0.85 } } }))).body;
    expect((await mastery.completions()).map((c) => [c.externalId, c.passed])).toEqual([
      [low, false],
      [high, true],
    ]);
    expect((await mastery.assignment()).status).toBe('completed');
  });

  test('a failed statement is a failed completion; the same statement posted again is one completion', async () => {
    const p = await given();
    const failed = { ...p.about(verbs.failed, { result: { success: false, score: { scaled: 0.3 } } }), id: randomUUID() };
    await p.lrs.post('/statements', failed);
    await p.lrs.put(`/statements?statementId=${failed.id}`, failed);
    expect((await p.completions()).map((c) => [c.passed, Number(c.score)])).toEqual([[false, 30]]);
    expect((await p.assignment()).status).toBe('assigned');
  });

  test('statements that map to nothing, or name nobody trainhub knows, are kept and counted', async () => {
    const p = await given();
    await p.lrs.post('/statements', [
      statement({ object: { objectType: 'Activity', id: 'https://lms.example.com/courses/unmapped' }, verb: verbs.completed }),
      p.about(verbs.completed, { actor: { objectType: 'Agent', mbox: 'mailto:stranger@example.com' } }),
    ]);
    expect(await p.completions()).toEqual([]);
    const unmapped = (await p.api.get('/api/v1/xapi/unmapped')).body.data;
    expect(unmapped.map((u: { activity: string; statements: number }) => [u.activity, u.statements])).toEqual([['https://lms.example.com/courses/unmapped', 1]]);
    const stats = await eventually(async () => (await p.api.get('/api/v1/xapi/stats')).body.data, (rows) => rows.length > 0, 'stats');
    expect(stats).toEqual([{ client: 'Content', day: new Date().toISOString().slice(0, 10), statements: 2, mapped: 1, unmapped: 1 }]);
  });

  test('LRS clients are created through the API (the secret shown once) and can be revoked', async () => {
    const { apiKey } = await createTenant(h.db);
    const api = apiClient(h.baseUrl, apiKey);
    const created = (await api.post('/api/v1/lrs-clients', { name: 'Rise', scopes: ['write'] })).body;
    expect(created).toMatchObject({ name: 'Rise', scopes: ['write'], key: expect.stringMatching(/^lrs_/), secret: expect.any(String) });
    expect((await api.get('/api/v1/lrs-clients')).body.data).toEqual([{ id: created.id, name: 'Rise', key: created.key, scopes: ['write'], createdAt: created.createdAt, revokedAt: null }]);
    const lrs = lrsClient(h.baseUrl, created);
    expect((await lrs.post('/statements', statement())).status).toBe(200);
    expect((await api.post(`/api/v1/lrs-clients/${created.id}/revoke`)).status).toBe(200);
    expect((await lrs.post('/statements', statement())).status).toBe(401);
    const stored = await h.db.lrsClient.findUniqueOrThrow({ where: { id: created.id } });
    expect(stored.secretHash).not.toContain(created.secret);
  });
});
