import type { BrowserContext } from 'playwright-core';
import { completionReport, createTenant, daysFromToday, givenCatalog, hireEvent } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { openPhoneBrowser, type PhoneBrowser } from '../support/phone-browser';
import { apiClient } from '../support/http';

/**
 * The link in a learner's welcome and reminder e-mails opens a page, good on a phone, of what they
 * owe, by when, and where it stands; it shows that person's training and nothing else. In Chromium.
 */
describe("the learner's page", () => {
  let h: Harness;
  let context: BrowserContext;
  let browser: PhoneBrowser | undefined;
  beforeAll(async () => {
    h = await startHarness();
    browser = await openPhoneBrowser();
    context = browser.context;
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  test('the welcome e-mail links to a page of what the person owes, which follows their completions; a forged link shows nothing', async () => {
    const { tenantId, apiKey } = await createTenant(h.db);
    const api = apiClient(h.baseUrl, apiKey);
    await givenCatalog(h.db, tenantId, {
      programs: { privacy: ['hipaa-basics'], 'clinical-safety': ['infection-control'] },
      roles: { nurse: [{ program: 'privacy', dueOffsetDays: 14 }, { program: 'clinical-safety', dueOffsetDays: 30 }] },
    });
    const hire = hireEvent({ roles: ['nurse'] });
    const { personId } = (await api.post('/api/v1/hr/events', hire)).body;
    const welcome = await h.mail.waitFor((m) => m.envelopeTo.includes(hire.person.email));
    const link = welcome.text.split('\n').find((l) => l.startsWith('What you owe'))!.split(': ')[1]!.trim().replace('http://trainhub.test', h.baseUrl);

    const page = await context.newPage();
    expect((await page.goto(link))?.status()).toBe(200);
    const cards = async () => (await page.locator('article.card').allInnerTexts()).map((text) => text.replace(/\n+/g, '\n').trim());
    expect(await cards()).toEqual([`Privacy\nto do\nDue ${daysFromToday(14)}`, `Clinical Safety\nto do\nDue ${daysFromToday(30)}`]);
    expect(await page.locator('[role=status]').innerText()).toBe('You are up to date.');

    await api.post('/api/v1/completions', completionReport(personId, 'hipaa-basics'));
    await page.reload();
    expect(await cards()).toEqual([`Clinical Safety\nto do\nDue ${daysFromToday(30)}`, `Privacy\ncompleted ${daysFromToday(0)}`]);

    const [id, exp] = new URL(link).searchParams.get('token')!.split('.');
    expect((await page.goto(`${h.baseUrl}/learner?token=${id}.${exp}.${'A'.repeat(43)}`))?.status()).toBe(400);
    expect(await page.locator('article.card').count()).toBe(0);
    await page.close();
  });
});
