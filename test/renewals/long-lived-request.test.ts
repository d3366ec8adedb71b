import { Client } from 'pg';
import type { Client as TemporalClient } from '@temporalio/client';
import { createRenewalRequest } from '../../src/services/renewals/requests';
import { renewal as renewalWorkflow, renewalStateQuery, type RenewalInput } from '../../src/workflows/renewal';
import { CONTINUE_AS_NEW_AFTER_EVENTS, TEST_DATABASE_URL } from '../support/environment';
import { startHarness, type Harness } from '../support/harness';
import { decide, givenOrganisation, openStep, renewalRequest, waitForRenewal } from './fixtures';

/** The kinds of events in a workflow's history (its current run), counted, and the activities it scheduled. */
async function historyEvents(temporal: TemporalClient, workflowId: string) {
  const history = await temporal.workflow.getHandle(workflowId).fetchHistory();
  const counts: Record<string, number> = {};
  const activities: string[] = [];
  for (const event of history.events ?? []) {
    const kind = Object.keys(event).find((key) => key.endsWith('EventAttributes') && (event as Record<string, unknown>)[key])!.replace('EventAttributes', '');
    counts[kind] = (counts[kind] ?? 0) + 1;
    const scheduled = event.activityTaskScheduledEventAttributes?.activityType?.name;
    if (scheduled) activities.push(scheduled);
  }
  return { total: history.events?.length ?? 0, counts, activities };
}

/**
 * A renewal process may live for weeks and through many actions. It must not hurt the cluster: no
 * busy loop while a write is slow, and a history that stays short because it continues as new.
 */
describe('a long-lived renewal request', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  test('while a decision is slow to write, the process waits for the write itself, not on timers, though its deadline passes', async () => {
    const { tenantId, api, people } = await givenOrganisation(h.db, h.baseUrl);
    await api.put('/api/v1/approval-chains/program', {
      name: 'Quick',
      levels: [{ name: 'Line manager', approver: 'manager', deadline: 'PT1H', reminders: [], onTimeout: 'auto_reject' }],
    });
    // The request is recorded as the API records it; its process is started here with a deadline of
    // seconds (durations are data), so that the deadline passes while the write hangs.
    const nowhere = { taskQueue: 'not-delivered', deliverNow: async () => undefined };
    const { renewal } = await createRenewalRequest(h.db, nowhere, tenantId, { type: 'system' }, { ...(renewalRequest(people.rita.id) as any), source: 'api' });
    const command = await h.db.processCommand.findFirstOrThrow({ where: { workflowId: renewal.workflowId } });
    const [input] = command.args as unknown as [RenewalInput];
    await h.temporal.workflow.start(renewalWorkflow, {
      workflowId: renewal.workflowId,
      taskQueue: h.taskQueue,
      args: [{ ...input, levels: [{ ...input.levels[0]!, deadlineMinutes: 0.1 }] }],
    });
    const step = await openStep(api, renewal.id, 1);

    // Another transaction holds the approver's row: the decision's write waits for it.
    const blocker = new Client({ connectionString: TEST_DATABASE_URL });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT 1 FROM approval_step_approver WHERE step_id = $1 FOR UPDATE', [step.id]);
      const decision = decide(api, step.id, people.manny.id, 'approve');
      while (!(await historyEvents(h.temporal, renewal.workflowId)).activities.includes('recordApprovalDecision')) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // The write hangs past the step's deadline (6 seconds after it opened), and a while longer.
      const dueAt = Date.parse(step.dueAt);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, dueAt - Date.now()) + 500));
      const during = await historyEvents(h.temporal, renewal.workflowId);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const later = await historyEvents(h.temporal, renewal.workflowId);
      expect(later.total - during.total).toBe(0);
      await blocker.query('COMMIT');
      expect((await decision).body).toMatchObject({ decision: 'approve', stepStatus: 'approved', requestStatus: 'approved' });
    } finally {
      await blocker.end();
    }
    await waitForRenewal(api, renewal.id, (r) => r.status === 'approved' && r.closedAt !== null, 'approved');
    // The decision took effect rather than the deadline's auto-rejection; the only timer was the deadline's.
    expect((await historyEvents(h.temporal, renewal.workflowId)).counts.timerStarted ?? 0).toBeLessThanOrEqual(2);
  });

  describe('through many actions', () => {
    test('after many delegations it has continued as new with its step, approvers and reminders, and still decides', async () => {
      const { tenantId, api, people } = await givenOrganisation(h.db, h.baseUrl);
      const { rita, manny, del } = people;
      await api.put('/api/v1/approval-chains/program', {
        name: 'One level',
        levels: [{ name: 'Line manager', approver: 'manager', deadline: 'P3D', reminders: ['P1D'], onTimeout: 'auto_reject' }],
      });
      const { id, workflowId } = (await api.post('/api/v1/renewals', renewalRequest(rita.id))).body.renewal;
      const step = await openStep(api, id, 1);
      const handle = h.temporal.workflow.getHandle(workflowId);
      const firstRunId = (await handle.describe()).runId;

      // The step goes back and forth between Manny and his deputy twenty times.
      let holder = manny;
      for (let i = 0; i < 20; i++) {
        const next = holder.id === manny.id ? del : manny;
        const delegated = await decide(api, step.id, holder.id, 'delegate', { delegateToPersonId: next.id, reason: `round ${i}` });
        expect(delegated.status).toBe(200);
        holder = next;
      }

      const described = await handle.describe();
      expect(described.runId).not.toBe(firstRunId);
      expect(described.historyLength).toBeLessThan(CONTINUE_AS_NEW_AFTER_EVENTS + 40);
      const state = await handle.query(renewalStateQuery);
      expect(state).toMatchObject({ status: 'pending', level: 1, current: { id: step.id, attempt: 1 } });
      expect(state.current!.approvers.filter((a) => a.status === 'pending').map((a) => a.personId)).toEqual([holder.id]);

      const approved = await decide(api, step.id, holder.id, 'approve');
      expect(approved.body).toMatchObject({ stepStatus: 'approved', requestStatus: 'approved' });
      const renewal = await waitForRenewal(api, id, (r) => r.status === 'approved' && r.closedAt !== null, 'approved');
      expect(renewal.steps).toHaveLength(1);
      // The trail has every delegation, once, across the runs.
      expect(await h.db.auditEvent.count({ where: { tenantId, entityId: id, action: 'approval.delegated' } })).toBe(20);
      expect(await h.db.auditEvent.count({ where: { tenantId, entityId: id, action: 'approval.step_opened' } })).toBe(1);
    });
  });
});
