import { createApiClient } from '../../src/services/identity/api-keys';
import { createRenewalRequest } from '../../src/services/renewals/requests';
import { startHarness, type Harness } from '../support/harness';
import { apiClient } from '../support/http';
import { decide, givenOrganisation, openStep, renewalRequest, threeLevelChain } from './fixtures';

/**
 * Configuring chains and making renewal requests: one process per request, a repeated request is
 * the first one, and whatever a caller gets wrong gets a 4xx that names it, with nothing written.
 */
describe('approval chains and renewal requests', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  async function nothingWritten(tenantId: string) {
    expect(await h.db.renewalRequest.count({ where: { tenantId } })).toBe(0);
    expect(await h.db.auditEvent.count({ where: { tenantId, entityType: 'renewal_request' } })).toBe(0);
  }

  test('a chain that is not well-formed is refused, naming each problem; the stored chain stays as it was', async () => {
    const { tenantId, api, people } = await givenOrganisation(h.db, h.baseUrl);
    const bad = await api.put('/api/v1/approval-chains/program', {
      name: 'Broken',
      levels: [
        { name: 'A', approver: 'role', deadline: 'P3D', onTimeout: 'auto_reject' },
        { name: 'B', approver: 'manager', mode: 'all', deadline: 'P3D', reminders: ['P1D'], onTimeout: 'delegate' },
        { name: 'C', approver: 'people', personIds: [people.cora.id], deadline: 'PT1H', reminders: ['PT2H'], onTimeout: 'auto_reject' },
        { name: 'D', approver: 'manager', deadline: 'three days', onTimeout: 'auto_reject' },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: any) => d.field).sort()).toEqual([
      'body.levels.0.roleKey',
      'body.levels.1.escalateToPersonId',
      'body.levels.1.mode',
      'body.levels.2.reminders.0',
      'body.levels.3.deadline',
    ]);
    const seven = await api.put('/api/v1/approval-chains/program', { name: 'Long', levels: Array.from({ length: 7 }, () => threeLevelChain().levels[0]) });
    expect(seven.body.error.details).toEqual([{ field: 'body.levels', message: 'A chain has at most 6 levels' }]);
    const diploma = await api.put('/api/v1/approval-chains/diploma', threeLevelChain());
    expect(diploma.status).toBe(400);
    expect(diploma.body.error.details[0]).toMatchObject({ field: 'path.kind', message: 'must be "program", "course" or "certification"' });

    const unknownRole = await api.put('/api/v1/approval-chains/program', threeLevelChain({ compliance: { roleKey: 'astronaut' } }));
    expect(unknownRole.status).toBe(422);
    expect(unknownRole.body.error).toMatchObject({ code: 'unknown_role', details: { role: ['astronaut'] } });
    const autoApprove = await api.put('/api/v1/approval-chains/program', threeLevelChain({ director: { onTimeout: 'auto_approve' } }));
    expect(autoApprove.status).toBe(422);
    expect(autoApprove.body.error.code).toBe('auto_approve_not_allowed');
    expect(await h.db.approvalChain.count({ where: { tenantId } })).toBe(0);
    expect((await api.get('/api/v1/approval-chains/program')).status).toBe(404);
  });

  test('a request naming what the tenant lacks, or with nothing to walk, is refused and nothing is written', async () => {
    const { tenantId, api, people } = await givenOrganisation(h.db, h.baseUrl);
    const noChain = await api.post('/api/v1/renewals', renewalRequest(people.rita.id));
    expect(noChain.status).toBe(422);
    expect(noChain.body.error).toMatchObject({ code: 'no_approval_chain', message: expect.stringContaining('No approval chain is configured for program renewals') });
    await api.put('/api/v1/approval-chains/program', threeLevelChain());

    const malformed = await api.post('/api/v1/renewals', { ...renewalRequest(people.rita.id), reason: '', requesterId: 'rita', colour: 'blue' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.details.map((d: any) => d.field).sort()).toEqual(['body.colour', 'body.reason', 'body.requesterId']);
    const diploma = await api.post('/api/v1/renewals', renewalRequest(people.rita.id, { kind: 'diploma' }));
    expect(diploma.body.error.details[0].field).toBe('body.kind');
    // A certification renewal names a certification: the program's key is not one.
    const certification = await api.post('/api/v1/renewals', renewalRequest(people.rita.id, { kind: 'certification' }));
    expect(certification.body.error).toMatchObject({ code: 'unknown_certification', details: { certification: 'privacy' } });
    const unknownProgram = await api.post('/api/v1/renewals', renewalRequest(people.rita.id, { targetKey: 'basket-weaving' }));
    expect(unknownProgram.body.error).toMatchObject({ code: 'unknown_program', details: { program: 'basket-weaving' } });
    const stranger = await api.post('/api/v1/renewals', renewalRequest('00000000-0000-4000-8000-000000000000'));
    expect(stranger.body.error.code).toBe('unknown_person');
    await h.db.person.update({ where: { id: people.nick.id }, data: { status: 'terminated' } });
    const leaver = await api.post('/api/v1/renewals', renewalRequest(people.nick.id));
    expect(leaver.status).toBe(422);
    expect(leaver.body.error.code).toBe('requester_inactive');
    await nothingWritten(tenantId);
  });

  test('one request, one process: a retried request is the first one, and a second renewal of the same program waits', async () => {
    const { tenantId, api, people } = await givenOrganisation(h.db, h.baseUrl);
    await api.put('/api/v1/approval-chains/program', threeLevelChain());
    const body = renewalRequest(people.rita.id, { externalId: 'REQ-1', source: 'servicenow' });

    const first = await api.post('/api/v1/renewals', body);
    const again = await api.post('/api/v1/renewals', body);
    expect(first.status).toBe(202);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true, renewal: { id: first.body.renewal.id } });
    const other = await api.post('/api/v1/renewals', { ...body, externalId: 'REQ-2' });
    expect(other.status).toBe(409);
    expect(other.body.error).toMatchObject({ code: 'renewal_in_progress', details: { renewalId: first.body.renewal.id } });

    expect(await h.db.renewalRequest.count({ where: { tenantId } })).toBe(1);
    const { workflowId } = first.body.renewal;
    expect((await h.temporal.workflow.count(`WorkflowId = "${workflowId}"`)).count).toBe(1);
    await openStep(api, first.body.renewal.id, 1);
    expect(await h.db.approvalStep.count({ where: { tenantId } })).toBe(1);
  });

  test('a request whose process could not be started at once (the API lost it) gets it from the dispatcher, unasked', async () => {
    const { tenantId, api, people } = await givenOrganisation(h.db, h.baseUrl);
    await api.put('/api/v1/approval-chains/program', threeLevelChain());
    // Recorded with its process command; the API process died before it could deliver it.
    const diedAfterCommit = { taskQueue: h.taskQueue, deliverNow: async () => undefined };
    const recorded = await createRenewalRequest(h.db, diedAfterCommit, tenantId, { type: 'api_client', id: 'lost-response' }, { ...(renewalRequest(people.rita.id) as any), source: 'api' });

    expect((await openStep(api, recorded.renewal.id, 1)).approvers.map((a: any) => a.name)).toEqual(['Manny Manager']);
    const again = await api.post('/api/v1/renewals', renewalRequest(people.rita.id));
    expect(again.body.error).toMatchObject({ code: 'renewal_in_progress', details: { renewalId: recorded.renewal.id } });
  });

  test("a decision that is not well-formed gets 400; another tenant's request is not found and nothing of it changes", async () => {
    const mine = await givenOrganisation(h.db, h.baseUrl);
    const theirs = await givenOrganisation(h.db, h.baseUrl);
    await theirs.api.put('/api/v1/approval-chains/program', threeLevelChain());
    const { id } = (await theirs.api.post('/api/v1/renewals', renewalRequest(theirs.people.rita.id))).body.renewal;
    const step = await openStep(theirs.api, id, 1);

    const noReason = await decide(theirs.api, step.id, theirs.people.manny.id, 'reject');
    expect(noReason.body.error.details).toEqual([{ field: 'body.reason', message: 'is required to reject' }]);
    const unknownDecision = await decide(theirs.api, step.id, theirs.people.manny.id, 'maybe');
    expect(unknownDecision.body.error.details[0].field).toBe('body.decision');
    const badStep = await decide(theirs.api, 'not-a-uuid', theirs.people.manny.id, 'approve');
    expect(badStep.body.error.details[0].field).toBe('path.id');

    expect((await mine.api.get(`/api/v1/renewals/${id}`)).status).toBe(404);
    expect((await mine.api.get(`/api/v1/renewals/${id}/audit`)).status).toBe(404);
    const acrossTenants = await decide(mine.api, step.id, mine.people.manny.id, 'approve');
    expect(acrossTenants.status).toBe(404);
    expect(acrossTenants.body.error.code).toBe('not_found');
    const theirApprover = await decide(mine.api, step.id, theirs.people.manny.id, 'approve');
    expect(theirApprover.body.error.code).toBe('unknown_person');
    expect((await mine.api.get(`/api/v1/approvals/inbox?personId=${theirs.people.manny.id}`)).status).toBe(404);
    expect((await theirs.api.get(`/api/v1/renewals/${id}`)).body.steps[0].status).toBe('pending');
  });

  test('each operation needs its scope: a system may only do what its key allows', async () => {
    const { tenantId, people } = await givenOrganisation(h.db, h.baseUrl);
    const { key } = await createApiClient(h.db, { tenantId, name: 'chat-bot', scopes: ['approvals:read', 'approvals:act-for-approvers'] });
    const bot = apiClient(h.baseUrl, key);
    const refused = await bot.post('/api/v1/renewals', renewalRequest(people.rita.id));
    expect(refused.status).toBe(403);
    expect(refused.body.error.details).toEqual({ requiredScope: 'renewals:write' });
    expect((await bot.put('/api/v1/approval-chains/program', threeLevelChain())).body.error.details).toEqual({ requiredScope: 'approval-chains:write' });
    expect((await bot.get('/api/v1/approvals/inbox?personId=' + people.manny.id)).status).toBe(200);
    const noPerson = await bot.get('/api/v1/approvals/inbox');
    expect(noPerson.body.error.details[0].field).toBe('query.personId');
    await nothingWritten(tenantId);
  });

  test('the OpenAPI document describes the renewal and approval operations with their scopes', async () => {
    const { body } = await apiClient(h.baseUrl).get('/api/v1/openapi.json');
    expect(body.paths['/renewals'].post['x-required-scope']).toBe('renewals:write');
    expect(body.paths['/approvals/{id}/decision'].post['x-required-scope']).toBe('approvals:act-for-approvers');
    expect(Object.keys(body.paths['/approvals/{id}/decision'].post.responses).sort()).toEqual(['200', '400', '401', '403', '404', '409', '422', '503']);
    expect(body.paths['/approvals/inbox'].get.parameters).toEqual([expect.objectContaining({ name: 'personId', in: 'query', required: true })]);
    expect(Object.keys(body.paths['/renewals/{id}/audit.csv'].get.responses['200'].content)).toEqual(['text/csv']);
    expect(body.components.schemas.ApprovalChainInput.properties.levels.maxItems).toBe(6);
  });
});
