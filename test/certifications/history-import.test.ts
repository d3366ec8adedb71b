import { canonicalVerificationCode } from '../../src/services/certifications/verification-codes';
import { dayIn } from '../../src/domain/time-zones';
import { startHarness, type Harness } from '../support/harness';
import { tenantWithApi } from '../catalog/fixtures';
import { givenCertificate, givenCertification, givenHolder } from './fixtures';

/**
 * The certificates people earned before trainhub come in as the earlier system's CSV export. Each
 * row stands on its own — a bad row is reported with its line, the good ones import — and a
 * certificate's number makes a re-import the same record. What people hold becomes where their
 * certification processes start: the newest certificate of each person × certification is current
 * (older ones are superseded), its status is set, and its process is woken.
 */
describe('importing certificate history', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    // The processes are another story: these tests look at the wake-up commands written.
    await h.stopWorker();
    await h.dispatcher.stop();
  });
  afterAll(async () => {
    await h.close();
  });

  const today = () => dayIn(Date.now(), 'UTC');
  const dayFromToday = (days: number) => new Date(Date.parse(`${today()}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

  async function postCsv(apiKey: string, csv: string | Buffer, contentType = 'text/csv; charset=utf-8') {
    const response = await fetch(`${h.baseUrl}/api/v1/certificates/import`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': contentType }, body: csv });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  async function tenantWithPeople() {
    const tenant = await tenantWithApi(h);
    const forklift = await givenCertification(h.db, tenant.tenantId, 'forklift', 'Forklift licence');
    const firstAid = await givenCertification(h.db, tenant.tenantId, 'first-aid', 'First aid');
    const ada = await givenHolder(h.db, tenant.tenantId, { name: 'Ada Lovelace' });
    const grace = await givenHolder(h.db, tenant.tenantId, { name: 'Grace Hopper' });
    return { ...tenant, forklift, firstAid, ada, grace };
  }

  test('good rows import, chained per person and certification; bad rows are reported by line; statuses set and processes woken', async () => {
    const { tenantId, apiKey, api, forklift, firstAid, ada, grace } = await tenantWithPeople();
    const csv = [
      'Number,Person,Certification,Issued,Expires,Site',
      `OLD-2,${ada.externalId},forklift,2023-02-20,${dayFromToday(200)},Hamburg`,
      `OLD-1,${ada.externalId},forklift,2021-03-01,2023-03-01,Hamburg`,
      `FA-1,${grace.email.toUpperCase()},first-aid,2022-01-01,2024-01-01,Bremen`,
      '',
      `X-1,E-nobody,forklift,2022-01-01,2024-01-01,Hamburg`,
      `X-2,${ada.externalId},forklift,2023-02-30,2024-01-01,Hamburg`,
      `X-3,${ada.externalId},forklift,2024-01-01,2023-01-01,Hamburg`,
      `"X-4\nwith a line break",${ada.externalId},sailing,2022-01-01,2024-01-01,Hamburg`,
      `X-5,${ada.externalId},forklift,2022-01-01`,
      `X-6,${ada.externalId},forklift,${dayFromToday(1)},${dayFromToday(800)},Hamburg`,
      `,${ada.externalId},,2022-01-01,2024-01-01,Hamburg`,
    ].join('\r\n');

    const response = await postCsv(apiKey, csv);
    expect(response).toEqual({
      status: 200,
      body: {
        imported: 3,
        unchanged: 0,
        rejected: 7,
        errors: [
          { line: 6, message: 'no person has the external id "E-nobody"' },
          { line: 7, message: 'issued "2023-02-30" is not a date (YYYY-MM-DD, 1900-2999)' },
          { line: 8, message: 'expires 2023-01-01 is not after issued 2024-01-01' },
          { line: 9, message: 'no certification has the key "sailing"' },
          { line: 11, message: 'the row has 4 columns; the header has 6' },
          { line: 12, message: `issued ${dayFromToday(1)} is in the future` },
          { line: 13, message: 'certification is empty; number is empty' },
        ],
        processesWoken: 2,
      },
    });

    const imported = await h.db.certificate.findMany({ where: { tenantId }, orderBy: { number: 'asc' } });
    expect(imported.map((c) => [c.number, c.personId, c.certificationId, c.cycle, c.basis, c.source, c.pdf, c.pdfSha256, c.supersededAt !== null])).toEqual([
      ['FA-1', grace.id, firstAid.id, 1, 'import', 'import', null, null, false],
      ['OLD-1', ada.id, forklift.id, 1, 'import', 'import', null, null, true],
      ['OLD-2', ada.id, forklift.id, 2, 'import', 'import', null, null, false],
    ]);
    const [fa1, old1, old2] = imported;
    expect(old2!.previousId).toBe(old1!.id);
    expect([old1!.previousId, fa1!.previousId]).toEqual([null, null]);
    for (const c of imported) expect(canonicalVerificationCode(c.verificationCode)).toBe(c.verificationCode);
    expect(new Set(imported.map((c) => c.verificationCode)).size).toBe(3);
    expect(old2!.snapshot).toEqual({
      holder: { name: 'Ada Lovelace', email: ada.email, externalId: ada.externalId },
      certification: { key: 'forklift', title: 'Forklift licence' },
      issuerName: expect.any(String),
    });

    const statuses = await h.db.certificationStatus.findMany({ where: { tenantId }, orderBy: { state: 'asc' } });
    expect(statuses.map((s) => [s.personId, s.certificationId, s.state, s.certificateId, s.workflowId])).toEqual([
      [ada.id, forklift.id, 'certified', old2!.id, `certification:${tenantId}:${forklift.id}:${ada.id}`],
      [grace.id, firstAid.id, 'expired', fa1!.id, `certification:${tenantId}:${firstAid.id}:${grace.id}`],
    ]);
    const commands = await h.db.processCommand.findMany({ where: { tenantId } });
    expect(commands.map((c) => [c.workflowId, c.workflowType, c.action, c.signalName, c.priority, c.args]).sort()).toEqual(
      [
        [`certification:${tenantId}:${forklift.id}:${ada.id}`, 'certification', 'signal_with_start', 'certificationChanged', 1, [{ tenantId, certificationId: forklift.id, personId: ada.id }]],
        [`certification:${tenantId}:${firstAid.id}:${grace.id}`, 'certification', 'signal_with_start', 'certificationChanged', 1, [{ tenantId, certificationId: firstAid.id, personId: grace.id }]],
      ].sort(),
    );
    const audit = await h.db.auditEvent.findMany({ where: { tenantId, action: 'certificate.imported' } });
    expect(audit.map((a) => a.entityId).sort()).toEqual(imported.map((c) => c.id).sort());
    expect(audit.find((a) => a.entityId === old2!.id)!.data).toMatchObject({ number: 'OLD-2', cycle: 2, basis: 'import', previousId: old1!.id, line: 2, superseded: false });

    // The person's certificates show them, with their verify pages and no PDF.
    const theirs = await api.get(`/api/v1/people/${ada.id}/certificates`);
    expect(theirs.body.certifications).toEqual([
      {
        certification: { id: forklift.id, key: 'forklift', title: 'Forklift licence' },
        state: 'certified',
        currentCertificateId: old2!.id,
        certificates: [
          expect.objectContaining({ number: 'OLD-2', status: 'valid', basis: 'import', source: 'import', previousNumber: 'OLD-1', pdfUrl: null, verifyUrl: `http://trainhub.test/verify/${old2!.verificationCode}` }),
          expect.objectContaining({ number: 'OLD-1', status: 'superseded', cycle: 1, previousNumber: null }),
        ],
      },
    ]);
  });

  test('the same file again changes nothing; other content under a number on record, or earlier in the file, is a row error', async () => {
    const { tenantId, apiKey, forklift, ada, grace } = await tenantWithPeople();
    const csv = `person,certification,issued,expires,number\n${ada.externalId},forklift,2022-05-01,2024-05-01,FL-77\n${grace.externalId},forklift,2023-05-01,${dayFromToday(30)},FL-78\n`;
    expect((await postCsv(apiKey, csv)).body).toMatchObject({ imported: 2, unchanged: 0, rejected: 0, errors: [] });
    const before = await h.db.certificate.findMany({ where: { tenantId }, orderBy: { number: 'asc' } });
    await h.db.processCommand.deleteMany({ where: { tenantId } });

    expect((await postCsv(apiKey, csv)).body).toEqual({ imported: 0, unchanged: 2, rejected: 0, errors: [], processesWoken: 0 });
    expect(await h.db.certificate.findMany({ where: { tenantId }, orderBy: { number: 'asc' } })).toEqual(before);
    expect(await h.db.processCommand.count({ where: { tenantId } })).toBe(0);

    const changed = [
      'person,certification,issued,expires,number',
      `${ada.externalId},forklift,2022-05-01,2024-06-01,FL-77`,
      `${grace.externalId},forklift,2023-05-01,${dayFromToday(30)},FL-78`,
      `${ada.externalId},forklift,2024-05-01,2026-05-01,FL-79`,
      `${grace.externalId},forklift,2024-05-01,2026-05-01,FL-79`,
      `${ada.externalId},forklift,2024-05-01,2026-05-01,FL-79`,
    ].join('\n');
    expect((await postCsv(apiKey, changed)).body).toEqual({
      imported: 1,
      unchanged: 2,
      rejected: 2,
      errors: [
        { line: 2, message: "number FL-77 is on record with other content (person, certification or dates); a certificate's record does not change" },
        { line: 5, message: 'number FL-79 appears on line 4 with other content' },
      ],
      processesWoken: 1,
    });
    expect((await h.db.certificate.findFirstOrThrow({ where: { tenantId, number: 'FL-77' } })).expiresOn.toISOString().slice(0, 10)).toBe('2024-05-01');
    // FL-79 is newer than FL-77: it becomes Ada's current certificate.
    const ada77 = await h.db.certificate.findFirstOrThrow({ where: { tenantId, number: 'FL-77' } });
    const ada79 = await h.db.certificate.findFirstOrThrow({ where: { tenantId, number: 'FL-79' } });
    expect([ada77.supersededAt !== null, ada79.supersededAt, ada79.cycle, ada79.previousId]).toEqual([true, null, 2, ada77.id]);
    expect((await h.db.certificationStatus.findFirstOrThrow({ where: { tenantId, personId: ada.id, certificationId: forklift.id } })).certificateId).toBe(ada79.id);
  });

  test("history older than a certificate trainhub issued stays history: it is superseded at once and the person's status is left as it was", async () => {
    const { tenantId, apiKey, forklift, ada, grace } = await tenantWithPeople();
    const issued = await givenCertificate(h.db, tenantId, { personId: ada.id, certificationId: forklift.id, number: 'FORKLIFT-2025-000001', issuedOn: '2025-01-10', expiresOn: dayFromToday(300) });
    await h.db.certificationStatus.create({ data: { tenantId, personId: ada.id, certificationId: forklift.id, state: 'window_open', certificateId: issued.id, workflowId: 'w' } });
    const older = await givenCertificate(h.db, tenantId, { personId: grace.id, certificationId: forklift.id, number: 'FORKLIFT-2020-000007', issuedOn: '2020-01-10', expiresOn: '2022-01-10' });

    const response = await postCsv(
      apiKey,
      [
        'person,certification,issued,expires,number',
        `${ada.externalId},forklift,2022-01-10,2024-01-10,LEGACY-1`,
        `${grace.externalId},forklift,2022-01-05,${dayFromToday(60)},LEGACY-2`,
        `${grace.externalId},forklift,2021-01-05,2023-01-05,FORKLIFT-2025-000001`,
      ].join('\n'),
    );
    expect(response.body).toMatchObject({ imported: 2, rejected: 1, errors: [{ line: 4, message: 'number FORKLIFT-2025-000001 is a certificate trainhub issued' }] });

    const legacy1 = await h.db.certificate.findFirstOrThrow({ where: { tenantId, number: 'LEGACY-1' } });
    expect([legacy1.cycle, legacy1.previousId, legacy1.supersededAt !== null]).toEqual([2, null, true]);
    expect((await h.db.certificate.findUniqueOrThrow({ where: { id: issued.id } })).supersededAt).toBeNull();
    expect(await h.db.certificationStatus.findFirstOrThrow({ where: { tenantId, personId: ada.id } })).toMatchObject({ state: 'window_open', certificateId: issued.id });

    // Grace's newer import supersedes what trainhub had on record.
    const legacy2 = await h.db.certificate.findFirstOrThrow({ where: { tenantId, number: 'LEGACY-2' } });
    expect([legacy2.cycle, legacy2.previousId, legacy2.supersededAt]).toEqual([2, older.id, null]);
    expect((await h.db.certificate.findUniqueOrThrow({ where: { id: older.id } })).supersededAt).not.toBeNull();
    expect(await h.db.certificationStatus.findFirstOrThrow({ where: { tenantId, personId: grace.id } })).toMatchObject({ state: 'certified', certificateId: legacy2.id });
    // Both processes look again.
    expect(await h.db.processCommand.count({ where: { tenantId } })).toBe(2);
  });

  test('a file that is not CSV, lacks a column, is too large or is not text/csv is refused whole; importing needs certifications:write', async () => {
    const { tenantId, apiKey, ada } = await tenantWithPeople();
    const missing = await postCsv(apiKey, `person,certification,issued,number\n${ada.externalId},forklift,2022-01-01,N-1\n`);
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ code: 'invalid_request', details: [{ line: 1, message: 'column "expires" is missing' }] });

    const unclosed = await postCsv(apiKey, `person,certification,issued,expires,number\n${ada.externalId},forklift,2022-01-01,2024-01-01,N-1\n"${ada.externalId},forklift,2022-01-01,2024-01-01,N-2\n`);
    expect(unclosed.status).toBe(400);
    expect(unclosed.body.error.message).toMatch(/^The body is not CSV \(line \d+\)/);

    expect((await postCsv(apiKey, '')).status).toBe(400);
    expect((await postCsv(apiKey, Buffer.from([0x70, 0xff, 0xfe, 0x0a]))).body.error.message).toBe('The CSV must be UTF-8 text');
    expect((await postCsv(apiKey, 'person,certification,issued,expires,number\n', 'text/plain')).status).toBe(415);

    const huge = `person,certification,issued,expires,number\n${`${ada.externalId},forklift,2022-01-01,2024-01-01,N-1\n`.repeat(150_000)}`;
    const tooLarge = await postCsv(apiKey, huge);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error.code).toBe('payload_too_large');

    const tooMany = `person,certification,issued,expires,number\n${Array.from({ length: 20_001 }, (_, i) => `${ada.externalId},forklift,2022-01-01,2024-01-01,N-${i}`).join('\n')}`;
    expect((await postCsv(apiKey, tooMany)).body.error.message).toMatch(/at most 20000 rows/);
    expect(await h.db.certificate.count({ where: { tenantId } })).toBe(0);

    const reader = await tenantWithApi(h, ['people:read', 'catalog:write']);
    expect((await postCsv(reader.apiKey, `person,certification,issued,expires,number\n`)).status).toBe(403);
  });
});
