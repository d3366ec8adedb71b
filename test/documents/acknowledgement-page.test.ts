import { createHash, randomUUID } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import type { Db } from '../../src/db/client';
import type { ApprovalLinkSettings } from '../../src/services/identity/approval-links';
import { issueLinkToken } from '../../src/services/identity/approval-links';
import { acknowledgementPageUrl } from '../../src/services/documents/acknowledgements';
import { createTenant } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { openPhoneBrowser, type PhoneBrowser } from '../support/phone-browser';

const MEANING = 'I have read and understood SOP-7 Cleaning of sterile rooms, version 3.0, and will follow it.';

/**
 * A pharmacist owes a "read and understood" of version 3.0 of an SOP (the training row the gap would
 * have opened), and holds the learner link of their training e-mails. Each call makes a tenant of its own.
 */
async function givenAcknowledgementOwed(db: Db, links: ApprovalLinkSettings, options: { owed?: boolean } = {}) {
  const { tenantId, apiKey } = await createTenant(db);
  const contentHash = createHash('sha256').update(`SOP-7 rev 3 ${randomUUID()}`).digest('hex');
  const role = await db.role.create({ data: { tenantId, key: 'pharmacist', name: 'Pharmacist' } });
  const type = await db.documentType.create({ data: { tenantId, key: 'sop', name: 'Standard operating procedure', roles: { create: [{ tenantId, roleId: role.id }] } } });
  const document = await db.document.create({ data: { tenantId, key: 'sop-7', title: 'SOP-7 Cleaning of sterile rooms', documentTypeId: type.id, training: 'acknowledgement', dueOffsetDays: 14 } });
  const version = await db.documentVersion.create({
    data: { tenantId, documentId: document.id, version: '3.0', title: 'SOP-7 Cleaning of sterile rooms', status: 'approved', impact: 'retraining', approvedAt: new Date(), effectiveDate: new Date('2026-12-01'), contentHash, authorIds: [] },
  });
  const externalId = `P-${randomUUID().slice(0, 8)}`;
  const person = await db.person.create({
    data: { tenantId, source: 'workday', externalId, email: `${externalId.toLowerCase()}@example.com`, name: 'Petra Pharmacist', hireDate: new Date('2025-01-06'), roles: { create: [{ tenantId, roleId: role.id }] } },
  });
  if (options.owed ?? true) {
    await db.documentTraining.create({ data: { tenantId, versionId: version.id, personId: person.id, roleId: role.id, status: 'open', dueDate: new Date('2026-12-15') } });
  }
  const learnerToken = await issueLinkToken(db, links, { tenantId, key: 'test:learner', purpose: 'learner', personId: person.id });
  return { tenantId, apiKey, role, document, version, person, contentHash, learnerToken };
}

/**
 * "Read and understood" in the spirit of 21 CFR Part 11: the page a training e-mail links to shows the
 * version (title, number, effective date, content hash) and what a signature means; the person proves
 * it is them by asking for a fresh single-use link e-mailed to them, and signs with it. The signature
 * records who, when, the content hash, the meaning and the link; the training is completed; the audit
 * trail says so. Driven in headless Chromium shaped like a phone.
 */
