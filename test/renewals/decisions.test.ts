import type { WorkflowHandle } from '@temporalio/client';
import { startHarness, type Harness } from '../support/harness';
import { decide, givenOrganisation, openStep, renewalRequest, threeLevelChain, waitForRenewal } from './fixtures';

/**
 * Approvers act through the request's process; its Update validator decides who may act. A refused
 * action gets a clear error and leaves no trace in the workflow history. Requested changes wait for
 * the requester, whose resubmission opens the same level again; a rejection ends the request.
 */
describe('approver decisions', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  /** The history once the process is idle again (waiting on a timer), and its length. */
  async function idleHistory(handle: WorkflowHandle) {
    let previous = -1;
    for (let i = 0; i < 100; i++) {
      const { events } = await handle.fetchHistory();
      const last = events?.[events.length - 1];
      if (events && last?.timerStartedEventAttributes && events.length === previous) return events;
      previous = events?.length ?? -1;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    throw new Error(`workflow ${handle.workflowId} did not settle`);
  }
  const updateEvents = (events: Awaited<ReturnType<typeof idleHistory>>) =>
    events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes || e.workflowExecutionUpdateRejectedEventAttributes).length;

  test('a wrong approver, a second decision and a decision on a closed request are refused before anything is written', async () => {
    const { api, people } = await givenOrganisation(h.db, h.baseUrl);
    const { rita, manny, dora, cora } = people;
    await api.put('/api/v1/approval-chains/program', threeLevelChain());
    const { id, workflowId } = (await api.post('/api/v1/renewals', renewalRequest(rita.id))).body.renewal;
    const handle = h.temporal.workflow.getHandle(workflowId);
    const first = await openStep(api, id, 1);
    const before = await idleHistory(handle);

    const wrong = await decide(api, first.id, dora.id, 'approve');
    expect(wrong).toEqual({
      status: 403,
      body: { error: { code: 'not_an_approver', message: 'You cannot decide this approval step: you are not its approver', details: { renewalId: id }, requestId: expect.any(String) } },
    });
    const self = await decide(api, first.id, rita.id, 'approve');
    expect(self.status).toBe(403);
    expect(self.body.error.code).toBe('not_an_approver');
    const after = await idleHistory(handle);
    expect(after).toHaveLength(before.length);
    expect(updateEvents(after)).toBe(0);

    expect((await decide(api, first.id, manny.id, 'approve')).status).toBe(200);
    await openStep(api, id, 2);
    const accepted = await idleHistory(handle);
    expect(updateEvents(accepted)).toBe(1);

    const twice = await decide(api, first.id, manny.id, 'approve');
    expect(twice.status).toBe(409);
    expect(twice.body.error).toMatchObject({ code: 'already_decided', message: 'You already decided this approval step (approved)' });
    expect(await idleHistory(handle)).toHaveLength(accepted.length);

    // Dora rejects: the request is closed; nobody can decide on it any more.
    const second = (await waitForRenewal(api, id, (r) => r.steps.length === 2)).steps[1];
    expect((await decide(api, second.id, dora.id, 'reject', { reason: 'Not before the 2027 audit' })).body.requestStatus).toBe('rejected');
    await waitForRenewal(api, id, (r) => r.closedAt !== null, 'closed');
    const closed = await idleHistory(handle);
    for (const [step, who] of [
      [second, dora],
      [second, cora],
      [first, manny],
    ] as const) {
      const late = await decide(api, step.id, who.id, 'approve');
      expect(late.status).toBe(409);
      expect(late.body.error).toMatchObject({ code: 'request_closed', message: 'This renewal request is already rejected; nobody can decide on it any more' });
    }
    expect(await idleHistory(handle)).toHaveLength(closed.length);
    expect((await api.get(`/api/v1/renewals/${id}`)).body.steps.map((s: any) => s.status)).toEqual(['approved', 'rejected']);
  });

  test('request changes, then resubmit: the same level opens again; a rejection ends the request with its reason', async () => {
    const { api, people } = await givenOrganisation(h.db, h.baseUrl);
    const { rita, manny, dora } = people;
    await api.put('/api/v1/approval-chains/program', threeLevelChain());
    const { id } = (await api.post('/api/v1/renewals', renewalRequest(rita.id))).body.renewal;
    await decide(api, (await openStep(api, id, 1)).id, manny.id, 'approve');
    const second = await openStep(api, id, 2);

    const noReason = await decide(api, second.id, dora.id, 'request_changes');
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.details).toEqual([{ field: 'body.reason', message: 'is required to request changes' }]);
    const changes = await decide(api, second.id, dora.id, 'request_changes', { reason: 'Add the 2026 audit findings' });
    expect(changes.body).toMatchObject({ stepStatus: 'changes_requested', requestStatus: 'changes_requested' });
    const told = await h.mail.waitFor((m) => m.envelopeTo.includes(rita.email) && m.subject === 'Changes requested: renewal of Privacy');
    expect(told.text).toContain('What to change: Add the 2026 audit findings');

    const meanwhile = await decide(api, second.id, dora.id, 'approve');
    expect(meanwhile.status).toBe(409);
    expect(meanwhile.body.error.code).toBe('already_decided');
    const notRita = await api.post(`/api/v1/renewals/${id}/resubmit`, { actorPersonId: manny.id });
    expect(notRita.status).toBe(403);
    expect(notRita.body.error).toMatchObject({ code: 'not_the_requester', message: 'Only the requester can resubmit this renewal request' });

    const resubmitted = await api.post(`/api/v1/renewals/${id}/resubmit`, { actorPersonId: rita.id, notes: 'Audit findings added in module 3' });
    expect(resubmitted).toEqual({ status: 200, body: { requestId: id, requestStatus: 'pending', level: 2 } });
    const again = await openStep(api, id, 2, 2);
    expect(again.approvers.map((a: any) => a.name)).toEqual(['Dora Director']);
    await h.mail.waitFor((m) => m.envelopeTo.includes(dora.email) && m.text.includes('Notes: Audit findings added in module 3'));
    const stale = await decide(api, second.id, dora.id, 'approve');
    expect(stale.body.error.code).toBe('already_decided');

    const rejected = await decide(api, again.id, dora.id, 'reject', { reason: 'Not needed until 2028' });
    expect(rejected.body).toMatchObject({ stepStatus: 'rejected', requestStatus: 'rejected' });
    const final = await waitForRenewal(api, id, (r) => r.closedAt !== null, 'closed');
    expect(final).toMatchObject({ status: 'rejected', outcomeReason: 'Not needed until 2028', notes: 'Audit findings added in module 3' });
    expect(final.steps.map((s: any) => [s.level, s.attempt, s.status])).toEqual([
      [1, 1, 'approved'],
      [2, 1, 'changes_requested'],
      [2, 2, 'rejected'],
    ]);
    const outcome = await h.mail.waitFor((m) => m.envelopeTo.includes(rita.email) && m.subject === 'Renewal rejected: Privacy');
    expect(outcome.text).toContain('Reason: Not needed until 2028');

    const audit = (await api.get(`/api/v1/renewals/${id}/audit`)).body.data;
    expect(audit.slice(3).map((e: any) => [e.action, e.actorName, e.reason])).toEqual([
      ['approval.step_opened', null, null],
      ['approval.changes_requested', 'Dora Director', 'Add the 2026 audit findings'],
      ['renewal.resubmitted', 'Rita Requester', 'Audit findings added in module 3'],
      ['approval.step_opened', null, null],
      ['approval.rejected', 'Dora Director', 'Not needed until 2028'],
      ['renewal.rejected', null, 'Not needed until 2028'],
    ]);
  });

  test('an all-of level needs every approver; one of them can delegate their part, and then only the delegate acts', async () => {
    const { api, people } = await givenOrganisation(h.db, h.baseUrl);
    const { rita, cora, colin, del } = people;
    const chain = await api.put('/api/v1/approval-chains/course', {
      name: 'Course renewals',
      levels: [{ name: 'Compliance board', approver: 'people', personIds: [cora.id, colin.id], mode: 'all', deadline: 'P5D', onTimeout: 'auto_reject' }],
    });
    expect(chain.status).toBe(200);
    const { id } = (await api.post('/api/v1/renewals', renewalRequest(rita.id, { kind: 'course', targetKey: 'hand-hygiene', version: undefined }))).body.renewal;
    const step = await openStep(api, id, 1);
    // Approvers added together are listed by name.
    expect(step.approvers.map((a: any) => a.name)).toEqual(['Colin Compliance', 'Cora Compliance']);

    expect((await decide(api, step.id, cora.id, 'approve')).body).toMatchObject({ stepStatus: 'pending', requestStatus: 'pending' });
    const toSelf = await decide(api, step.id, colin.id, 'delegate', { delegateToPersonId: colin.id });
    expect(toSelf.status).toBe(422);
    expect(toSelf.body.error.code).toBe('invalid_delegate');
    const handed = await decide(api, step.id, colin.id, 'delegate', { delegateToPersonId: del.id, reason: 'On holiday' });
    expect(handed.body).toMatchObject({ decision: 'delegate', stepStatus: 'pending' });
    const toDel = await h.mail.waitFor((m) => m.envelopeTo.includes(del.email));
    expect(toDel.subject).toBe('An approval was delegated to you: renewal of Hand Hygiene (level 1 of 1)');

    const colinAgain = await decide(api, step.id, colin.id, 'approve');
    expect(colinAgain.status).toBe(403);
    expect(colinAgain.body.error.message).toBe('You cannot decide this approval step: you delegated it');
    expect((await decide(api, step.id, del.id, 'approve')).body).toMatchObject({ stepStatus: 'approved', requestStatus: 'approved' });
    const final = await waitForRenewal(api, id, (r) => r.status === 'approved' && r.closedAt !== null);
    expect(final.steps[0].approvers.map((a: any) => [a.name, a.via, a.status])).toEqual([
      ['Colin Compliance', 'people', 'delegated'],
      ['Cora Compliance', 'people', 'approved'],
      ['Del Deputy', 'delegate', 'approved'],
    ]);
    const audit = (await api.get(`/api/v1/renewals/${id}/audit`)).body.data;
    expect(audit.find((e: any) => e.action === 'approval.delegated')).toMatchObject({ actorName: 'Colin Compliance', reason: 'On holiday', data: { from: [colin.id], to: [del.id] } });
  });

  test('the requester can withdraw a pending request; approvers are then refused', async () => {
    const { api, people } = await givenOrganisation(h.db, h.baseUrl);
    await api.put('/api/v1/approval-chains/program', threeLevelChain());
    const { id } = (await api.post('/api/v1/renewals', renewalRequest(people.rita.id))).body.renewal;
    const step = await openStep(api, id, 1);

    const cancelled = await api.post(`/api/v1/renewals/${id}/cancel`, { actorPersonId: people.rita.id, reason: 'Superseded by a new program' });
    expect(cancelled).toEqual({ status: 200, body: { requestId: id, requestStatus: 'cancelled', level: 1 } });
    const late = await decide(api, step.id, people.manny.id, 'approve');
    expect(late.body.error).toMatchObject({ code: 'request_closed', message: 'This renewal request is already cancelled; nobody can decide on it any more' });
    const final = await waitForRenewal(api, id, (r) => r.closedAt !== null);
    expect(final).toMatchObject({ status: 'cancelled', outcomeReason: 'Superseded by a new program' });
    expect(final.steps[0].status).toBe('cancelled');
    expect((await api.get(`/api/v1/approvals/inbox?personId=${people.manny.id}`)).body.data).toEqual([]);
  });

  test('when one approver of an any-of level decides, the others no longer show as pending: they were not needed', async () => {
    const { api, people } = await givenOrganisation(h.db, h.baseUrl);
    const { rita, cora, colin } = people;
    await api.put('/api/v1/approval-chains/program', {
      name: 'Compliance only',
      levels: [{ name: 'Compliance', approver: 'role', roleKey: 'compliance-officer', mode: 'any', deadline: 'P3D', onTimeout: 'auto_reject' }],
    });
    const { id } = (await api.post('/api/v1/renewals', renewalRequest(rita.id))).body.renewal;
    const step = await openStep(api, id, 1);

    await decide(api, step.id, cora.id, 'approve');
    const done = await waitForRenewal(api, id, (r) => r.status === 'approved' && r.closedAt !== null, 'approved');
    expect(done.steps[0].approvers.map((a: any) => [a.personId, a.status])).toEqual([
      [colin.id, 'not_needed'],
      [cora.id, 'approved'],
    ]);
    expect((await api.get(`/api/v1/approvals/inbox?personId=${colin.id}`)).body.data).toEqual([]);
  });
});
