import { givenCatalog } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { givenPerson, tenantWithApi } from './fixtures';

/** Administrators keep the courses programs are made of — what LMS completions name by key — through the API. */
describe('the courses of the catalog', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  test('a course is created, listed, read by key or id, retitled and deleted, each change audited', async () => {
    const { tenantId, api } = await tenantWithApi(h);

    const created = await api.post('/api/v1/courses', { key: 'hand-hygiene', title: 'Hand hygiene' });
    expect(created).toEqual({
      status: 201,
      body: { id: expect.any(String), key: 'hand-hygiene', title: 'Hand hygiene', createdAt: expect.any(String) },
    });
    await api.post('/api/v1/courses', { key: 'fire-safety', title: 'Fire safety' });

    const list = await api.get('/api/v1/courses');
    expect(list.body.data.map((course: { key: string }) => course.key)).toEqual(['fire-safety', 'hand-hygiene']);
    expect(await api.get(`/api/v1/courses/${created.body.id}`)).toEqual({ status: 200, body: created.body });

    const retitled = await api.patch('/api/v1/courses/hand-hygiene', { title: 'Hand hygiene (2026)' });
    expect(retitled).toEqual({ status: 200, body: { ...created.body, title: 'Hand hygiene (2026)' } });
    expect((await api.get('/api/v1/courses/hand-hygiene')).body.title).toBe('Hand hygiene (2026)');

    expect((await api.delete(`/api/v1/courses/${created.body.id}`)).status).toBe(204);
    expect((await api.get('/api/v1/courses/hand-hygiene')).status).toBe(404);

    const audit = await h.db.auditEvent.findMany({ where: { tenantId, entityId: created.body.id }, orderBy: { at: 'asc' } });
    expect(audit.map((event) => [event.action, event.data])).toEqual([
      ['course.created', { before: null, after: created.body }],
      ['course.updated', { before: created.body, after: retitled.body }],
      ['course.deleted', { before: retitled.body, after: null }],
    ]);
  });

  test('the same title again changes nothing and audits nothing', async () => {
    const { tenantId, api } = await tenantWithApi(h);
    const created = await api.post('/api/v1/courses', { key: 'fire-safety', title: 'Fire safety' });

    const same = await api.patch('/api/v1/courses/fire-safety', { title: 'Fire safety' });

    expect(same).toEqual({ status: 200, body: created.body });
    expect(await h.db.auditEvent.count({ where: { tenantId } })).toBe(1);
  });

  test('a course a program contains or a person has completed cannot be deleted: 409 course_in_use', async () => {
    const { tenantId, api } = await tenantWithApi(h);
    await givenCatalog(h.db, tenantId, { programs: { privacy: ['hipaa-basics'] }, roles: {} });
    await api.post('/api/v1/courses', { key: 'fire-safety', title: 'Fire safety' });
    const person = await givenPerson(h.db, tenantId);
    const fire = await h.db.course.findFirstOrThrow({ where: { tenantId, key: 'fire-safety' } });
    await h.db.completion.create({
      data: { tenantId, source: 'acme-lms', externalId: 'c-1', personId: person.id, courseId: fire.id, passed: true, completedAt: new Date() },
    });

    const inProgram = await api.delete('/api/v1/courses/hipaa-basics');
    const completed = await api.delete('/api/v1/courses/fire-safety');

    expect(inProgram.status).toBe(409);
    expect(inProgram.body.error).toMatchObject({ code: 'course_in_use', details: { course: 'hipaa-basics', usage: { programs: 1, completions: 0 } } });
    expect(completed.status).toBe(409);
    expect(completed.body.error).toMatchObject({ code: 'course_in_use', details: { course: 'fire-safety', usage: { programs: 0, completions: 1 } } });
    expect(await h.db.course.count({ where: { tenantId } })).toBe(2);
    expect(await h.db.programCourse.count({ where: { tenantId } })).toBe(1);
    expect(await h.db.completion.count({ where: { tenantId } })).toBe(1);
  });

  test('a duplicate key is 409 duplicate_course; a bad page size or cursor is 400 naming the parameter', async () => {
    const { tenantId, api } = await tenantWithApi(h);
    await api.post('/api/v1/courses', { key: 'fire-safety', title: 'Fire safety' });

    const duplicate = await api.post('/api/v1/courses', { key: 'fire-safety', title: 'Fire safety again' });
    const tooMany = await api.get('/api/v1/courses?limit=1000');
    const notACursor = await api.get('/api/v1/courses?cursor=bm9wZQ');
    const unknownParameter = await api.get('/api/v1/courses?sort=title');

    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.code).toBe('duplicate_course');
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.details).toEqual([expect.objectContaining({ field: 'query.limit' })]);
    expect(notACursor.status).toBe(400);
    expect(notACursor.body.error.details).toEqual([expect.objectContaining({ field: 'query.cursor' })]);
    expect(unknownParameter.status).toBe(400);
    expect(unknownParameter.body.error.details).toEqual([{ field: 'query.sort', message: 'Unknown field' }]);
    expect((await h.db.course.findMany({ where: { tenantId } })).map((course) => course.title)).toEqual(['Fire safety']);
  });
});
