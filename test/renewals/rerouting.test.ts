import { startHarness, type Harness } from '../support/harness';
import { decide, givenOrganisation, mailTo, openStep, renewalRequest, threeLevelChain, waitForRenewal } from './fixtures';

/**
 * The HR system moves people while approvals wait: a step derived from someone's position follows
 * the change to the new approver, who is told and can decide; the old approver no longer can; the
 * audit shows the move.
 */
describe('re-routing pending approvals on HR changes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  async function organisation() {
    const org = await givenOrganisation(h.db, h.baseUrl);
    const max = await h.db.person.create({
      data: { tenantId: org.tenantId, source: 'workday', externalId: `max-${org.people.rita.externalId}`, email: `max-${org.people.rita.email}`, name: 'Max Newmanager', managerId: org.people.dora.id, hireDate: new Date('2025-01-06') },
    });
    await org.api.put('/api/v1/approval-chains/program', threeLevelChain());
    return { ...org, max };
  }

  function hrEvent(type: 'transfer' | 'terminate', person: Record<string, unknown>) {
    return { type, eventId: `evt-${type}-${Math.random().toString(36).slice(2)}`, source: 'workday', person };
  }

  test("the requester's manager changes while level 1 waits: the new manager gets the step and decides; the old one cannot", async () => {
    const { api, people, max } = await organisation();
    const { rita, manny } = people;
    const { id } = (await api.post('/api/v1/renewals', renewalRequest(rita.id))).body.renewal;
    const step = await openStep(api, id, 1);
    await h.mail.waitFor((m) => m.envelopeTo.includes(manny.email));

    const transfer = await api.post('/api/v1/hr/events', hrEvent('transfer', { externalId: rita.externalId, managerExternalId: max.externalId }));
    expect(transfer.status).toBe(202);

    const told = await h.mail.waitFor((m) => m.envelopeTo.includes(max.email));
    expect(told.subject).toBe('An approval has moved to you: renewal of Privacy (level 1 of 3)');
    const moved = await waitForRenewal(api, id, (r) => r.steps[0].approvers.some((a: any) => a.name === 'Max Newmanager'), 're-routed');
    expect(moved.steps[0].approvers.map((a: any) => [a.name, a.via, a.status])).toEqual([
      ['Manny Manager', 'manager', 'removed'],
      ['Max Newmanager', 'manager', 'pending'],
    ]);
    expect((await api.get(`/api/v1/approvals/inbox?personId=${manny.id}`)).body.data).toEqual([]);
    expect((await api.get(`/api/v1/approvals/inbox?personId=${max.id}`)).body.data).toEqual([expect.objectContaining({ approvalId: step.id })]);

    const old = await decide(api, step.id, manny.id, 'approve');
    expect(old.status).toBe(403);
    expect(old.body.error).toMatchObject({ code: 'not_an_approver', message: 'You cannot decide this approval step: it was moved to someone else' });
    expect((await decide(api, step.id, max.id, 'approve')).body).toMatchObject({ stepStatus: 'approved', requestStatus: 'pending' });
    // Level 2 (the manager's manager) now follows Rita's new line: Max's manager, Dora.
    const second = await openStep(api, id, 2);
    expect(second.approvers.map((a: any) => a.name)).toEqual(['Dora Director']);

    const audit = (await api.get(`/api/v1/renewals/${id}/audit`)).body.data;
    const rerouted = audit.find((e: any) => e.action === 'approval.rerouted');
    expect(rerouted).toMatchObject({ actorType: 'system', level: 1, reason: 'an HR change moved who approves this level', data: { from: [manny.id], to: [max.id], hrChangeFor: [rita.id] } });
    expect(audit.map((e: any) => e.action).slice(0, 4)).toEqual(['renewal.requested', 'approval.step_opened', 'approval.rerouted', 'approval.approved']);
  });

  test('an approver who leaves the company drops out: a role level keeps its other holders; a manager level escalates by its rule', async () => {
    const { api, people } = await organisation();
    const { rita, manny, dora, cora, colin } = people;

    // Level 3 (compliance officers, any one) waits for Cora and Colin; Cora leaves.
    const first = (await api.post('/api/v1/renewals', renewalRequest(rita.id))).body.renewal.id;
    await decide(api, (await openStep(api, first, 1)).id, manny.id, 'approve');
    await decide(api, (await openStep(api, first, 2)).id, dora.id, 'approve');
    const third = await openStep(api, first, 3);
    expect((await api.post('/api/v1/hr/events', hrEvent('terminate', { externalId: cora.externalId }))).status).toBe(202);
    const withoutCora = await waitForRenewal(api, first, (r) => r.steps[2].approvers.some((a: any) => a.status === 'removed'), 'Cora removed');
    expect(withoutCora.steps[2].approvers.map((a: any) => [a.name, a.status])).toEqual([
      ['Colin Compliance', 'pending'],
      ['Cora Compliance', 'removed'],
    ]);
    expect((await decide(api, third.id, colin.id, 'approve')).body.requestStatus).toBe('approved');

    // A new request waits for Manny; Manny leaves: nobody is Rita's manager any more, so level 1
    // escalates at once by its rule (next manager up): Dora.
    await api.put('/api/v1/approval-chains/course', threeLevelChain());
    const course = (await api.post('/api/v1/renewals', renewalRequest(rita.id, { kind: 'course', targetKey: 'hipaa-basics' }))).body.renewal.id;
    const waiting = await openStep(api, course, 1);
    const before = mailTo(h.mail, dora.email, 'An approval was escalated').length;
    expect((await api.post('/api/v1/hr/events', hrEvent('terminate', { externalId: manny.externalId }))).status).toBe(202);
    await h.mail.waitFor(() => mailTo(h.mail, dora.email, 'An approval was escalated').length === before + 1);
    const escalated = await waitForRenewal(api, course, (r) => r.steps[0].escalatedAt !== null, 'escalated');
    expect(escalated.steps[0].approvers.map((a: any) => [a.name, a.via, a.status])).toEqual([
      ['Manny Manager', 'manager', 'removed'],
      ['Dora Director', 'escalation', 'pending'],
    ]);
    expect((await decide(api, waiting.id, dora.id, 'approve')).body.stepStatus).toBe('approved');
    const audit = (await api.get(`/api/v1/renewals/${course}/audit`)).body.data.map((e: any) => e.action);
    expect(audit.slice(0, 5)).toEqual(['renewal.requested', 'approval.step_opened', 'approval.rerouted', 'approval.escalated', 'approval.approved']);
  });

  test('on an all-of level, when the only approver still to decide leaves, the approvals already given carry the level', async () => {
    const org = await givenOrganisation(h.db, h.baseUrl);
    const { api, people } = org;
    const { rita, manny, dora, cora, colin } = people;
    await api.put('/api/v1/approval-chains/program', threeLevelChain({ compliance: { mode: 'all' } }));
    const id = (await api.post('/api/v1/renewals', renewalRequest(rita.id))).body.renewal.id;
    await decide(api, (await openStep(api, id, 1)).id, manny.id, 'approve');
    await decide(api, (await openStep(api, id, 2)).id, dora.id, 'approve');
    const third = await openStep(api, id, 3);
    expect((await decide(api, third.id, colin.id, 'approve')).body).toMatchObject({ stepStatus: 'pending', requestStatus: 'pending' });

    expect((await api.post('/api/v1/hr/events', hrEvent('terminate', { externalId: cora.externalId }))).status).toBe(202);

    const approved = await waitForRenewal(api, id, (r) => r.status === 'approved', 'approved once Cora left');
    expect(approved.steps[2].approvers.map((a: any) => [a.name, a.status])).toEqual([
      ['Colin Compliance', 'approved'],
      ['Cora Compliance', 'removed'],
    ]);
  });
});
