import { onboardingWorkflowId } from '../../src/domain/workflow-ids';
import { applyImport } from '../../src/services/imports/apply';
import { diffRun } from '../../src/services/imports/diff';
import { stageRun } from '../../src/services/imports/staging';
import { createTenant, daysFromToday, givenCatalog } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { waitForOnboarding, waitingForCompletions } from '../support/onboarding-status';
import { genericCsv, receivedRun, sendFile, waitForRun, type Worker } from './runs-support';

/**
 * The worker applying an import goes away in the middle of it. Its activity stops taking changes,
 * and when a worker is back the run's process retries it: the retry takes only the changes not yet
 * marked applied. Each person is hired once — one HR event, one training process, one welcome — and
 * the run's counts are exact. A change whose event was recorded just before a crash (its mark lost)
 * is the same event when applied again, and counted once.
 */
describe('an import survives its worker', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  async function hospital() {
    const tenant = await createTenant(h.db);
    await givenCatalog(h.db, tenant.tenantId, { programs: { privacy: ['hipaa-basics'] }, roles: { nurse: [{ program: 'privacy', dueOffsetDays: 30 }], 'charge-nurse': [] } });
    return tenant;
  }

  /** `n` nurses in teams of ten, each team's charge nurse listed after them. */
  function staff(n: number): Worker[] {
    const hired = daysFromToday(0);
    return Array.from({ length: n }, (_, i) => {
      const lead = Math.floor(i / 10) * 10 + 9;
      return i === lead ? { id: `E-${i}`, roles: ['charge-nurse', 'nurse'], hired } : { id: `E-${i}`, roles: ['nurse'], manager: `E-${Math.min(lead, n - 1)}`, hired };
    });
  }

  test('a worker stopped mid-apply and started again: every change applied exactly once, one event, one process and one welcome per person', async () => {
    const { tenantId, apiKey } = await hospital();
    const N = 300;
    const sent = await sendFile(h, apiKey, genericCsv(staff(N)), { mode: 'snapshot' });
    expect(sent.status).toBe(202);
    const runId: string = sent.body.id;
    const applied = async () => (await h.db.importRun.findUniqueOrThrow({ where: { id: runId }, select: { applied: true } })).applied;

    // As soon as the first changes are marked, the worker goes.
    for (let i = 0; i < 2_000 && (await applied()) === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    await h.stopWorker();
    const atStop = await applied();
    expect(atStop).toBeGreaterThan(0);
    expect(atStop).toBeLessThan(N);
    // Without a worker nothing more is applied.
    expect((await h.db.importRun.findUniqueOrThrow({ where: { id: runId } })).state).toBe('applying');
    expect(await applied()).toBe(atStop);
    await h.startWorker();
    const run = await waitForRun(h, apiKey, runId, ['completed'], 120_000);

    expect(run.counts).toMatchObject({ rows: N, rejected: 0, created: N });
    expect(run.progress).toEqual({ applied: N, toApply: N });
    const changes = await h.db.importChange.findMany({ where: { runId }, select: { appliedAt: true, error: true } });
    expect(changes).toHaveLength(N);
    expect(changes.filter((c) => c.appliedAt === null || c.error !== null)).toEqual([]);
    // One HR event and one person per line; every manager resolved.
    const people = await h.db.person.findMany({ where: { tenantId }, select: { id: true, externalId: true, managerId: true, managerExternalId: true } });
    expect(people).toHaveLength(N);
    expect(people.filter((p) => p.managerExternalId !== null && p.managerId === null)).toEqual([]);
    const events = await h.db.hrEvent.groupBy({ by: ['personId'], where: { tenantId }, _count: true });
    expect(events).toHaveLength(N);
    expect(events.every((e) => e._count === 1)).toBe(true);
    // One start of each training process was queued, and each process welcomed its person once.
    const starts = await h.db.processCommand.groupBy({ by: ['workflowId'], where: { tenantId, workflowType: 'onboarding' }, _count: true });
    expect(starts).toHaveLength(N);
    expect(starts.every((s) => s._count === 1)).toBe(true);
    for (const person of people) await waitForOnboarding(h.temporal, onboardingWorkflowId(tenantId, person.id), waitingForCompletions);
    const welcomed = h.mail.messages.filter((m) => m.subject.startsWith('Welcome aboard') && m.envelopeTo.some((to) => /^e-\d+@example\.com$/.test(to)));
    const addresses = welcomed.flatMap((m) => m.envelopeTo).filter((to) => people.some((p) => to === `${p.externalId.toLowerCase()}@example.com`));
    expect(addresses).toHaveLength(N);
    expect(new Set(addresses).size).toBe(N);
  }, 240_000);

  test('a change whose event was recorded just before a crash (its mark lost) is the same event when applied again, and counted once', async () => {
    const { tenantId } = await hospital();
    // The run is staged and compared as its process would (its own process is never started here).
    const runId = await receivedRun(h, tenantId, genericCsv(staff(20)), { mode: 'snapshot' });
    await stageRun(h.db, tenantId, runId);
    expect(await diffRun(h.db, tenantId, runId)).toMatchObject({ state: 'applying' });
    const delivery = { taskQueue: h.taskQueue, deliverNow: async () => undefined };
    expect(await applyImport(h.db, delivery, { tenantId, runId, at: Date.now() })).toEqual({ state: 'completed', nextChangeAt: null });
    const commands = await h.db.processCommand.count({ where: { tenantId } });

    // What a crash between recording five events and marking their changes leaves behind.
    const lost = (await h.db.importChange.findMany({ where: { runId }, orderBy: { line: 'asc' }, take: 5, select: { line: true } })).map((c) => c.line);
    await h.db.importChange.updateMany({ where: { runId, line: { in: lost } }, data: { appliedAt: null } });
    await h.db.importRun.update({ where: { id: runId }, data: { state: 'applying', applied: 15 } });

    expect(await applyImport(h.db, delivery, { tenantId, runId, at: Date.now() })).toEqual({ state: 'completed', nextChangeAt: null });
    expect(await h.db.importRun.findUniqueOrThrow({ where: { id: runId }, select: { applied: true, toApply: true, counts: true } })).toMatchObject({ applied: 20, toApply: 20, counts: { refused: 0 } });
    expect(await h.db.importChange.count({ where: { runId, appliedAt: { not: null } } })).toBe(20);
    expect(await h.db.hrEvent.count({ where: { tenantId } })).toBe(20);
    // The repeated events wrote nothing: no second wake-up of anyone.
    expect(await h.db.processCommand.count({ where: { tenantId } })).toBe(commands);
    await h.db.processCommand.deleteMany({ where: { taskQueue: `nobody-${tenantId}` } });
  });

  test('a run longer than one attempt may take is applied in slices, each taking up where the last stopped', async () => {
    const { tenantId } = await hospital();
    const runId = await receivedRun(h, tenantId, genericCsv(staff(40)), { mode: 'snapshot' });
    await stageRun(h.db, tenantId, runId);
    await diffRun(h.db, tenantId, runId);
    const delivery = { taskQueue: h.taskQueue, deliverNow: async () => undefined };

    // A budget used up at once: each call applies what it has begun (at most a few changes) and says "again".
    const steps: { state: string; nextChangeAt?: string | null; applied: number }[] = [];
    for (let call = 0; call < 40; call++) {
      const step = await applyImport(h.db, delivery, { tenantId, runId, at: Date.now() }, { timeBudgetMs: 0, concurrency: 2 });
      steps.push({ ...step, applied: (await h.db.importRun.findUniqueOrThrow({ where: { id: runId } })).applied });
      if (step.state === 'completed') break;
    }

    expect(steps.length).toBeGreaterThan(2);
    expect(steps.slice(0, -1).every((s) => s.state === 'applying' && s.nextChangeAt === null)).toBe(true);
    expect(steps.at(-1)).toEqual({ state: 'completed', nextChangeAt: null, applied: 40 });
    // Each slice moved the run on.
    expect(steps.every((s, i) => i === 0 || s.applied > steps[i - 1]!.applied)).toBe(true);
    expect(await h.db.hrEvent.count({ where: { tenantId } })).toBe(40);
    const people = await h.db.person.findMany({ where: { tenantId }, select: { managerId: true, managerExternalId: true } });
    expect(people.filter((p) => p.managerExternalId !== null && p.managerId === null)).toEqual([]);
    await h.db.processCommand.deleteMany({ where: { taskQueue: `nobody-${tenantId}` } });
  });
});
