import { completionReport, createTenant, daysFromToday, givenCatalog, hireEvent } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { apiClient } from '../support/http';
import { waitForOnboarding, waitingForCompletions } from '../support/onboarding-status';

/**
 * An HR system hires a nurse; trainhub assigns the two programs nurses must take, welcomes her with
 * the list, and her onboarding ends once the LMS reports every course of both programs.
 */
describe('onboarding from hire to completed training', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  async function nurseTenant() {
    const tenant = await createTenant(h.db);
    await givenCatalog(h.db, tenant.tenantId, {
      programs: { privacy: ['hipaa-basics'], 'clinical-safety': ['infection-control', 'hand-hygiene'] },
      roles: {
        nurse: [
          { program: 'privacy', dueOffsetDays: 14 },
          { program: 'clinical-safety', dueOffsetDays: 30 },
        ],
        porter: [{ program: 'privacy', dueOffsetDays: 7 }],
      },
    });
    return { ...tenant, api: apiClient(h.baseUrl, tenant.apiKey) };
  }

  const waitForStatus = (workflowId: string, expected: Parameters<typeof waitForOnboarding>[2]) => waitForOnboarding(h.temporal, workflowId, expected);

  test('a hire whose role requires two programs gets exactly those assignments, one welcome e-mail and a running workflow', async () => {
    const { tenantId, api } = await nurseTenant();
    const event = hireEvent({ roles: ['nurse'], hireDate: daysFromToday(-1) });

    const hired = await api.post('/api/v1/hr/events', event);

    expect(hired.status).toBe(202);
    const { personId, workflowId } = hired.body;
    expect(workflowId).toBe(`onboarding:${tenantId}:${personId}`);

    const welcome = await h.mail.waitFor((m) => m.envelopeTo.includes(event.person.email));
    expect(welcome.subject).toBe('Welcome aboard: 2 training item(s) to complete');
    expect(welcome.text).toContain(`Privacy — due ${daysFromToday(13)}`);
    expect(welcome.text).toContain(`Clinical Safety — due ${daysFromToday(29)}`);

    const assignments = await api.get(`/api/v1/people/${personId}/assignments`);
    expect(assignments.status).toBe(200);
    expect(assignments.body.data.map((a: any) => [a.programKey, a.dueDate, a.status, a.mandatory])).toEqual([
      ['privacy', daysFromToday(13), 'assigned', true],
      ['clinical-safety', daysFromToday(29), 'assigned', true],
    ]);

    const description = await h.temporal.workflow.getHandle(workflowId).describe();
    expect(description.status.name).toBe('RUNNING');
    expect(description.type).toBe('onboarding');
    // Operators find a person's process by tenant and person.
    const found = [];
    for await (const execution of h.temporal.workflow.list({ query: `TrainhubTenantId = "${tenantId}" AND TrainhubPersonId = "${personId}"` })) {
      found.push(execution.workflowId);
    }
    expect(found).toEqual([workflowId]);
  });

  test('the same hire delivered twice is one person, one workflow, one set of assignments and one e-mail', async () => {
    const { tenantId, api } = await nurseTenant();
    const event = hireEvent({ roles: ['nurse', 'porter'] });

    const first = await api.post('/api/v1/hr/events', event);
    const again = await api.post('/api/v1/hr/events', event);
    // The HR system re-sends the hire under a new event id: still the same person and process.
    const resent = await api.post('/api/v1/hr/events', { ...event, eventId: `${event.eventId}-resent` });

    expect(first.status).toBe(202);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ...first.body, duplicate: true, changes: { assigned: 0, reassigned: 0, waived: 0, cancelled: 0, extended: 0 } });
    expect(resent.body.personId).toBe(first.body.personId);
    await waitForStatus(first.body.workflowId, waitingForCompletions);

    expect(await h.db.person.count({ where: { tenantId } })).toBe(1);
    expect(await h.temporal.workflow.count(`WorkflowId = "${first.body.workflowId}"`)).toEqual(expect.objectContaining({ count: 1 }));
    const assignments = await api.get(`/api/v1/people/${first.body.personId}/assignments`);
    expect(assignments.body.data.map((a: any) => a.programKey)).toEqual(['privacy', 'clinical-safety']);
    expect(assignments.body.data[0].dueDate).toBe(daysFromToday(7)); // the porter's stricter 7 days wins
    expect(h.mail.messages.filter((m) => m.envelopeTo.includes(event.person.email))).toHaveLength(1);
  });

  test('completions for every mandatory course complete the onboarding; the same completion twice is recorded once', async () => {
    const { tenantId, api } = await nurseTenant();
    const hired = await api.post('/api/v1/hr/events', hireEvent());
    const { personId, workflowId } = hired.body;
    await waitForStatus(workflowId, waitingForCompletions);

    const privacy = completionReport(personId, 'hipaa-basics');
    const recorded = await api.post('/api/v1/completions', privacy);
    const repeated = await api.post('/api/v1/completions', privacy);

    expect(recorded.status).toBe(201);
    expect(recorded.body.completedAssignmentIds).toHaveLength(1);
    expect(repeated.status).toBe(200);
    expect(repeated.body).toMatchObject({ duplicate: true, completion: { id: recorded.body.completion.id } });
    expect(await h.db.completion.count({ where: { tenantId } })).toBe(1);
    await waitForStatus(workflowId, (status) => status.outstandingAssignmentIds.length === 1);

    await api.post('/api/v1/completions', completionReport(personId, 'infection-control'));
    const failed = await api.post('/api/v1/completions', completionReport(personId, 'hand-hygiene', { passed: false }));
    expect(failed.body.completedAssignmentIds).toEqual([]);
    await api.post('/api/v1/completions', completionReport(personId, 'hand-hygiene'));

    const result = await h.temporal.workflow.getHandle(workflowId).result();
    expect(result).toEqual({ phase: 'completed', outstandingAssignmentIds: [], nextNoticeAt: null });
    const assignments = await api.get(`/api/v1/people/${personId}/assignments`);
    expect(assignments.body.data.map((a: any) => a.status)).toEqual(['completed', 'completed']);
  });

  test('completions posted while the worker is down are not lost: the onboarding resumes and completes', async () => {
    const { api } = await nurseTenant();
    const hired = await api.post('/api/v1/hr/events', hireEvent());
    const { personId, workflowId } = hired.body;
    await waitForStatus(workflowId, waitingForCompletions);

    await h.stopWorker();
    try {
      for (const course of ['hipaa-basics', 'infection-control', 'hand-hygiene']) {
        expect((await api.post('/api/v1/completions', completionReport(personId, course))).status).toBe(201);
      }
      expect((await h.temporal.workflow.getHandle(workflowId).describe()).status.name).toBe('RUNNING');
    } finally {
      await h.startWorker();
    }

    const result = await h.temporal.workflow.getHandle(workflowId).result();
    expect(result.phase).toBe('completed');
  });

  test('a completion for a person whose process had ended starts it again, waiting for what is still open', async () => {
    const { tenantId, api } = await nurseTenant();
    const event = hireEvent();
    const hired = await api.post('/api/v1/hr/events', event);
    const { personId, workflowId } = hired.body;
    await waitForStatus(workflowId, waitingForCompletions);
    // An operator ended the process by hand (or it never ran: people loaded straight into the database).
    const handle = h.temporal.workflow.getHandle(workflowId);
    await handle.terminate('ended by an operator');

    expect((await api.post('/api/v1/completions', completionReport(personId, 'hipaa-basics'))).status).toBe(201);

    const clinical = await h.db.assignment.findFirstOrThrow({ where: { tenantId, personId, program: { key: 'clinical-safety' } } });
    const status = await waitForStatus(workflowId, (s) => waitingForCompletions(s) && s.outstandingAssignmentIds.length === 1);
    expect(status.outstandingAssignmentIds).toEqual([clinical.id]);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    // Started again by a completion: no second welcome.
    expect(h.mail.messages.filter((m) => m.envelopeTo.includes(event.person.email) && m.subject.startsWith('Welcome aboard'))).toHaveLength(1);
  });
});
