import { createHash, randomUUID } from 'node:crypto';
import { daysFromToday, givenCatalog } from '../support/builders';
import { givenPerson } from '../support/documents';
import { startHarness, type Harness } from '../support/harness';
import { tenantWithApi } from '../catalog/fixtures';

const sha256 = (content: string) => createHash('sha256').update(content).digest('hex');


/**
 * Controlled documents are kept through the API: document types mapped to the roles they touch,
 * documents mapped to the training a version requires, and versions recorded as drafts until the
 * document system approves them — after which their content no longer changes.
 */
describe('documents and their versions', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  async function tenantWithRoles() {
    const tenant = await tenantWithApi(h);
    await givenCatalog(h.db, tenant.tenantId, { roles: { nurse: [], pharmacist: [], porter: [] }, programs: { 'gmp-basics': ['gmp-intro'] } });
    return tenant;
  }

  test('a document type is created, replaced, read by key or id, listed and deleted by PUT/GET/DELETE, each change audited', async () => {
    const { tenantId, api } = await tenantWithRoles();
    const roles = await h.db.role.findMany({ where: { tenantId }, orderBy: { key: 'asc' } });
    const ref = (key: string) => {
      const role = roles.find((r) => r.key === key)!;
      return { id: role.id, key: role.key, name: role.name };
    };

    const created = await api.put('/api/v1/document-types/sop', { name: 'Standard operating procedure', roles: ['pharmacist', 'nurse'], defaultImpact: 'retraining' });
    expect(created).toEqual({
      status: 201,
      body: { id: expect.any(String), key: 'sop', name: 'Standard operating procedure', roles: [ref('nurse'), ref('pharmacist')], defaultImpact: 'retraining', createdAt: expect.any(String) },
    });

    const replaced = await api.put('/api/v1/document-types/sop', { name: 'SOP', roles: ['porter'], defaultImpact: 'minor' });
    expect(replaced).toEqual({ status: 200, body: { ...created.body, name: 'SOP', roles: [ref('porter')], defaultImpact: 'minor' } });
    const same = await api.put('/api/v1/document-types/sop', { name: 'SOP', roles: ['porter'], defaultImpact: 'minor' });
    expect(same).toEqual({ status: 200, body: replaced.body });

    await api.put('/api/v1/document-types/policy', { name: 'Policy', roles: [], defaultImpact: 'retraining' });
    expect(await api.get(`/api/v1/document-types/${created.body.id}`)).toEqual({ status: 200, body: replaced.body });
    const firstPage = await api.get('/api/v1/document-types?limit=1');
    expect(firstPage.body.data.map((t: { key: string }) => t.key)).toEqual(['policy']);
    const secondPage = await api.get(`/api/v1/document-types?limit=1&cursor=${firstPage.body.nextCursor}`);
    expect(secondPage.body).toEqual({ data: [replaced.body], nextCursor: null });

    expect((await api.delete('/api/v1/document-types/sop')).status).toBe(204);
    expect((await api.get('/api/v1/document-types/sop')).status).toBe(404);
    expect(await h.db.documentTypeRole.count({ where: { tenantId } })).toBe(0);

    const audit = await h.db.auditEvent.findMany({ where: { tenantId, entityId: created.body.id }, orderBy: { at: 'asc' } });
    expect(audit.map((event) => [event.action, event.data])).toEqual([
      ['document_type.created', { before: null, after: created.body }],
      ['document_type.updated', { before: created.body, after: replaced.body }],
      ['document_type.deleted', { before: replaced.body, after: null }],
    ]);
  });

  test('a document type naming unknown roles is 422 unknown_role naming each; bad keys and impacts are 400; one in use is 409', async () => {
    const { tenantId, api } = await tenantWithRoles();

    const unknown = await api.put('/api/v1/document-types/sop', { name: 'SOP', roles: ['nurse', 'surgeon', 'chemist'], defaultImpact: 'retraining' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toMatchObject({ code: 'unknown_role', details: { role: ['surgeon', 'chemist'] } });

    const badKey = await api.put('/api/v1/document-types/Big%20SOP', { name: 'SOP', roles: [], defaultImpact: 'retraining' });
    expect(badKey.status).toBe(400);
    expect(badKey.body.error.details).toEqual([expect.objectContaining({ field: 'path.key' })]);
    const badImpact = await api.put('/api/v1/document-types/sop', { name: 'SOP', roles: ['nurse', 'nurse'], defaultImpact: 'major' });
    expect(badImpact.status).toBe(400);
    expect(badImpact.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['body.defaultImpact', 'body.roles']);
    expect(await h.db.documentType.count({ where: { tenantId } })).toBe(0);

    await api.put('/api/v1/document-types/sop', { name: 'SOP', roles: ['nurse'], defaultImpact: 'retraining' });
    await api.put('/api/v1/documents/cleaning', { title: 'Cleaning', documentType: 'sop', training: { kind: 'acknowledgement' }, dueOffsetDays: 14 });
    const inUse = await api.delete('/api/v1/document-types/sop');
    expect(inUse.status).toBe(409);
    expect(inUse.body.error).toMatchObject({ code: 'document_type_in_use', details: { document_type: 'sop', usage: { documents: 1 } } });
    expect(await h.db.documentType.count({ where: { tenantId } })).toBe(1);
  });

  test('a document names its type and the training it requires (acknowledgement, course or program), with defaults for its settings', async () => {
    const { tenantId, api } = await tenantWithRoles();
    const sop = await api.put('/api/v1/document-types/sop', { name: 'SOP', roles: ['nurse'], defaultImpact: 'retraining' });
    const course = await h.db.course.findFirstOrThrow({ where: { tenantId, key: 'gmp-intro' } });
    const program = await h.db.program.findFirstOrThrow({ where: { tenantId, key: 'gmp-basics' } });

    const created = await api.put('/api/v1/documents/sop-cleaning', {
      title: 'Cleaning of the clean room',
      documentType: 'sop',
      training: { kind: 'course', courseKey: 'gmp-intro' },
      dueOffsetDays: 14,
    });
    expect(created).toEqual({
      status: 201,
      body: {
        id: expect.any(String),
        key: 'sop-cleaning',
        title: 'Cleaning of the clean room',
        documentType: { id: sop.body.id, key: 'sop', name: 'SOP' },
        training: { kind: 'course', course: { id: course.id, key: 'gmp-intro', title: course.title } },
        dueOffsetDays: 14,
        creditAuthors: true,
        closeSuperseded: true,
        createdAt: expect.any(String),
      },
    });

    const asProgram = await api.put('/api/v1/documents/sop-cleaning', {
      title: 'Cleaning of the clean room',
      documentType: 'sop',
      training: { kind: 'program', programKey: 'gmp-basics' },
      dueOffsetDays: 30,
      creditAuthors: false,
      closeSuperseded: false,
    });
    expect(asProgram).toEqual({
      status: 200,
      body: { ...created.body, training: { kind: 'program', program: { id: program.id, key: 'gmp-basics', title: program.title } }, dueOffsetDays: 30, creditAuthors: false, closeSuperseded: false },
    });
    const asAcknowledgement = await api.put('/api/v1/documents/sop-cleaning', {
      title: 'Cleaning of the clean room',
      documentType: 'sop',
      training: { kind: 'acknowledgement' },
      dueOffsetDays: 30,
      creditAuthors: false,
      closeSuperseded: false,
    });
    expect(asAcknowledgement.body.training).toEqual({ kind: 'acknowledgement' });
    expect(await h.db.document.findFirstOrThrow({ where: { tenantId, key: 'sop-cleaning' } })).toMatchObject({ training: 'acknowledgement', courseId: null, programId: null });

    await api.put('/api/v1/documents/policy-privacy', { title: 'Privacy', documentType: 'sop', training: { kind: 'acknowledgement' }, dueOffsetDays: 0 });
    expect(await api.get(`/api/v1/documents/${created.body.id}`)).toEqual({ status: 200, body: asAcknowledgement.body });
    expect((await api.get('/api/v1/documents')).body.data.map((d: { key: string }) => d.key)).toEqual(['policy-privacy', 'sop-cleaning']);

    const audit = await h.db.auditEvent.findMany({ where: { tenantId, entityType: 'document', entityId: created.body.id }, orderBy: { at: 'asc' } });
    expect(audit.map((event) => event.action)).toEqual(['document.created', 'document.updated', 'document.updated']);
  });

  test('a document naming an unknown type, course or program is 422 naming it; malformed training or due offset is 400', async () => {
    const { tenantId, api } = await tenantWithRoles();
    await api.put('/api/v1/document-types/sop', { name: 'SOP', roles: ['nurse'], defaultImpact: 'retraining' });
    const document = (overrides: object) => ({ title: 'Cleaning', documentType: 'sop', training: { kind: 'acknowledgement' }, dueOffsetDays: 14, ...overrides });

    const noType = await api.put('/api/v1/documents/cleaning', document({ documentType: 'work-instruction' }));
    const noCourse = await api.put('/api/v1/documents/cleaning', document({ training: { kind: 'course', courseKey: 'gmp-advanced' } }));
    const noProgram = await api.put('/api/v1/documents/cleaning', document({ training: { kind: 'program', programKey: 'gmp-expert' } }));
    expect([noType.status, noType.body.error.code, noType.body.error.details]).toEqual([422, 'unknown_document_type', { document_type: 'work-instruction' }]);
    expect([noCourse.status, noCourse.body.error.code, noCourse.body.error.details]).toEqual([422, 'unknown_course', { course: 'gmp-advanced' }]);
    expect([noProgram.status, noProgram.body.error.code, noProgram.body.error.details]).toEqual([422, 'unknown_program', { program: 'gmp-expert' }]);

    const badKind = await api.put('/api/v1/documents/cleaning', document({ training: { kind: 'video' } }));
    const courseWithoutKey = await api.put('/api/v1/documents/cleaning', document({ training: { kind: 'course' } }));
    const tooLate = await api.put('/api/v1/documents/cleaning', document({ dueOffsetDays: 366 }));
    const uuidKey = await api.put(`/api/v1/documents/${randomUUID()}`, document({}));
    expect(badKind.status).toBe(400);
    expect(badKind.body.error.details).toEqual([expect.objectContaining({ field: 'body.training.kind' })]);
    expect(courseWithoutKey.status).toBe(400);
    expect(courseWithoutKey.body.error.details).toEqual([expect.objectContaining({ field: 'body.training.courseKey' })]);
    expect(tooLate.status).toBe(400);
    expect(tooLate.body.error.details).toEqual([{ field: 'body.dueOffsetDays', message: 'Must be at most 365 days' }]);
    expect(uuidKey.status).toBe(400);
    expect(await h.db.document.count({ where: { tenantId } })).toBe(0);
  });

  test('a version is a draft until approved: created and edited by PUT, its authors resolved by id, external id or e-mail', async () => {
    const { tenantId, api } = await tenantWithRoles();
    await api.put('/api/v1/document-types/sop', { name: 'SOP', roles: ['nurse'], defaultImpact: 'retraining' });
    const document = await api.put('/api/v1/documents/sop-cleaning', { title: 'Cleaning', documentType: 'sop', training: { kind: 'acknowledgement' }, dueOffsetDays: 14 });
    const [grace, alan, ada] = [await givenPerson(h.db, tenantId, 'Grace Hopper'), await givenPerson(h.db, tenantId, 'Alan Turing'), await givenPerson(h.db, tenantId, 'Ada Lovelace')];
    const hash = sha256('Cleaning, version 3.0');

    const created = await api.put('/api/v1/documents/sop-cleaning/versions/3.0', {
      title: 'Cleaning (rev. 3)',
      effectiveDate: daysFromToday(30),
      contentHash: hash.toUpperCase(),
      authors: [{ id: grace.id }, { externalId: alan.externalId }, { email: ada.email.toUpperCase() }],
    });
    expect(created).toEqual({
      status: 201,
      body: {
        id: expect.any(String),
        document: { id: document.body.id, key: 'sop-cleaning', title: 'Cleaning' },
        version: '3.0',
        title: 'Cleaning (rev. 3)',
        status: 'draft',
        impact: null,
        approvedAt: null,
        effectiveDate: daysFromToday(30),
        contentHash: hash,
        authors: [
          { id: grace.id, externalId: grace.externalId, name: 'Grace Hopper' },
          { id: alan.id, externalId: alan.externalId, name: 'Alan Turing' },
          { id: ada.id, externalId: ada.externalId, name: 'Ada Lovelace' },
        ],
        createdAt: expect.any(String),
        progress: { affected: 0, trained: 0, outstanding: 0, overdue: 0 },
      },
    });

    const edited = await api.put('/api/v1/documents/sop-cleaning/versions/3.0', { title: 'Cleaning (rev. 3)', effectiveDate: daysFromToday(45), contentHash: sha256('Cleaning, fixed'), authors: [{ id: ada.id }] });
    expect(edited).toEqual({
      status: 200,
      body: { ...created.body, effectiveDate: daysFromToday(45), contentHash: sha256('Cleaning, fixed'), authors: [{ id: ada.id, externalId: ada.externalId, name: 'Ada Lovelace' }] },
    });
    expect(await api.get('/api/v1/documents/sop-cleaning/versions/3.0')).toEqual({ status: 200, body: edited.body });

    const audit = await h.db.auditEvent.findMany({ where: { tenantId, entityType: 'document_version' }, orderBy: { at: 'asc' } });
    const { progress: _p1, ...createdRecord } = created.body;
    const { progress: _p2, ...editedRecord } = edited.body;
    expect(audit.map((event) => [event.action, event.entityId, event.data])).toEqual([
      ['document_version.created', created.body.id, { before: null, after: createdRecord }],
      ['document_version.updated', created.body.id, { before: createdRecord, after: editedRecord }],
    ]);
  });

  test('once approved a version keeps its content: a change is 409 version_not_draft, the same content again is answered as it stands', async () => {
    const { tenantId, api } = await tenantWithRoles();
    await api.put('/api/v1/document-types/sop', { name: 'SOP', roles: ['nurse'], defaultImpact: 'retraining' });
    await api.put('/api/v1/documents/sop-cleaning', { title: 'Cleaning', documentType: 'sop', training: { kind: 'acknowledgement' }, dueOffsetDays: 14 });
    const content = { title: 'Cleaning (rev. 2)', effectiveDate: daysFromToday(10), contentHash: sha256('rev 2') };
    const draft = await api.put('/api/v1/documents/sop-cleaning/versions/2', content);
    // The document system approves it (the approval event's path writes this).
    await h.db.documentVersion.update({ where: { id: draft.body.id }, data: { status: 'approved', impact: 'retraining', approvedAt: new Date('2026-05-01T08:00:00Z') } });

    const retitled = await api.put('/api/v1/documents/sop-cleaning/versions/2', { ...content, title: 'Cleaning (rev. 2b)' });
    const rehashed = await api.put('/api/v1/documents/sop-cleaning/versions/2', { ...content, contentHash: sha256('rev 2b') });
    const again = await api.put('/api/v1/documents/sop-cleaning/versions/2', content);

    expect(retitled.status).toBe(409);
    expect(retitled.body.error).toMatchObject({ code: 'version_not_draft', details: { document: 'sop-cleaning', version: '2', status: 'approved' } });
    expect(rehashed.status).toBe(409);
    expect(again).toEqual({
      status: 200,
      body: { ...draft.body, status: 'approved', impact: 'retraining', approvedAt: '2026-05-01T08:00:00.000Z' },
    });
    expect(await h.db.documentVersion.findUniqueOrThrow({ where: { id: draft.body.id } })).toMatchObject({ title: 'Cleaning (rev. 2)', contentHash: sha256('rev 2') });
    expect(await h.db.auditEvent.count({ where: { tenantId, entityType: 'document_version' } })).toBe(1);
  });

  test('versions are listed newest first; unknown authors are 422 naming each; a bad version, hash or date is 400', async () => {
    const { tenantId, api } = await tenantWithRoles();
    await api.put('/api/v1/document-types/sop', { name: 'SOP', roles: ['nurse'], defaultImpact: 'retraining' });
    await api.put('/api/v1/documents/sop-cleaning', { title: 'Cleaning', documentType: 'sop', training: { kind: 'acknowledgement' }, dueOffsetDays: 14 });
    const version = (effectiveDate: string) => ({ title: 'Cleaning', effectiveDate, contentHash: sha256(effectiveDate) });
    await api.put('/api/v1/documents/sop-cleaning/versions/1', version('2025-01-01'));
    await api.put('/api/v1/documents/sop-cleaning/versions/10', version('2026-01-01'));
    await api.put('/api/v1/documents/sop-cleaning/versions/2_rc-1', version('2025-06-01'));

    const list = await api.get('/api/v1/documents/sop-cleaning/versions');
    expect(list.body.data.map((v: { version: string }) => v.version)).toEqual(['10', '2_rc-1', '1']);
    const first = await api.get('/api/v1/documents/sop-cleaning/versions?limit=2');
    const rest = await api.get(`/api/v1/documents/sop-cleaning/versions?limit=2&cursor=${first.body.nextCursor}`);
    expect([...first.body.data, ...rest.body.data]).toEqual(list.body.data);
    expect(rest.body.nextCursor).toBeNull();

    const someone = await givenPerson(h.db, tenantId, 'Grace Hopper');
    const unknownAuthors = await api.put('/api/v1/documents/sop-cleaning/versions/11', {
      ...version('2026-02-01'),
      authors: [{ id: someone.id }, { externalId: 'E-nobody' }, { email: 'nobody@example.com' }],
    });
    expect(unknownAuthors.status).toBe(422);
    expect(unknownAuthors.body.error).toMatchObject({ code: 'unknown_person', details: { person: [{ externalId: 'E-nobody' }, { email: 'nobody@example.com' }] } });

    const badVersion = await api.put('/api/v1/documents/sop-cleaning/versions/.3', version('2026-02-01'));
    const longVersion = await api.put(`/api/v1/documents/sop-cleaning/versions/${'9'.repeat(41)}`, version('2026-02-01'));
    const badHash = await api.put('/api/v1/documents/sop-cleaning/versions/11', { ...version('2026-02-01'), contentHash: 'abc123' });
    const badDate = await api.put('/api/v1/documents/sop-cleaning/versions/11', { ...version('2026-02-30') });
    const twoIds = await api.put('/api/v1/documents/sop-cleaning/versions/11', { ...version('2026-02-01'), authors: [{ id: someone.id, email: someone.email }] });
    expect(badVersion.status).toBe(400);
    expect(badVersion.body.error.details).toEqual([expect.objectContaining({ field: 'path.version' })]);
    expect(longVersion.status).toBe(400);
    expect(badHash.status).toBe(400);
    expect(badHash.body.error.details).toEqual([{ field: 'body.contentHash', message: 'Must be the SHA-256 of the content: 64 hexadecimal digits' }]);
    expect(badDate.status).toBe(400);
    expect(badDate.body.error.details).toEqual([expect.objectContaining({ field: 'body.effectiveDate' })]);
    expect(twoIds.status).toBe(400);
    expect(twoIds.body.error.details).toEqual([expect.objectContaining({ field: 'body.authors.0' })]);

    expect(await h.db.documentVersion.count({ where: { tenantId } })).toBe(3);
    const unknownVersion = await api.get('/api/v1/documents/sop-cleaning/versions/12');
    expect([unknownVersion.status, unknownVersion.body.error.code]).toEqual([404, 'not_found']);
    const unknownDocument = await api.put('/api/v1/documents/sop-nothing/versions/1', version('2026-02-01'));
    expect(unknownDocument.status).toBe(404);
    expect(unknownDocument.body.error.details).toEqual({ entity: 'document', id: 'sop-nothing' });
  });

  test("another tenant's document types, documents, versions, roles and people do not exist for this tenant", async () => {
    const theirs = await tenantWithRoles();
    await theirs.api.put('/api/v1/document-types/sop', { name: 'SOP', roles: ['nurse'], defaultImpact: 'retraining' });
    await theirs.api.put('/api/v1/documents/sop-cleaning', { title: 'Cleaning', documentType: 'sop', training: { kind: 'acknowledgement' }, dueOffsetDays: 14 });
    const theirVersion = await theirs.api.put('/api/v1/documents/sop-cleaning/versions/1', { title: 'Cleaning', effectiveDate: '2026-01-01', contentHash: sha256('x') });
    const theirPerson = await givenPerson(h.db, theirs.tenantId, 'Grace Hopper');
    const theirType = await h.db.documentType.findFirstOrThrow({ where: { tenantId: theirs.tenantId } });
    const { api, tenantId } = await tenantWithApi(h);

    for (const path of ['/document-types/sop', `/document-types/${theirType.id}`, '/documents/sop-cleaning', `/documents/${theirVersion.body.document.id}`, '/documents/sop-cleaning/versions', '/documents/sop-cleaning/versions/1', '/documents/sop-cleaning/versions/1/trainings']) {
      expect([path, (await api.get(`/api/v1${path}`)).status]).toEqual([path, 404]);
    }
    expect((await api.get('/api/v1/document-types')).body.data).toEqual([]);
    expect((await api.get('/api/v1/documents')).body.data).toEqual([]);
    expect((await api.delete('/api/v1/document-types/sop')).status).toBe(404);
    expect((await api.put('/api/v1/documents/sop-cleaning/versions/1', { title: 'Mine', effectiveDate: '2026-01-01', contentHash: sha256('y') })).status).toBe(404);

    const theirRole = await api.put('/api/v1/document-types/sop', { name: 'SOP', roles: ['nurse'], defaultImpact: 'retraining' });
    expect([theirRole.status, theirRole.body.error.code]).toEqual([422, 'unknown_role']);
    const theirTypeByKey = await api.put('/api/v1/documents/sop-cleaning', { title: 'Cleaning', documentType: 'sop', training: { kind: 'acknowledgement' }, dueOffsetDays: 14 });
    expect([theirTypeByKey.status, theirTypeByKey.body.error.code]).toEqual([422, 'unknown_document_type']);
    await api.put('/api/v1/document-types/sop', { name: 'SOP', roles: [], defaultImpact: 'retraining' });
    const theirCourse = await api.put('/api/v1/documents/sop-cleaning', { title: 'Cleaning', documentType: 'sop', training: { kind: 'course', courseKey: 'gmp-intro' }, dueOffsetDays: 14 });
    expect([theirCourse.status, theirCourse.body.error.code]).toEqual([422, 'unknown_course']);
    await api.put('/api/v1/documents/sop-cleaning', { title: 'Cleaning', documentType: 'sop', training: { kind: 'acknowledgement' }, dueOffsetDays: 14 });
    const theirAuthor = await api.put('/api/v1/documents/sop-cleaning/versions/1', { title: 'Mine', effectiveDate: '2026-01-01', contentHash: sha256('y'), authors: [{ id: theirPerson.id }] });
    expect([theirAuthor.status, theirAuthor.body.error.code]).toEqual([422, 'unknown_person']);

    // Their records are as they were.
    expect((await theirs.api.get('/api/v1/documents/sop-cleaning/versions/1')).body).toEqual(theirVersion.body);
    expect(await h.db.documentVersion.count({ where: { tenantId } })).toBe(0);
  });

  test('reading needs catalog:read and changing needs catalog:write', async () => {
    const { api } = await tenantWithApi(h, ['catalog:read']);
    const { api: blind } = await tenantWithApi(h, ['people:read']);

    expect((await api.get('/api/v1/documents')).status).toBe(200);
    expect((await api.put('/api/v1/document-types/sop', { name: 'SOP', roles: [], defaultImpact: 'retraining' })).status).toBe(403);
    expect((await blind.get('/api/v1/document-types')).status).toBe(403);
  });

  test('a course, program or role a document uses cannot be deleted from under it (409 naming the use)', async () => {
    const { api } = await tenantWithRoles();
    await api.put('/api/v1/document-types/sop', { name: 'SOP', roles: ['nurse'], defaultImpact: 'retraining' });
    const byCourse = await api.put('/api/v1/documents/sop-course', { title: 'By course', documentType: 'sop', training: { kind: 'course', courseKey: 'gmp-intro' }, dueOffsetDays: 0 });
    const byProgram = await api.put('/api/v1/documents/sop-program', { title: 'By program', documentType: 'sop', training: { kind: 'program', programKey: 'gmp-basics' }, dueOffsetDays: 0 });
    expect([byCourse.status, byProgram.status]).toEqual([201, 201]);
    const course = await api.delete('/api/v1/courses/gmp-intro');
    expect([course.status, course.body.error.code, course.body.error.details.usage.documents]).toEqual([409, 'course_in_use', 1]);
    const program = await api.delete('/api/v1/programs/gmp-basics');
    expect([program.status, program.body.error.code, program.body.error.details.usage.documents]).toEqual([409, 'program_in_use', 1]);
    const role = await api.delete('/api/v1/roles/nurse');
    expect([role.status, role.body.error.code, role.body.error.details.usage.documentTypes]).toEqual([409, 'role_in_use', 1]);
  });
});
