import { onboardingWorkflowId } from '../../src/domain/workflow-ids';
import { onboardingStatusQuery } from '../../src/workflows/onboarding';
import { createTenant, givenCatalog } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { apiClient } from '../support/http';
import { waitForOnboarding } from '../support/onboarding-status';
import { waitForOperation } from '../support/operations';

/**
 * A matrix change is a bulk operation: the request answers 202 with an operation id at once; the
 * operation's own process applies the change in one set-based statement and fans out to every
 * person it changed, a bounded number at a time, while GET /operations/{id} shows how far it got.
 */
describe('the fan-out of a matrix change', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  /** `count` nurses, created in one statement, with no process running yet. */
  async function givenNurses(tenantId: string, count: number) {
    await h.db.$executeRaw`
      WITH made AS (
        INSERT INTO person (id, tenant_id, source, external_id, email, name, hire_date, updated_at)
        SELECT gen_random_uuid(), ${tenantId}::uuid, 'workday', 'N' || n, 'n' || n || '@example.com', 'Nurse ' || n, current_date, now()
          FROM generate_series(1, ${count}::int) AS n
        RETURNING id
      )
      INSERT INTO person_role (tenant_id, person_id, role_id, since)
      SELECT ${tenantId}::uuid, made.id, r.id, now() FROM made, role r WHERE r.tenant_id = ${tenantId}::uuid AND r.key = 'nurse'`;
  }

  test('a rule for 1,000 people with a worker running: each gets a process that knows the new assignment, woken exactly once', async () => {
    const { tenantId, apiKey } = await createTenant(h.db);
    const api = apiClient(h.baseUrl, apiKey);
    await givenCatalog(h.db, tenantId, { programs: { privacy: ['hipaa-basics'] }, roles: { nurse: [] } });
    await givenNurses(tenantId, 1000);

    const accepted = await api.post('/api/v1/requirements', { role: 'nurse', program: 'privacy', dueOffsetDays: 14 });
    expect(accepted.status).toBe(202);
    expect(accepted.body.operation).toMatchObject({ kind: 'matrix_change', trigger: { change: 'requirement.created' } });

    const operation = await waitForOperation(api, accepted.body.operation.id, 300_000);
    expect(operation).toMatchObject({
      state: 'completed',
      result: { peopleAffected: 1000, assigned: 1000 },
      progress: { processesToWake: 1000, processesWoken: 1000 },
      startedAt: expect.any(String),
      finishedAt: expect.any(String),
    });
    // One wake-up per person, each delivered once.
    const commands = await h.db.processCommand.groupBy({ by: ['workflowId'], where: { operationId: operation.id, workflowType: 'onboarding' }, _count: true });
    expect(commands).toHaveLength(1000);
    expect(commands.every((c) => c._count === 1)).toBe(true);
    expect(await h.db.processCommand.count({ where: { operationId: operation.id, deliveredAt: null } })).toBe(0);

    // Every person now has a running process; a sample of them is waiting on exactly the new assignment.
    const people = await h.db.person.findMany({ where: { tenantId }, select: { id: true }, orderBy: { externalId: 'asc' } });
    for (const person of people.filter((_, i) => i % 100 === 0)) {
      const privacy = await h.db.assignment.findFirstOrThrow({ where: { tenantId, personId: person.id } });
      const status = await waitForOnboarding(h.temporal, onboardingWorkflowId(tenantId, person.id), (s) => s.outstandingAssignmentIds.length > 0);
      expect(status).toMatchObject({ phase: 'waiting_for_completions', outstandingAssignmentIds: [privacy.id] });
    }
    let running = 0;
    for (let i = 0; i < 300 && running < 1000; i++) {
      running = (await h.temporal.workflow.count(`TrainhubTenantId = "${tenantId}" AND ExecutionStatus = "Running" AND WorkflowType = "onboarding"`)).count;
      if (running < 1000) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(running).toBe(1000);
    // A wake-up is not a hire: nobody was sent a welcome.
    expect(h.mail.messages).toHaveLength(0);
    // Operators see the deliveries and their lag in the metrics.
    const metrics = await (await fetch(`${h.baseUrl}/metrics`)).text();
    expect(Number(/^trainhub_process_commands_delivered_total\{action="signal_with_start",outcome="started"\} (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1000);
    expect(Number(/^trainhub_process_command_lag_seconds_count\{priority="1"\} (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1000);
    expect(metrics).toMatch(/^trainhub_process_commands_pending \d+/m);
    const sample = h.temporal.workflow.getHandle(onboardingWorkflowId(tenantId, people[0]!.id));
    expect((await sample.query(onboardingStatusQuery)).phase).toBe('waiting_for_completions');
  });

  test('repeating a change with its Idempotency-Key is the same operation; the key with another request is 409 and changes nothing', async () => {
    const { tenantId, apiKey } = await createTenant(h.db);
    const api = apiClient(h.baseUrl, apiKey);
    await givenCatalog(h.db, tenantId, { programs: { privacy: ['hipaa-basics'], fire: ['fire-drill'] }, roles: { nurse: [] } });
    const post = (body: unknown, key: string) =>
      fetch(`${h.baseUrl}/api/v1/requirements`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(body),
      });
    const rule = { role: 'nurse', program: 'privacy', dueOffsetDays: 14 };

    const first = await post(rule, 'change-42');
    const again = await post(rule, 'change-42');
    const reused = await post({ ...rule, program: 'fire' }, 'change-42');

    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const [firstBody, againBody, reusedBody] = (await Promise.all([first.json(), again.json(), reused.json()])) as any[];
    expect(againBody.id).toBe(firstBody.id);
    expect(againBody.operation.id).toBe(firstBody.operation.id);
    expect(reused.status).toBe(409);
    expect(reusedBody.error).toMatchObject({ code: 'idempotency_key_reused', details: { operationId: firstBody.operation.id } });
    expect(await h.db.requirement.count({ where: { tenantId } })).toBe(1);
    expect(await h.db.operation.count({ where: { tenantId } })).toBe(1);

    const sync = (key: string) => fetch(`${h.baseUrl}/api/v1/training-matrix/sync`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'idempotency-key': key } });
    const [one, two] = await Promise.all([sync('sync-1'), sync('sync-1')]);
    expect([one.status, two.status]).toEqual([202, 202]);
    expect(((await one.json()) as any).operation.id).toBe(((await two.json()) as any).operation.id);
    const badKey = await sync('has spaces');
    expect(badKey.status).toBe(400);
    expect(((await badKey.json()) as any).error.details).toEqual([{ field: 'header.idempotency-key', message: 'must be printable ASCII without spaces' }]);
  });

  test("another tenant's operation is not found, and an operation shows no more than its own tenant's data", async () => {
    const mine = await createTenant(h.db);
    const theirs = await createTenant(h.db);
    const theirOperation = (await apiClient(h.baseUrl, theirs.apiKey).post('/api/v1/training-matrix/sync')).body.operation;

    const seen = await apiClient(h.baseUrl, mine.apiKey).get(`/api/v1/operations/${theirOperation.id}`);
    expect(seen.status).toBe(404);
    expect(seen.body.error.code).toBe('not_found');
    expect((await apiClient(h.baseUrl, mine.apiKey).get('/api/v1/operations/not-an-id')).status).toBe(404);
    expect((await waitForOperation(apiClient(h.baseUrl, theirs.apiKey), theirOperation.id)).state).toBe('completed');
  });
});
