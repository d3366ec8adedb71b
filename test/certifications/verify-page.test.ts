import type { BrowserContext, Page } from 'playwright-core';
import { verifyCertificate } from '../../src/services/certifications/certificates';
import { createTenant } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { apiClient } from '../support/http';
import { openPhoneBrowser, type PhoneBrowser } from '../support/phone-browser';
import { dayFromToday, givenCertification, givenPerson, issue } from './certificate-fixtures';

const iso = (date: Date) => date.toISOString().slice(0, 10);

/**
 * The public verify page a certificate's QR code leads to: anyone with the code sees who holds
 * which certification, its number and dates, and whether it is valid today — or expired, revoked
 * (with the reason) or superseded (by which certificate). It shows the PDF's fingerprint and checks,
 * in the browser, whether a PDF one was given is the one issued. Unknown codes learn nothing. Driven
 * in headless Chromium shaped like a phone.
 */
describe('the certificate verify page', () => {
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

  /** A hospital whose nurse Ada holds BLS, valid for two more years. */
  const given = async (options: { expiresOn?: Date; issuedOn?: Date } = {}) => {
    const { tenantId, apiKey } = await createTenant(h.db);
    await h.db.certificatePolicy.create({ data: { tenantId, issuerName: "St. Mary's Hospital" } });
    const bls = await givenCertification(h.db, tenantId, 'bls', 'Basic Life Support');
    const ada = await givenPerson(h.db, tenantId, 'Ada Lovelace');
    const issuedOn = options.issuedOn ?? dayFromToday(-10);
    const expiresOn = options.expiresOn ?? dayFromToday(720);
    const certificate = await issue(h.db, { tenantId, personId: ada.id, certificationId: bls.id, issuedOn, expiresOn });
    const row = await h.db.certificate.findUniqueOrThrow({ where: { id: certificate.id } });
    return { tenantId, api: apiClient(h.baseUrl, apiKey), bls, ada, certificate, row, issuedOn: iso(issuedOn), expiresOn: iso(expiresOn) };
  };

  /** Opens the page, failing on any script the page's policy refuses. */
  async function open(code: string): Promise<{ page: Page; status: number; headers: Record<string, string>; refused: string[] }> {
    const page = await context.newPage();
    const refused: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) refused.push(message.text());
    });
    const response = await page.goto(`${h.baseUrl}/verify/${code}`);
    return { page, status: response!.status(), headers: response!.headers(), refused };
  }

  const statusText = (page: Page) => page.locator('.status').innerText();

  test('a valid certificate: holder, certification, issuer, number, dates, "valid", and the PDF fingerprint', async () => {
    const { certificate, row, issuedOn, expiresOn } = await given();
    const { page, status, headers, refused } = await open(certificate.verificationCode);
    expect(status).toBe(200);
    expect(headers['content-security-policy']).toMatch(/^default-src 'none'; script-src 'sha256-[A-Za-z0-9+/]+=*'; /);
    expect(headers['cache-control']).toBe('no-store');
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(await page.locator('.status').getAttribute('data-status')).toBe('valid');
    expect(await statusText(page)).toBe(`Valid: this certificate is in force until ${expiresOn}.`);
    expect(await page.locator('.holder').innerText()).toBe('Ada Lovelace');
    expect(await page.locator('.certification').innerText()).toBe('Basic Life Support');
    expect(await page.locator('.number').innerText()).toBe(certificate.number);
    expect(await page.locator('.issued-on').innerText()).toBe(issuedOn);
    expect(await page.locator('.expires-on').innerText()).toBe(expiresOn);
    await page.getByText("St. Mary's Hospital").waitFor();
    expect(await page.locator('.fingerprint').innerText()).toBe(row.pdfSha256);
    expect(await page.getByRole('link', { name: 'Download the PDF' }).getAttribute('href')).toBe(`/verify/${certificate.verificationCode}/certificate.pdf`);
    // The page fits a phone.
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    expect(refused).toEqual([]);
    // A code typed by hand (lower case, no dashes) finds the same certificate.
    const typed = await context.newPage();
    expect((await typed.goto(`${h.baseUrl}/verify/${certificate.verificationCode.replace(/-/g, '').toLowerCase()}`))!.status()).toBe(200);
    expect(await typed.locator('.number').innerText()).toBe(certificate.number);
    await Promise.all([page.close(), typed.close()]);
  });

  test('the PDF one was given is checked in the browser: the issued PDF matches, a copy changed in one byte does not', async () => {
    const { certificate, row } = await given();
    const { page, refused } = await open(certificate.verificationCode);
    const pdf = Buffer.from(await (await fetch(`${h.baseUrl}/verify/${certificate.verificationCode}/certificate.pdf`)).arrayBuffer());
    expect(pdf.equals(Buffer.from(row.pdf!))).toBe(true);

    await page.setInputFiles('#copy', { name: 'certificate.pdf', mimeType: 'application/pdf', buffer: pdf });
    await page.locator('#copy-result.match').waitFor();
    expect(await page.locator('#copy-result').innerText()).toBe('This PDF matches the certificate as issued.');

    const altered = Buffer.from(pdf);
    // One bit in the middle of the file: the kind of change no one sees by looking at the copy.
    const middle = Math.floor(altered.length / 2);
    altered[middle] = altered[middle]! ^ 0x01;
    await page.setInputFiles('#copy', { name: 'certificate.pdf', mimeType: 'application/pdf', buffer: altered });
    await page.locator('#copy-result.mismatch').waitFor();
    expect(await page.locator('#copy-result').innerText()).toMatch(/^This PDF does not match the certificate as issued: it is another file, or it was altered\. Its SHA-256 is [0-9a-f]{64}\.$/);
    expect(refused).toEqual([]);
    await page.close();
  });

  test('a revoked certificate says so, with the reason', async () => {
    const { api, certificate, expiresOn } = await given();
    expect((await api.post(`/api/v1/certificates/${certificate.id}/revoke`, { reason: 'Obtained with a falsified assessment' })).status).toBe(200);
    const { page } = await open(certificate.verificationCode);
    expect(await page.locator('.status').getAttribute('data-status')).toBe('revoked');
    expect(await statusText(page)).toBe(`Revoked on ${iso(new Date())}: this certificate is no longer valid. Reason: Obtained with a falsified assessment`);
    expect(await page.locator('.expires-on').innerText()).toBe(expiresOn);
    await page.close();
  });

  test('a certificate followed by a newer one says superseded, naming the new number and dates; the new one is valid', async () => {
    const { tenantId, ada, bls, certificate } = await given();
    const newer = await issue(h.db, { tenantId, personId: ada.id, certificationId: bls.id, cycle: 2, basis: 'recertification', previousId: certificate.id, issuedOn: dayFromToday(0), expiresOn: dayFromToday(1000) });
    const { page } = await open(certificate.verificationCode);
    expect(await page.locator('.status').getAttribute('data-status')).toBe('superseded');
    expect(await statusText(page)).toBe(
      `Superseded: this certificate was replaced by certificate ${newer.number}, issued on ${iso(dayFromToday(0))}, expiring on ${iso(dayFromToday(1000))}. It is no longer the one in force.`,
    );
    const current = await open(newer.verificationCode);
    expect(await current.page.locator('.status').getAttribute('data-status')).toBe('valid');
    await Promise.all([page.close(), current.page.close()]);
  });

  test('a certificate past its expiry says expired — from its expiry day on, judged in the tenant’s time zone', async () => {
    const { certificate, expiresOn } = await given({ issuedOn: dayFromToday(-800), expiresOn: dayFromToday(-70) });
    const { page } = await open(certificate.verificationCode);
    expect(await page.locator('.status').getAttribute('data-status')).toBe('expired');
    expect(await statusText(page)).toBe(`Expired: this certificate expired on ${expiresOn}.`);
    await page.close();

    // Expiring on 2026-03-15: at noon UTC on the 14th it is still valid in London, and already expired in Kiritimati (UTC+14).
    const fixed = await given({ issuedOn: new Date('2024-03-15'), expiresOn: new Date('2026-03-15') });
    const noon = Date.parse('2026-03-14T12:00:00Z');
    expect(await verifyCertificate(h.db, fixed.certificate.verificationCode, noon)).toMatchObject({ status: 'valid', today: '2026-03-14' });
    await h.db.notificationPolicy.create({ data: { tenantId: fixed.tenantId, timeZone: 'Pacific/Kiritimati' } });
    expect(await verifyCertificate(h.db, fixed.certificate.verificationCode, noon)).toMatchObject({ status: 'expired', today: '2026-03-15' });
  });

  test('an unknown or malformed code is a 404 that says nothing of any tenant', async () => {
    const { tenantId, certificate } = await given();
    const tenant = await h.db.tenant.findUniqueOrThrow({ where: { id: tenantId } });
    const flipped = certificate.verificationCode.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    for (const code of [flipped, 'NOT-A-CODE', '%27%20OR%201%3D1', 'x'.repeat(300)]) {
      const { page, status } = await open(code);
      expect(status).toBe(404);
      const text = await page.locator('main').innerText();
      expect(text).toContain('No certificate has this verification code.');
      for (const secret of [tenant.name, tenant.slug, "St. Mary's Hospital", 'Ada Lovelace', certificate.number]) expect(text).not.toContain(secret);
      await page.close();
      expect((await fetch(`${h.baseUrl}/verify/${code}/certificate.pdf`)).status).toBe(404);
    }
  });

  // Last: it spends this address's allowance.
  test('the public routes are rate-limited per address, so codes cannot be tried in bulk', async () => {
    let limited: Response | undefined;
    for (let i = 0; i < 80 && !limited; i += 1) {
      const response = await fetch(`${h.baseUrl}/verify/AAAAA-AAAAA-AAAAA-AAAAA-${String(i).padStart(5, '0').replace(/[ILOU]/g, '0')}`);
      if (response.status === 429) limited = response;
      else expect(response.status).toBe(404);
    }
    expect(limited?.status).toBe(429);
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
