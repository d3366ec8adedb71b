import { completionReport, createTenant, givenCatalog, hireEvent } from '../support/builders';
import { CONTINUE_AS_NEW_AFTER_EVENTS } from '../support/environment';
import { startHarness, type Harness } from '../support/harness';
import { apiClient } from '../support/http';
import { waitForOnboarding, waitingForCompletions } from '../support/onboarding-status';

/**
 * A person's process lives as long as they owe something, through many HR events. Its history stays
 * bounded (it continues as new when the server suggests it), it still answers queries, and it never
 * repeats a message it already sent.
 */
describe('a long-lived per-person process', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  test('after many events it has continued as new with bounded history, current state and no repeated e-mail', async () => {
    const { tenantId, apiKey } = await createTenant(h.db);
    const api = apiClient(h.baseUrl, apiKey);
    await givenCatalog(h.db, tenantId, {
      programs: { privacy: ['hipaa-basics'], fire: ['fire-drill'] },
      roles: { nurse: [{ program: 'privacy', dueOffsetDays: 14 }, { program: 'fire', dueOffsetDays: 30 }], porter: [] },
    });
    const hired = await api.post('/api/v1/hr/events', hireEvent({ externalId: 'LL-1', roles: ['nurse'], email: 'long@example.com' }));
    const { personId, workflowId } = hired.body;
    await waitForOnboarding(h.temporal, workflowId, waitingForCompletions);
    const handle = h.temporal.workflow.getHandle(workflowId);
    const firstRunId = (await handle.describe()).runId;

    // Forty department moves over the years: each one wakes the process.
    for (let i = 1; i <= 40; i++) {
      const moved = await api.post('/api/v1/hr/events', { type: 'transfer', eventId: `move-${i}`, source: 'workday', person: { externalId: 'LL-1', department: `Ward ${i}` } });
      expect(moved.status).toBe(202);
    }
    await api.post('/api/v1/completions', completionReport(personId, 'hipaa-basics'));
    const status = await waitForOnboarding(h.temporal, workflowId, (s) => waitingForCompletions(s) && s.outstandingAssignmentIds.length === 1);

    const current = await handle.describe();
    expect(current.runId).not.toBe(firstRunId);
    expect(current.historyLength).toBeLessThan(CONTINUE_AS_NEW_AFTER_EVENTS + 20);
    const fire = await h.db.assignment.findFirstOrThrow({ where: { tenantId, personId, program: { key: 'fire' } } });
    expect(status.outstandingAssignmentIds).toEqual([fire.id]);
    expect(h.mail.messages.filter((m) => m.envelopeTo.includes('long@example.com')).map((m) => m.subject)).toEqual([
      'Welcome aboard: 2 training item(s) to complete',
    ]);

    await api.post('/api/v1/completions', completionReport(personId, 'fire-drill'));
    expect(await handle.result()).toMatchObject({ phase: 'completed' });
  });
});
