import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createTenant, givenCatalog, hireEvent } from '../support/builders';
import { SCORM_FIXTURES } from '../support/scorm-zip';
import { startHarness, type Harness } from '../support/harness';
import { minimalPackageWith, zipOf } from '../support/hostile-zips';
import { apiClient } from '../support/http';
import { commit, openPlayer, uploadPackage } from '../support/scorm-player';

const FIXTURES = SCORM_FIXTURES;

/** A SCORM 2004 3rd Edition SCO whose primary objective is satisfied by a scaled score of 0.8, complete at 70 % progress. */
const SCORED_2004 = `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="com.example.scored" version="1" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 3rd Edition</schemaversion></metadata>
  <organizations default="org"><organization identifier="org"><title>Scored course</title>
    <item identifier="exam" identifierref="sco"><title>Exam</title>
      <adlcp:completionThreshold>0.7</adlcp:completionThreshold>
      <imsss:sequencing><imsss:objectives><imsss:primaryObjective objectiveID="pass" satisfiedByMeasure="true">
        <imsss:minNormalizedMeasure>0.8</imsss:minNormalizedMeasure></imsss:primaryObjective></imsss:objectives></imsss:sequencing>
    </item></organization></organizations>
  <resources><resource identifier="sco" type="webcontent" adlcp:scormType="sco" href="exam.html"><file href="exam.html"/></resource></resources>
</manifest>`;

const lesson12 = (core: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ core: { score: { raw: '', max: '100', min: '' }, ...core }, ...extra });

/**
 * What the content reports through the player's commits decides the attempt, as SCORM says and as
 * the tenant configures: 1.2 and 2004 status rules, mastery override, passing scores, required SCOs,
 * time and suspend data; replayed, out-of-order and late commits change nothing; a finished attempt
 * is one completion through the LMS path, and an attempt stays on the package version it began on.
 */