describe('acknowledging a document version as read and understood', () => {
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

  const pageUrl = (learnerToken: string, versionId: string) => acknowledgementPageUrl(h.baseUrl, learnerToken, versionId);

  /** Asks for a signing link on the page and returns the link from the e-mail that brings it. */
  async function requestSigningLink(page: Page, email: string): Promise<string> {
    const before = h.mail.messages.length;
    await page.getByRole('button', { name: 'E-mail me a signing link' }).click();
    await page.getByText('Check your e-mail').waitFor();
    const mail = await h.mail.waitFor((m) => h.mail.messages.indexOf(m) >= before && m.envelopeTo.includes(email));
    expect(mail.subject).toBe('Your signing link: SOP-7 Cleaning of sterile rooms, version 3.0');
    expect(mail.text).toContain(`By signing you state:\n\n  ${MEANING}\n`);
    const line = mail.text.split('\n').find((l) => l.startsWith('http://trainhub.test/documents/sign?token='));
    if (!line) throw new Error(`no signing link in:\n${mail.text}`);
    return line.trim().replace('http://trainhub.test', h.baseUrl);
  }

  test('the person asks for a signing link, signs with it once, and the signature is recorded with its content hash, meaning and link', async () => {
    const { tenantId, version, person, contentHash, learnerToken } = await givenAcknowledgementOwed(h.db, h.approvalLinks);
    const page = await context.newPage();

    const opened = await page.goto(pageUrl(learnerToken, version.id));
    expect(opened?.status()).toBe(200);
    expect(opened?.headers()['content-security-policy']).toContain("default-src 'none'");
    const card = page.locator('article.card');
    expect(await card.locator('h2').innerText()).toBe('SOP-7 Cleaning of sterile rooms');
    await card.getByText('Version 3.0 · effective 2026-12-01').waitFor();
    expect(await card.locator('.hash-short').innerText()).toBe(contentHash.slice(0, 12));
    expect(await card.locator('.hash-full').innerText()).toBe(contentHash);
    expect(await card.locator('.meaning').innerText()).toBe(MEANING);
    await card.getByText('Due 2026-12-15').waitFor();
    // A 64-character hash stays inside a phone screen.
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);

    const signLink = await requestSigningLink(page, person.email);
    expect(await page.locator('[role=status]').innerText()).toBe(`Check your e-mail: a signing link is on its way to ${person.email}. It works once, for 72 hours.`);
    // Asking for a link signs nothing.
    expect(await h.db.documentAcknowledgement.count({ where: { tenantId } })).toBe(0);

    const signing = await page.goto(signLink);
    expect(signing?.status()).toBe(200);
    expect(await page.locator('.meaning').innerText()).toBe(MEANING);
    expect(await page.locator('.hash-full').innerText()).toBe(contentHash);
    await page.getByText('Signing as Petra Pharmacist').waitFor();
    await page.getByRole('button', { name: 'Sign' }).click();
    await page.getByText('Signed. Your signature is recorded.').waitFor();

    const linkId = new URL(signLink).searchParams.get('token')!.split('.')[0];
    const signature = await h.db.documentAcknowledgement.findFirstOrThrow({ where: { tenantId } });
    expect(signature).toEqual({
      id: expect.any(String),
      tenantId,
      versionId: version.id,
      personId: person.id,
      signedAt: expect.any(Date),
      contentHash,
      meaning: MEANING,
      linkId,
      address: '127.0.0.1',
    });
    expect(await page.locator('.meta', { hasText: 'Signed by' }).innerText()).toBe(
      `Signed by Petra Pharmacist on ${signature.signedAt.toISOString().slice(0, 19).replace('T', ' ')} UTC · record ${signature.id}`,
    );
    expect(await h.db.actionToken.findUniqueOrThrow({ where: { id: linkId } })).toMatchObject({ purpose: 'acknowledgement', personId: person.id, usedAt: expect.any(Date) });
    expect(await h.db.documentTraining.findFirstOrThrow({ where: { tenantId, versionId: version.id, personId: person.id } })).toMatchObject({
      status: 'completed',
      completedAt: signature.signedAt,
    });
    const audit = await h.db.auditEvent.findMany({ where: { tenantId, action: 'document.acknowledged' } });
    expect(audit).toEqual([
      expect.objectContaining({
        actorType: 'person',
        actorId: person.id,
        entityType: 'document_version',
        entityId: version.id,
        at: signature.signedAt,
        requestId: expect.any(String),
        data: { acknowledgementId: signature.id, document: 'sop-7', version: '3.0', contentHash, meaning: MEANING, linkId },
      }),
    ]);

    // The link works once: opened or posted again, it says so and signs nothing.
    const again = await page.goto(signLink);
    expect(again?.status()).toBe(410);
    await page.getByText('This signing link was already used. Each signing link works once.').waitFor();
    expect(await page.locator('form').count()).toBe(0);
    const token = new URL(signLink).searchParams.get('token')!;
    const replay = await fetch(`${h.baseUrl}/documents/sign`, { method: 'POST', body: new URLSearchParams({ token, form: 'x', contentHash }) });
    expect(replay.status).toBe(410);
    expect(await h.db.documentAcknowledgement.count({ where: { tenantId } })).toBe(1);

    // The page from the training e-mail now shows who signed and when, and offers nothing more.
    expect((await page.goto(pageUrl(learnerToken, version.id)))?.status()).toBe(200);
    expect(await page.locator('.signed').innerText()).toBe(`Signed by Petra Pharmacist on ${signature.signedAt.toISOString().slice(0, 19).replace('T', ' ')} UTC.`);
    expect(await page.locator('form').count()).toBe(0);

    // A forged token shows nothing of the document.
    const [id, exp] = token.split('.');
    const forged = await page.goto(`${h.baseUrl}/documents/sign?token=${id}.${exp}.${'A'.repeat(43)}`);
    expect(forged?.status()).toBe(400);
    expect(await page.locator('article.card').count()).toBe(0);
    const [lid, lexp] = learnerToken.split('.');
    const forgedLearner = await page.goto(pageUrl(`${lid}.${lexp}.${'A'.repeat(43)}`, version.id));
    expect(forgedLearner?.status()).toBe(400);
    expect(await page.locator('article.card').count()).toBe(0);
    expect(await page.content()).not.toContain(contentHash);
    await page.close();
  });

  test('a person who owes nothing for the version is told so and offered no form; a POST without the form token is refused', async () => {
    const { version, person, learnerToken } = await givenAcknowledgementOwed(h.db, h.approvalLinks, { owed: false });
    const page = await context.newPage();
    expect((await page.goto(pageUrl(learnerToken, version.id)))?.status()).toBe(200);
    expect(await page.locator('.nothing-to-sign').innerText()).toBe('You are not asked to sign this version.');
    expect(await page.locator('form').count()).toBe(0);

    const before = h.mail.messages.length;
    // Another site posts with the link it somehow learnt, but without the page's form token.
    const forged = await fetch(`${h.baseUrl}/documents/acknowledge`, { method: 'POST', body: new URLSearchParams({ token: learnerToken, version: version.id }) });
    expect(forged.status).toBe(403);
    expect(await h.db.actionToken.count({ where: { personId: person.id, purpose: 'acknowledgement' } })).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.mail.messages.length).toBe(before);
    await page.close();
  });

  test("a learner link opens only its own tenant's versions; an expired link is 410", async () => {
    const mine = await givenAcknowledgementOwed(h.db, h.approvalLinks);
    const theirs = await givenAcknowledgementOwed(h.db, h.approvalLinks);
    const page = await context.newPage();
    expect((await page.goto(pageUrl(mine.learnerToken, theirs.version.id)))?.status()).toBe(404);
    expect(await page.content()).not.toContain(theirs.contentHash);

    const expired = await issueLinkToken(h.db, h.approvalLinks, {
      tenantId: mine.tenantId,
      key: 'test:learner-old',
      purpose: 'learner',
      personId: mine.person.id,
      now: new Date(Date.now() - 31 * 86_400_000),
    });
    expect((await page.goto(pageUrl(expired, mine.version.id)))?.status()).toBe(410);
    expect(await page.locator('article.card').count()).toBe(0);
    await page.close();
  });

  test('signing needs the training row to exist: without it the sign page is 409 and the link is not spent', async () => {
    const { tenantId, version, person, learnerToken } = await givenAcknowledgementOwed(h.db, h.approvalLinks);
    const page = await context.newPage();
    await page.goto(pageUrl(learnerToken, version.id));
    const signLink = await requestSigningLink(page, person.email);
    await page.goto(signLink);
    // The training is withdrawn (e.g. the person left the role) while the signing page is open.
    await h.db.documentTraining.deleteMany({ where: { tenantId, personId: person.id } });
    const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/documents/sign') && r.request().method() === 'POST'), page.getByRole('button', { name: 'Sign' }).click()]);
    expect(response.status()).toBe(409);
    await page.getByText('You are not asked to sign this version.').waitFor();
    expect(await h.db.documentAcknowledgement.count({ where: { tenantId } })).toBe(0);
    const linkId = new URL(signLink).searchParams.get('token')!.split('.')[0]!;
    expect((await h.db.actionToken.findUniqueOrThrow({ where: { id: linkId } })).usedAt).toBeNull();
    await page.close();
  });

  test('of two signing links, the second finds the version already signed', async () => {
    const { tenantId, version, person, learnerToken } = await givenAcknowledgementOwed(h.db, h.approvalLinks);
    const page = await context.newPage();
    await page.goto(pageUrl(learnerToken, version.id));
    const first = await requestSigningLink(page, person.email);
    await page.goto(pageUrl(learnerToken, version.id));
    const second = await requestSigningLink(page, person.email);
    expect(second).not.toBe(first);

    await page.goto(second);
    await page.getByRole('button', { name: 'Sign' }).click();
    await page.getByText('Signed. Your signature is recorded.').waitFor();

    expect((await page.goto(first))?.status()).toBe(409);
    await page.locator('.signed', { hasText: 'Signed by Petra Pharmacist on ' }).waitFor();
    expect(await page.locator('form').count()).toBe(0);
    expect(await h.db.documentAcknowledgement.count({ where: { tenantId } })).toBe(1);
    await page.close();
  });
});
