import { createHash } from 'node:crypto';
import { SYSTEM } from '../../src/services/audit/trail';
import { expandNumberPattern, parseNumberPattern } from '../../src/services/certifications/numbering';
import { createTenant } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { apiClient } from '../support/http';
import { eventually } from '../support/scorm-player';
import { givenCertification, givenPerson, issue, PUBLIC_URL } from './certificate-fixtures';

/**
 * Issuing a certificate: a number from the tenant's pattern (counting per certification and year
 * by default), an unguessable verification code, the PDF and its fingerprint, the previous
 * certificate superseded, the audit trail, and an e-mail to the holder with the verify page and
 * the PDF. A retried issue of the same cycle is the same certificate.
 */
describe('issuing certificates', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  const given = async () => {
    const { tenantId, apiKey } = await createTenant(h.db);
    const [bls, acls] = [await givenCertification(h.db, tenantId, 'bls', 'Basic Life Support'), await givenCertification(h.db, tenantId, 'acls', 'Advanced Cardiac Life Support')];
    return { tenantId, api: apiClient(h.baseUrl, apiKey), bls, acls };
  };

  test('numbers follow the default pattern {CERT}-{YYYY}-{SEQ:6} and count from 1 for each certification and year', async () => {
    const { tenantId, bls, acls } = await given();
    const [ada, bob, cy] = [await givenPerson(h.db, tenantId, 'Ada'), await givenPerson(h.db, tenantId, 'Bob'), await givenPerson(h.db, tenantId, 'Cy')];
    const numbers = [
      await issue(h.db, { tenantId, personId: ada.id, certificationId: bls.id }),
      await issue(h.db, { tenantId, personId: bob.id, certificationId: bls.id }),
      await issue(h.db, { tenantId, personId: ada.id, certificationId: acls.id }),
      await issue(h.db, { tenantId, personId: cy.id, certificationId: bls.id, issuedOn: new Date('2027-01-02'), expiresOn: new Date('2029-01-02') }),
      await issue(h.db, { tenantId, personId: cy.id, certificationId: acls.id, issuedOn: new Date('2026-12-31'), expiresOn: new Date('2028-12-31') }),
    ].map((c) => c.number);
    expect(numbers).toEqual(['BLS-2026-000001', 'BLS-2026-000002', 'ACLS-2026-000001', 'BLS-2027-000001', 'ACLS-2026-000002']);
    expect(await h.db.certificateCounter.findMany({ where: { tenantId }, orderBy: { scope: 'asc' }, select: { scope: true, value: true } })).toEqual([
      { scope: 'ACLS-2026-', value: 2 },
      { scope: 'BLS-2026-', value: 2 },
      { scope: 'BLS-2027-', value: 1 },
    ]);
    // Another tenant counts on its own.
    const other = await given();
    const dora = await givenPerson(h.db, other.tenantId, 'Dora');
    expect((await issue(h.db, { tenantId: other.tenantId, personId: dora.id, certificationId: other.bls.id })).number).toBe('BLS-2026-000001');
  });

  test("the tenant's own pattern and issuer name apply to certificates issued from then on; a wrong pattern is refused with what is wrong", async () => {
    const { tenantId, api, bls, acls } = await given();
    const ada = await givenPerson(h.db, tenantId);
    const before = await issue(h.db, { tenantId, personId: ada.id, certificationId: bls.id });
    expect(before.number).toBe('BLS-2026-000001');

    expect((await api.get('/api/v1/certificate-policy')).body).toEqual({ numberPattern: '{CERT}-{YYYY}-{SEQ:6}', issuerName: null, updatedAt: null });
    const saved = await api.put('/api/v1/certificate-policy', { numberPattern: 'STM/{YY}{MM}/{CERT}/{SEQ:3}', issuerName: "St. Mary's Hospital" });
    expect(saved.status).toBe(200);
    expect(saved.body).toEqual({ numberPattern: 'STM/{YY}{MM}/{CERT}/{SEQ:3}', issuerName: "St. Mary's Hospital", updatedAt: expect.any(String) });
    const audit = await h.db.auditEvent.findMany({ where: { tenantId, entityType: 'certificate_policy' } });
    expect(audit).toEqual([
      expect.objectContaining({
        action: 'certificate_policy.updated',
        entityId: tenantId,
        actorType: 'api_client',
        data: { before: { numberPattern: '{CERT}-{YYYY}-{SEQ:6}', issuerName: null, updatedAt: null }, after: saved.body },
      }),
    ]);
    // The same policy again changes nothing and audits nothing.
    expect((await api.put('/api/v1/certificate-policy', { numberPattern: 'STM/{YY}{MM}/{CERT}/{SEQ:3}', issuerName: "St. Mary's Hospital" })).body).toEqual(saved.body);
    expect(await h.db.auditEvent.count({ where: { tenantId, entityType: 'certificate_policy' } })).toBe(1);

    const after = await issue(h.db, { tenantId, personId: ada.id, certificationId: acls.id, issuedOn: new Date('2026-04-01'), expiresOn: new Date('2028-04-01') });
    expect(after.number).toBe('STM/2604/ACLS/001');
    const row = await h.db.certificate.findUniqueOrThrow({ where: { id: after.id } });
    expect(row.snapshot).toEqual({
      holder: { name: ada.name, email: ada.email, externalId: ada.externalId },
      certification: { key: 'acls', title: 'Advanced Cardiac Life Support' },
      issuerName: "St. Mary's Hospital",
    });
    // Numbers already issued keep theirs.
    expect((await h.db.certificate.findUniqueOrThrow({ where: { id: before.id } })).number).toBe('BLS-2026-000001');

    for (const [numberPattern, problem] of [
      ['{CERT}-{YYYY}', 'Must contain the sequence token {SEQ} or {SEQ:n} (e.g. {SEQ:6}), or numbers would repeat'],
      ['{CERT}-{DD}-{SEQ:4}', 'Unknown token {DD}; the tokens are {CERT}, {YYYY}, {YY}, {MM} and {SEQ} or {SEQ:n}'],
      ['{SEQ:4}-{SEQ:2}', 'Must contain the sequence token only once'],
      ['{CERT}-{SEQ:20}', '{SEQ:n} pads to at most 12 digits'],
      ['{CERT}<script>{SEQ}', '"<script>" may hold only letters, digits, spaces and . _ - / # : besides the tokens {CERT}, {YYYY}, {YY}, {MM}, {SEQ:n}'],
      [`${'X'.repeat(100)}{SEQ}`, 'Must be at most 100 characters'],
    ] as const) {
      const refused = await api.put('/api/v1/certificate-policy', { numberPattern, issuerName: null });
      expect(refused.status).toBe(400);
      expect(refused.body.error.details).toContainEqual({ field: 'body.numberPattern', message: problem });
    }
    expect((await api.get('/api/v1/certificate-policy')).body).toEqual(saved.body);
  });

  test('the sequence scope is the pattern with its sequence token removed: a changed padding continues the count', () => {
    const issuedOn = new Date('2026-03-14');
    expect(expandNumberPattern('{CERT}-{YYYY}-{SEQ:6}', { certificationKey: 'bls', issuedOn })).toEqual({ prefix: 'BLS-2026-', suffix: '', digits: 6, scope: 'BLS-2026-' });
    expect(expandNumberPattern('{CERT}-{YYYY}-{SEQ:4}', { certificationKey: 'bls', issuedOn }).scope).toBe('BLS-2026-');
    expect(expandNumberPattern('N{SEQ}/{YY}{MM}', { certificationKey: 'bls', issuedOn })).toEqual({ prefix: 'N', suffix: '/2603', digits: 0, scope: 'N/2603' });
    expect(parseNumberPattern('{SEQ}')).toMatchObject({ ok: true });
  });

  test('numbers issued at the same time in one scope are all different and consecutive', async () => {
    const { tenantId, bls } = await given();
    const people = await Promise.all(Array.from({ length: 6 }, (_, i) => givenPerson(h.db, tenantId, `Person ${i}`)));
    const issued = await Promise.all(people.map((p) => issue(h.db, { tenantId, personId: p.id, certificationId: bls.id })));
    expect(issued.map((c) => c.number).sort()).toEqual(['000001', '000002', '000003', '000004', '000005', '000006'].map((n) => `BLS-2026-${n}`));
  });

  test('the same cycle issued twice (a retried step, or two at once) is one certificate, numbered once, audited and e-mailed once', async () => {
    const { tenantId, bls } = await given();
    const ada = await givenPerson(h.db, tenantId);
    const [first, concurrent] = await Promise.all([
      issue(h.db, { tenantId, personId: ada.id, certificationId: bls.id }),
      issue(h.db, { tenantId, personId: ada.id, certificationId: bls.id }),
    ]);
    const again = await issue(h.db, { tenantId, personId: ada.id, certificationId: bls.id, issuedOn: new Date('2026-05-01') });
    const original = [first, concurrent].find((c) => c.created)!;
    expect([first.created, concurrent.created].sort()).toEqual([false, true]);
    for (const repeat of [[first, concurrent].find((c) => !c.created)!, again]) {
      expect(repeat).toEqual({ id: original.id, number: 'BLS-2026-000001', verificationCode: original.verificationCode, created: false, notificationId: null, commandIds: [] });
    }
    expect(await h.db.certificate.count({ where: { tenantId } })).toBe(1);
    expect(await h.db.auditEvent.count({ where: { tenantId, action: 'certificate.issued' } })).toBe(1);
    expect(await h.db.notification.count({ where: { tenantId } })).toBe(1);
    // The counter moved once: the next certificate is number 2.
    const bob = await givenPerson(h.db, tenantId, 'Bob');
    expect((await issue(h.db, { tenantId, personId: bob.id, certificationId: bls.id })).number).toBe('BLS-2026-000002');
  });

  test('the certificate records its dates, basis, code, snapshot, PDF fingerprint and audit entry', async () => {
    const { tenantId, bls } = await given();
    const ada = await givenPerson(h.db, tenantId, 'Ada Lovelace');
    const issued = await issue(h.db, { tenantId, personId: ada.id, certificationId: bls.id, actor: { type: 'system', id: `certification:${tenantId}:${bls.id}:${ada.id}` } });
    expect(issued.verificationCode).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){4}$/);
    const row = await h.db.certificate.findUniqueOrThrow({ where: { id: issued.id } });
    expect(row).toMatchObject({
      tenantId,
      personId: ada.id,
      certificationId: bls.id,
      number: 'BLS-2026-000001',
      verificationCode: issued.verificationCode,
      issuedOn: new Date('2026-03-14'),
      expiresOn: new Date('2028-03-14'),
      cycle: 1,
      basis: 'initial',
      previousId: null,
      supersededAt: null,
      revokedAt: null,
      source: 'trainhub',
    });
    expect(row.pdfSha256).toBe(createHash('sha256').update(row.pdf!).digest('hex'));
    expect(Buffer.from(row.pdf!).subarray(0, 5).toString()).toBe('%PDF-');
    const audit = await h.db.auditEvent.findFirstOrThrow({ where: { tenantId, action: 'certificate.issued' } });
    expect(audit).toMatchObject({
      entityType: 'certificate',
      entityId: issued.id,
      actorType: 'system',
      actorId: `certification:${tenantId}:${bls.id}:${ada.id}`,
      data: {
        number: 'BLS-2026-000001',
        personId: ada.id,
        certificationId: bls.id,
        certificationKey: 'bls',
        cycle: 1,
        basis: 'initial',
        issuedOn: '2026-03-14',
        expiresOn: '2028-03-14',
        previousId: null,
        supersedes: null,
        renewalRequestId: null,
        pdfSha256: row.pdfSha256,
      },
    });
    // Codes are unguessable: never the same twice.
    const bob = await givenPerson(h.db, tenantId, 'Bob');
    expect((await issue(h.db, { tenantId, personId: bob.id, certificationId: bls.id })).verificationCode).not.toBe(issued.verificationCode);
  });

  test('the next cycle supersedes the previous certificate; a revoked one stays revoked, not superseded; a chain names only its own certificates', async () => {
    const { tenantId, bls, acls } = await given();
    const ada = await givenPerson(h.db, tenantId);
    const first = await issue(h.db, { tenantId, personId: ada.id, certificationId: bls.id });
    const second = await issue(h.db, { tenantId, personId: ada.id, certificationId: bls.id, cycle: 2, basis: 'recertification', previousId: first.id, issuedOn: new Date('2028-01-10'), expiresOn: new Date('2030-03-14') });
    const [old, current] = await Promise.all([h.db.certificate.findUniqueOrThrow({ where: { id: first.id } }), h.db.certificate.findUniqueOrThrow({ where: { id: second.id } })]);
    expect(old.supersededAt).toEqual(expect.any(Date));
    expect(current).toMatchObject({ previousId: first.id, supersededAt: null, cycle: 2, basis: 'recertification', number: 'BLS-2028-000001' });
    expect((await h.db.auditEvent.findFirstOrThrow({ where: { entityId: second.id, action: 'certificate.issued' } })).data).toMatchObject({ previousId: first.id, supersedes: first.id });

    // A revoked certificate that a later one follows stays revoked, and is not marked superseded.
    await h.db.certificate.update({ where: { id: second.id }, data: { revokedAt: new Date(), revokedReason: 'issued in error' } });
    const third = await issue(h.db, { tenantId, personId: ada.id, certificationId: bls.id, cycle: 3, basis: 'initial', previousId: second.id, issuedOn: new Date('2028-02-01'), expiresOn: new Date('2030-02-01') });
    expect(await h.db.certificate.findUniqueOrThrow({ where: { id: second.id } })).toMatchObject({ supersededAt: null, revokedReason: 'issued in error' });
    expect((await h.db.auditEvent.findFirstOrThrow({ where: { entityId: third.id } })).data).toMatchObject({ previousId: second.id, supersedes: null });

    // A previous certificate of another certification cannot start a chain.
    await expect(issue(h.db, { tenantId, personId: ada.id, certificationId: acls.id, previousId: third.id })).rejects.toMatchObject({ code: 'certificate_chain_mismatch' });
    expect(await h.db.certificate.count({ where: { tenantId, certificationId: acls.id } })).toBe(0);
  });

  test('the holder is e-mailed the certification, number and expiry, with the verify page and the PDF, which both open', async () => {
    const { tenantId, bls } = await given();
    const ada = await givenPerson(h.db, tenantId, 'Ada Lovelace');
    const issued = await issue(h.db, { tenantId, personId: ada.id, certificationId: bls.id, taskQueue: h.taskQueue, actor: SYSTEM });
    expect(issued.commandIds).toHaveLength(1);
    await h.dispatcher.deliverNow(issued.commandIds);
    const mail = await h.mail.waitFor((m) => m.envelopeTo.includes(ada.email));
    expect(mail.subject).toBe('Your certificate: Basic Life Support (BLS-2026-000001)');
    const verifyUrl = `${PUBLIC_URL}/verify/${issued.verificationCode}`;
    expect(mail.text).toBe(
      `Hello Ada Lovelace,\n\nTenant ${(await h.db.tenant.findUniqueOrThrow({ where: { id: tenantId } })).slug} has issued you a certificate for Basic Life Support.\n\n` +
        'Certificate number: BLS-2026-000001\nIssued on: 2026-03-14\nExpires on: 2028-03-14 (valid until the day before)\n\n' +
        `Your certificate as a PDF:\n${verifyUrl}/certificate.pdf\n\n` +
        `Anyone you show it to can check it on its verify page (the QR code on the certificate leads there too):\n${verifyUrl}\n`,
    );
    const sent = await eventually(() => h.db.notification.findFirstOrThrow({ where: { tenantId } }), (n) => n.status === 'sent', 'the e-mail marked sent');
    expect(sent).toMatchObject({ key: `certificate:${issued.id}:issued`, personId: ada.id, toAddress: ada.email });

    const page = await fetch(verifyUrl.replace(PUBLIC_URL, h.baseUrl));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('BLS-2026-000001');
    const pdf = await fetch(`${verifyUrl}/certificate.pdf`.replace(PUBLIC_URL, h.baseUrl));
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const row = await h.db.certificate.findUniqueOrThrow({ where: { id: issued.id } });
    expect(createHash('sha256').update(Buffer.from(await pdf.arrayBuffer())).digest('hex')).toBe(row.pdfSha256);
  });
});
