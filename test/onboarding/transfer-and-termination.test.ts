import { completionReport, createTenant, givenCatalog, hireEvent } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { apiClient } from '../support/http';
import { waitForOnboarding, waitingForCompletions } from '../support/onboarding-status';

/**
 * People move: a transfer recomputes what they owe (new items assigned, obsolete ones waived with a
 * reason, finished history kept); leave pauses reminders; termination cancels what is open and ends
 * the process. Every HR event counts once, however often it is delivered.
 */
describe('HR events after the hire', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  async function hospital() {
    const tenant = await createTenant(h.db);
    await givenCatalog(h.db, tenant.tenantId, {
      programs: { privacy: ['hipaa-basics'], 'clinical-safety': ['infection-control'], 'forklift-license': ['forklift-safety'] },
      roles: {
        nurse: [
          { program: 'privacy', dueOffsetDays: 14 },
          { program: 'clinical-safety', dueOffsetDays: 30 },
        ],
        'warehouse-operator': [
          { program: 'privacy', dueOffsetDays: 14 },
          { program: 'forklift-license', dueOffsetDays: 7 },
        ],
      },
    });
    return { ...tenant, api: apiClient(h.baseUrl, tenant.apiKey) };
  }

  const byProgram = (rows: any[]) => Object.fromEntries(rows.map((a) => [a.programKey, a.status]));

  test('a transfer assigns what the new role requires, waives what it no longer does, and keeps finished history', async () => {
    const { tenantId, api } = await hospital();
    const hire = hireEvent({ externalId: 'E-7', roles: ['nurse'] });
    const hired = await api.post('/api/v1/hr/events', hire);
    const { personId, workflowId } = hired.body;
    await api.post('/api/v1/completions', completionReport(personId, 'hipaa-basics'));

    const transfer = { type: 'transfer', eventId: 'wd-transfer-1', source: 'workday', person: { externalId: 'E-7', roles: ['warehouse-operator'], department: 'Logistics' } };
    const moved = await api.post('/api/v1/hr/events', transfer);

    expect(moved.status).toBe(202);
    expect(moved.body).toMatchObject({ personId, type: 'transfer', duplicate: false, changes: { assigned: 1, waived: 1, reassigned: 0 } });
    const assignments = (await api.get(`/api/v1/people/${personId}/assignments`)).body.data;
    expect(byProgram(assignments)).toEqual({ privacy: 'completed', 'forklift-license': 'assigned', 'clinical-safety': 'waived' });
    const clinical = await h.db.assignment.findFirstOrThrow({ where: { tenantId, personId, program: { key: 'clinical-safety' } } });
    expect(clinical.statusReason).toBe('no longer required by role');
    expect(await h.db.auditEvent.count({ where: { tenantId, action: 'assignment.waived', entityId: clinical.id, reason: 'no longer required by role' } })).toBe(1);

    // The process now waits for the forklift license instead of clinical safety.
    const forklift = assignments.find((a: any) => a.programKey === 'forklift-license');
    await waitForOnboarding(h.temporal, workflowId, (s) => s.outstandingAssignmentIds.length === 1 && s.outstandingAssignmentIds[0] === forklift.id);

    // Delivered again: nothing more happens. Moved back: the waived item is assigned again.
    const again = await api.post('/api/v1/hr/events', transfer);
    expect(again.body).toMatchObject({ duplicate: true, changes: { assigned: 0, waived: 0 } });
    const back = await api.post('/api/v1/hr/events', { type: 'transfer', eventId: 'wd-transfer-2', source: 'workday', person: { externalId: 'E-7', roles: ['nurse'] } });
    expect(back.body.changes).toEqual({ assigned: 0, reassigned: 1, waived: 1, cancelled: 0, extended: 0 });
    expect(byProgram((await api.get(`/api/v1/people/${personId}/assignments`)).body.data)).toEqual({
      privacy: 'completed',
      'forklift-license': 'waived',
      'clinical-safety': 'assigned',
    });
  });

  test('termination cancels every open assignment, keeps completed ones, and ends the process', async () => {
    const { tenantId, api } = await hospital();
    const hired = await api.post('/api/v1/hr/events', hireEvent({ externalId: 'E-8', roles: ['nurse'] }));
    const { personId, workflowId } = hired.body;
    await api.post('/api/v1/completions', completionReport(personId, 'hipaa-basics'));
    await waitForOnboarding(h.temporal, workflowId, waitingForCompletions);

    const terminated = await api.post('/api/v1/hr/events', { type: 'terminate', eventId: 'wd-term-1', source: 'workday', person: { externalId: 'E-8' } });

    expect(terminated.body.changes).toEqual({ assigned: 0, reassigned: 0, waived: 0, cancelled: 1, extended: 0 });
    expect(await h.temporal.workflow.getHandle(workflowId).result()).toMatchObject({ phase: 'terminated' });
    expect(byProgram((await api.get(`/api/v1/people/${personId}/assignments`)).body.data)).toEqual({ privacy: 'completed', 'clinical-safety': 'cancelled' });
    expect(await h.db.person.findUniqueOrThrow({ where: { id: personId } })).toMatchObject({ status: 'terminated' });

    // A terminated person cannot be transferred; a rehire brings them back with their open items.
    const transfer = await api.post('/api/v1/hr/events', { type: 'transfer', eventId: 'wd-late', source: 'workday', person: { externalId: 'E-8', roles: ['nurse'] } });
    expect(transfer.status).toBe(409);
    expect(transfer.body.error.code).toBe('person_terminated');
    const rehired = await api.post('/api/v1/hr/events', { ...hireEvent({ externalId: 'E-8', roles: ['nurse'] }), eventId: 'wd-rehire' });
    expect(rehired.body.changes).toMatchObject({ reassigned: 1 });
    await waitForOnboarding(h.temporal, workflowId, (s) => s.phase === 'waiting_for_completions' && s.outstandingAssignmentIds.length === 1);
    expect(await h.db.hrEvent.count({ where: { tenantId, personId } })).toBe(3); // the refused transfer left no trace
  });

  test('leave pauses the process and return resumes it', async () => {
    const { api } = await hospital();
    const hired = await api.post('/api/v1/hr/events', hireEvent({ externalId: 'E-9', roles: ['nurse'] }));
    const { workflowId } = hired.body;
    await waitForOnboarding(h.temporal, workflowId, waitingForCompletions);

    await api.post('/api/v1/hr/events', { type: 'leave', eventId: 'wd-leave', source: 'workday', person: { externalId: 'E-9' } });
    await waitForOnboarding(h.temporal, workflowId, (s) => s.phase === 'on_leave' && s.nextNoticeAt === null);
    await api.post('/api/v1/hr/events', { type: 'return', eventId: 'wd-return', source: 'workday', person: { externalId: 'E-9' } });
    await waitForOnboarding(h.temporal, workflowId, (s) => s.phase === 'waiting_for_completions' && typeof s.nextNoticeAt === 'string');
  });

  test('a manager named before they are hired is linked once they arrive', async () => {
    const { tenantId, api } = await hospital();
    const report = hireEvent({ externalId: 'R-1', roles: ['nurse'] });
    await api.post('/api/v1/hr/events', { ...report, person: { ...report.person, managerExternalId: 'BOSS-1' } });
    const boss = await api.post('/api/v1/hr/events', hireEvent({ externalId: 'BOSS-1', roles: ['nurse'] }));
    const linked = await h.db.person.findFirstOrThrow({ where: { tenantId, externalId: 'R-1' } });
    expect(linked.managerId).toBe(boss.body.personId);
  });

  test('events about unknown people or roles are refused with 422 and change nothing', async () => {
    const { tenantId, api } = await hospital();
    const unknownPerson = await api.post('/api/v1/hr/events', { type: 'terminate', eventId: 'x-1', source: 'workday', person: { externalId: 'GHOST' } });
    expect(unknownPerson.status).toBe(422);
    expect(unknownPerson.body.error.code).toBe('unknown_person');

    await api.post('/api/v1/hr/events', hireEvent({ externalId: 'E-10', roles: ['nurse'] }));
    const unknownRole = await api.post('/api/v1/hr/events', { type: 'transfer', eventId: 'x-2', source: 'workday', person: { externalId: 'E-10', roles: ['pilot'] } });
    expect(unknownRole.status).toBe(422);
    expect(unknownRole.body.error).toMatchObject({ code: 'unknown_role', details: { role: ['pilot'] } });
    const stray = await api.post('/api/v1/hr/events', { type: 'transfer', eventId: 'x-3', source: 'workday', person: { externalId: 'E-10', favouriteColour: 'blue' } });
    expect(stray.status).toBe(400);
    expect(await h.db.hrEvent.count({ where: { tenantId } })).toBe(1);
  });
});
