import { randomUUID } from 'node:crypto';
import { createApiClient } from '../../src/services/identity/api-keys';
import { createTenant } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { apiClient } from '../support/http';
import { givenCertification, givenPerson, issue, PUBLIC_URL } from './certificate-fixtures';

/**
 * An issued certificate through the API: what it is (number, dates, status, verify page, where it
 * stands in its chain), its PDF, and its revocation — once, with a reason, audited, and with the
 * holder's certification process woken in the same transaction. Another tenant's certificate does
 * not exist here; a key without the scope is refused.
 */
describe('certificates through the API, and revocation', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  /** Ada holds BLS: cycle 1 (superseded) then cycle 2 (current). */
  const given = async () => {
    const { tenantId, apiKey } = await createTenant(h.db);
    const api = apiClient(h.baseUrl, apiKey);
    const bls = await givenCertification(h.db, tenantId, 'bls', 'Basic Life Support');
    const ada = await givenPerson(h.db, tenantId, 'Ada Lovelace');
    const first = await issue(h.db, { tenantId, personId: ada.id, certificationId: bls.id, issuedOn: new Date('2024-03-14'), expiresOn: new Date('2026-03-14') });
    const second = await issue(h.db, {
      tenantId,
      personId: ada.id,
      certificationId: bls.id,
      cycle: 2,
      basis: 'recertification',
      previousId: first.id,
      issuedOn: new Date('2026-02-01'),
      expiresOn: new Date('2099-03-14'),
    });
    return { tenantId, apiKey, api, bls, ada, first, second };
  };

  test('a certificate shows its number, code, verify page, dates, status, holder, certification and both neighbours in its chain', async () => {
    const { tenantId, api, bls, ada, first, second } = await given();
    const row = await h.db.certificate.findUniqueOrThrow({ where: { id: second.id } });
    const current = await api.get(`/api/v1/certificates/${second.id}`);
    expect(current.status).toBe(200);
    expect(current.body).toEqual({
      id: second.id,
      number: 'BLS-2026-000001',
      verificationCode: second.verificationCode,
      verifyUrl: `${PUBLIC_URL}/verify/${second.verificationCode}`,
      pdfUrl: `${PUBLIC_URL}/verify/${second.verificationCode}/certificate.pdf`,
      pdfSha256: row.pdfSha256,
      status: 'valid',
      issuedOn: '2026-02-01',
      expiresOn: '2099-03-14',
      cycle: 2,
      basis: 'recertification',
      source: 'trainhub',
      holder: { id: ada.id, externalId: ada.externalId, name: 'Ada Lovelace', email: ada.email },
      certification: { id: bls.id, key: 'bls', title: 'Basic Life Support' },
      issuerName: (await h.db.tenant.findUniqueOrThrow({ where: { id: tenantId } })).name,
      previous: { id: first.id, number: 'BLS-2024-000001', issuedOn: '2024-03-14', expiresOn: '2026-03-14', status: 'superseded' },
      next: null,
      supersededAt: null,
      revocation: null,
      renewalRequestId: null,
      createdAt: row.createdAt.toISOString(),
    });
    const old = (await api.get(`/api/v1/certificates/${first.id}`)).body;
    expect(old).toMatchObject({ status: 'superseded', supersededAt: expect.any(String), previous: null, next: { id: second.id, number: 'BLS-2026-000001', status: 'valid' } });
  });

  test('revoking records when and why, audits it and queues a wake-up of the holder’s certification process; revoking again is 409 and changes nothing', async () => {
    const { tenantId, api, bls, ada, first, second } = await given();
    const revoked = await api.post(`/api/v1/certificates/${second.id}/revoke`, { reason: 'Issued in error: the assessment was not passed' });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id: second.id, status: 'revoked', revocation: { revokedAt: expect.any(String), reason: 'Issued in error: the assessment was not passed' } });
    const row = await h.db.certificate.findUniqueOrThrow({ where: { id: second.id } });
    expect(row).toMatchObject({ revokedAt: new Date(revoked.body.revocation.revokedAt), revokedReason: 'Issued in error: the assessment was not passed', supersededAt: null });

    const audit = await h.db.auditEvent.findMany({ where: { tenantId, action: 'certificate.revoked' } });
    expect(audit).toEqual([
      expect.objectContaining({
        actorType: 'api_client',
        entityType: 'certificate',
        entityId: second.id,
        reason: 'Issued in error: the assessment was not passed',
        data: { number: 'BLS-2026-000001', personId: ada.id, certificationId: bls.id, reason: 'Issued in error: the assessment was not passed' },
      }),
    ]);
    const commands = await h.db.processCommand.findMany({ where: { tenantId, workflowType: 'certification' } });
    expect(commands).toEqual([
      expect.objectContaining({
        workflowId: `certification:${tenantId}:${bls.id}:${ada.id}`,
        action: 'signal_with_start',
        args: [{ tenantId, certificationId: bls.id, personId: ada.id }],
        signalName: 'certificationChanged',
        taskQueue: h.taskQueue,
      }),
    ]);

    const again = await api.post(`/api/v1/certificates/${second.id}/revoke`, { reason: 'Again' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'certificate_revoked', details: { id: second.id, revokedAt: row.revokedAt!.toISOString() } });
    expect(await h.db.certificate.findUniqueOrThrow({ where: { id: second.id } })).toMatchObject({ revokedAt: row.revokedAt, revokedReason: 'Issued in error: the assessment was not passed' });
    expect(await h.db.auditEvent.count({ where: { tenantId, action: 'certificate.revoked' } })).toBe(1);
    expect(await h.db.processCommand.count({ where: { tenantId, workflowType: 'certification' } })).toBe(1);

    // A revocation needs a reason.
    for (const body of [{}, { reason: '   ' }, { reason: 'x'.repeat(1001) }, { reason: 'ok', extra: true }]) {
      expect((await api.post(`/api/v1/certificates/${first.id}/revoke`, body)).status).toBe(400);
    }
  });

  test("another tenant's certificate does not exist here: 404 to read, download or revoke it, and it stays as it was", async () => {
    const mine = await given();
    const theirs = await given();
    for (const path of [`/api/v1/certificates/${theirs.second.id}`, `/api/v1/certificates/${theirs.second.id}/pdf`]) {
      const response = await mine.api.get(path);
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('not_found');
    }
    expect((await mine.api.post(`/api/v1/certificates/${theirs.second.id}/revoke`, { reason: 'not mine' })).status).toBe(404);
    expect(await h.db.certificate.findUniqueOrThrow({ where: { id: theirs.second.id } })).toMatchObject({ revokedAt: null });
    expect(await h.db.processCommand.count({ where: { tenantId: { in: [mine.tenantId, theirs.tenantId] }, workflowType: 'certification' } })).toBe(0);
    expect((await mine.api.get('/api/v1/certificates/not-a-uuid')).status).toBe(400);
  });

  test('reading needs people:read, revoking and the certificate policy certifications:write', async () => {
    const { tenantId, second } = await given();
    const { apiKey: readerKey } = await createTenant(h.db); // a key of another tenant is not enough either
    const reader = apiClient(h.baseUrl, readerKey);
    expect((await reader.get(`/api/v1/certificates/${second.id}`)).status).toBe(404);

    const readOnlyKey = (await createApiClient(h.db, { tenantId, name: 'hr-portal', scopes: ['people:read', 'catalog:read'] })).key;
    const readOnly = apiClient(h.baseUrl, readOnlyKey);
    const noPeople = apiClient(h.baseUrl, (await createApiClient(h.db, { tenantId, name: 'lms', scopes: ['completions:write'] })).key);
    expect((await readOnly.get(`/api/v1/certificates/${second.id}`)).status).toBe(200);
    const pdf = await fetch(`${h.baseUrl}/api/v1/certificates/${second.id}/pdf`, { headers: { authorization: `Bearer ${readOnlyKey}` } });
    expect([pdf.status, pdf.headers.get('content-type')]).toEqual([200, 'application/pdf']);
    const refused = await readOnly.post(`/api/v1/certificates/${second.id}/revoke`, { reason: 'no scope' });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'forbidden', details: { requiredScope: 'certifications:write' } });
    expect((await readOnly.put('/api/v1/certificate-policy', { numberPattern: '{SEQ}', issuerName: null })).status).toBe(403);
    expect((await readOnly.get('/api/v1/certificate-policy')).status).toBe(200);
    for (const path of [`/api/v1/certificates/${second.id}`, `/api/v1/certificates/${second.id}/pdf`]) expect((await noPeople.get(path)).status).toBe(403);
    expect(await h.db.certificate.findUniqueOrThrow({ where: { id: second.id } })).toMatchObject({ revokedAt: null });
  });

  test('a certificate imported without a PDF has none to download', async () => {
    const { tenantId, api, bls, ada } = await given();
    const imported = await h.db.certificate.create({
      data: {
        tenantId,
        personId: ada.id,
        certificationId: bls.id,
        number: 'OLD-77',
        verificationCode: `import-${randomUUID()}`,
        issuedOn: new Date('2020-01-01'),
        expiresOn: new Date('2022-01-01'),
        cycle: 9,
        basis: 'import',
        snapshot: {},
        source: 'legacy-lms',
      },
    });
    const view = await api.get(`/api/v1/certificates/${imported.id}`);
    expect(view.body).toMatchObject({ number: 'OLD-77', pdfUrl: null, pdfSha256: null, status: 'expired', holder: { name: 'Ada Lovelace' }, certification: { key: 'bls' }, issuerName: null });
    const pdf = await api.get(`/api/v1/certificates/${imported.id}/pdf`);
    expect(pdf.status).toBe(404);
    expect(pdf.body.error.code).toBe('no_certificate_pdf');
  });
});
