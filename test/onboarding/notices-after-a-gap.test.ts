import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporalTestServerPath } from '../../src/temporal/binaries';
import { createTenant, daysFromToday, givenCatalog, hireEvent } from '../support/builders';
import { installTestRuntime, startHarness, type Harness } from '../support/harness';
import { apiClient } from '../support/http';
import { waitForOnboarding } from '../support/onboarding-status';

/**
 * A month of leave passes on the time-skipping server. On return the person does not get every
 * reminder and escalation whose moment passed meanwhile in the same minute: one notice per
 * assignment, the one that counts now. Where the tenant says so, the leave moves the due dates on
 * instead, and nothing is due at once.
 */
describe('notices after a leave', () => {
  let env: TestWorkflowEnvironment;
  let h: Harness;
  beforeEach(async () => {
    installTestRuntime();
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } });
    h = await startHarness({ temporal: { client: env.client, nativeConnection: env.nativeConnection } });
  });
  afterEach(async () => {
    await h?.close();
    await env?.teardown();
  });

  const nineAm = (days: number) => Date.parse(`${daysFromToday(days)}T09:00:00Z`);
  async function sleepUntil(epochMs: number) {
    const now = await env.currentTimeMs();
    if (epochMs > now) await env.sleep(epochMs - now);
  }

  /** A nurse (with a manager) owing privacy in 14 days and fire safety in 45; the tenant's policy as given. */
  async function givenNurse(policy: { extendDueDatesForLeave: boolean }) {
    const { tenantId, apiKey } = await createTenant(h.db);
    const api = apiClient(h.baseUrl, apiKey);
    await givenCatalog(h.db, tenantId, {
      programs: { privacy: ['hipaa-basics'], fire: ['fire-drill'] },
      roles: { nurse: [{ program: 'privacy', dueOffsetDays: 14 }, { program: 'fire', dueOffsetDays: 45 }], boss: [] },
    });
    const policyPut = await api.put('/api/v1/notification-policy', {
      reminderDaysBeforeDue: [7, 1],
      overdueNotice: true,
      managerEscalationDaysOverdue: 3,
      complianceEscalationDaysAfter: 7,
      complianceOfficerEmail: 'compliance@example.com',
      ...policy,
    });
    expect(policyPut.status).toBe(200);
    await api.post('/api/v1/hr/events', hireEvent({ externalId: 'BOSS', roles: ['boss'], email: 'boss@example.com' }));
    const nurse = hireEvent({ externalId: 'N-1', roles: ['nurse'], email: 'nurse@example.com' });
    const hired = await api.post('/api/v1/hr/events', { ...nurse, person: { ...nurse.person, managerExternalId: 'BOSS' } });
    await h.mail.waitFor((m) => m.envelopeTo.includes('nurse@example.com') && m.subject.startsWith('Welcome aboard'));
    const assignment = (program: string) => h.db.assignment.findFirstOrThrow({ where: { tenantId, personId: hired.body.personId, program: { key: program } } });
    return { tenantId, api, personId: hired.body.personId as string, workflowId: hired.body.workflowId as string, assignment };
  }

  const leave = (day: number) => ({ type: 'leave', eventId: `leave-${day}`, source: 'workday', occurredAt: `${daysFromToday(day)}T08:00:00Z`, person: { externalId: 'N-1' } });
  const back = (day: number) => ({ type: 'return', eventId: `return-${day}`, source: 'workday', occurredAt: `${daysFromToday(day)}T08:00:00Z`, person: { externalId: 'N-1' } });

  test('a 30-day leave ends with one notice for the assignment whose moments all passed: the latest, the compliance escalation', async () => {
    const nurse = await givenNurse({ extendDueDatesForLeave: false });
    await sleepUntil(nineAm(1) - 3_600_000);
    expect((await nurse.api.post('/api/v1/hr/events', leave(1))).status).toBe(202);
    await waitForOnboarding(h.temporal, nurse.workflowId, (s) => s.phase === 'on_leave');
    const beforeReturn = h.mail.messages.length;

    await sleepUntil(nineAm(31) - 3_600_000);
    const returned = await nurse.api.post('/api/v1/hr/events', back(31));
    expect(returned.body.changes.extended).toBe(0);
    // Privacy was due on day 14: its two reminders, the overdue notice, the manager's and the compliance
    // escalation all passed during the leave. Fire safety (day 45) has nothing due yet: its 7-day reminder is next.
    await waitForOnboarding(h.temporal, nurse.workflowId, (s) => s.phase === 'waiting_for_completions' && s.nextNoticeAt === new Date(nineAm(38)).toISOString());

    const onReturn = h.mail.messages.slice(beforeReturn);
    expect(onReturn.map((m) => [m.envelopeTo[0], m.subject])).toEqual([
      ['compliance@example.com', `Compliance escalation: Ada Lovelace — Privacy overdue since ${daysFromToday(14)}`],
    ]);
    const privacy = await nurse.assignment('privacy');
    expect(privacy.status).toBe('overdue');
    const audit = await h.db.auditEvent.findMany({ where: { tenantId: nurse.tenantId, entityId: privacy.id, action: { in: ['assignment.reminded', 'assignment.escalated'] } } });
    expect(audit.map((a) => a.data)).toEqual([
      expect.objectContaining({ kind: 'compliance_escalation', supersedes: ['reminder_7d', 'reminder_1d', 'overdue', 'manager_escalation'] }),
    ]);

    // Notices whose time comes after the return go out as usual.
    await sleepUntil(nineAm(38) + 60_000);
    await h.mail.waitFor((m) => m.subject === `Reminder: Fire is due on ${daysFromToday(45)}`);
  });

  test('where the tenant extends due dates for leave, the return moves them on by the leave, audited, and nothing is due at once', async () => {
    const nurse = await givenNurse({ extendDueDatesForLeave: true });
    await sleepUntil(nineAm(1) - 3_600_000);
    await nurse.api.post('/api/v1/hr/events', leave(1));
    await waitForOnboarding(h.temporal, nurse.workflowId, (s) => s.phase === 'on_leave');
    const beforeReturn = h.mail.messages.length;

    await sleepUntil(nineAm(31) - 3_600_000);
    const returned = await nurse.api.post('/api/v1/hr/events', back(31));

    // 30 days of leave: privacy (due on day 14) moves to day 44, fire safety (day 45) to day 75.
    expect(returned.body.changes.extended).toBe(2);
    const privacy = await nurse.assignment('privacy');
    expect([privacy.status, privacy.dueDate.toISOString().slice(0, 10)]).toEqual(['assigned', daysFromToday(44)]);
    expect((await nurse.assignment('fire')).dueDate.toISOString().slice(0, 10)).toBe(daysFromToday(75));
    const audit = await h.db.auditEvent.findFirstOrThrow({ where: { tenantId: nurse.tenantId, entityId: privacy.id, action: 'assignment.due_date_extended' } });
    expect(audit).toMatchObject({ reason: 'extended by 30 day(s) of leave', data: { from: daysFromToday(14), to: daysFromToday(44), leaveDays: 30 } });

    await waitForOnboarding(h.temporal, nurse.workflowId, (s) => s.phase === 'waiting_for_completions' && s.nextNoticeAt === new Date(nineAm(37)).toISOString());
    expect(h.mail.messages.slice(beforeReturn)).toEqual([]);
    await sleepUntil(nineAm(37) + 60_000);
    await h.mail.waitFor((m) => m.subject === `Reminder: Privacy is due on ${daysFromToday(44)}`);
  });
});
