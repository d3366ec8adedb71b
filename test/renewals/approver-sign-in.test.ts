import type { BrowserContext, Page } from 'playwright-core';
import { startHarness, type Harness } from '../support/harness';
import { openPhoneBrowser, type PhoneBrowser } from '../support/phone-browser';
import { decide, givenOrganisation, linkIn, openStep, renewalRequest, threeLevelChain } from './fixtures';

/**
 * How approvers get in and out of their pages, and what the pages refuse: a session that signing out
 * ends for every copy of the cookie, a sign-in form no other site can submit, a new sign-in link by
 * e-mail, forms that refuse control characters before a link is spent, and a confirmation page that
 * says so when the approval is no longer the reader's to decide. Driven in headless Chromium.
 */
describe('approver sign-in and the limits of the approver pages', () => {
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

  async function fresh(): Promise<Page> {
    await context.clearCookies();
    return context.newPage();
  }

  /** An open first-level step for Manny, and the approval e-mail he got for it. */
  async function pendingForManny(reason?: string) {
    const org = await givenOrganisation(h.db, h.baseUrl);
    await org.api.put('/api/v1/approval-chains/program', threeLevelChain());
    const { id } = (await org.api.post('/api/v1/renewals', renewalRequest(org.people.rita.id, reason ? { reason } : {}))).body.renewal;
    const step = await openStep(org.api, id, 1);
    const mail = await h.mail.waitFor((m) => m.envelopeTo.includes(org.people.manny.email) && m.subject.startsWith('Your approval is needed'));
    return { ...org, id, step, mail };
  }

  async function signIn(page: Page, link: string) {
    await page.goto(link);
    await page.getByRole('button', { name: 'Open my approvals' }).click();
    await page.waitForURL('**/approver/inbox');
  }

  test('signing out ends the session itself: a copy of the cookie no longer opens the inbox', async () => {
    const { mail } = await pendingForManny();
    const page = await fresh();
    await signIn(page, linkIn(mail, 'All your pending approvals: ', h.baseUrl));
    const cookie = (await context.cookies()).find((c) => c.name === 'trainhub_approver')!;
    const withCopy = () => fetch(`${h.baseUrl}/approver/inbox`, { headers: { cookie: `trainhub_approver=${cookie.value}` } });
    expect((await withCopy()).status).toBe(200);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('Signed out').waitFor();
    expect((await withCopy()).status).toBe(401);
    await page.close();
  });

  test('a sign-in form posted from anywhere but the page the link opened is refused, and the link stays usable', async () => {
    const { mail } = await pendingForManny();
    const link = linkIn(mail, 'All your pending approvals: ', h.baseUrl);
    const token = new URL(link).searchParams.get('token')!;
    // Another site posts the victim's browser into the attacker's inbox: no guard cookie, no guard field.
    const forged = await fetch(`${h.baseUrl}/approver/sign-in`, { method: 'POST', body: new URLSearchParams({ token }), redirect: 'manual' });
    expect(forged.status).toBe(403);
    expect(forged.headers.get('set-cookie') ?? '').not.toContain('trainhub_approver=');

    const page = await fresh();
    await signIn(page, link);
    await page.close();
  });

  test('an approver asks for a new sign-in link by e-mail; the page answers the same for an address it does not know', async () => {
    const { people } = await pendingForManny();
    const page = await fresh();
    await page.goto(`${h.baseUrl}/approver/sign-in/new`);
    await page.getByLabel('Your work e-mail address').fill(people.manny.email.toUpperCase());
    await page.getByRole('button', { name: 'Send me a link' }).click();
    const answer = await page.locator('.notice').innerText();
    expect(answer).toContain('a sign-in link is on its way');

    const sent = await h.mail.waitFor((m) => m.envelopeTo.includes(people.manny.email) && m.subject === 'Your sign-in link for trainhub approvals');
    const link = sent.text.split('\n').find((l) => l.includes('/approver/sign-in?token='))!.trim().replace('http://trainhub.test', h.baseUrl);
    await signIn(page, link);

    const before = h.mail.messages.length;
    const unknown = await fetch(`${h.baseUrl}/approver/sign-in/new`, { method: 'POST', body: new URLSearchParams({ email: 'nobody@example.com' }) });
    expect(await unknown.text()).toContain('a sign-in link is on its way');
    // Asking again at once sends nothing more (one link per ten minutes).
    await fetch(`${h.baseUrl}/approver/sign-in/new`, { method: 'POST', body: new URLSearchParams({ email: people.manny.email }) });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(h.mail.messages.length).toBe(before);
    await page.close();
  });

  test('a NUL in a form is refused before anything is decided or a link is spent', async () => {
    const { api, id, step, mail, people } = await pendingForManny();
    const act = linkIn(mail, 'Reject or request changes: ', h.baseUrl);
    const token = new URL(act).searchParams.get('token')!;
    const posted = await fetch(`${h.baseUrl}/approver/act`, { method: 'POST', body: new URLSearchParams({ token, decision: 'reject', reason: 'no\u0000' }) });
    expect(posted.status).toBe(400);
    expect(await posted.text()).toContain('control characters');
    expect((await api.get(`/api/v1/renewals/${id}`)).body.status).toBe('pending');

    // The link still works for a proper decision.
    const page = await fresh();
    await page.goto(act);
    await page.getByLabel(/Reason/).fill('Budget is frozen');
    await page.getByRole('button', { name: 'Reject' }).click();
    await page.getByText('Rejected. The requester will be told why.').waitFor();
    expect((await api.get(`/api/v1/renewals/${id}`)).body.steps[0]).toMatchObject({ id: step.id, status: 'rejected', approvers: [{ personId: people.manny.id, reason: 'Budget is frozen' }] });
    await page.close();
  });

  test('a link to an approval that was moved away says so instead of offering a form; long words stay inside a phone screen', async () => {
    const longWord = `Supercalifragilistic${'x'.repeat(300)}`;
    const { api, step, mail, people } = await pendingForManny(`Please renew ${longWord}`);
    const act = linkIn(mail, 'Approve: ', h.baseUrl);

    const page = await fresh();
    await page.goto(act);
    await page.getByText('Decide by').waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);

    // Manny hands the step to Del through a portal: his e-mailed link is no longer his to use.
    expect((await decide(api, step.id, people.manny.id, 'delegate', { delegateToPersonId: people.del.id })).status).toBe(200);
    const again = await page.goto(act);
    expect(again?.status()).toBe(409);
    await page.getByText('You delegated this approval to someone else; they decide it now.').waitFor();
    expect(await page.locator('form[action="/approver/act"]').count()).toBe(0);
    await page.close();
  });
});