describe('SCORM runtime data becomes completions', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  /** A person assigned one course that trainhub hosts as `zip`; `launch` opens the player as their link does. */
  const given = async (zip: Buffer) => {
    const { tenantId, apiKey } = await createTenant(h.db);
    const api = apiClient(h.baseUrl, apiKey);
    await givenCatalog(h.db, tenantId, { programs: { training: ['lesson'] }, roles: { staff: [{ program: 'training', dueOffsetDays: 10 }] } });
    await uploadPackage(h.baseUrl, apiKey, 'lesson', zip);
    const { personId } = (await api.post('/api/v1/hr/events', hireEvent({ roles: ['staff'] }))).body;
    const assignment = async () => (await api.get(`/api/v1/people/${personId}/assignments`)).body.data[0];
    const launch = async () => openPlayer(h.baseUrl, (await assignment()).courses[0].launchUrl);
    const attempts = async () => (await api.get(`/api/v1/people/${personId}/scorm-attempts`)).body.data;
    const completions = () => h.db.completion.findMany({ where: { tenantId, personId }, orderBy: { receivedAt: 'asc' } });
    return { tenantId, apiKey, api, personId, assignment, launch, attempts, completions };
  };

  test('SCORM 1.2: failed ends the attempt as failed, nothing is complete; a retake that passes completes the course', async () => {
    const p = await given(await minimalPackageWith());
    const first = await p.launch();
    expect(first.cmi.core.entry).toBe('ab-initio');
    const failed = lesson12({ lesson_status: 'failed', score: { raw: '40', max: '100', min: '0' } });
    expect((await commit(h.baseUrl, first.token, 1, failed)).body).toMatchObject({ result: true, errorCode: 0, applied: true, attempt: { state: 'open' } });
    expect((await commit(h.baseUrl, first.token, 2, failed, { terminated: true, beacon: true })).body).toMatchObject({ applied: true, attempt: { state: 'failed' } });
    expect((await p.completions()).map((c) => [c.source, c.passed, Number(c.score)])).toEqual([['scorm', false, 40]]);
    expect((await p.assignment()).status).toBe('assigned');

    const retake = await p.launch();
    expect(retake.cmi.core.entry).toBe('ab-initio');
    expect((await commit(h.baseUrl, retake.token, 1, lesson12({ lesson_status: 'passed', score: { raw: '88', max: '100', min: '0' } }))).body.attempt.state).toBe('completed');
    expect((await p.attempts()).map((a: { number: number; state: string }) => [a.number, a.state])).toEqual([[2, 'completed'], [1, 'failed']]);
    expect((await p.completions()).map((c) => [c.passed, Number(c.score)])).toEqual([[false, 40], [true, 88]]);
    expect((await p.assignment()).status).toBe('completed');
  });

  test('SCORM 1.2: "completed" counts as complete; with a mastery override the score decides passed or failed', async () => {
    const p = await given(await minimalPackageWith());
    expect((await p.api.patch('/api/v1/courses/lesson/scorm-packages/1', { masteryOverride: 80 })).body.settings).toEqual({ masteryOverride: 80, requiredItems: [], suspendDataLimit: 4096 });
    const low = await p.launch();
    expect(low.cmi.core.score).toBeUndefined();
    await commit(h.baseUrl, low.token, 1, lesson12({ lesson_status: 'completed', score: { raw: '70', max: '100', min: '0' } }), { terminated: true });
    const [failed] = await p.attempts();
    expect(failed).toMatchObject({ state: 'failed', scos: [{ completion: 'completed', success: 'failed', verdict: 'failed' }] });
    const high = await p.launch();
    await commit(h.baseUrl, high.token, 1, lesson12({ lesson_status: 'completed', score: { raw: '85', max: '100', min: '0' } }));
    expect((await p.attempts())[0]).toMatchObject({ number: 2, state: 'completed', scos: [{ success: 'passed', verdict: 'satisfied' }] });

    // Without an override, "completed" is complete whatever the score.
    const q = await given(await minimalPackageWith());
    const plain = await q.launch();
    expect((await commit(h.baseUrl, plain.token, 1, lesson12({ lesson_status: 'completed', score: { raw: '10', max: '100', min: '0' } }))).body.attempt.state).toBe('completed');
  });

  test('SCORM 2004: completion and success are separate; completed but failed is not satisfied when a passing score applies', async () => {
    const p = await given(await zipOf([{ name: 'imsmanifest.xml', data: SCORED_2004 }, { name: 'exam.html', data: '<!doctype html><title>Exam</title>' }]));
    const first = await p.launch();
    expect(first.cmi).toMatchObject({ entry: 'ab-initio', scaled_passing_score: '0.8', completion_threshold: '0.7' });
    // 50 % progress is below the threshold: incomplete whatever the content claims.
    await commit(h.baseUrl, first.token, 1, { completion_status: 'completed', progress_measure: '0.5', success_status: 'unknown' });
    expect((await p.attempts())[0].scos[0]).toMatchObject({ completion: 'incomplete', verdict: 'open' });
    await commit(h.baseUrl, first.token, 2, { completion_status: 'completed', progress_measure: '1', success_status: 'failed', score: { scaled: '0.5' } }, { terminated: true });
    expect((await p.attempts())[0]).toMatchObject({ state: 'failed', scos: [{ completion: 'completed', success: 'failed', verdict: 'failed', scoreScaled: 0.5 }] });
    expect((await p.assignment()).status).toBe('assigned');

    const second = await p.launch();
    await commit(h.baseUrl, second.token, 1, { completion_status: 'completed', progress_measure: '1', success_status: 'unknown', score: { scaled: '0.9' } });
    expect((await p.attempts())[0]).toMatchObject({ number: 2, state: 'completed', scos: [{ success: 'passed', verdict: 'satisfied' }] });
    expect((await p.completions()).map((c) => [c.passed, Number(c.score)])).toEqual([[false, 50], [true, 90]]);
  });

  test('replayed, out-of-order and late commits never move an attempt backwards', async () => {
    const p = await given(await minimalPackageWith());
    const a = await p.launch();
    const at = (location: string, status = 'incomplete') => lesson12({ lesson_status: status, lesson_location: location });
    expect((await commit(h.baseUrl, a.token, 1, at('p1'))).body.applied).toBe(true);
    expect((await commit(h.baseUrl, a.token, 3, at('p3'))).body.applied).toBe(true);
    expect((await commit(h.baseUrl, a.token, 2, at('p2'))).body.applied).toBe(false);
    expect((await commit(h.baseUrl, a.token, 3, at('other'))).body.applied).toBe(false);
    expect((await p.attempts())[0].scos[0].location).toBe('p3');

    // The learner opens the course again: the new session wins over the old page's late commits.
    const b = await p.launch();
    expect(b.cmi.core).toMatchObject({ lesson_location: 'p3' });
    expect((await commit(h.baseUrl, b.token, 1, at('b1'))).body.applied).toBe(true);
    expect((await commit(h.baseUrl, a.token, 4, at('a4'), { beacon: true })).body.applied).toBe(false);
    expect((await p.attempts())[0].scos[0].location).toBe('b1');

    // Completed stays completed, and is recorded once, whatever arrives afterwards.
    expect((await commit(h.baseUrl, b.token, 2, at('b2', 'passed'))).body.attempt.state).toBe('completed');
    await commit(h.baseUrl, b.token, 2, at('b2', 'passed'));
    expect((await commit(h.baseUrl, b.token, 3, at('b3', 'incomplete'))).body).toMatchObject({ applied: true, attempt: { state: 'completed' } });
    const [attempt] = await p.attempts();
    expect(attempt).toMatchObject({ state: 'completed', scos: [{ verdict: 'satisfied', location: 'b3' }] });
    expect(await p.completions()).toHaveLength(1);
    expect((await p.api.get(`/api/v1/scorm-attempts/${attempt.id}`)).body.commits).toBe(7); // every commit kept once, applied or not
  });

  test('time adds up once per session, whether the last commit comes as JSON or as a text/plain beacon', async () => {
    const p = await given(await minimalPackageWith());
    const first = await p.launch();
    await commit(h.baseUrl, first.token, 1, lesson12({ lesson_status: 'incomplete', session_time: '00:01:00', exit: 'suspend' }));
    await commit(h.baseUrl, first.token, 2, lesson12({ lesson_status: 'incomplete', session_time: '00:02:00', exit: 'suspend' }), { beacon: true });
    expect((await p.attempts())[0].scos[0].totalSeconds).toBe(120);
    const second = await p.launch();
    expect(second.cmi.core).toMatchObject({ entry: 'resume', total_time: '0000:02:00.00' });
    await commit(h.baseUrl, second.token, 1, lesson12({ lesson_status: 'incomplete', session_time: '00:00:30.5' }), { beacon: true, terminated: true });
    expect((await p.attempts())[0].scos[0]).toMatchObject({ totalSeconds: 150.5, sessions: 2 });
  });

  test('suspend data is held to 4,096 characters unless the tenant allows more; refused data changes nothing', async () => {
    const p = await given(await minimalPackageWith());
    const s = await p.launch();
    const long = 'x'.repeat(4097);
    const refused = await commit(h.baseUrl, s.token, 1, lesson12({ lesson_status: 'incomplete' }, { suspend_data: long }));
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ result: false, error: { code: 'invalid_scorm_commit' } });
    expect(refused.body.error.message).toContain('cmi.suspend_data');
    const [attempt] = await p.attempts();
    expect((await p.api.get(`/api/v1/scorm-attempts/${attempt.id}`)).body).toMatchObject({ commits: 0, scos: [{ completion: 'not_attempted' }] });

    await p.api.patch('/api/v1/courses/lesson/scorm-packages/1', { suspendDataLimit: 64_000 });
    expect((await commit(h.baseUrl, s.token, 1, lesson12({ lesson_status: 'incomplete', exit: 'suspend' }, { suspend_data: long }))).body.applied).toBe(true);
    expect((await p.launch()).cmi.suspend_data).toBe(long);
    expect((await p.api.patch('/api/v1/courses/lesson/scorm-packages/1', { suspendDataLimit: 64_001 })).status).toBe(400);
  });

  test('a commit without a valid session token, or with data SCORM does not allow, is refused', async () => {
    const p = await given(await minimalPackageWith());
    const s = await p.launch();
    expect((await commit(h.baseUrl, `${s.token.slice(0, -2)}xx`, 1, lesson12({ lesson_status: 'passed' }))).status).toBe(401);
    const bad = await commit(h.baseUrl, s.token, 1, lesson12({ lesson_status: 'done' }));
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('cmi.core.lesson_status');
    const nul = await commit(h.baseUrl, s.token, 1, lesson12({ lesson_status: 'incomplete' }, { suspend_data: 'a\u0000b' }));
    expect([nul.status, nul.body.error.message]).toEqual([400, 'cmi.suspend_data must not contain U+0000']);
    const notJson = await fetch(`${h.baseUrl}/scorm/commits`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"token":' });
    expect(notJson.status).toBe(400);
    expect((await p.attempts())[0].state).toBe('open');
  });

  test('a multi-SCO course completes when the SCOs the tenant requires are satisfied; the table of contents moves between them', async () => {
    const p = await given(await readFile(path.join(FIXTURES, 'golf-2004-4th-features.zip')));
    const first = await p.launch();
    expect([...first.links.keys()]).toEqual(['Playing the Game', 'Etiquette', 'Handicapping', 'Having Fun', 'Quiz']);
    const done = { completion_status: 'completed', success_status: 'passed', score: { scaled: '1' } };
    await commit(h.baseUrl, first.token, 1, done);
    expect((await p.attempts())[0]).toMatchObject({ state: 'open', scos: [{ item: 'playing_item', verdict: 'satisfied' }] });

    expect((await p.api.patch('/api/v1/courses/lesson/scorm-packages/1', { requiredItems: ['nope'] })).status).toBe(400);
    await p.api.patch('/api/v1/courses/lesson/scorm-packages/1', { requiredItems: ['assessment_item', 'playing_item'] });
    const quiz = await openPlayer(h.baseUrl, first.links.get('Quiz')!);
    expect(quiz.html).toContain('<h1>Lesson · Quiz</h1>');
    expect(quiz.contentUrl).toMatch(/\/shared\/launchpage\.html\?content=assessment$/);
    expect((await commit(h.baseUrl, quiz.token, 1, done)).body.attempt.state).toBe('completed');
    expect((await p.assignment()).status).toBe('completed');
  });

  test('a course of assets only completes once each has been opened', async () => {
    const p = await given(await readFile(path.join(FIXTURES, 'golf-2004-3rd-multi-sco.zip')));
    const first = await p.launch();
    expect(first.links.size).toBe(18);
    for (const [title, link] of [...first.links].slice(1)) {
      expect([title, (await p.attempts())[0].state]).toEqual([title, 'open']);
      expect((await openPlayer(h.baseUrl, link)).status).toBe(200);
    }
    expect((await p.attempts())[0]).toMatchObject({ state: 'completed' });
    expect((await p.completions()).map((c) => c.passed)).toEqual([true]);
  });

  test('an attempt keeps the package version it began on; the next attempt takes the newest', async () => {
    const p = await given(await minimalPackageWith());
    const onFirst = await p.launch();
    await commit(h.baseUrl, onFirst.token, 1, lesson12({ lesson_status: 'incomplete', exit: 'suspend' }));
    await uploadPackage(h.baseUrl, p.apiKey, 'lesson', await minimalPackageWith([{ name: 'extra.html', data: 'v2' }]));
    const resumed = await p.launch();
    expect(resumed.cmi.core.entry).toBe('resume');
    expect((await p.attempts()).map((a: { number: number; packageVersion: number }) => [a.number, a.packageVersion])).toEqual([[1, 1]]);
    await commit(h.baseUrl, resumed.token, 1, lesson12({ lesson_status: 'passed' }));
    await p.launch();
    expect((await p.attempts()).map((a: { number: number; packageVersion: number; state: string }) => [a.number, a.packageVersion, a.state])).toEqual([
      [2, 2, 'open'],
      [1, 1, 'completed'],
    ]);
  });
});
