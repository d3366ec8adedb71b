/**
 * Chaos: hires arrive while the worker, the API, Temporal and PostgreSQL are killed (SIGKILL, or an
 * immediate shutdown for PostgreSQL) at random moments, each at least once; then everything comes
 * back and the script counts what was lost and what was doubled.
 *
 *   node_modules/.bin/tsx bench/chaos.ts [hires=500] [concurrency=8]
 *
 * It runs trainhub as in production — an `api` and a `worker` process of `src/main.ts` — against the
 * local PostgreSQL cluster (database trainhub_chaos, created and migrated here; it stops and starts
 * the cluster, so nothing else should use it meanwhile), a Temporal dev server of its own (state in
 * a file, so a restart keeps it) and an SMTP server in this process that keeps every message.
 * The HR system is played as real ones behave: each hire is retried with the same eventId until it is
 * accepted. Needs root (to stop and start the cluster).
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDb } from '../src/db/client';
import { startMailCatcher } from '../src/mail/catcher';
import { createApiClient } from '../src/services/identity/api-keys';
import { createTemporalClient } from '../src/temporal/connection';
import { startDevServer, type DevServer } from '../src/temporal/dev-server';
import { freePort, ROOT, ServiceProcess, serviceEnv, sleep } from './lib/processes';

const HIRES = Number(process.argv[2] ?? 500);
const CONCURRENCY = Number(process.argv[3] ?? 8);
const DATABASE_URL = 'postgresql://trainhub:trainhub@127.0.0.1:5432/trainhub_chaos';
const PROGRAMS = ['privacy', 'clinical-safety'];

const log = (message: string) => console.log(`${new Date().toISOString().slice(11, 23)}  ${message}`);

function postgres(action: 'stop' | 'start'): void {
  const args = action === 'stop' ? ['--skip-systemctl-redirect', '15', 'main', 'stop', '-m', 'immediate'] : ['--skip-systemctl-redirect', '15', 'main', 'start'];
  execFileSync('pg_ctlcluster', args, { stdio: 'ignore' });
}

async function main() {
  execFileSync('bash', [path.join(ROOT, 'scripts/local-postgres.sh'), 'trainhub_chaos'], { stdio: 'inherit' });
  execFileSync(path.join(ROOT, 'tools/prisma.sh'), ['migrate', 'reset', '--force'], { cwd: ROOT, env: { ...process.env, DATABASE_URL }, stdio: 'ignore' });
  const db = createDb(DATABASE_URL);
  const mail = await startMailCatcher();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'trainhub-chaos-'));
  const temporalPort = await freePort();
  const apiPort = await freePort();
  let temporal: DevServer = await startDevServer({ port: temporalPort, dbFile: path.join(dataDir, 'temporal.db') });
  const taskQueue = `chaos-${randomUUID()}`;
  const env = serviceEnv({ databaseUrl: DATABASE_URL, temporalAddress: temporal.address, taskQueue, port: apiPort }, { SMTP_URL: mail.url, LOG_LEVEL: 'silent' });
  const api = new ServiceProcess(['src/main.ts', 'api'], env);
  const worker = new ServiceProcess(['src/main.ts', 'worker'], env);

  const tenant = await db.tenant.create({ data: { slug: 'chaos', name: 'Chaos' } });
  const { key } = await createApiClient(db, { tenantId: tenant.id, name: 'hris', scopes: ['hr:write', 'people:read'] });
  const nurse = await db.role.create({ data: { tenantId: tenant.id, key: 'nurse', name: 'Nurse' } });
  for (const [i, key] of PROGRAMS.entries()) {
    const course = await db.course.create({ data: { tenantId: tenant.id, key: `${key}-course`, title: key } });
    const program = await db.program.create({ data: { tenantId: tenant.id, key, title: key } });
    await db.programCourse.create({ data: { tenantId: tenant.id, programId: program.id, courseId: course.id, position: 0 } });
    await db.requirement.create({ data: { tenantId: tenant.id, roleId: nurse.id, programId: program.id, dueOffsetDays: 14 + i * 16 } });
  }
  await db.$disconnect();
  api.start();
  worker.start();

  // The HR system: every hire is retried, with the same eventId, until it is accepted.
  let accepted = 0;
  let attempts = 0;
  const hire = async (n: number) => {
    const body = JSON.stringify({
      type: 'hire',
      eventId: `chaos-${n}`,
      source: 'workday',
      person: { externalId: `C${n}`, email: `c${n}@chaos.example`, name: `Chaos ${n}`, hireDate: new Date().toISOString().slice(0, 10), roles: ['nurse'] },
    });
    for (let wait = 250; ; wait = Math.min(wait * 2, 5_000)) {
      attempts += 1;
      try {
        const response = await fetch(`http://127.0.0.1:${apiPort}/api/v1/hr/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(30_000),
        });
        if (response.status === 200 || response.status === 202) {
          accepted += 1;
          return;
        }
      } catch {
        // the API is down: retry
      }
      await sleep(wait);
    }
  };
  let next = 0;
  const started = Date.now();
  const hiring = Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let n = next++; n < HIRES; n = next++) await hire(n);
    }),
  );

  // Chaos: each of the four is killed at least once, at random moments, while hires arrive.
  const victims = ['worker', 'api', 'temporal', 'postgres', 'worker', 'api', 'temporal', 'postgres'].sort(() => Math.random() - 0.5);
  let done = false;
  void hiring.then(() => (done = true));
  const killed: string[] = [];
  for (const victim of victims) {
    await sleep(1_500 + Math.random() * 4_000);
    if (done && killed.length >= 4 && new Set(killed).size === 4) break;
    const down = 1_000 + Math.random() * 4_000;
    log(`kill ${victim} (${accepted}/${HIRES} hires accepted) for ${(down / 1000).toFixed(1)} s`);
    killed.push(victim);
    if (victim === 'worker') await worker.kill();
    if (victim === 'api') await api.kill();
    if (victim === 'temporal') await temporal.kill();
    if (victim === 'postgres') postgres('stop');
    await sleep(down);
    if (victim === 'worker') worker.start();
    if (victim === 'api') api.start();
    if (victim === 'temporal') temporal = await startDevServer({ port: temporalPort, dbFile: path.join(dataDir, 'temporal.db') });
    if (victim === 'postgres') postgres('start');
  }
  await hiring;
  log(`all ${HIRES} hires accepted after ${attempts} attempts in ${((Date.now() - started) / 1000).toFixed(0)} s; waiting for the processes to settle`);

  // Settle: every command delivered, every welcome sent, every process running.
  const check = createDb(DATABASE_URL);
  const client = await createTemporalClient(temporal.address, 'default');
  const settleBy = Date.now() + 10 * 60_000;
  let running = 0;
  for (;;) {
    const [{ pending_commands, pending_mail }] = (await check.$queryRaw<{ pending_commands: bigint; pending_mail: bigint }[]>`
      SELECT (SELECT count(*) FROM process_command WHERE delivered_at IS NULL) AS pending_commands,
             (SELECT count(*) FROM notification WHERE status = 'pending') AS pending_mail`) as [{ pending_commands: bigint; pending_mail: bigint }];
    running = (await client.workflow.count(`TrainhubTenantId = "${tenant.id}" AND ExecutionStatus = "Running"`)).count;
    if ((pending_commands === 0n && pending_mail === 0n && running >= HIRES) || Date.now() > settleBy) {
      log(`settled: ${pending_commands} commands and ${pending_mail} e-mails pending, ${running} processes running; api ${api.alive ? 'up' : 'DOWN'}, worker ${worker.alive ? 'up' : 'DOWN'}`);
      break;
    }
    await sleep(1_000);
  }

  type Counts = { people: bigint; hr_events: bigint; assignments: bigint; duplicate_assignments: bigint; welcomes_queued: bigint };
  const [{ people, hr_events, assignments, duplicate_assignments, welcomes_queued }] = (await check.$queryRaw<Counts[]>`SELECT (SELECT count(*) FROM person WHERE tenant_id = ${tenant.id}::uuid) AS people,
           (SELECT count(*) FROM hr_event WHERE tenant_id = ${tenant.id}::uuid) AS hr_events,
           (SELECT count(*) FROM assignment WHERE tenant_id = ${tenant.id}::uuid) AS assignments,
           (SELECT count(*) - count(DISTINCT (person_id, program_id)) FROM assignment WHERE tenant_id = ${tenant.id}::uuid) AS duplicate_assignments,
           (SELECT count(*) FROM notification WHERE tenant_id = ${tenant.id}::uuid AND key LIKE '%:welcome') AS welcomes_queued`) as [Counts];
  const welcomes = mail.messages.filter((m) => m.subject.startsWith('Welcome aboard'));
  const recipients = new Set(welcomes.flatMap((m) => m.envelopeTo));
  const byMessageId = new Map<string, number>();
  for (const m of welcomes) byMessageId.set(m.messageId, (byMessageId.get(m.messageId) ?? 0) + 1);
  const resentSameId = [...byMessageId.values()].reduce((sum, n) => sum + n - 1, 0);
  const distinctPerRecipient = welcomes.length - resentSameId - recipients.size;

  const expectedAssignments = HIRES * PROGRAMS.length;
  console.log(`\nchaos: ${HIRES} hires, killed ${killed.join(', ')}`);
  console.log(`                         expected   found   lost   doubled`);
  const row = (what: string, expected: number, found: number, doubled: number) =>
    console.log(`${what.padEnd(24)} ${String(expected).padStart(8)} ${String(found).padStart(7)} ${String(Math.max(0, expected - found + doubled)).padStart(6)} ${String(doubled).padStart(9)}`);
  row('hires (people)', HIRES, Number(people), Math.max(0, Number(people) - HIRES));
  row('hr events', HIRES, Number(hr_events), Math.max(0, Number(hr_events) - HIRES));
  row('assignments', expectedAssignments, Number(assignments), Number(duplicate_assignments));
  row('running processes', HIRES, running, Math.max(0, running - HIRES));
  row('welcome e-mails', HIRES, recipients.size, distinctPerRecipient);
  console.log(`welcome e-mails queued ${welcomes_queued}; received ${welcomes.length}, of which ${resentSameId} re-sent with the same Message-ID (a crash between the mail server's acceptance and the outbox's update: mail clients show one)`);

  if (process.env.BENCH_KEEP) {
    const missing = await check.$queryRaw<{ id: string; external_id: string }[]>`
      SELECT p.id, p.external_id FROM person p WHERE p.tenant_id = ${tenant.id}::uuid
         AND NOT EXISTS (SELECT 1 FROM notification n WHERE n.person_id = p.id AND n.key LIKE '%:welcome')`;
    console.log(`kept for inspection: Temporal at ${temporal.address} (state ${dataDir}), tenant ${tenant.id}; people without a welcome: ${missing.map((m) => `${m.external_id} ${m.id}`).join(', ')}`);
    await worker.stop();
    await api.stop();
    await new Promise(() => undefined);
  }
  await client.connection.close();
  await check.$disconnect();
  await api.stop();
  await worker.stop();
  await temporal.stop();
  await mail.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
