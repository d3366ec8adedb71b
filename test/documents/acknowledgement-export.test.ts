import { createHash, randomUUID } from 'node:crypto';
import type { Db } from '../../src/db/client';
import { recordAcknowledgement } from '../../src/services/documents/acknowledgements';
import { createApiClient } from '../../src/services/identity/api-keys';
import { createTenant } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { apiClient } from '../support/http';

const MEANING = 'I have read and understood SOP-7 Cleaning of sterile rooms, version 3.0, and will follow it.';
const HEADER = 'person_external_id,name,email,signed_at,version,content_hash,meaning,link_id,address';

/** Version 3.0 of SOP-7, to be signed as read and understood by the people `names` (each owing it). */
async function givenSop(db: Db, names: readonly string[]) {
  const { tenantId, apiKey } = await createTenant(db);
  const contentHash = createHash('sha256').update(`SOP-7 rev 3 ${randomUUID()}`).digest('hex');
  const role = await db.role.create({ data: { tenantId, key: 'pharmacist', name: 'Pharmacist' } });
  const type = await db.documentType.create({ data: { tenantId, key: 'sop', name: 'Standard operating procedure', roles: { create: [{ tenantId, roleId: role.id }] } } });
  const document = await db.document.create({ data: { tenantId, key: 'sop-7', title: 'SOP-7 Cleaning of sterile rooms', documentTypeId: type.id, training: 'acknowledgement' } });
  const version = await db.documentVersion.create({
    data: { tenantId, documentId: document.id, version: '3.0', title: 'SOP-7 Cleaning of sterile rooms', status: 'effective', approvedAt: new Date(), effectiveDate: new Date('2026-12-01'), contentHash, authorIds: [] },
  });
  const people = [];
  for (const [i, name] of names.entries()) {
    const externalId = `P-${i + 1}-${randomUUID().slice(0, 6)}`;
    const person = await db.person.create({
      data: { tenantId, source: 'workday', externalId, email: `${externalId.toLowerCase()}@example.com`, name, hireDate: new Date('2025-01-06'), roles: { create: [{ tenantId, roleId: role.id }] } },
    });
    await db.documentTraining.create({ data: { tenantId, versionId: version.id, personId: person.id, roleId: role.id, status: 'open', dueDate: new Date('2026-12-15') } });
    people.push(person);
  }
  /** Records the person's signature as the sign page does (here with a given moment and address). */
  const sign = (personId: string, signedAt: string, address: string | null) =>
    db.$transaction((tx) => recordAcknowledgement(tx, { tenantId, versionId: version.id, personId, linkId: randomUUID(), address, signedAt: new Date(signedAt) }));
  return { tenantId, apiKey, version, contentHash, people, sign };
}

async function getCsv(baseUrl: string, apiKey: string, path: string) {
  const response = await fetch(`${baseUrl}/api/v1${path}`, { headers: { authorization: `Bearer ${apiKey}` } });
  return { status: response.status, type: response.headers.get('content-type'), disposition: response.headers.get('content-disposition'), text: await response.text() };
}

/**
 * Auditors export a document version's "read and understood" signatures: one row per signature with
 * who (external id, name, e-mail), when, which version and content hash, what it meant, the link the
 * person signed with and where from — as CSV (RFC 4180) or JSON, for the API key's own tenant only,
 * with the audit:read scope.
 */
