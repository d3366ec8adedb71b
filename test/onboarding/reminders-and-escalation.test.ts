import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporalTestServerPath } from '../../src/temporal/binaries';
import { onboardingStatusQuery } from '../../src/workflows/onboarding';
import { completionReport, createTenant, daysFromToday, givenCatalog, hireEvent } from '../support/builders';
import { installTestRuntime, startHarness, type Harness } from '../support/harness';
import { apiClient } from '../support/http';
import { waitForOnboarding } from '../support/onboarding-status';

/**
 * Simulated weeks pass on the time-skipping test server: a new nurse hears about her privacy course
 * 7 and 1 days before it is due, gets an overdue notice on the due date, her manager is told 3 days
 * later and the compliance officer 2 days after that — each exactly once, at the configured time.
 */
describe('reminders and escalation of an open assignment', () => {
  let env: TestWorkflowEnvironment;
  let h: Harness;
  // A fresh test server per test: its clock only moves forward, and each story starts today.
  beforeEach(async () => {
    installTestRuntime();
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } });
    h = await startHarness({ temporal: { client: env.client, nativeConnection: env.nativeConnection } });
  });
  afterEach(async () => {
    await h?.close();
    await env?.teardown();
  });

  /** 09:00 UTC, `days` after today: when notices for that day go out (the tenant set no time zone: UTC). */
  const nineAm = (days: number) => Date.parse(`${daysFromToday(days)}T09:00:00Z`);

  async function sleepUntil(epochMs: number) {
    const now = await env.currentTimeMs();
    if (epochMs > now) await env.sleep(epochMs - now);
  }

  test('reminders, overdue notice and escalations each go out once, at their time, to the right person', async () => {
    const { tenantId, apiKey } = await createTenant(h.db);
    const api = apiClient(h.baseUrl, apiKey);
    await givenCatalog(h.db, tenantId, {
      programs: { privacy: ['hipaa-basics'] },
      roles: { nurse: [{ program: 'privacy', dueOffsetDays: 14 }], 'ward-manager': [] },
    });
    await h.db.notificationPolicy.create({
      data: { tenantId, reminderDaysBeforeDue: [7, 1], managerEscalationDaysOverdue: 3, complianceEscalationDaysAfter: 2, complianceOfficerEmail: 'compliance@example.com' },
    });
    const manager = hireEvent({ externalId: 'M-1', roles: ['ward-manager'], email: 'manager@example.com' });
    await api.post('/api/v1/hr/events', manager);
    const nurse = hireEvent({ externalId: 'N-1', roles: ['nurse'], email: 'nurse@example.com' });
    const hired = await api.post('/api/v1/hr/events', { ...nurse, person: { ...nurse.person, managerExternalId: 'M-1' } });
    const handle = h.temporal.workflow.getHandle(hired.body.workflowId);
    await h.mail.waitFor((m) => m.subject.startsWith('Welcome aboard'));

    const due = daysFromToday(14);
    const expectations: [number, string, string][] = [
      [7, 'nurse@example.com', `Reminder: Privacy is due on ${due}`],
      [13, 'nurse@example.com', `Reminder: Privacy is due on ${due}`],
      [14, 'nurse@example.com', `Overdue: Privacy was due on ${due}`],
      [17, 'manager@example.com', 'Overdue training in your team: Ada Lovelace — Privacy'],
      [19, 'compliance@example.com', `Compliance escalation: Ada Lovelace — Privacy overdue since ${due}`],
    ];
    for (const [day, to, subject] of expectations) {
      // The process knows what comes next, and nothing has gone out early.
      const next = new Date(nineAm(day)).toISOString();
      await waitForOnboarding(h.temporal, hired.body.workflowId, (status) => status.nextNoticeAt === next);
      const earlier = new Set(h.mail.messages);
      await sleepUntil(nineAm(day) + 60_000);
      await h.mail.waitFor((m) => !earlier.has(m) && m.envelopeTo.includes(to) && m.subject === subject);
    }

    const assignment = await h.db.assignment.findFirstOrThrow({ where: { tenantId, personId: hired.body.personId } });
    expect(assignment.status).toBe('overdue');
    await sleepUntil(nineAm(40));
    expect(await handle.query(onboardingStatusQuery)).toMatchObject({ phase: 'waiting_for_completions', nextNoticeAt: null });
    const toNurse = h.mail.messages.filter((m) => m.envelopeTo.includes('nurse@example.com')).map((m) => m.subject.split(':')[0]);
    expect(toNurse).toEqual(['Welcome aboard', 'Reminder', 'Reminder', 'Overdue']);
    expect(h.mail.messages.filter((m) => m.envelopeTo.includes('manager@example.com') && m.subject.startsWith('Overdue training'))).toHaveLength(1);
    expect(h.mail.messages.filter((m) => m.envelopeTo.includes('compliance@example.com'))).toHaveLength(1);

    // Completing late still closes the process. (The completion reaches it through the dispatcher:
    // waiting on its result before then would let the test server skip time to the process's timeout.)
    await api.post('/api/v1/completions', completionReport(hired.body.personId, 'hipaa-basics'));
    await waitForOnboarding(h.temporal, hired.body.workflowId, (status) => status.phase === 'completed');
    expect(await handle.result()).toMatchObject({ phase: 'completed' });
  });

  test('a manager change before the escalation sends it to the new manager; completing in time stops all reminders', async () => {
    const { tenantId, apiKey } = await createTenant(h.db);
    const api = apiClient(h.baseUrl, apiKey);
    await givenCatalog(h.db, tenantId, {
      programs: { privacy: ['hipaa-basics'], fire: ['fire-drill'] },
      roles: { nurse: [{ program: 'privacy', dueOffsetDays: 10 }, { program: 'fire', dueOffsetDays: 30 }], boss: [] },
    });
    for (const id of ['OLD', 'NEW']) {
      await api.post('/api/v1/hr/events', hireEvent({ externalId: id, roles: ['boss'], email: `${id.toLowerCase()}@example.com` }));
    }
    const nurse = hireEvent({ externalId: 'N-2', roles: ['nurse'], email: 'n2@example.com' });
    const hired = await api.post('/api/v1/hr/events', { ...nurse, person: { ...nurse.person, managerExternalId: 'OLD' } });

    await sleepUntil(nineAm(11));
    await api.post('/api/v1/hr/events', { type: 'transfer', eventId: 'move-1', source: 'workday', person: { externalId: 'N-2', managerExternalId: 'NEW' } });
    await sleepUntil(nineAm(13) + 60_000); // 10 + 3 days: manager escalation for privacy
    const escalatedTo = (m: { subject: string; envelopeTo: string[] }) =>
      m.subject.startsWith('Overdue training') && m.envelopeTo.some((to) => ['old@example.com', 'new@example.com'].includes(to));
    await h.mail.waitFor(escalatedTo);
    expect(h.mail.messages.filter(escalatedTo).flatMap((m) => m.envelopeTo)).toEqual(['new@example.com']);

    // Fire safety is completed before any of its reminders: none is ever sent.
    await api.post('/api/v1/completions', completionReport(hired.body.personId, 'fire-drill'));
    await api.post('/api/v1/completions', completionReport(hired.body.personId, 'hipaa-basics'));
    // Polled, not awaited with result(): awaiting a result lets the test server skip ahead in time.
    await waitForOnboarding(h.temporal, hired.body.workflowId, (status) => status.phase === 'completed');
    await sleepUntil(nineAm(40));
    expect(h.mail.messages.filter((m) => m.subject.includes('Fire'))).toEqual([]);
  });
});
