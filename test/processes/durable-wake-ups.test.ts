import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { onboardingStatusQuery } from '../../src/workflows/onboarding';
import { completionReport, createTenant, givenCatalog, hireEvent } from '../support/builders';
import { freePort } from '../support/environment';
import { startHarness, type Harness } from '../support/harness';
import { apiClient } from '../support/http';
import { waitForOnboarding, waitingForCompletions } from '../support/onboarding-status';
import { waitForOperation } from '../support/operations';

/**
 * A record change and the wake-up of its processes are written in one transaction; the dispatcher
 * delivers the wake-ups whenever Temporal can take them. Here Temporal is killed right after a
 * matrix change commits, and comes back later: nobody is left unwoken, nobody is woken twice.
 */
describe('wake-ups survive Temporal going down', () => {
  let temporal: DevServer;
  let port: number;
  let dataDir: string;
  let h: Harness;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'trainhub-temporal-'));
    port = await freePort();
    temporal = await startDevServer({ port, dbFile: path.join(dataDir, 'temporal.db') });
    h = await startHarness({ temporalAddress: temporal.address });
  });
  afterAll(async () => {
    await h?.close();
    await temporal?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** How often each signal reached the workflow, across all its runs, and how many runs it had. */
  async function deliveries(client: Client, workflowId: string) {
    const runs: string[] = [];
    for await (const run of client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) runs.push(run.runId);
    const signals: Record<string, number> = {};
    for (const runId of runs) {
      const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
      for (const event of history.events ?? []) {
        const name = event.workflowExecutionSignaledEventAttributes?.signalName;
        if (name) signals[name] = (signals[name] ?? 0) + 1;
      }
    }
    return { runs: runs.length, signals };
  }

  test('a matrix change committed while Temporal is down wakes everyone once it is back, and restarts the process that had ended', async () => {
    const { tenantId, apiKey } = await createTenant(h.db);
    const api = apiClient(h.baseUrl, apiKey);
    await givenCatalog(h.db, tenantId, {
      programs: { privacy: ['hipaa-basics'], fire: ['fire-drill'] },
      roles: { nurse: [{ program: 'fire', dueOffsetDays: 14 }] },
    });
    const people: { personId: string; workflowId: string }[] = [];
    for (const externalId of ['N-1', 'N-2', 'N-3']) people.push((await api.post('/api/v1/hr/events', hireEvent({ externalId, roles: ['nurse'] }))).body);
    for (const p of people) await waitForOnboarding(h.temporal, p.workflowId, waitingForCompletions);
    // The third nurse finishes everything: her process ends.
    const finished = people[2]!;
    await api.post('/api/v1/completions', completionReport(finished.personId, 'fire-drill'));
    expect(await h.temporal.workflow.getHandle(finished.workflowId).result()).toMatchObject({ phase: 'completed' });

    await h.stopWorker();
    await temporal.kill();
    const change = await api.post('/api/v1/requirements', { role: 'nurse', program: 'privacy', dueOffsetDays: 30 });
    // The change and its operation are recorded; the operation's process waits for Temporal.
    expect(change.status).toBe(202);
    expect(change.body.operation).toMatchObject({ state: 'queued', progress: { processesToWake: null, processesWoken: 0 } });
    const metrics = await (await fetch(`${h.baseUrl}/metrics`)).text();
    expect(Number(/^trainhub_process_commands_pending (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);

    temporal = await startDevServer({ port, dbFile: path.join(dataDir, 'temporal.db') });
    await h.startWorker();

    const operation = await waitForOperation(api, change.body.operation.id, 120_000);
    expect(operation).toMatchObject({ state: 'completed', result: { assigned: 3 }, progress: { processesToWake: 3, processesWoken: 3 } });
    for (const p of people) {
      const privacy = await h.db.assignment.findFirstOrThrow({ where: { tenantId, personId: p.personId, program: { key: 'privacy' } } });
      const status = await waitForOnboarding(h.temporal, p.workflowId, (s) => waitingForCompletions(s) && s.outstandingAssignmentIds.includes(privacy.id));
      expect(status.phase).toBe('waiting_for_completions');
    }
    // The two running processes: their hire's wake-up and the change's, each once.
    for (const p of people.slice(0, 2)) expect(await deliveries(h.temporal, p.workflowId)).toEqual({ runs: 1, signals: { personChanged: 2 } });
    // The ended one: the change started a new run (its hire, its completion, then the change).
    expect(await deliveries(h.temporal, finished.workflowId)).toEqual({ runs: 2, signals: { personChanged: 2, completionRecorded: 1 } });
    expect(await h.temporal.workflow.getHandle(finished.workflowId).query(onboardingStatusQuery)).toMatchObject({ phase: 'waiting_for_completions' });
    // Only the welcome of each hire went out: a wake-up sends no second welcome.
    expect(h.mail.messages.filter((m) => m.subject.startsWith('Welcome aboard'))).toHaveLength(3);
  });
});
