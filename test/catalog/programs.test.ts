import { givenCatalog } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { givenPerson, tenantWithApi } from './fixtures';

/** Programs are ordered courses, assigned only after the programs they need; the catalog keeps that graph sound. */
describe('the programs of the catalog', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  /** A tenant with courses a, b, c and programs named by `programs` (key → prerequisites), each of course a. */
  async function tenantWithPrograms(programs: Record<string, string[]> = {}) {
    const tenant = await tenantWithApi(h);
    for (const key of ['course-a', 'course-b', 'course-c']) await tenant.api.post('/api/v1/courses', { key, title: key });
    for (const [key, prerequisites] of Object.entries(programs)) {
      const created = await tenant.api.post('/api/v1/programs', { key, title: key, courses: ['course-a'], prerequisites });
      expect(created.status).toBe(201);
    }
    return tenant;
  }

  async function prerequisitesOf(tenantId: string) {
    const edges = await h.db.programPrerequisite.findMany({ where: { tenantId }, include: { program: true, prerequisite: true } });
    return edges.map((edge) => `${edge.program.key}→${edge.prerequisite.key}`).sort();
  }

  test('a program keeps its courses in the order given and names its prerequisites by key and id', async () => {
    const { tenantId, api } = await tenantWithPrograms({ privacy: [] });

    const created = await api.post('/api/v1/programs', {
      key: 'clinical-safety',
      title: 'Clinical safety',
      courses: ['course-c', 'course-a', 'course-b'],
      prerequisites: ['privacy'],
    });

    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      key: 'clinical-safety',
      title: 'Clinical safety',
      courses: ['course-c', 'course-a', 'course-b'].map((key) => ({ id: expect.any(String), key, title: key })),
      prerequisites: [{ id: expect.any(String), key: 'privacy', title: 'privacy' }],
      createdAt: expect.any(String),
    });
    expect(await api.get('/api/v1/programs/clinical-safety')).toEqual({ status: 200, body: created.body });
    const list = await api.get('/api/v1/programs');
    expect(list.body.data.map((program: { key: string }) => program.key)).toEqual(['clinical-safety', 'privacy']);
    expect(await prerequisitesOf(tenantId)).toEqual(['clinical-safety→privacy']);
    const audit = await h.db.auditEvent.findFirstOrThrow({ where: { tenantId, entityId: created.body.id } });
    expect(audit).toMatchObject({ action: 'program.created', actorType: 'api_client', data: { before: null, after: created.body } });
  });

  test('changing the courses or prerequisites replaces them, and the audit shows both versions', async () => {
    const { tenantId, api } = await tenantWithPrograms({ privacy: [], induction: [], 'clinical-safety': ['privacy'] });
    const before = (await api.get('/api/v1/programs/clinical-safety')).body;

    const changed = await api.patch('/api/v1/programs/clinical-safety', { courses: ['course-b', 'course-a'], prerequisites: ['induction'] });

    expect(changed.status).toBe(200);
    expect(changed.body.courses.map((course: { key: string }) => course.key)).toEqual(['course-b', 'course-a']);
    expect(changed.body.prerequisites.map((program: { key: string }) => program.key)).toEqual(['induction']);
    expect(changed.body.title).toBe('clinical-safety');
    expect(await prerequisitesOf(tenantId)).toEqual(['clinical-safety→induction']);
    const audit = await h.db.auditEvent.findFirstOrThrow({ where: { tenantId, action: 'program.updated' } });
    expect(audit.data).toEqual({ before, after: changed.body });

    const retitled = await api.patch('/api/v1/programs/clinical-safety', { title: 'Clinical safety' });
    expect(retitled.body).toEqual({ ...changed.body, title: 'Clinical safety' });
  });

  test('a program that would need itself, directly or through others, is 422 cyclic_prerequisite showing the cycle, and nothing changes', async () => {
    // advanced-care needs clinical-safety, which needs privacy.
    const { tenantId, api } = await tenantWithPrograms({ privacy: [], 'clinical-safety': ['privacy'], 'advanced-care': ['clinical-safety'] });
    const auditBefore = await h.db.auditEvent.count({ where: { tenantId } });

    const itself = await api.post('/api/v1/programs', { key: 'leadership', title: 'Leadership', courses: ['course-a'], prerequisites: ['leadership'] });
    const selfByChange = await api.patch('/api/v1/programs/privacy', { prerequisites: ['privacy'] });
    const indirect = await api.patch('/api/v1/programs/privacy', { prerequisites: ['advanced-care'] });

    expect(itself.status).toBe(422);
    expect(itself.body.error).toMatchObject({ code: 'cyclic_prerequisite', details: { cycle: ['leadership', 'leadership'] } });
    expect(selfByChange.body.error).toMatchObject({ code: 'cyclic_prerequisite', details: { cycle: ['privacy', 'privacy'] } });
    expect(indirect.status).toBe(422);
    expect(indirect.body.error).toEqual({
      code: 'cyclic_prerequisite',
      message: 'These prerequisites would form a cycle: privacy → advanced-care → clinical-safety → privacy',
      details: { cycle: ['privacy', 'advanced-care', 'clinical-safety', 'privacy'] },
      requestId: expect.any(String),
    });
    expect(await prerequisitesOf(tenantId)).toEqual(['advanced-care→clinical-safety', 'clinical-safety→privacy']);
    expect(await h.db.program.count({ where: { tenantId, key: 'leadership' } })).toBe(0);
    expect(await h.db.auditEvent.count({ where: { tenantId } })).toBe(auditBefore);
  });

  test('two changes sent at once that together would close a cycle: one is saved, the other refused', async () => {
    const { tenantId, api } = await tenantWithPrograms({ privacy: [], induction: [] });

    const [first, second] = await Promise.all([
      api.patch('/api/v1/programs/privacy', { prerequisites: ['induction'] }),
      api.patch('/api/v1/programs/induction', { prerequisites: ['privacy'] }),
    ]);

    expect([first.status, second.status].sort()).toEqual([200, 422]);
    expect([first, second].find((response) => response.status === 422)!.body.error.code).toBe('cyclic_prerequisite');
    expect(await prerequisitesOf(tenantId)).toHaveLength(1);
  });

  test('unknown course or program keys are 422 naming every missing key; a program without courses is 400; nothing is written', async () => {
    const { tenantId, api } = await tenantWithPrograms({ privacy: [] });
    const auditBefore = await h.db.auditEvent.count({ where: { tenantId } });

    const unknownCourses = await api.post('/api/v1/programs', { key: 'induction', title: 'Induction', courses: ['course-a', 'basket-weaving', 'juggling'] });
    const unknownPrerequisite = await api.post('/api/v1/programs', {
      key: 'induction',
      title: 'Induction',
      courses: ['course-a'],
      prerequisites: ['privacy', 'astronomy'],
    });
    const noCourses = await api.post('/api/v1/programs', { key: 'induction', title: 'Induction', courses: [] });
    const repeated = await api.post('/api/v1/programs', { key: 'induction', title: 'Induction', courses: ['course-a', 'course-a'] });
    const changeToUnknown = await api.patch('/api/v1/programs/privacy', { courses: ['juggling'] });

    expect(unknownCourses.status).toBe(422);
    expect(unknownCourses.body.error).toMatchObject({ code: 'unknown_course', details: { course: ['basket-weaving', 'juggling'] } });
    expect(unknownPrerequisite.status).toBe(422);
    expect(unknownPrerequisite.body.error).toMatchObject({ code: 'unknown_program', details: { program: ['astronomy'] } });
    expect(noCourses.status).toBe(400);
    expect(noCourses.body.error.details).toEqual([{ field: 'body.courses', message: 'A program needs at least one course' }]);
    expect(repeated.status).toBe(400);
    expect(repeated.body.error.details).toEqual([{ field: 'body.courses', message: 'Each course may appear only once' }]);
    expect(changeToUnknown.body.error.code).toBe('unknown_course');
    expect((await h.db.program.findMany({ where: { tenantId } })).map((program) => program.key)).toEqual(['privacy']);
    expect((await api.get('/api/v1/programs/privacy')).body.courses.map((course: { key: string }) => course.key)).toEqual(['course-a']);
    expect(await h.db.auditEvent.count({ where: { tenantId } })).toBe(auditBefore);
  });

  test('a program that requirements name, people were assigned or other programs need cannot be deleted: 409 program_in_use', async () => {
    const { tenantId, api } = await tenantWithApi(h);
    await givenCatalog(h.db, tenantId, {
      programs: { privacy: ['hipaa-basics'], 'fire-safety': ['fire-drill'], induction: ['welcome'] },
      roles: { nurse: [{ program: 'privacy', dueOffsetDays: 14 }] },
    });
    await givenPerson(h.db, tenantId, { assigned: ['fire-safety'] });
    await api.post('/api/v1/programs', { key: 'clinical-safety', title: 'Clinical safety', courses: ['hipaa-basics'], prerequisites: ['induction'] });

    const required = await api.delete('/api/v1/programs/privacy');
    const assigned = await api.delete('/api/v1/programs/fire-safety');
    const needed = await api.delete('/api/v1/programs/induction');

    expect(required.status).toBe(409);
    expect(required.body.error).toMatchObject({ code: 'program_in_use', details: { program: 'privacy', usage: { requirements: 1, assignments: 0, dependentPrograms: 0 } } });
    expect(assigned.body.error).toMatchObject({ code: 'program_in_use', details: { usage: { requirements: 0, assignments: 1, dependentPrograms: 0 } } });
    expect(needed.body.error).toMatchObject({ code: 'program_in_use', details: { usage: { requirements: 0, assignments: 0, dependentPrograms: 1 } } });
    expect(await h.db.program.count({ where: { tenantId } })).toBe(4);
    expect(await h.db.assignment.count({ where: { tenantId } })).toBe(1);
    expect(await h.db.requirement.count({ where: { tenantId } })).toBe(1);
  });

  test('deleting a program nothing uses removes it with its course list and prerequisites, but keeps the courses', async () => {
    const { tenantId, api } = await tenantWithPrograms({ privacy: [] });
    await api.post('/api/v1/programs', { key: 'refresher', title: 'Refresher', courses: ['course-b', 'course-c'], prerequisites: ['privacy'] });

    expect((await api.delete('/api/v1/programs/refresher')).status).toBe(204);

    expect((await api.get('/api/v1/programs/refresher')).status).toBe(404);
    expect(await prerequisitesOf(tenantId)).toEqual([]);
    expect(await h.db.programCourse.count({ where: { tenantId } })).toBe(1);
    expect(await h.db.course.count({ where: { tenantId } })).toBe(3);
    const audit = await h.db.auditEvent.findFirstOrThrow({ where: { tenantId, action: 'program.deleted' } });
    expect(audit.data).toMatchObject({ before: { key: 'refresher', prerequisites: [{ key: 'privacy' }] }, after: null });
  });
});
