/**
 * How long a tenant-wide training-matrix change takes, against a baseline measured in the same run:
 * a plain INSERT … SELECT of the same number of assignment rows with no rules at all.
 *
 *   node_modules/.bin/tsx bench/matrix-sync.ts [people=20000]
 *
 * Uses DATABASE_URL (default: the local trainhub database); its data is left as it was.
 */
import { cleanUpOnce } from './lib/clean-up';
import { randomUUID } from 'node:crypto';
import { DEFAULT_DATABASE_URL } from '../src/config';
import { createDb } from '../src/db/client';
import { removeTenant } from '../src/services/identity/tenants';
import { syncAssignments } from '../src/services/onboarding/assignment-sync';

const people = Number(process.argv[2] ?? 20_000);
const db = createDb(process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL);
const actor = { type: 'system' as const, id: 'bench' };

async function timed<T>(label: string, rows: () => number, run: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = process.hrtime.bigint();
  const result = await run();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const count = rows();
  console.log(`${label.padEnd(58)} ${ms.toFixed(0).padStart(7)} ms  ${count.toString().padStart(7)} rows  ${count ? Math.round((count / ms) * 1000).toString().padStart(8) : '       -'} rows/s`);
  return { ms, result };
}

async function main() {
  const tenant = await db.tenant.create({ data: { slug: `bench-${randomUUID()}`, name: 'matrix-sync benchmark' } });
  const t = tenant.id;
  // The tenant goes, whether the run ends, fails or is interrupted (Ctrl-C); its removal is measured too.
  const cleanUp = cleanUpOnce(
    (): [string, () => Promise<unknown>][] => [
      [
        `removing tenant ${t} (retry: node_modules/.bin/tsx bench/remove-tenant.ts ${t})`,
        async () => {
          if (process.env.BENCH_KEEP) console.log(`kept tenant ${t}`);
          else await timed('removing the tenant (cascading to everything above)', () => 0, () => removeTenant(db, t));
        },
      ],
      ['closing the database connections', () => db.$disconnect()],
    ],
    'cleaning up before exiting',
  );
  try {
    await db.$executeRaw`INSERT INTO role (id, tenant_id, key, name) VALUES (gen_random_uuid(), ${t}::uuid, 'nurse', 'Nurse'), (gen_random_uuid(), ${t}::uuid, 'porter', 'Porter')`;
    await db.$executeRaw`INSERT INTO course (id, tenant_id, key, title) SELECT gen_random_uuid(), ${t}::uuid, 'c' || n, 'Course ' || n FROM generate_series(1, 3) n`;
    await db.$executeRaw`INSERT INTO program (id, tenant_id, key, title) SELECT gen_random_uuid(), ${t}::uuid, 'p' || n, 'Program ' || n FROM generate_series(1, 3) n`;
    await db.$executeRaw`INSERT INTO program_course (tenant_id, program_id, course_id, position)
      SELECT ${t}::uuid, p.id, c.id, 0 FROM program p JOIN course c ON c.tenant_id = p.tenant_id AND substr(c.key, 2) = substr(p.key, 2) WHERE p.tenant_id = ${t}::uuid`;
    await db.$executeRaw`INSERT INTO person (id, tenant_id, source, external_id, email, name, hire_date, updated_at)
      SELECT gen_random_uuid(), ${t}::uuid, 'bench', 'E' || n, 'e' || n || '@bench.example', 'Person ' || n, current_date, now() FROM generate_series(1, ${people}::int) n`;
    await db.$executeRaw`INSERT INTO person_role (tenant_id, person_id, role_id, since)
      SELECT ${t}::uuid, p.id, r.id, now() FROM person p JOIN role r ON r.tenant_id = p.tenant_id AND r.key = CASE WHEN p.external_id ~ '[02468]$' THEN 'nurse' ELSE 'porter' END
       WHERE p.tenant_id = ${t}::uuid`;
    const rule = (role: string, program: string, days: number) => db.$executeRaw`
      INSERT INTO requirement (id, tenant_id, role_id, program_id, due_offset_days)
      SELECT gen_random_uuid(), ${t}::uuid, r.id, p.id, ${days}::int FROM role r, program p
       WHERE r.tenant_id = ${t}::uuid AND p.tenant_id = ${t}::uuid AND r.key = ${role} AND p.key = ${program}`;
    await rule('nurse', 'p1', 14);
    await rule('porter', 'p1', 14);
    await rule('nurse', 'p2', 30);

    console.log(`matrix sync, ${people} people (half nurses, half porters), PostgreSQL ${(await db.$queryRaw<{ v: string }[]>`SELECT current_setting('server_version') AS v`)[0]!.v}`);
    const expected = people + people / 2;

    await db.$executeRaw`CREATE TEMP TABLE baseline_assignment (LIKE assignment INCLUDING DEFAULTS)`;
    const baseline = await timed('baseline: INSERT … SELECT of the same rows, no rules', () => expected, () =>
      db.$executeRaw`INSERT INTO baseline_assignment (id, tenant_id, person_id, program_id, mandatory, source, due_date, updated_at)
        SELECT gen_random_uuid(), ${t}::uuid, pr.person_id, rq.program_id, true, 'bench', current_date + 14, now()
          FROM person_role pr JOIN requirement rq ON rq.role_id = pr.role_id WHERE pr.tenant_id = ${t}::uuid`,
    );

    let report = { assigned: 0, waived: 0, reassigned: 0 };
    const first = await timed('first sync: assign everyone (+ audit rows)', () => report.assigned, async () =>
      (report = await db.$transaction((tx) => syncAssignments(tx, t, actor), { timeout: 600_000 })),
    );
    await timed('second sync: nothing to change', () => report.assigned + report.waived, async () => (report = await db.$transaction((tx) => syncAssignments(tx, t, actor), { timeout: 600_000 })));
    await db.$executeRaw`DELETE FROM requirement r USING role ro, program p WHERE r.role_id = ro.id AND r.program_id = p.id AND ro.tenant_id = ${t}::uuid AND ro.key = 'nurse' AND p.key = 'p2'`;
    await rule('nurse', 'p3', 30);
    const change = await timed('rule change: nurses waive p2, get p3', () => report.assigned + report.waived, async () =>
      (report = await db.$transaction((tx) => syncAssignments(tx, t, actor), { timeout: 600_000 })),
    );
    console.log(`first sync is ${(first.ms / baseline.ms).toFixed(1)}× the baseline; the change ${(change.ms / baseline.ms).toFixed(1)}×`);
  } finally {
    await cleanUp();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
