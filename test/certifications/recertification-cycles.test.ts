import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { certificationWorkflowId } from '../../src/domain/workflow-ids';
import { recordCompletions } from '../../src/services/onboarding/completions';
import { temporalTestServerPath } from '../../src/temporal/binaries';
import { certificationProgressQuery, type CertificationProgress } from '../../src/workflows/certification';
import { createTenant, givenCatalog, hireEvent } from '../support/builders';
import { installTestRuntime, startHarness, type Harness } from '../support/harness';
import { apiClient } from '../support/http';

/**
 * Years pass in seconds on the time-skipping server. A forklift operator must hold a one-year
 * certification whose window opens 60 days before expiry, with reminders 30 and 7 days before. She
 * certifies, renews early, renews on time, lets it lapse and comes back late — and for each of the
 * three ways of basing the next expiry, every certificate, window, reminder and expiry falls on the
 * exact day the rule gives, at 09:00 (notices) or 00:00 (expiry) in the tenant's time zone.
 */
describe('recertification cycles', () => {
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

  // Calendar arithmetic written out here, independently of the code under test.
  const DAY = 86_400_000;
  const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const plusDays = (iso: string, n: number) => dayOf(Date.parse(`${iso}T00:00:00Z`) + n * DAY);
  const plusMonths = (iso: string, n: number) => {
    const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
    const last = new Date(Date.UTC(y, m - 1 + n + 1, 0)).getUTCDate();
    return dayOf(Date.UTC(y, m - 1 + n, Math.min(d, last)));
  };
  const plusYear = (iso: string) => plusMonths(iso, 12);
  const firstJanuaryFrom = (iso: string) => (iso.endsWith('-01-01') ? iso : `${Number(iso.slice(0, 4)) + 1}-01-01`);

  interface Story {
    base: 'completion_date' | 'previous_expiry' | 'fixed_date';
    timeZone: string;
    /** Hours to add to a UTC midnight to reach 09:00 and 00:00 of that day in the zone. */
    nineAmOffsetHours: number;
    midnightOffsetHours: number;
    /** The expiry a completion on `completedOn` earns after a certificate expiring `previous` (null: none), and the basis. */
    expect: (completedOn: string, previous: string | null) => string;
  }

  async function live(story: Story) {
    const { tenantId, apiKey } = await createTenant(h.db);
    const api = apiClient(h.baseUrl, apiKey);
    await givenCatalog(h.db, tenantId, {
      programs: { 'forklift-licence': ['forklift-theory', 'forklift-practice'], 'forklift-refresher': ['forklift-refresher-course'] },
      roles: { 'forklift-operator': [], 'shift-lead': [] },
    });
    await h.db.notificationPolicy.create({ data: { tenantId, timeZone: story.timeZone, complianceOfficerEmail: 'compliance@example.com' } });
    const programs = await h.db.program.findMany({ where: { tenantId } });
    const programId = (key: string) => programs.find((p) => p.key === key)!.id;
    const certification = await h.db.certification.create({
      data: {
        tenantId,
        key: 'forklift',
        title: 'Forklift Operator',
        initialProgramId: programId('forklift-licence'),
        recertificationProgramId: programId('forklift-refresher'),
        activePeriod: 'P1Y',
        windowPeriod: 'P60D',
        reminderDaysBeforeExpiry: [30, 7],
        expiryBase: story.base,
        ...(story.base === 'fixed_date' ? { fixedExpiryDay: '01-01', minimumActivePeriod: 'P6M' } : {}),
        dueOffsetDays: 30,
      },
    });
    const role = await h.db.role.findFirstOrThrow({ where: { tenantId, key: 'forklift-operator' } });
    await h.db.certificationRequirement.create({ data: { tenantId, roleId: role.id, certificationId: certification.id } });

    await api.post('/api/v1/hr/events', hireEvent({ externalId: 'L-1', roles: ['shift-lead'], email: 'lead@example.com' }));
    const hire = hireEvent({ externalId: 'F-1', roles: ['forklift-operator'], email: 'grace@example.com' });
    const hired = await api.post('/api/v1/hr/events', { ...hire, person: { ...hire.person, name: 'Grace Hopper', managerExternalId: 'L-1' } });
    const personId: string = hired.body.personId;
    const workflowId = certificationWorkflowId(tenantId, certification.id, personId);
    const handle = h.temporal.workflow.getHandle(workflowId);

    const progress = async (expected: (p: CertificationProgress) => boolean): Promise<CertificationProgress> => {
      let last: CertificationProgress | null = null;
      for (let i = 0; i < 200; i++) {
        last = await handle.query(certificationProgressQuery).catch(() => null);
        if (last && expected(last)) return last;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`the certification process never got there; last seen ${JSON.stringify(last)}`);
    };
    const now = () => env.currentTimeMs();
    const sleepUntil = async (ms: number) => {
      const current = await now();
      if (ms > current) await env.sleep(ms - current);
    };
    const nineAm = (iso: string) => Date.parse(`${iso}T00:00:00Z`) + story.nineAmOffsetHours * 3_600_000;
    const midnight = (iso: string) => Date.parse(`${iso}T00:00:00Z`) + story.midnightOffsetHours * 3_600_000;
    /** The LMS reports the courses done, at the (simulated) moment: noon UTC of `iso`. */
    const complete = async (iso: string, courses: string[]) => {
      await sleepUntil(Date.parse(`${iso}T12:00:00Z`));
      const completedAt = new Date(await now());
      const results = await recordCompletions(h.db, h.dispatcher, tenantId, { type: 'system' }, courses.map((courseKey) => ({
        source: 'acme-lms', externalId: `cmp-${randomUUID()}`, person: { id: personId }, courseKey, completedAt, passed: true,
      })));
      expect(results.map((r) => r.status)).toEqual(courses.map(() => 'recorded'));
    };
    /** The process waits for exactly this moment; nothing goes to `to` before it, and then `subject` does. */
    const atMoment = async (moment: number, to: string, subject: string) => {
      await progress((p) => p.nextAt === new Date(moment).toISOString());
      const before = h.mail.messages.filter((m) => m.subject === subject).length;
      await sleepUntil(moment - 60_000);
      expect(h.mail.messages.filter((m) => m.subject === subject)).toHaveLength(before);
      await sleepUntil(moment + 60_000);
      await h.mail.waitFor((m) => m.envelopeTo.includes(to) && m.subject === subject);
    };
    const certificates = () => h.db.certificate.findMany({ where: { tenantId, personId }, orderBy: { cycle: 'asc' } });
    /** When each entry of `action` was written, to the minute (the process acts as its timer fires, a few ms after). */
    const audit = async (action: string) =>
      (await h.db.auditEvent.findMany({ where: { tenantId, action }, orderBy: { at: 'asc' } })).map((e) => new Date(Math.floor(e.at.getTime() / 60_000) * 60_000).toISOString());

    // Hired into the role: the initial path is assigned.
    await progress((p) => p.state === 'assigned');
    const licence = await h.db.assignment.findFirstOrThrow({ where: { tenantId, personId, programId: programId('forklift-licence') } });
    expect(licence).toMatchObject({ status: 'assigned', source: 'certification' });
    const start = dayOf(await now());

    // Cycle 1: certified the day after hire.
    const c1 = plusDays(start, 1);
    await complete(c1, ['forklift-theory', 'forklift-practice']);
    const e1 = story.expect(c1, null);
    await progress((p) => p.state === 'certified' && p.expiresOn === e1);
    await h.mail.waitFor((m) => m.envelopeTo.includes('grace@example.com') && m.subject.includes('Forklift Operator') && m.text.includes(e1) && m.text.includes('/verify/'));

    // Cycle 2, early: the window opens 60 days before expiry; she renews the next day.
    const w1 = plusDays(e1, -60);
    await atMoment(nineAm(w1), 'grace@example.com', `Time to recertify: Forklift Operator expires on ${e1}`);
    expect(await h.db.assignment.findFirstOrThrow({ where: { tenantId, personId, programId: programId('forklift-refresher') } })).toMatchObject({ status: 'assigned', source: 'recertification' });
    const c2 = plusDays(w1, 1);
    await complete(c2, ['forklift-refresher-course']);
    const e2 = story.expect(c2, e1);
    await progress((p) => p.state === 'certified' && p.expiresOn === e2);

    // Cycle 3, on time: both reminders, then renewed the day before expiry.
    const w2 = plusDays(e2, -60);
    await atMoment(nineAm(w2), 'grace@example.com', `Time to recertify: Forklift Operator expires on ${e2}`);
    await atMoment(nineAm(plusDays(e2, -30)), 'grace@example.com', `Reminder: Forklift Operator expires on ${e2}`);
    await atMoment(nineAm(plusDays(e2, -7)), 'grace@example.com', `Reminder: Forklift Operator expires on ${e2}`);
    const c3 = plusDays(e2, -1);
    await complete(c3, ['forklift-refresher-course']);
    const e3 = story.expect(c3, e2);
    await progress((p) => p.state === 'certified' && p.expiresOn === e3);

    // Cycle 4, late: the certificate lapses at midnight of its expiry day; the manager and compliance
    // are told; she is back on the initial path and completes it five days later.
    const w3 = plusDays(e3, -60);
    await atMoment(nineAm(w3), 'grace@example.com', `Time to recertify: Forklift Operator expires on ${e3}`);
    await atMoment(nineAm(plusDays(e3, -30)), 'grace@example.com', `Reminder: Forklift Operator expires on ${e3}`);
    await atMoment(nineAm(plusDays(e3, -7)), 'grace@example.com', `Reminder: Forklift Operator expires on ${e3}`);
    await atMoment(midnight(e3), 'grace@example.com', 'Expired: your Forklift Operator certificate');
    await h.mail.waitFor((m) => m.envelopeTo.includes('lead@example.com') && m.subject === `Certification lapsed: Grace Hopper — Forklift Operator expired on ${e3}`);
    await h.mail.waitFor((m) => m.envelopeTo.includes('compliance@example.com') && m.subject === `Certification lapsed: Grace Hopper — Forklift Operator expired on ${e3}`);
    await progress((p) => p.state === 'expired' && p.nextAt === null);
    expect(await h.db.assignment.findFirstOrThrow({ where: { id: licence.id } })).toMatchObject({ status: 'assigned', source: 'certification', dueDate: new Date(`${plusDays(e3, 30)}T00:00:00Z`) });
    expect(await h.db.assignment.findFirstOrThrow({ where: { tenantId, personId, programId: programId('forklift-refresher') } })).toMatchObject({ status: 'waived' });
    const c4 = plusDays(e3, 5);
    await complete(c4, ['forklift-theory', 'forklift-practice']);
    const e4 = story.expect(c4, e3);
    await progress((p) => p.state === 'certified' && p.expiresOn === e4);

    // Every cycle is kept, chained, each superseded by the next; completions of earlier cycles are still on record.
    const issued = await certificates();
    expect(issued.map((c) => [c.cycle, dayOf(c.issuedOn.getTime()), dayOf(c.expiresOn.getTime()), c.basis])).toEqual([
      [1, c1, e1, 'initial'],
      [2, c2, e2, 'recertification'],
      [3, c3, e3, 'recertification'],
      [4, c4, e4, 'late_recertification'],
    ]);
    expect(issued.map((c) => c.previousId)).toEqual([null, issued[0]!.id, issued[1]!.id, issued[2]!.id]);
    expect(issued.map((c) => c.supersededAt !== null)).toEqual([true, true, true, false]);
    expect(new Set(issued.map((c) => c.number)).size).toBe(4);
    expect(await h.db.completion.count({ where: { tenantId, personId } })).toBe(6);
    expect(await audit('certification.window_opened')).toEqual([w1, w2, w3].map((w) => new Date(nineAm(w)).toISOString()));
    expect(await audit('certification.reminder_sent')).toEqual(
      [plusDays(e2, -30), plusDays(e2, -7), plusDays(e3, -30), plusDays(e3, -7)].map((d) => new Date(nineAm(d)).toISOString()),
    );
    expect(await audit('certificate.expired')).toEqual([new Date(midnight(e3)).toISOString()]);
    // The early renewal skipped the first window's reminders: nothing was sent about the first certificate's expiry.
    expect(h.mail.messages.filter((m) => m.subject === `Reminder: Forklift Operator expires on ${e1}`)).toHaveLength(0);
    return { tenantId, personId, handle };
  }

  test('based on the completion date, in Tokyo: each certificate runs a year from its completion; notices at 09:00 and expiry at midnight Tokyo time', async () => {
    // Tokyo keeps UTC+9 all year: 09:00 there is 00:00 UTC, midnight is 15:00 UTC the day before.
    await live({ base: 'completion_date', timeZone: 'Asia/Tokyo', nineAmOffsetHours: 0, midnightOffsetHours: -9, expect: (completedOn) => plusYear(completedOn) });
  });

  test('based on the previous expiry: early and on-time renewers keep their anniversary, the late one starts afresh', async () => {
    await live({
      base: 'previous_expiry',
      timeZone: 'UTC',
      nineAmOffsetHours: 9,
      midnightOffsetHours: 0,
      expect: (completedOn, previous) => (previous && completedOn < previous ? plusYear(previous) : plusYear(completedOn)),
    });
  });

  test('on a fixed date: every certificate expires on a 1 January at least six months after completion', async () => {
    const { tenantId, personId } = await live({
      base: 'fixed_date',
      timeZone: 'UTC',
      nineAmOffsetHours: 9,
      midnightOffsetHours: 0,
      expect: (completedOn, previous) => {
        const earliest = plusMonths(completedOn, 6);
        return firstJanuaryFrom(previous && earliest <= previous ? plusDays(previous, 1) : earliest);
      },
    });
    const expiries = (await h.db.certificate.findMany({ where: { tenantId, personId }, orderBy: { cycle: 'asc' } })).map((c) => dayOf(c.expiresOn.getTime()));
    expect(expiries.every((d) => d.endsWith('-01-01'))).toBe(true);
  });
});
