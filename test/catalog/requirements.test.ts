import { givenCatalog } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { waitForOperation } from '../support/operations';
import { givenPerson, tenantWithApi } from './fixtures';

/** The training matrix as data: which role (optionally in a department / location) owes which program, by when. */
describe('the requirements of the training matrix', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  /** Roles nurse and porter, programs privacy and fire-safety, and no requirements yet. */
  async function tenantWithCatalog() {
    const tenant = await tenantWithApi(h);
    await givenCatalog(h.db, tenant.tenantId, { programs: { privacy: ['hipaa-basics'], 'fire-safety': ['fire-drill'] }, roles: { nurse: [], porter: [] } });
    return tenant;
  }

  /** A requirement as stored: a change is also answered with the operation that applies it to everyone. */
  const ruleOf = ({ operation: _applying, ...rule }: Record<string, unknown>) => rule;

  test('a requirement names its role and program by key, takes defaults for what is left out, and answers with ids and keys', async () => {
    const { tenantId, api } = await tenantWithCatalog();
    const nurse = await h.db.role.findFirstOrThrow({ where: { tenantId, key: 'nurse' } });
    const privacy = await h.db.program.findFirstOrThrow({ where: { tenantId, key: 'privacy' } });

    const created = await api.post('/api/v1/requirements', { role: 'nurse', program: 'privacy', dueOffsetDays: 14 });

    expect(created.status).toBe(202);
    expect(created.body).toEqual({
      id: expect.any(String),
      role: { id: nurse.id, key: 'nurse' },
      program: { id: privacy.id, key: 'privacy' },
      department: null,
      location: null,
      mandatory: true,
      dueOffsetDays: 14,
      dueRelativeTo: 'hire_date',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      operation: expect.objectContaining({ id: expect.any(String), kind: 'matrix_change' }),
    });
    // Nobody holds the role yet, so applying the new rule changes nothing.
    const applied = await waitForOperation(api, created.body.operation.id);
    expect(applied).toMatchObject({
      state: 'completed',
      trigger: { change: 'requirement.created', requirement: ruleOf(created.body) },
      result: { peopleAffected: 0, assigned: 0, reassigned: 0, waived: 0, byProgram: {} },
      progress: { processesToWake: 0, processesWoken: 0 },
    });
    expect(await api.get(`/api/v1/requirements/${created.body.id}`)).toEqual({ status: 200, body: ruleOf(created.body) });
    const audit = await h.db.auditEvent.findFirstOrThrow({ where: { tenantId, entityType: 'requirement' } });
    expect(audit).toMatchObject({ action: 'requirement.created', entityId: created.body.id, data: { before: null, after: ruleOf(created.body) } });
  });

  test('a requirement is changed field by field, null lifts a filter, and deleting it keeps the assignments it created', async () => {
    const { tenantId, api } = await tenantWithCatalog();
    const created = await api.post('/api/v1/requirements', {
      role: 'nurse',
      program: 'privacy',
      department: 'Cardiology',
      location: 'Leeds',
      mandatory: false,
      dueOffsetDays: 30,
      dueRelativeTo: 'assignment_date',
    });
    expect(created.body).toMatchObject({ department: 'Cardiology', location: 'Leeds', mandatory: false, dueRelativeTo: 'assignment_date' });

    const changed = await api.patch(`/api/v1/requirements/${created.body.id}`, { department: null, dueOffsetDays: 7, program: 'fire-safety' });
    expect(changed.status).toBe(202);
    expect(changed.body).toMatchObject({
      id: created.body.id,
      program: { key: 'fire-safety' },
      department: null,
      location: 'Leeds',
      mandatory: false,
      dueOffsetDays: 7,
      dueRelativeTo: 'assignment_date',
    });
    expect((await api.get(`/api/v1/requirements/${created.body.id}`)).body).toEqual(ruleOf(changed.body));

    const person = await givenPerson(h.db, tenantId, { roles: ['nurse'], assigned: ['fire-safety'] });
    await h.db.assignment.updateMany({ where: { tenantId, personId: person.id }, data: { requirementId: created.body.id } });

    const deleted = await api.delete(`/api/v1/requirements/${created.body.id}`);
    expect(deleted.status).toBe(202);
    expect(await waitForOperation(api, deleted.body.operation.id)).toMatchObject({ state: 'completed', trigger: { change: 'requirement.deleted' } });
    expect((await api.get(`/api/v1/requirements/${created.body.id}`)).status).toBe(404);
    expect(await h.db.assignment.count({ where: { tenantId, personId: person.id } })).toBe(1);

    const audit = await h.db.auditEvent.findMany({ where: { tenantId, entityId: created.body.id }, orderBy: { at: 'asc' } });
    expect(audit.map((event) => [event.action, event.data])).toEqual([
      ['requirement.created', { before: null, after: ruleOf(created.body) }],
      ['requirement.updated', { before: ruleOf(created.body), after: ruleOf(changed.body) }],
      ['requirement.deleted', { before: ruleOf(changed.body), after: null }],
    ]);
  });

  test('a negative or fractional due offset, an unknown anchor or an unknown field is 400 naming the field, and nothing is written', async () => {
    const { tenantId, api } = await tenantWithCatalog();
    const rule = { role: 'nurse', program: 'privacy', dueOffsetDays: 14 };

    const negative = await api.post('/api/v1/requirements', { ...rule, dueOffsetDays: -3 });
    const fractional = await api.post('/api/v1/requirements', { ...rule, dueOffsetDays: 1.5 });
    const anchor = await api.post('/api/v1/requirements', { ...rule, dueRelativeTo: 'birthday' });
    const extra = await api.post('/api/v1/requirements', { ...rule, priority: 'high' });
    const missing = await api.post('/api/v1/requirements', { role: 'nurse', program: 'privacy' });

    expect(negative.status).toBe(400);
    expect(negative.body.error).toMatchObject({
      code: 'invalid_request',
      message: expect.stringContaining('body.dueOffsetDays'),
      details: [{ field: 'body.dueOffsetDays', message: 'Must be 0 or more days' }],
    });
    expect(fractional.body.error.details).toEqual([{ field: 'body.dueOffsetDays', message: 'Must be a whole number of days' }]);
    expect(anchor.body.error.details).toEqual([expect.objectContaining({ field: 'body.dueRelativeTo' })]);
    expect(extra.body.error.details).toEqual([{ field: 'body.priority', message: 'Unknown field' }]);
    expect(missing.body.error.details).toEqual([expect.objectContaining({ field: 'body.dueOffsetDays' })]);
    for (const response of [fractional, anchor, extra, missing]) expect(response.status).toBe(400);
    expect(await h.db.requirement.count({ where: { tenantId } })).toBe(0);
    expect(await h.db.auditEvent.count({ where: { tenantId } })).toBe(0);
  });

  test('an unknown role or program is 422 naming it, also when changing a rule, and nothing is written', async () => {
    const { tenantId, api } = await tenantWithCatalog();
    const existing = await api.post('/api/v1/requirements', { role: 'nurse', program: 'privacy', dueOffsetDays: 14 });

    const unknownRole = await api.post('/api/v1/requirements', { role: 'astronaut', program: 'privacy', dueOffsetDays: 14 });
    const unknownProgram = await api.post('/api/v1/requirements', { role: 'nurse', program: 'spacewalk', dueOffsetDays: 14 });
    const changeToUnknown = await api.patch(`/api/v1/requirements/${existing.body.id}`, { role: 'astronaut', dueOffsetDays: 1 });

    expect(unknownRole.status).toBe(422);
    expect(unknownRole.body.error).toEqual({ code: 'unknown_role', message: 'No role matches "astronaut"', details: { role: 'astronaut' }, requestId: expect.any(String) });
    expect(unknownProgram.status).toBe(422);
    expect(unknownProgram.body.error).toMatchObject({ code: 'unknown_program', details: { program: 'spacewalk' } });
    expect(changeToUnknown.status).toBe(422);
    expect(changeToUnknown.body.error.code).toBe('unknown_role');
    expect(await api.get(`/api/v1/requirements/${existing.body.id}`)).toEqual({ status: 200, body: ruleOf(existing.body) });
    expect(await h.db.requirement.count({ where: { tenantId } })).toBe(1);
    expect(await h.db.auditEvent.count({ where: { tenantId } })).toBe(1);
  });

  test('the same rule twice is 409 duplicate_requirement; the same program for another department is a rule of its own', async () => {
    const { tenantId, api } = await tenantWithCatalog();
    const first = await api.post('/api/v1/requirements', { role: 'nurse', program: 'privacy', dueOffsetDays: 14 });

    const again = await api.post('/api/v1/requirements', { role: 'nurse', program: 'privacy', dueOffsetDays: 30 });
    const cardiology = await api.post('/api/v1/requirements', { role: 'nurse', program: 'privacy', department: 'Cardiology', dueOffsetDays: 7 });
    const intoTheFirst = await api.patch(`/api/v1/requirements/${cardiology.body.id}`, { department: null });

    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'duplicate_requirement', details: { id: first.body.id } });
    expect(cardiology.status).toBe(202);
    expect(intoTheFirst.status).toBe(409);
    expect(intoTheFirst.body.error.code).toBe('duplicate_requirement');
    expect((await h.db.requirement.findMany({ where: { tenantId }, orderBy: { dueOffsetDays: 'asc' } })).map((r) => [r.department, r.dueOffsetDays])).toEqual([
      ['Cardiology', 7],
      [null, 14],
    ]);
  });

  test('the matrix is listed oldest rule first, a page at a time, and can be narrowed to a role or program', async () => {
    const { api, tenantId } = await tenantWithApi(h);
    // One statement creates these five rules, so they share a creation time: the order must still be stable.
    await givenCatalog(h.db, tenantId, {
      programs: { privacy: ['hipaa-basics'], 'fire-safety': ['fire-drill'], induction: ['welcome'] },
      roles: {
        nurse: [
          { program: 'privacy', dueOffsetDays: 14 },
          { program: 'fire-safety', dueOffsetDays: 30 },
          { program: 'induction', dueOffsetDays: 7 },
        ],
        porter: [
          { program: 'fire-safety', dueOffsetDays: 10 },
          { program: 'induction', dueOffsetDays: 3 },
        ],
      },
    });
    const later = await api.post('/api/v1/requirements', { role: 'porter', program: 'privacy', dueOffsetDays: 60 });

    const seen: string[] = [];
    let path = '/api/v1/requirements?limit=2';
    for (;;) {
      const page = await api.get(path);
      expect(page.status).toBe(200);
      seen.push(...page.body.data.map((requirement: { id: string }) => requirement.id));
      if (!page.body.nextCursor) break;
      path = `/api/v1/requirements?limit=2&cursor=${page.body.nextCursor}`;
    }
    expect(seen).toHaveLength(6);
    expect(new Set(seen).size).toBe(6);
    expect(seen[5]).toBe(later.body.id);
    expect(seen).toEqual((await api.get('/api/v1/requirements')).body.data.map((requirement: { id: string }) => requirement.id));

    const porterRules = await api.get('/api/v1/requirements?role=porter');
    expect(porterRules.body.data.map((r: { program: { key: string } }) => r.program.key).sort()).toEqual(['fire-safety', 'induction', 'privacy']);
    const nurseInduction = await api.get('/api/v1/requirements?role=nurse&program=induction');
    expect(nurseInduction.body.data).toEqual([expect.objectContaining({ dueOffsetDays: 7 })]);
  });
});