describe("exporting a document version's acknowledgements", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  test('the CSV has a header row and one exactly quoted row per signature, oldest first', async () => {
    const sop = await givenSop(h.db, ['Doe, "Jo"', 'Ann Able', '=1+1']);
    const [jo, ann, formula] = sop.people as [(typeof sop.people)[0], (typeof sop.people)[0], (typeof sop.people)[0]];
    const second = await sop.sign(jo.id, '2026-12-02T08:30:00.000Z', '10.1.2.3');
    const first = await sop.sign(ann.id, '2026-12-01T16:05:09.123Z', null);
    const third = await sop.sign(formula.id, '2026-12-03T07:00:00.000Z', '2001:db8::7');

    const csv = await getCsv(h.baseUrl, sop.apiKey, '/documents/sop-7/versions/3.0/acknowledgements.csv');
    expect(csv.status).toBe(200);
    expect(csv.type).toBe('text/csv; charset=utf-8');
    expect(csv.disposition).toBe('attachment; filename="acknowledgements-sop-7-3.0.csv"');
    const meaning = `"${MEANING}"`;
    expect(csv.text).toBe(
      [
        HEADER,
        `${ann.externalId},Ann Able,${ann.email},2026-12-01T16:05:09.123Z,3.0,${sop.contentHash},${meaning},${first.linkId},`,
        `${jo.externalId},"Doe, ""Jo""",${jo.email},2026-12-02T08:30:00.000Z,3.0,${sop.contentHash},${meaning},${second.linkId},10.1.2.3`,
        // A cell a spreadsheet would run as a formula is neutralised.
        `${formula.externalId},'=1+1,${formula.email},2026-12-03T07:00:00.000Z,3.0,${sop.contentHash},${meaning},${third.linkId},2001:db8::7`,
        '',
      ].join('\r\n'),
    );

    // The document may be named by id as well as by key.
    const byId = await getCsv(h.baseUrl, sop.apiKey, `/documents/${sop.version.documentId}/versions/3.0/acknowledgements.csv`);
    expect(byId.text).toBe(csv.text);
  });

  test('the JSON lists the same records, a page at a time', async () => {
    const sop = await givenSop(h.db, ['Ann Able', 'Ben Baker', 'Cy Cole']);
    const [ann, ben, cy] = sop.people as [(typeof sop.people)[0], (typeof sop.people)[0], (typeof sop.people)[0]];
    const signatures = [
      await sop.sign(ann.id, '2026-12-01T09:00:00.000Z', '10.0.0.1'),
      await sop.sign(ben.id, '2026-12-01T10:00:00.000Z', null),
      await sop.sign(cy.id, '2026-12-01T11:00:00.000Z', '10.0.0.3'),
    ];
    const api = apiClient(h.baseUrl, sop.apiKey);
    const line = (person: typeof ann, i: number) => ({
      id: signatures[i]!.id,
      person: { id: person.id, externalId: person.externalId, name: person.name, email: person.email },
      signedAt: signatures[i]!.signedAt.toISOString(),
      version: '3.0',
      contentHash: sop.contentHash,
      meaning: MEANING,
      linkId: signatures[i]!.linkId,
      address: signatures[i]!.address,
    });

    const first = await api.get('/api/v1/documents/sop-7/versions/3.0/acknowledgements?limit=2');
    expect(first).toEqual({ status: 200, body: { data: [line(ann, 0), line(ben, 1)], nextCursor: expect.any(String) } });
    const rest = await api.get(`/api/v1/documents/sop-7/versions/3.0/acknowledgements?limit=2&cursor=${first.body.nextCursor}`);
    expect(rest).toEqual({ status: 200, body: { data: [line(cy, 2)], nextCursor: null } });
  });

  test("a tenant sees only its own signatures; another tenant's document is 404", async () => {
    const mine = await givenSop(h.db, ['Ann Able']);
    const theirs = await givenSop(h.db, ['Zed Zee']);
    await mine.sign(mine.people[0]!.id, '2026-12-01T09:00:00.000Z', null);
    await theirs.sign(theirs.people[0]!.id, '2026-12-01T09:00:00.000Z', null);

    // Both tenants have an sop-7 version 3.0: each key reads its own.
    const csv = await getCsv(h.baseUrl, mine.apiKey, '/documents/sop-7/versions/3.0/acknowledgements.csv');
    expect(csv.text.split('\r\n').filter(Boolean)).toHaveLength(2);
    expect(csv.text).toContain(mine.people[0]!.externalId);
    expect(csv.text).not.toContain(theirs.people[0]!.externalId);

    // Named by id, the other tenant's document does not exist for this key.
    const api = apiClient(h.baseUrl, mine.apiKey);
    const byTheirId = await api.get(`/api/v1/documents/${theirs.version.documentId}/versions/3.0/acknowledgements`);
    expect(byTheirId.status).toBe(404);
    expect(byTheirId.body.error.code).toBe('not_found');
    expect((await getCsv(h.baseUrl, mine.apiKey, `/documents/${theirs.version.documentId}/versions/3.0/acknowledgements.csv`)).status).toBe(404);
    // A version the document does not have is 404 too.
    expect((await api.get('/api/v1/documents/sop-7/versions/9.9/acknowledgements')).body.error).toMatchObject({ code: 'not_found', message: 'document version sop-7 9.9 does not exist' });
  });

  test('the export needs the audit:read scope', async () => {
    const sop = await givenSop(h.db, ['Ann Able']);
    const { key } = await createApiClient(h.db, { tenantId: sop.tenantId, name: 'hr-only', scopes: ['hr:write', 'people:read'] });
    const csv = await getCsv(h.baseUrl, key, '/documents/sop-7/versions/3.0/acknowledgements.csv');
    expect(csv.status).toBe(403);
    expect(JSON.parse(csv.text).error).toMatchObject({ code: 'forbidden', details: { requiredScope: 'audit:read' } });
    expect((await apiClient(h.baseUrl, key).get('/api/v1/documents/sop-7/versions/3.0/acknowledgements')).status).toBe(403);
  });
});
