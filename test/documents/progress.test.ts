import { createHash, randomUUID } from 'node:crypto';
import { createTenant, daysFromToday, givenCatalog } from '../support/builders';
import { givenPerson } from '../support/documents';
import { startHarness, type Harness } from '../support/harness';
import { apiClient } from '../support/http';

const sha256 = (content: string) => createHash('sha256').update(content).digest('hex');
const day = (iso: string) => new Date(`${iso}T00:00:00Z`);


/**
 * Reading where a document version's training stands: per version (affected, trained, outstanding,
 * overdue, and who with why) and per person (every document they owe, and why). The rows are
 * written here directly; computing them from an approval is the gap's work.
 */
describe("reading a document version's training, per version and per person", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  /** A tenant with an SOP for nurses and pharmacists (acknowledged) and a policy for nurses (a course), versions of each recorded. */
  async function tenantWithDocuments() {
    const { tenantId, apiKey } = await createTenant(h.db);
    const api = apiClient(h.baseUrl, apiKey);
    await givenCatalog(h.db, tenantId, { roles: { nurse: [], pharmacist: [] }, programs: { privacy: ['privacy-basics'] } });
    const sop = await api.put('/api/v1/document-types/sop', { name: 'Standard operating procedure', roles: ['nurse', 'pharmacist'], defaultImpact: 'retraining' });
    const policy = await api.put('/api/v1/document-types/policy', { name: 'Policy', roles: ['nurse'], defaultImpact: 'minor' });
    await api.put('/api/v1/documents/sop-cleaning', { title: 'Cleaning', documentType: 'sop', training: { kind: 'acknowledgement' }, dueOffsetDays: 14 });
    await api.put('/api/v1/documents/privacy-policy', { title: 'Privacy policy', documentType: 'policy', training: { kind: 'course', courseKey: 'privacy-basics' }, dueOffsetDays: 30 });
    const version = async (document: string, number: string, effectiveDate: string) =>
      (await api.put(`/api/v1/documents/${document}/versions/${number}`, { title: `${document} ${number}`, effectiveDate, contentHash: sha256(`${document} ${number}`) })).body;
    const versions = {
      cleaning2: await version('sop-cleaning', '2.0', daysFromToday(-60)),
      cleaning3: await version('sop-cleaning', '3.0', daysFromToday(-5)),
      privacy1: await version('privacy-policy', '1', daysFromToday(-20)),
    };
    const roles = Object.fromEntries((await h.db.role.findMany({ where: { tenantId } })).map((role) => [role.key, role]));
    const course = await h.db.course.findFirstOrThrow({ where: { tenantId, key: 'privacy-basics' } });
    return { tenantId, api, versions, roles, course, types: { sop: sop.body, policy: policy.body } };
  }

  async function givenTraining(tenantId: string, row: { versionId: string; personId: string; roleId: string; status: string; dueDate: string; completedAt?: Date }) {
    return h.db.documentTraining.create({ data: { tenantId, ...row, dueDate: day(row.dueDate), completedAt: row.completedAt ?? null } });
  }

  test("a version's progress counts affected, trained, outstanding and overdue; its trainings list says who and why, by status", async () => {
    const { tenantId, api, versions, roles, types } = await tenantWithDocuments();
    const [ada, bea, cyd, dan, eve] = [
      await givenPerson(h.db, tenantId, 'Ada Nurse'),
      await givenPerson(h.db, tenantId, 'Bea Pharmacist'),
      await givenPerson(h.db, tenantId, 'Cyd Nurse'),
      await givenPerson(h.db, tenantId, 'Dan Nurse'),
      await givenPerson(h.db, tenantId, 'Eve Author'),
    ];
    const v3 = versions.cleaning3.id;
    const doneAt = new Date('2026-05-04T10:30:00Z');
    await givenTraining(tenantId, { versionId: v3, personId: ada.id, roleId: roles.nurse!.id, status: 'open', dueDate: daysFromToday(9) });
    await givenTraining(tenantId, { versionId: v3, personId: bea.id, roleId: roles.pharmacist!.id, status: 'open', dueDate: daysFromToday(-1) });
    await givenTraining(tenantId, { versionId: v3, personId: cyd.id, roleId: roles.nurse!.id, status: 'completed', dueDate: daysFromToday(-1), completedAt: doneAt });
    await givenTraining(tenantId, { versionId: v3, personId: eve.id, roleId: roles.nurse!.id, status: 'credited', dueDate: daysFromToday(9), completedAt: doneAt });
    await givenTraining(tenantId, { versionId: v3, personId: dan.id, roleId: roles.nurse!.id, status: 'obsolete', dueDate: daysFromToday(-30) });
    // Another version's rows count for that version only.
    await givenTraining(tenantId, { versionId: versions.cleaning2.id, personId: dan.id, roleId: roles.nurse!.id, status: 'open', dueDate: daysFromToday(-30) });

    const version = await api.get('/api/v1/documents/sop-cleaning/versions/3.0');
    expect(version.status).toBe(200);
    expect(version.body.progress).toEqual({ affected: 4, trained: 2, outstanding: 2, overdue: 1 });
    const list = await api.get('/api/v1/documents/sop-cleaning/versions');
    expect(list.body.data.map((v: { version: string; progress: object }) => [v.version, v.progress])).toEqual([
      ['3.0', { affected: 4, trained: 2, outstanding: 2, overdue: 1 }],
      ['2.0', { affected: 1, trained: 0, outstanding: 1, overdue: 1 }],
    ]);

    const why = (role: 'nurse' | 'pharmacist') => ({
      role: { id: roles[role]!.id, key: role, name: roles[role]!.name },
      documentType: { id: types.sop.id, key: 'sop', name: 'Standard operating procedure' },
      training: { kind: 'acknowledgement' },
    });
    const line = (person: typeof ada, role: 'nurse' | 'pharmacist', status: string, dueDate: string, completedAt: string | null, overdue = false) => ({
      person: { id: person.id, externalId: person.externalId, name: person.name },
      status,
      overdue,
      dueDate,
      assignedAt: expect.any(String),
      completedAt,
      why: why(role),
    });
    const everyone = await api.get('/api/v1/documents/sop-cleaning/versions/3.0/trainings');
    expect(everyone).toEqual({
      status: 200,
      body: {
        data: [
          line(ada, 'nurse', 'open', daysFromToday(9), null),
          line(bea, 'pharmacist', 'open', daysFromToday(-1), null, true),
          line(cyd, 'nurse', 'completed', daysFromToday(-1), doneAt.toISOString()),
          line(eve, 'nurse', 'credited', daysFromToday(9), doneAt.toISOString()),
        ],
        nextCursor: null,
      },
    });

    const names = async (query: string) => (await api.get(`/api/v1/documents/sop-cleaning/versions/3.0/trainings?${query}`)).body.data.map((l: { person: { name: string } }) => l.person.name);
    expect(await names('status=open')).toEqual(['Ada Nurse', 'Bea Pharmacist']);
    expect(await names('status=overdue')).toEqual(['Bea Pharmacist']);
    expect(await names('status=completed')).toEqual(['Cyd Nurse']);
    expect(await names('status=credited')).toEqual(['Eve Author']);
    expect(await names('status=obsolete')).toEqual(['Dan Nurse']);

    const first = await api.get('/api/v1/documents/sop-cleaning/versions/3.0/trainings?limit=3');
    const rest = await api.get(`/api/v1/documents/sop-cleaning/versions/3.0/trainings?limit=3&cursor=${first.body.nextCursor}`);
    expect([...first.body.data, ...rest.body.data]).toEqual(everyone.body.data);
    expect(rest.body.nextCursor).toBeNull();

    const badStatus = await api.get('/api/v1/documents/sop-cleaning/versions/3.0/trainings?status=late');
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.error.details).toEqual([expect.objectContaining({ field: 'query.status' })]);
    expect((await api.get('/api/v1/documents/sop-cleaning/versions/9.0/trainings')).status).toBe(404);
  });

  test('a version nobody owes yet reads as zero everywhere', async () => {
    const { api } = await tenantWithDocuments();

    expect((await api.get('/api/v1/documents/privacy-policy/versions/1')).body.progress).toEqual({ affected: 0, trained: 0, outstanding: 0, overdue: 0 });
    expect(await api.get('/api/v1/documents/privacy-policy/versions/1/trainings')).toEqual({ status: 200, body: { data: [], nextCursor: null } });
  });

  test("a person's documents: every version they owe or did, newest first, with why (role → document type → training), obsolete ones left out", async () => {
    const { tenantId, api, versions, roles, types, course } = await tenantWithDocuments();
    const ada = await givenPerson(h.db, tenantId, 'Ada Nurse');
    const someoneElse = await givenPerson(h.db, tenantId, 'Bea Nurse');
    const doneAt = new Date('2026-04-01T12:00:00Z');
    await givenTraining(tenantId, { versionId: versions.cleaning2.id, personId: ada.id, roleId: roles.nurse!.id, status: 'obsolete', dueDate: daysFromToday(-46) });
    await givenTraining(tenantId, { versionId: versions.cleaning3.id, personId: ada.id, roleId: roles.pharmacist!.id, status: 'open', dueDate: daysFromToday(-1) });
    await givenTraining(tenantId, { versionId: versions.privacy1.id, personId: ada.id, roleId: roles.nurse!.id, status: 'completed', dueDate: daysFromToday(10), completedAt: doneAt });
    await givenTraining(tenantId, { versionId: versions.privacy1.id, personId: someoneElse.id, roleId: roles.nurse!.id, status: 'open', dueDate: daysFromToday(10) });

    const documents = await api.get(`/api/v1/people/${ada.id}/documents`);

    expect(documents).toEqual({
      status: 200,
      body: {
        data: [
          {
            document: { id: versions.cleaning3.document.id, key: 'sop-cleaning', title: 'Cleaning' },
            version: { id: versions.cleaning3.id, version: '3.0', title: 'sop-cleaning 3.0', status: 'draft', effectiveDate: daysFromToday(-5) },
            status: 'open',
            overdue: true,
            dueDate: daysFromToday(-1),
            assignedAt: expect.any(String),
            completedAt: null,
            why: {
              role: { id: roles.pharmacist!.id, key: 'pharmacist', name: roles.pharmacist!.name },
              documentType: { id: types.sop.id, key: 'sop', name: 'Standard operating procedure' },
              training: { kind: 'acknowledgement' },
            },
          },
          {
            document: { id: versions.privacy1.document.id, key: 'privacy-policy', title: 'Privacy policy' },
            version: { id: versions.privacy1.id, version: '1', title: 'privacy-policy 1', status: 'draft', effectiveDate: daysFromToday(-20) },
            status: 'completed',
            overdue: false,
            dueDate: daysFromToday(10),
            assignedAt: expect.any(String),
            completedAt: doneAt.toISOString(),
            why: {
              role: { id: roles.nurse!.id, key: 'nurse', name: roles.nurse!.name },
              documentType: { id: types.policy.id, key: 'policy', name: 'Policy' },
              training: { kind: 'course', course: { id: course.id, key: 'privacy-basics', title: course.title } },
            },
          },
        ],
      },
    });
    expect(await api.get(`/api/v1/people/${someoneElse.id}/documents`)).toMatchObject({ status: 200, body: { data: [expect.objectContaining({ status: 'open' })] } });
  });

  test("a person's documents need people:read; an unknown person, or another tenant's, is 404; a malformed id is 400", async () => {
    const { tenantId } = await tenantWithDocuments();
    const ada = await givenPerson(h.db, tenantId, 'Ada Nurse');
    const other = await createTenant(h.db);
    const otherApi = apiClient(h.baseUrl, other.apiKey);
    const catalogOnly = apiClient(h.baseUrl, (await createTenant(h.db, ['catalog:read'])).apiKey);

    expect((await otherApi.get(`/api/v1/people/${ada.id}/documents`)).status).toBe(404);
    expect((await otherApi.get(`/api/v1/people/${randomUUID()}/documents`)).status).toBe(404);
    expect((await otherApi.get('/api/v1/people/ada/documents')).status).toBe(400);
    expect((await catalogOnly.get(`/api/v1/people/${randomUUID()}/documents`)).status).toBe(403);
    expect(await otherApi.get(`/api/v1/people/${ada.id}/documents`)).toMatchObject({ body: { error: { code: 'not_found' } } });
  });
});
