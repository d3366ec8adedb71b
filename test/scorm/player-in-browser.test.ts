import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { createTenant, givenCatalog, hireEvent } from '../support/builders';
import { SCORM_FIXTURES } from '../support/scorm-zip';
import { startHarness, type Harness } from '../support/harness';
import { minimalPackageWith } from '../support/hostile-zips';
import { apiClient } from '../support/http';
import { waitForOnboarding } from '../support/onboarding-status';
import { openPhoneBrowser, type PhoneBrowser } from '../support/phone-browser';
import { eventually, uploadPackage } from '../support/scorm-player';

const FIXTURES = SCORM_FIXTURES;

/**
 * A learner takes a hosted SCORM course in Chromium: from the link in their welcome e-mail to the
 * player, where the content finds scorm-again's API in its parent frame; leaving mid-way and coming
 * back resumes; finishing records one completion that the person's onboarding process sees.
 */
describe('taking a SCORM course in the browser', () => {
  let h: Harness;
  let browser: PhoneBrowser;
  beforeAll(async () => {
    h = await startHarness();
    browser = await openPhoneBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  /** The content frame, once the player has loaded the package's launch page into it. */
  const contentFrame = async (page: Page): Promise<Frame> => {
    const element = await page.waitForSelector('#scorm-content');
    await page.waitForFunction(() => (globalThis as any).document.getElementById('scorm-content').src !== '');
    const frame = (await element.contentFrame())!;
    await frame.waitForLoadState('load');
    return frame;
  };
  /** Runtime calls made from inside the content frame, exactly as SCORM 1.2 content makes them. */
  const lms = (frame: Frame, calls: [string, ...string[]][]) =>
    frame.evaluate((calls) => calls.map(([name, ...args]) => (globalThis as any).parent.API[name](...args)), calls);

  test('from the welcome e-mail to a completed course: resume after leaving, one completion, the onboarding process finishes', async () => {
    const { tenantId, apiKey } = await createTenant(h.db);
    const api = apiClient(h.baseUrl, apiKey);
    await givenCatalog(h.db, tenantId, { programs: { 'fire-safety': ['fire-drill'] }, roles: { warden: [{ program: 'fire-safety', dueOffsetDays: 14 }] } });
    await uploadPackage(h.baseUrl, apiKey, 'fire-drill', await minimalPackageWith());
    const hire = hireEvent({ roles: ['warden'] });
    const { personId, workflowId } = (await api.post('/api/v1/hr/events', hire)).body;
    const welcome = await h.mail.waitFor((m) => m.envelopeTo.includes(hire.person.email));
    const learnerLink = welcome.text.split('\n').find((l) => l.startsWith('What you owe'))!.split(': ')[1]!.trim().replace('http://trainhub.test', h.baseUrl);

    // First visit: start, work a little, leave mid-way (content said it suspends).
    const page = await browser.context.newPage();
    await page.goto(learnerLink);
    expect(await page.locator('.courses li').allInnerTexts()).toEqual(['Fire Drill\nStart']);
    await page.click('a.launch');
    let frame = await contentFrame(page);
    expect(
      await lms(frame, [
        ['LMSInitialize', ''],
        ['LMSGetValue', 'cmi.core.entry'],
        ['LMSGetValue', 'cmi.core.student_name'],
        ['LMSSetValue', 'cmi.core.lesson_location', 'page-3'],
        ['LMSSetValue', 'cmi.suspend_data', 'q1=a;q2=c'],
        ['LMSSetValue', 'cmi.core.lesson_status', 'incomplete'],
        ['LMSSetValue', 'cmi.core.exit', 'suspend'],
        ['LMSSetValue', 'cmi.core.session_time', '00:02:30'],
        ['LMSCommit', ''],
      ]),
    ).toEqual(['true', 'ab-initio', hire.person.name, 'true', 'true', 'true', 'true', 'true', 'true']);
    await page.close({ runBeforeUnload: true });
    const attempts = () => api.get(`/api/v1/people/${personId}/scorm-attempts`).then((r) => r.body.data);
    const [suspended] = await attempts();
    expect(suspended).toMatchObject({ courseKey: 'fire-drill', number: 1, state: 'open', scos: [{ item: 'item', completion: 'incomplete', location: 'page-3', exit: 'suspend', totalSeconds: 150 }] });

    // Back from the same e-mail link: resume where they left off, then pass.
    const again = await browser.context.newPage();
    await again.goto(learnerLink);
    expect(await again.locator('.courses li').allInnerTexts()).toEqual(['Fire Drill\nResume']);
    await again.click('a.launch');
    frame = await contentFrame(again);
    expect(
      await lms(frame, [
        ['LMSInitialize', ''],
        ['LMSGetValue', 'cmi.core.entry'],
        ['LMSGetValue', 'cmi.core.lesson_location'],
        ['LMSGetValue', 'cmi.suspend_data'],
        ['LMSGetValue', 'cmi.core.total_time'],
        ['LMSSetValue', 'cmi.core.score.raw', '92'],
        ['LMSSetValue', 'cmi.core.lesson_status', 'passed'],
        ['LMSSetValue', 'cmi.core.exit', ''],
        ['LMSSetValue', 'cmi.core.session_time', '00:04:00'],
        ['LMSFinish', ''],
      ]),
    ).toEqual(['true', 'resume', 'page-3', 'q1=a;q2=c', '00:02:30', 'true', 'true', 'true', 'true', 'true']);

    const [completed] = await eventually(attempts, ([a]) => a?.state === 'completed', 'the attempt completing');
    expect(completed).toMatchObject({ number: 1, state: 'completed', scos: [{ completion: 'completed', success: 'passed', scoreRaw: 92, verdict: 'satisfied', totalSeconds: 390, sessions: 2 }] });
    const completions = await h.db.completion.findMany({ where: { tenantId, personId } });
    expect(completions.map((c) => ({ source: c.source, externalId: c.externalId, passed: c.passed, score: Number(c.score) }))).toEqual([
      { source: 'scorm', externalId: `attempt:${completed.id}`, passed: true, score: 92 },
    ]);
    expect(completed.completionId).toBe(completions[0]!.id);
    const assignments = (await api.get(`/api/v1/people/${personId}/assignments`)).body.data;
    expect(assignments.map((a: { programKey: string; status: string; courses: { attempt: unknown }[] }) => [a.programKey, a.status, a.courses[0]!.attempt])).toEqual([
      ['fire-safety', 'completed', { number: 1, state: 'completed' }],
    ]);
    expect((await waitForOnboarding(h.temporal, workflowId, (s) => s.phase === 'completed')).phase).toBe('completed');
    await again.close();
  });

  test('real SCORM 2004 content (Golf Explained) finds the API, talks to it, and what it commits is kept', async () => {
    const { tenantId, apiKey } = await createTenant(h.db);
    const api = apiClient(h.baseUrl, apiKey);
    await givenCatalog(h.db, tenantId, { programs: { golf: ['golf-explained'] }, roles: { golfer: [{ program: 'golf', dueOffsetDays: 30 }] } });
    await uploadPackage(h.baseUrl, apiKey, 'golf-explained', await readFile(path.join(FIXTURES, 'golf-2004-3rd-runtime-basic.zip')));
    const { personId } = (await api.post('/api/v1/hr/events', hireEvent({ roles: ['golfer'] }))).body;
    const [assignment] = (await api.get(`/api/v1/people/${personId}/assignments`)).body.data;
    const launchUrl: string = assignment.courses[0].launchUrl;
    expect(launchUrl).toMatch(/^http:\/\/trainhub\.test\/scorm\/launch\//);

    const page = await browser.context.newPage();
    await page.goto(launchUrl.replace('http://trainhub.test', h.baseUrl));
    await contentFrame(page);
    // The Golf content calls Initialize on load and sets its own data.
    await page.waitForFunction(() => (globalThis as any).API_1484_11.isInitialized());
    await page.close({ runBeforeUnload: true });
    const attempt = await eventually(
      async () => (await api.get(`/api/v1/people/${personId}/scorm-attempts`)).body.data[0],
      (a) => a?.scos[0]?.sessions === 1 && a.scos[0].completion !== 'not_attempted',
      'the content’s data arriving',
    );
    const detail = (await api.get(`/api/v1/scorm-attempts/${attempt.id}`)).body;
    expect(detail.commits).toBeGreaterThanOrEqual(1);
    expect(detail.scos[0].cmi).toMatchObject({ completion_status: expect.any(String), learner_id: personId });
  });

  test('a multi-SCO SCORM 2004 course: "continue" asked by the content, and the table of contents, move between SCOs', async () => {
    const { tenantId, apiKey } = await createTenant(h.db);
    const api = apiClient(h.baseUrl, apiKey);
    await givenCatalog(h.db, tenantId, { programs: { golf: ['golf-explained'] }, roles: { golfer: [{ program: 'golf', dueOffsetDays: 30 }] } });
    await uploadPackage(h.baseUrl, apiKey, 'golf-explained', await readFile(path.join(FIXTURES, 'golf-2004-4th-features.zip')));
    const { personId } = (await api.post('/api/v1/hr/events', hireEvent({ roles: ['golfer'] }))).body;
    const [assignment] = (await api.get(`/api/v1/people/${personId}/assignments`)).body.data;
    const page = await browser.context.newPage();
    await page.goto(assignment.courses[0].launchUrl.replace('http://trainhub.test', h.baseUrl));
    expect(await page.locator('h1').innerText()).toBe('Golf Explained · Playing the Game');
    const frame = await contentFrame(page);
    // What the content's "next" button does: ask to continue, then terminate. (This package's own
    // script needs jQuery from Google's CDN, which a machine without internet cannot load, so the
    // test makes the calls from inside its frame.)
    await Promise.all([
      page.waitForURL(/item=etuqiette_item/),
      frame.evaluate(() => {
        const api = (globalThis as any).parent.API_1484_11;
        if (!api.isInitialized()) api.Initialize('');
        api.SetValue('cmi.completion_status', 'completed');
        api.SetValue('adl.nav.request', 'continue');
        api.Terminate('');
      }),
    ]);
    expect(await page.locator('h1').innerText()).toBe('Golf Explained · Etiquette');
    await eventually(
      async () => (await api.get(`/api/v1/people/${personId}/scorm-attempts`)).body.data[0]?.scos,
      (scos) => scos?.some((s: { item: string; verdict: string }) => s.item === 'playing_item' && s.verdict === 'satisfied'),
      'the terminating beacon landing',
    );
    await page.click('summary');
    await Promise.all([page.waitForURL(/item=assessment_item/), page.click('details a:has-text("Quiz")')]);
    expect(await page.locator('h1').innerText()).toBe('Golf Explained · Quiz');
    expect(await page.locator('details li').allTextContents()).toEqual(['Playing the Game ✓', 'Etiquette', 'Handicapping', 'Having Fun', 'Quiz']);
    await page.close();
  });
});
