import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { issueLinkToken } from '../../src/services/identity/approval-links';
import { startHarness, type Harness } from '../support/harness';
import { openPhoneBrowser, type PhoneBrowser } from '../support/phone-browser';
import { givenOrganisation, linkIn, openStep, renewalRequest, threeLevelChain, waitForRenewal } from './fixtures';

const SCREENSHOTS = path.resolve(__dirname, '..', '..', '.data', 'screenshots');

/**
 * Approvers on their phones: the sign-in link in an approval e-mail opens their inbox, which lists
 * what waits and approves it; an e-mailed decision link opens a confirmation page, works once and
 * expires. Driven in headless Chromium.
 */
describe('the approver inbox page and e-mailed decision links', () => {
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

  test('the sign-in link opens the inbox, which lists the pending step and approves it', async () => {
    const { api, people } = await givenOrganisation(h.db, h.baseUrl);
    const { rita, manny } = people;
    await api.put('/api/v1/approval-chains/program', threeLevelChain());
    const reason = 'Yearly refresh <script>alert("x")</script> & new guidance';
    const { id } = (await api.post('/api/v1/renewals', renewalRequest(rita.id, { reason }))).body.renewal;
    const step = await openStep(api, id, 1);
    const mail = await h.mail.waitFor((m) => m.envelopeTo.includes(manny.email));

    const page = await fresh();
    // Opening the link only shows a page; signing in is a deliberate click.
    const signIn = await page.goto(linkIn(mail, 'All your pending approvals: ', h.baseUrl));
    expect(signIn?.status()).toBe(200);
    await page.getByText('Hello Manny Manager').waitFor();
    await page.getByRole('button', { name: 'Open my approvals' }).click();
    await page.waitForURL('**/approver/inbox');

    const card = page.locator(`article[data-approval-id="${step.id}"]`);
    await card.waitFor();
    expect(await card.locator('h2').innerText()).toBe('Renewal of Privacy — version 2027');
    expect(await card.innerText()).toContain('Level 1 of 3: Line manager');
    expect(await card.innerText()).toContain(reason);
    expect(await page.locator('script').count()).toBe(0);
    const cookie = (await context.cookies()).find((c) => c.name === 'trainhub_approver');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/approver' });

    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'approver-inbox-phone.png'), fullPage: true });

    // A form posted from elsewhere, even carrying the session cookie, lacks the CSRF token: refused.
    const forgeries: Record<string, string>[] = [{ decision: 'approve' }, { decision: 'approve', csrf: 'forged' }];
    for (const body of forgeries) {
      const forged = await fetch(`${h.baseUrl}/approver/approvals/${step.id}/decision`, {
        method: 'POST',
        headers: { cookie: `trainhub_approver=${cookie!.value}` },
        body: new URLSearchParams(body),
      });
      expect(forged.status).toBe(403);
    }
    expect((await api.get(`/api/v1/renewals/${id}`)).body.steps[0].status).toBe('pending');

    await card.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Approved. Thank you — the request moves on.').waitFor();
    await page.getByText('Nothing waits for your approval.').waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'approver-inbox-after-approval.png') });

    const renewal = await waitForRenewal(api, id, (r) => r.steps[0].status === 'approved');
    expect(renewal.steps[0].approvers[0]).toMatchObject({ name: 'Manny Manager', status: 'approved' });
    const audit = (await api.get(`/api/v1/renewals/${id}/audit`)).body.data;
    expect(audit.find((e: any) => e.action === 'approval.approved')).toMatchObject({ actorId: manny.id, data: { channel: 'inbox' } });

    await page.close();
  });

  test("an e-mailed decision link opens a confirmation page, decides once, then is used up; an old link has expired", async () => {
    const { tenantId, api, people } = await givenOrganisation(h.db, h.baseUrl);
    const { rita, manny, dora } = people;
    await api.put('/api/v1/approval-chains/program', threeLevelChain());
    const { id } = (await api.post('/api/v1/renewals', renewalRequest(rita.id))).body.renewal;
    const first = await openStep(api, id, 1);
    const toManny = await h.mail.waitFor((m) => m.envelopeTo.includes(manny.email));
    const page = await fresh();

    // Reject needs a reason: the page says so and the link stays usable.
    await page.goto(linkIn(toManny, 'Reject or request changes: ', h.baseUrl));
    await page.getByText('Decide by').waitFor();
    await page.getByRole('button', { name: 'Reject' }).click();
    await page.getByText('Please give a reason to reject.').waitFor();
    expect((await api.get(`/api/v1/renewals/${id}`)).body.steps[0].status).toBe('pending');

    // Opening the approve link decides nothing until the approver confirms.
    const approveLink = linkIn(toManny, 'Approve: ', h.baseUrl);
    expect((await page.goto(approveLink))?.status()).toBe(200);
    await page.getByRole('heading', { name: 'Renewal of Privacy — version 2027' }).waitFor();
    expect((await api.get(`/api/v1/renewals/${id}`)).body.steps[0].status).toBe('pending');
    await page.getByRole('button', { name: 'Confirm approval' }).click();
    await page.getByText('Your decision is recorded.').waitFor();
    await waitForRenewal(api, id, (r) => r.steps[0].status === 'approved');
    const audit = (await api.get(`/api/v1/renewals/${id}/audit`)).body.data;
    expect(audit.find((e: any) => e.action === 'approval.approved')).toMatchObject({ actorId: manny.id, data: { channel: 'email', stepId: first.id } });

    // The same link a second time: used up.
    const again = await page.goto(approveLink);
    expect(again?.status()).toBe(410);
    await page.getByText('This link was already used. Each e-mailed link works once.').waitFor();

    // Dora's link, mailed over three days ago: expired, and it decides nothing.
    const second = await openStep(api, id, 2);
    const old = await issueLinkToken(h.db, h.approvalLinks, {
      tenantId,
      key: `test:old-link:${second.id}`,
      purpose: 'decision',
      personId: dora.id,
      stepId: second.id,
      now: new Date(Date.now() - (h.approvalLinks.linkTtlHours + 1) * 3_600_000),
    });
    const expired = await page.goto(`${h.baseUrl}/approver/act?token=${encodeURIComponent(old)}&decision=approve`);
    expect(expired?.status()).toBe(410);
    await page.getByText('This link has expired.').waitFor();
    const posted = await fetch(`${h.baseUrl}/approver/act`, { method: 'POST', body: new URLSearchParams({ token: old, decision: 'approve' }) });
    expect(posted.status).toBe(410);

    // A tampered link is not accepted at all.
    const tampered = await page.goto(`${h.baseUrl}/approver/act?token=${encodeURIComponent(old.slice(0, -2) + 'xx')}`);
    expect(tampered?.status()).toBe(400);
    expect((await api.get(`/api/v1/renewals/${id}`)).body.steps[1].status).toBe('pending');
    await page.close();
  });
});
