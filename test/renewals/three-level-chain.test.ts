import { Worker } from '@temporalio/worker';
import { onboardingWorkflowId } from '../../src/domain/workflow-ids';
import { testPaths } from '../support/environment';
import { waitForOnboarding } from '../support/onboarding-status';
import { startHarness, type Harness } from '../support/harness';
import { decide, givenOrganisation, mailTo, openStep, renewalRequest, threeLevelChain, waitForRenewal } from './fixtures';

/**
 * Rita asks to renew the privacy program for 2027. Her manager, his manager and a compliance officer
 * approve in turn; the renewal takes effect, the nurse who completed the old content is sent back to
 * training, everyone concerned hears about it, and the audit trail tells the story in order.
 */
describe('a three-level renewal approved level by level', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  test('each level goes to its approver in turn; the last approval puts the renewal into effect', async () => {
    const { tenantId, api, people } = await givenOrganisation(h.db, h.baseUrl);
    const { rita, manny, dora, cora, colin, nick } = people;
    expect((await api.put('/api/v1/renewal-policy', { allowAutoApprove: false, retrainOnApproval: true, retrainDueDays: 30 })).status).toBe(200);
    const chain = await api.put('/api/v1/approval-chains/program', threeLevelChain());
    expect(chain.status).toBe(200);
    expect(chain.body.levels.map((l: any) => [l.position, l.approver, l.deadline, l.reminders])).toEqual([
      [1, 'manager', 'P3D', ['P1D']],
      [2, 'managers_manager', 'P3D', ['P1D']],
      [3, 'role', 'P5D', ['P2D', 'PT4H']],
    ]);
    const privacy = await h.db.program.findFirstOrThrow({ where: { tenantId, key: 'privacy' } });
    const done = await h.db.assignment.create({
      data: { tenantId, personId: nick.id, programId: privacy.id, mandatory: true, status: 'completed', source: 'onboarding', dueDate: new Date('2026-01-20'), completedAt: new Date('2026-01-15') },
    });

    // Someone who has left completed it too; they are not sent back to training.
    const gone = await h.db.person.create({
      data: { tenantId, source: 'workday', externalId: `gone-${nick.externalId}`, email: `gone-${nick.email}`, name: 'Gail Gone', hireDate: new Date('2024-01-08'), status: 'terminated' },
    });
    const goneDone = await h.db.assignment.create({
      data: { tenantId, personId: gone.id, programId: privacy.id, mandatory: true, status: 'completed', source: 'onboarding', dueDate: new Date('2026-01-20'), completedAt: new Date('2026-01-15') },
    });

    const created = await api.post('/api/v1/renewals', renewalRequest(rita.id));
    expect(created.status).toBe(202);
    const { id } = created.body.renewal;
    expect(created.body.renewal).toMatchObject({ status: 'pending', kind: 'program', target: { key: 'privacy', title: 'Privacy' }, version: '2027', levels: 3 });
    expect(created.body.renewal.workflowId).toBe(`renewal:${tenantId}:${id}`);

    // Level 1: Rita's manager is asked, by e-mail and in his inbox.
    const first = await openStep(api, id, 1);
    expect(first.approvers.map((a: any) => [a.name, a.via, a.status])).toEqual([['Manny Manager', 'manager', 'pending']]);
    const asked = await h.mail.waitFor((m) => m.envelopeTo.includes(manny.email));
    expect(asked.subject).toBe('Your approval is needed: renewal of Privacy (level 1 of 3)');
    expect(asked.text).toContain('requested by Rita Requester');
    expect(asked.text).toContain('Why: Yearly compliance refresh: HIPAA guidance changed');
    const inbox = await api.get(`/api/v1/approvals/inbox?personId=${manny.id}`);
    expect(inbox.body.data).toEqual([expect.objectContaining({ approvalId: first.id, renewalId: id, level: 1, levels: 3, levelName: 'Line manager', via: 'manager' })]);
    expect((await api.get(`/api/v1/approvals/inbox?personId=${dora.id}`)).body.data).toEqual([]);

    const approved1 = await decide(api, first.id, manny.id, 'approve');
    expect(approved1).toEqual({ status: 200, body: { requestId: id, stepId: first.id, level: 1, decision: 'approve', stepStatus: 'approved', requestStatus: 'pending' } });

    // Level 2: his manager.
    const second = await openStep(api, id, 2);
    expect(second.approvers.map((a: any) => a.name)).toEqual(['Dora Director']);
    expect((await api.get(`/api/v1/approvals/inbox?personId=${manny.id}`)).body.data).toEqual([]);
    expect((await decide(api, second.id, dora.id, 'approve', { reason: 'Budget is fine' })).body.stepStatus).toBe('approved');

    // Level 3: any one compliance officer; the other's inbox empties once it is decided.
    const third = await openStep(api, id, 3);
    expect(third.approvers.map((a: any) => a.name).sort()).toEqual(['Colin Compliance', 'Cora Compliance']);
    expect((await api.get(`/api/v1/approvals/inbox?personId=${colin.id}`)).body.data).toHaveLength(1);
    const last = await decide(api, third.id, cora.id, 'approve', { reason: 'Content reviewed' });
    expect(last.body).toMatchObject({ stepStatus: 'approved', requestStatus: 'approved' });
    expect((await api.get(`/api/v1/approvals/inbox?personId=${colin.id}`)).body.data).toEqual([]);

    const final = await waitForRenewal(api, id, (r) => r.status === 'approved' && r.effectiveAt !== null, 'approved and in effect');
    expect(final.steps.map((s: any) => [s.level, s.status])).toEqual([
      [1, 'approved'],
      [2, 'approved'],
      [3, 'approved'],
    ]);

    // The outcome: Nick's completed privacy training is re-opened, due 30 days after the renewal took effect.
    const reopened = await h.db.assignment.findUniqueOrThrow({ where: { id: done.id } });
    const due = new Date(Date.parse(final.effectiveAt.slice(0, 10)) + 30 * 86_400_000).toISOString().slice(0, 10);
    expect(reopened).toMatchObject({ status: 'assigned', completedAt: null, statusActor: `renewal:${id}` });
    expect(reopened.dueDate.toISOString().slice(0, 10)).toBe(due);
    expect((await h.db.assignment.findUniqueOrThrow({ where: { id: goneDone.id } })).status).toBe('completed');
    const retrain = await h.mail.waitFor((m) => m.envelopeTo.includes(nick.email));
    expect(retrain.subject).toBe(`Please re-take Privacy by ${due}`);

    // Only what Nick completes from now on counts, and his training process waits for it again.
    const lms = (externalId: string, completedAt: string) =>
      api.post('/api/v1/completions', { source: 'acme-lms', externalId, person: { id: nick.id }, courseKey: 'hipaa-basics', completedAt });
    expect((await lms('old-content-resent', '2026-01-15T10:00:00Z')).body.completedAssignmentIds).toEqual([]);
    await waitForOnboarding(h.temporal, onboardingWorkflowId(tenantId, nick.id), (s) => s.outstandingAssignmentIds.includes(done.id));
    expect((await lms('new-content', new Date().toISOString())).body.completedAssignmentIds).toEqual([done.id]);

    // Rita and the three approvers who decided hear the outcome; Colin, who did not decide, does not.
    const toRita = await h.mail.waitFor((m) => m.envelopeTo.includes(rita.email));
    expect(toRita.subject).toBe('Renewal approved: Privacy');
    expect(toRita.text).toContain('1 completed assignment(s) were re-opened for re-training');
    for (const approver of [manny, dora, cora]) {
      await h.mail.waitFor((m) => m.envelopeTo.includes(approver.email) && m.subject === 'Renewal approved: Privacy');
    }
    expect(mailTo(h.mail, colin.email, 'Renewal approved')).toEqual([]);

    // The audit trail: every step and decision, with actor, time and reason, in order.
    const audit = await api.get(`/api/v1/renewals/${id}/audit`);
    expect(audit.status).toBe(200);
    expect(audit.body.data.map((e: any) => [e.action, e.level, e.actorName, e.reason])).toEqual([
      ['renewal.requested', null, 'test-integration', 'Yearly compliance refresh: HIPAA guidance changed'],
      ['approval.step_opened', 1, null, null],
      ['approval.approved', 1, 'Manny Manager', null],
      ['approval.step_opened', 2, null, null],
      ['approval.approved', 2, 'Dora Director', 'Budget is fine'],
      ['approval.step_opened', 3, null, null],
      ['approval.approved', 3, 'Cora Compliance', 'Content reviewed'],
      ['renewal.approved', null, null, null],
      ['renewal.took_effect', null, null, null],
    ]);
    const times = audit.body.data.map((e: any) => Date.parse(e.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(audit.body.data[2]).toMatchObject({ actorType: 'person', actorId: manny.id, data: { channel: 'api', stepId: first.id } });
    expect(audit.body.data[8].data).toMatchObject({ reopenedAssignments: 1, retrainDueDate: due });

    // The recorded history replays against today's workflow code: the process is deterministic.
    const history = await h.temporal.workflow.getHandle(created.body.renewal.workflowId).fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: { codePath: testPaths.workflowBundle } }, history);
  });

  test('the audit exports as RFC 4180 CSV, and a reason that looks like a formula cannot run in a spreadsheet', async () => {
    const { api, apiKey, people } = await givenOrganisation(h.db, h.baseUrl);
    await api.put('/api/v1/approval-chains/program', threeLevelChain());
    const created = await api.post('/api/v1/renewals', renewalRequest(people.rita.id, { reason: 'Refresh, "v2"\nwith a second line' }));
    const { id } = created.body.renewal;
    const step = await openStep(api, id, 1);
    await decide(api, step.id, people.manny.id, 'reject', { reason: '=HYPERLINK("http://evil.example","click"), sorry' });
    await waitForRenewal(api, id, (r) => r.status === 'rejected' && r.closedAt !== null, 'rejected');

    const csv = await fetch(`${h.baseUrl}/api/v1/renewals/${id}/audit.csv`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const text = await csv.text();
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('at,action,level,actor_type,actor_id,actor_name,reason,details');
    expect(lines[1]).toContain(',renewal.requested,,api_client,');
    expect(text).toContain('"Refresh, ""v2""\nwith a second line"');
    const rejection = lines.find((l) => l.includes(',approval.rejected,'))!;
    expect(rejection).toContain(`,1,person,${people.manny.id},Manny Manager,"'=HYPERLINK(""http://evil.example"",""click""), sorry",`);
    expect(text.endsWith('\r\n')).toBe(true);
  });
});
