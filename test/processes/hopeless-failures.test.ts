import { WorkflowFailedError } from '@temporalio/client';
import { createRenewalRequest } from '../../src/services/renewals/requests';
import { personChangedSignal } from '../../src/workflows/onboarding';
import { renewal as renewalWorkflow, type RenewalInput } from '../../src/workflows/renewal';
import { createTenant, givenCatalog, hireEvent } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { apiClient } from '../support/http';
import { waitForOnboarding, waitingForCompletions } from '../support/onboarding-status';
import { givenOrganisation, openStep, renewalRequest, waitForRenewal } from '../renewals/fixtures';

/**
 * A step that no retry can mend — the records it needs were deleted underneath it — does not retry
 * forever: the process stops at once, fails visibly in Temporal, and says why in the audit trail.
 */
describe('processes that can never finish a step', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  test('a person deleted underneath their training process: it stops at once, failed, and the audit says why', async () => {
    const { tenantId, apiKey } = await createTenant(h.db);
    const api = apiClient(h.baseUrl, apiKey);
    await givenCatalog(h.db, tenantId, { programs: { privacy: ['hipaa-basics'] }, roles: { nurse: [{ program: 'privacy', dueOffsetDays: 14 }] } });
    const { personId, workflowId } = (await api.post('/api/v1/hr/events', hireEvent())).body;
    await waitForOnboarding(h.temporal, workflowId, waitingForCompletions);

    await h.db.person.delete({ where: { id: personId } });
    const handle = h.temporal.workflow.getHandle(workflowId);
    await handle.signal(personChangedSignal);

    const failure = await handle.result().then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect((failure as WorkflowFailedError).cause?.message).toMatch(/^The training process stopped: /);
    const audit = await h.db.auditEvent.findMany({ where: { tenantId, action: 'process.failed' } });
    expect(audit).toEqual([expect.objectContaining({ entityType: 'person', entityId: personId, data: { code: 'record_missing', workflowId } })]);
  });

  test('a renewal whose open step was deleted underneath it: the request ends failed with the reason, audited, instead of retrying', async () => {
    const { tenantId, api, people } = await givenOrganisation(h.db, h.baseUrl);
    await api.put('/api/v1/approval-chains/program', {
      name: 'Quick',
      levels: [{ name: 'Line manager', approver: 'manager', deadline: 'PT1H', reminders: ['PT30M'], onTimeout: 'auto_reject' }],
    });
    // Recorded as the API records it; its process is started here with a reminder due seconds after the step opens.
    const nowhere = { taskQueue: 'not-delivered', deliverNow: async () => undefined };
    const { renewal } = await createRenewalRequest(h.db, nowhere, tenantId, { type: 'system' }, { ...(renewalRequest(people.rita.id) as any), source: 'api' });
    const command = await h.db.processCommand.findFirstOrThrow({ where: { workflowId: renewal.workflowId } });
    const [input] = command.args as unknown as [RenewalInput];
    const handle = await h.temporal.workflow.start(renewalWorkflow, {
      workflowId: renewal.workflowId,
      taskQueue: h.taskQueue,
      args: [{ ...input, levels: [{ ...input.levels[0]!, deadlineMinutes: 60, reminderMinutesBefore: [59.95] }] }],
    });
    const step = await openStep(api, renewal.id, 1);
    await h.db.approvalStep.delete({ where: { id: step.id } });

    // The reminder cannot be sent for a step that no longer exists.
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    const failed = await waitForRenewal(api, renewal.id, (r) => r.status === 'failed', 'failed');
    expect(failed).toMatchObject({ status: 'failed', closedAt: expect.any(String), outcomeReason: expect.any(String) });
    const audit = await api.get(`/api/v1/renewals/${renewal.id}/audit`);
    expect(audit.body.data.at(-1)).toMatchObject({ action: 'renewal.failed', actorType: 'system', reason: failed.outcomeReason, data: { code: 'record_missing' } });
  });
});
