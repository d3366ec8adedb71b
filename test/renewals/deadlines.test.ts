import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporalTestServerPath } from '../../src/temporal/binaries';
import { installTestRuntime, startHarness, type Harness } from '../support/harness';
import { decide, givenOrganisation, mailTo, openStep, renewalRequest, waitForRenewal } from './fixtures';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Simulated days pass on the time-skipping test server: approvers are reminded at each configured
 * offset before their deadline, once; a level that is not decided in time escalates by its rule.
 */
describe('approval deadlines, reminders and escalation', () => {
  let env: TestWorkflowEnvironment;
  let h: Harness;
  beforeAll(async () => {
    installTestRuntime();
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } });
    h = await startHarness({ temporal: { client: env.client, nativeConnection: env.nativeConnection } });
  });
  afterAll(async () => {
    await h?.close();
    await env?.teardown();
  });

  async function sleepUntil(epochMs: number) {
    const now = await env.currentTimeMs();
    if (epochMs > now) await env.sleep(epochMs - now);
  }

  test('reminders go out at their offsets, each once; on timeout the next manager up takes over; a second timeout expires the request', async () => {
    const { api, people } = await givenOrganisation(h.db, h.baseUrl);
    const { rita, manny, dora } = people;
    await api.put('/api/v1/approval-chains/program', {
      name: 'Program renewals',
      levels: [{ name: 'Line manager', approver: 'manager', deadline: 'P3D', reminders: ['P1D', 'PT2H'], onTimeout: 'next_manager' }],
    });
    const { id } = (await api.post('/api/v1/renewals', renewalRequest(rita.id))).body.renewal;
    const step = await openStep(api, id, 1);
    const opened = Date.parse(step.openedAt);
    expect(Date.parse(step.dueAt) - opened).toBe(3 * DAY);
    await h.mail.waitFor((m) => m.envelopeTo.includes(manny.email) && m.subject.startsWith('Your approval is needed'));

    const reminders = () => mailTo(h.mail, manny.email, 'Reminder: your approval is still needed');
    await sleepUntil(opened + 2 * DAY - HOUR);
    expect(reminders()).toHaveLength(0);
    await sleepUntil(opened + 2 * DAY + MINUTE);
    await h.mail.waitFor((m) => reminders().includes(m));
    await sleepUntil(opened + 3 * DAY - 2 * HOUR - 5 * MINUTE);
    expect(reminders()).toHaveLength(1);
    await sleepUntil(opened + 3 * DAY - 2 * HOUR + MINUTE);
    await h.mail.waitFor(() => reminders().length === 2);
    expect(reminders()[1]!.subject).toBe('Reminder: your approval is still needed: renewal of Privacy (level 1 of 1)');

    // The deadline passes: Manny's manager Dora gets the step, with a fresh three days.
    await sleepUntil(opened + 3 * DAY + MINUTE);
    const escalated = await h.mail.waitFor((m) => m.envelopeTo.includes(dora.email));
    expect(escalated.subject).toBe('An approval was escalated to you: renewal of Privacy (level 1 of 1)');
    const moved = await waitForRenewal(api, id, (r) => r.steps[0].escalatedAt !== null, 'escalated');
    expect(moved.steps[0].approvers.map((a: any) => [a.name, a.via, a.status])).toEqual([
      ['Manny Manager', 'manager', 'removed'],
      ['Dora Director', 'escalation', 'pending'],
    ]);
    expect(Date.parse(moved.steps[0].dueAt) - Date.parse(moved.steps[0].escalatedAt)).toBe(3 * DAY);
    const tooLate = await decide(api, step.id, manny.id, 'approve');
    expect(tooLate.status).toBe(403);
    expect(tooLate.body.error.message).toBe('You cannot decide this approval step: it was moved to someone else');

    // Dora is reminded on her own schedule; nobody decides; the request expires and Rita is told.
    const escalatedAt = Date.parse(moved.steps[0].escalatedAt);
    await sleepUntil(escalatedAt + 3 * DAY + MINUTE);
    const final = await waitForRenewal(api, id, (r) => r.closedAt !== null, 'closed');
    expect(final).toMatchObject({ status: 'expired', outcomeReason: 'level 1 was not decided in time, even after escalation' });
    await h.mail.waitFor((m) => m.envelopeTo.includes(rita.email) && m.subject === 'Renewal expired: Privacy');
    expect(mailTo(h.mail, dora.email, 'Reminder')).toHaveLength(2);
    expect(reminders()).toHaveLength(2);

    const audit = (await api.get(`/api/v1/renewals/${id}/audit`)).body.data;
    expect(audit.map((e: any) => e.action)).toEqual([
      'renewal.requested',
      'approval.step_opened',
      'approval.reminder_sent',
      'approval.reminder_sent',
      'approval.escalated',
      'approval.reminder_sent',
      'approval.reminder_sent',
      'approval.expired',
      'renewal.expired',
    ]);
    const sent = audit.filter((e: any) => e.action === 'approval.reminder_sent');
    expect(sent.map((e: any) => [Math.round((Date.parse(e.at) - opened) / MINUTE), e.data.to])).toEqual([
      [2 * 24 * 60, manny.id],
      [3 * 24 * 60 - 120, manny.id],
      [Math.round((escalatedAt - opened) / MINUTE) + 2 * 24 * 60, dora.id],
      [Math.round((escalatedAt - opened) / MINUTE) + 3 * 24 * 60 - 120, dora.id],
    ]);
    expect(audit[4]).toMatchObject({ reason: 'level 1 was not decided by its deadline: escalated (next manager)', data: { from: [manny.id], to: [dora.id] } });
  });

  test('a delegate takes over a timed-out level; a level the tenant lets approve itself does so on timeout', async () => {
    const { api, people } = await givenOrganisation(h.db, h.baseUrl);
    const { rita, manny, del } = people;
    await api.put('/api/v1/renewal-policy', { allowAutoApprove: true, retrainOnApproval: false, retrainDueDays: 30 });
    const chain = await api.put('/api/v1/approval-chains/program', {
      name: 'Program renewals',
      levels: [
        { name: 'Line manager', approver: 'manager', deadline: 'P2D', onTimeout: 'delegate', escalateToPersonId: del.id },
        { name: 'Compliance', approver: 'role', roleKey: 'compliance-officer', deadline: 'PT12H', onTimeout: 'auto_approve' },
      ],
    });
    expect(chain.status).toBe(200);
    const { id } = (await api.post('/api/v1/renewals', renewalRequest(rita.id))).body.renewal;
    const step = await openStep(api, id, 1);
    await h.mail.waitFor((m) => m.envelopeTo.includes(manny.email));

    await sleepUntil(Date.parse(step.dueAt) + MINUTE);
    await h.mail.waitFor((m) => m.envelopeTo.includes(del.email) && m.subject.startsWith('An approval was escalated to you'));
    expect((await decide(api, step.id, del.id, 'approve')).body).toMatchObject({ stepStatus: 'approved', requestStatus: 'pending' });

    const second = await openStep(api, id, 2);
    await sleepUntil(Date.parse(second.dueAt) + MINUTE);
    const final = await waitForRenewal(api, id, (r) => r.closedAt !== null, 'closed');
    expect(final).toMatchObject({ status: 'approved', outcomeReason: 'level 2 was not decided by its deadline: approved automatically' });
    const audit = (await api.get(`/api/v1/renewals/${id}/audit`)).body.data;
    expect(audit.map((e: any) => [e.action, e.actorName])).toEqual([
      ['renewal.requested', 'test-integration'],
      ['approval.step_opened', null],
      ['approval.escalated', null],
      ['approval.approved', 'Del Deputy'],
      ['approval.step_opened', null],
      ['approval.auto_approved', null],
      ['renewal.approved', null],
      ['renewal.took_effect', null],
    ]);
  });

  test('a level whose rule is to reject on timeout rejects the request, and the requester is told why', async () => {
    const { api, people } = await givenOrganisation(h.db, h.baseUrl);
    await api.put('/api/v1/approval-chains/program', {
      name: 'Program renewals',
      levels: [{ name: 'Line manager', approver: 'manager', deadline: 'P1D', reminders: ['PT6H'], onTimeout: 'auto_reject' }],
    });
    const { id } = (await api.post('/api/v1/renewals', renewalRequest(people.rita.id))).body.renewal;
    const step = await openStep(api, id, 1);

    await sleepUntil(Date.parse(step.dueAt) + MINUTE);
    const final = await waitForRenewal(api, id, (r) => r.closedAt !== null, 'closed');
    expect(final).toMatchObject({ status: 'rejected', outcomeReason: 'level 1 was not decided by its deadline: rejected automatically' });
    expect(final.steps[0].status).toBe('rejected');
    const told = await h.mail.waitFor((m) => m.envelopeTo.includes(people.rita.email) && m.subject === 'Renewal rejected: Privacy');
    expect(told.text).toContain('Reason: level 1 was not decided by its deadline: rejected automatically');
    expect(mailTo(h.mail, people.manny.email, 'Reminder')).toHaveLength(1);
  });
});
