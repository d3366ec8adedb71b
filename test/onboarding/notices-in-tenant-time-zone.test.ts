import { readFileSync } from 'node:fs';
import path from 'node:path';
import { temporal as proto } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { TrainingPlan } from '../../src/activities/onboarding';
import { nextNoticeAt, scheduleNotices } from '../../src/domain/notices';
import { localTime } from '../../src/domain/time-zones';
import { temporalTestServerPath } from '../../src/temporal/binaries';
import { onboardingStatusQuery } from '../../src/workflows/onboarding';
import { createTenant, daysFromToday, givenCatalog, hireEvent } from '../support/builders';
import { testPaths } from '../support/environment';
import { installTestRuntime, startHarness, type Harness } from '../support/harness';
import { apiClient } from '../support/http';
import { waitForOnboarding } from '../support/onboarding-status';

/**
 * A tenant in Los Angeles: its nurse hears about her privacy course at 09:00 Los Angeles time (16:00
 * or 17:00 UTC), not at 09:00 UTC (01:00 in Los Angeles) as every tenant did before tenants had a
 * time zone. Simulated weeks pass on the time-skipping test server.
 */
describe('notices in the tenant’s time zone', () => {
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

  const LOS_ANGELES = 'America/Los_Angeles';
  /** 09:00 in Los Angeles, `days` after today. */
  const nineAmInLosAngeles = (days: number) => localTime(daysFromToday(days), 9, LOS_ANGELES);
  const clockInLosAngeles = (epochMs: number) =>
    new Intl.DateTimeFormat('en-CA', { timeZone: LOS_ANGELES, dateStyle: 'short', timeStyle: 'short', hourCycle: 'h23' }).format(epochMs);

  const handleStatus = (workflowId: string) => h.temporal.workflow.getHandle(workflowId).query(onboardingStatusQuery);
  async function sleepUntil(epochMs: number) {
    const now = await env.currentTimeMs();
    if (epochMs > now) await env.sleep(epochMs - now);
  }

  test('reminders and the overdue notice go out at 09:00 Los Angeles time on their days, and not before', async () => {
    const { tenantId, apiKey } = await createTenant(h.db);
    const api = apiClient(h.baseUrl, apiKey);
    await givenCatalog(h.db, tenantId, { programs: { privacy: ['hipaa-basics'] }, roles: { nurse: [{ program: 'privacy', dueOffsetDays: 14 }] } });
    const policy = await api.put('/api/v1/notification-policy', {
      reminderDaysBeforeDue: [7, 1],
      overdueNotice: true,
      managerEscalationDaysOverdue: 3,
      complianceEscalationDaysAfter: 7,
      complianceOfficerEmail: null,
      timeZone: LOS_ANGELES,
    });
    expect(policy.status).toBe(200);
    const hired = await api.post('/api/v1/hr/events', hireEvent({ externalId: 'N-1', roles: ['nurse'], email: 'nurse@example.com' }));
    await h.mail.waitFor((m) => m.subject.startsWith('Welcome aboard'));

    const due = daysFromToday(14);
    const notices: [number, string][] = [
      [7, `Reminder: Privacy is due on ${due}`],
      [13, `Reminder: Privacy is due on ${due}`],
      [14, `Overdue: Privacy was due on ${due}`],
    ];
    for (const [day, subject] of notices) {
      const at = nineAmInLosAngeles(day);
      expect(clockInLosAngeles(at)).toBe(`${daysFromToday(day)}, 09:00`);
      // The process waits for 09:00 in Los Angeles...
      await waitForOnboarding(h.temporal, hired.body.workflowId, (status) => status.nextNoticeAt === new Date(at).toISOString());
      const earlier = new Set(h.mail.messages);
      const fresh = () => h.mail.messages.filter((m) => !earlier.has(m) && m.envelopeTo.includes('nurse@example.com'));
      // ...so at 09:00 UTC that day, and a minute before 09:00 there, nothing has gone out.
      await sleepUntil(Date.parse(`${daysFromToday(day)}T09:00:00Z`) + 60_000);
      await sleepUntil(at - 60_000);
      expect(await handleStatus(hired.body.workflowId)).toMatchObject({ nextNoticeAt: new Date(at).toISOString() });
      expect(fresh()).toEqual([]);
      await sleepUntil(at + 60_000);
      await h.mail.waitFor((m) => !earlier.has(m) && m.envelopeTo.includes('nurse@example.com') && m.subject === subject);
      expect(fresh().map((m) => m.subject)).toEqual([subject]);
    }
    // The assignment counts as overdue from 09:00 on its due date in Los Angeles.
    expect((await h.db.assignment.findFirstOrThrow({ where: { tenantId, personId: hired.body.personId } })).status).toBe('overdue');
    await waitForOnboarding(h.temporal, hired.body.workflowId, (status) => status.nextNoticeAt === new Date(nineAmInLosAngeles(17)).toISOString());
  });

  test('a process recorded before tenants had time zones replays, and its plan (no zone) still means 09:00 UTC', async () => {
    // Recorded with the code before this change: hire, the 7-day reminder sent, waiting for the 1-day reminder.
    const recorded = JSON.parse(readFileSync(path.join(__dirname, 'fixtures', 'onboarding-before-time-zones.history.json'), 'utf8'));
    const history = proto.api.history.v1.History.fromObject(recorded);
    await Worker.runReplayHistory({ workflowBundle: { codePath: testPaths.workflowBundle } }, history);

    // The plan the history holds has no time zone; today's code computes from it the moment the recorded timer was set for.
    type Moment = { seconds: string; nanos?: number };
    type RecordedEvent = { eventType: string; eventTime: Moment; [attributes: string]: unknown };
    const ms = (moment: Moment) => Number(moment.seconds) * 1000 + Math.round((moment.nanos ?? 0) / 1e6);
    const events: RecordedEvent[] = recorded.events;
    const plans = events.flatMap((e) => {
      const result = (e.activityTaskCompletedEventAttributes as { result?: { payloads: { data: string }[] } } | undefined)?.result;
      const value = result ? JSON.parse(Buffer.from(result.payloads[0]!.data, 'base64').toString('utf8')) : null;
      return value && 'policy' in value ? [value as TrainingPlan] : [];
    });
    const plan = plans.at(-1)!;
    expect(plan.policy).not.toHaveProperty('timeZone');
    const last = (type: string, before = events.length) => events.slice(0, before).map((e, i) => [e, i] as const).filter(([e]) => e.eventType === type).at(-1)!;
    const [timer, timerIndex] = last('EVENT_TYPE_TIMER_STARTED');
    const [taskStarted] = last('EVENT_TYPE_WORKFLOW_TASK_STARTED', timerIndex);
    const firesAt = ms(taskStarted.eventTime) + ms((timer.timerStartedEventAttributes as { startToFireTimeout: Moment }).startToFireTimeout);

    const sent = new Set([`${plan.open[0]!.id}:${plan.open[0]!.dueDate}:reminder_7d`]);
    const next = nextNoticeAt(scheduleNotices(plan.open, plan.policy), sent, ms(taskStarted.eventTime))!;
    expect(new Date(next).toISOString()).toMatch(/T09:00:00\.000Z$/);
    expect(Math.abs(firesAt - next)).toBeLessThan(1000);
  });
});
