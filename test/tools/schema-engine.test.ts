/**
 * End-to-end specification of tools/schema-engine, the project's stand-in for Prisma's native
 * schema engine, as driven by the stock Prisma CLI through tools/prisma.sh.
 *
 * A scratch directory gets its own schema.prisma and prisma.config.ts (Prisma 7 reads the
 * datasource URL from the config), pointed at scratch databases this file creates and drops.
 * The steps build on one another, in order, like a developer's session: each CLI call costs
 * 1-2 s, so the file makes as few as it can and asserts on their real effects in PostgreSQL.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';

const root = path.resolve(__dirname, '..', '..');
const prismaSh = path.join(root, 'tools/prisma.sh');
const standIn = path.join(root, 'tools/schema-engine/schema-engine.js');

const server = process.env.SCHEMA_ENGINE_TEST_SERVER ?? 'postgresql://trainhub:trainhub@127.0.0.1:5432';
const suffix = randomBytes(4).toString('hex');
const mainDb = `se_test_${suffix}`; // created by `migrate dev --create-only`
const freshDb = `se_test_${suffix}_fresh`; // created by `migrate dev`
const urlOf = (db: string) => `${server}/${db}`;

const learnerModel = `model Learner {
  id    Int    @id @default(autoincrement())
  email String @unique
}`;

let dir: string;
let admin: Client;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `tools/prisma.sh <args>` in the scratch directory against database `db`. */
function prisma(args: string[], db: string, extraEnv: Record<string, string> = {}): Run {
  const env: NodeJS.ProcessEnv = { ...process.env, SE_TEST_URL: urlOf(db), ...extraEnv };
  if (!extraEnv.PRISMA_SCHEMA_ENGINE_BINARY) delete env.PRISMA_SCHEMA_ENGINE_BINARY; // the wrapper's default
  const run = spawnSync(prismaSh, args, { cwd: dir, env, encoding: 'utf8', timeout: 30_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Asserts a successful run, showing the CLI's output when it is not. */
function ok(run: Run): Run {
  if (run.status !== 0) throw new Error(`prisma exited ${run.status}\n${run.stdout}\n${run.stderr}`);
  return run;
}

async function query<T extends object>(db: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: urlOf(db) });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

async function tableColumns(db: string, table: string): Promise<string[]> {
  const rows = await query<{ column_name: string }>(
    db,
    `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
    [table],
  );
  return rows.map((r) => r.column_name);
}

async function databaseExists(db: string): Promise<boolean> {
  return (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [db])).rowCount === 1;
}

async function shadowDatabases(): Promise<string[]> {
  const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow_db_%'`);
  return rows.map((r) => r.datname);
}

function migrationDirs(): string[] {
  return readdirSync(path.join(dir, 'migrations'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

const migrationSql = (name: string) => readFileSync(path.join(dir, 'migrations', name, 'migration.sql'), 'utf8');

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'se-test-'));
  writeFileSync(path.join(dir, 'schema.prisma'), `datasource db {\n  provider = "postgresql"\n}\n\n${learnerModel}\n`);
  writeFileSync(
    path.join(dir, 'prisma.config.ts'),
    `import { defineConfig } from ${JSON.stringify(path.join(root, 'node_modules/prisma/config'))};

export default defineConfig({
  schema: 'schema.prisma',
  migrations: { path: 'migrations' },
  datasource: { url: process.env.SE_TEST_URL! },
});
`,
  );
  admin = new Client({ connectionString: urlOf('postgres') });
  await admin.connect();
});

afterAll(async () => {
  if (admin) {
    for (const db of [mainDb, freshDb]) await admin.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
    await admin.end();
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the schema-engine stand-in on its own', () => {
  test('prints its version like the native binary', () => {
    const run = spawnSync(standIn, ['--version'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^schema-engine-cli [0-9a-f]{40}\n$/);
  });

  test('`cli can-connect-to-database` exits 1 with P1003 on stderr for a missing database', () => {
    const run = spawnSync(standIn, ['--datasource', JSON.stringify({ url: urlOf(mainDb) }), 'cli', 'can-connect-to-database'], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    // The CLI skips the first stderr line and parses each other one as JSON.
    const [, ...logLines] = run.stderr.trim().split('\n');
    const errors = logLines.map((line) => JSON.parse(line)).filter((entry) => entry.level === 'ERROR');
    expect(errors).toEqual([expect.objectContaining({ target: 'schema_engine::logger', fields: expect.objectContaining({ error_code: 'P1003' }) })]);
  });
});

describe('the stock Prisma CLI through tools/prisma.sh', () => {
  test('migrate dev --create-only creates the missing database and writes a migration that creates the table', async () => {
    expect(await databaseExists(mainDb)).toBe(false);

    ok(prisma(['migrate', 'dev', '--name', 'init', '--create-only'], mainDb));

    expect(await databaseExists(mainDb)).toBe(true);
    const [init] = migrationDirs();
    expect(init).toMatch(/^\d{14}_init$/);
    expect(migrationSql(init!)).toContain('CREATE TABLE "Learner"');
    expect(readFileSync(path.join(dir, 'migrations/migration_lock.toml'), 'utf8')).toContain('provider = "postgresql"');
    expect(await tableColumns(mainDb, 'Learner')).toEqual([]); // written, not applied
  });

  test('migrate deploy applies it and records the checksum of migration.sql', async () => {
    ok(prisma(['migrate', 'deploy'], mainDb));

    expect(await tableColumns(mainDb, 'Learner')).toEqual(['id', 'email']);
    const [init] = migrationDirs();
    const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      mainDb,
      'SELECT migration_name, checksum, finished_at FROM _prisma_migrations',
    );
    const sha256 = createHash('sha256').update(readFileSync(path.join(dir, 'migrations', init!, 'migration.sql'))).digest('hex');
    expect(rows).toEqual([{ migration_name: init, checksum: sha256, finished_at: expect.any(Date) }]);
  });

  test('migrate status says the database is up to date', () => {
    expect(ok(prisma(['migrate', 'status'], mainDb)).stdout).toContain('Database schema is up to date!');
  });

  test('migrate diff --exit-code: 0 while migrations and schema agree, 2 once the schema gains a field', async () => {
    const diff = ['migrate', 'diff', '--from-migrations', 'migrations', '--to-schema', 'schema.prisma', '--exit-code'];
    const shadowsBefore = await shadowDatabases();

    const agree = prisma(diff, mainDb);
    expect(agree.status).toBe(0);
    expect(agree.stdout).toContain('No difference detected.');

    const schemaFile = path.join(dir, 'schema.prisma');
    writeFileSync(schemaFile, readFileSync(schemaFile, 'utf8').replace('email String @unique', 'email String @unique\n  name  String?'));
    const differ = prisma(diff, mainDb);
    expect(differ.status).toBe(2);
    expect(differ.stdout).toContain('Added column `name`');

    // The temporary shadow databases the migrations were replayed into are dropped again.
    expect((await shadowDatabases()).filter((db) => !shadowsBefore.includes(db))).toEqual([]);
  });

  test('migrate dev creates a missing database, applies the history and the new migration', async () => {
    expect(await databaseExists(freshDb)).toBe(false);

    ok(prisma(['migrate', 'dev', '--name', 'add_name'], freshDb));

    expect(await databaseExists(freshDb)).toBe(true);
    const dirs = migrationDirs();
    expect(dirs).toHaveLength(2);
    expect(migrationSql(dirs[1]!)).toContain('ADD COLUMN');
    expect(await tableColumns(freshDb, 'Learner')).toEqual(['id', 'email', 'name']);
    const applied = await query<{ migration_name: string }>(freshDb, 'SELECT migration_name FROM _prisma_migrations ORDER BY migration_name');
    expect(applied.map((r) => r.migration_name)).toEqual(dirs);
  });

  test('db execute runs a script against the configured database, semicolons in literals included', async () => {
    const script = path.join(dir, 'seed.sql');
    writeFileSync(script, `INSERT INTO "Learner" (email) VALUES ('a@example.test');\nINSERT INTO "Learner" (email) VALUES ('b;c@example.test');\n`);

    expect(ok(prisma(['db', 'execute', '--file', script], mainDb)).stdout).toContain('Script executed successfully.');

    const rows = await query<{ email: string }>(mainDb, 'SELECT email FROM "Learner" ORDER BY id');
    expect(rows.map((r) => r.email)).toEqual(['a@example.test', 'b;c@example.test']);
  });

  test('migrate reset --force empties the database and re-applies every migration', async () => {
    ok(prisma(['migrate', 'reset', '--force'], mainDb));

    expect(await query(mainDb, 'SELECT * FROM "Learner"')).toEqual([]);
    expect(await tableColumns(mainDb, 'Learner')).toEqual(['id', 'email', 'name']);
    const applied = await query<{ migration_name: string }>(mainDb, 'SELECT migration_name FROM _prisma_migrations ORDER BY migration_name');
    expect(applied.map((r) => r.migration_name)).toEqual(migrationDirs());
  });

  test('an explicitly set PRISMA_SCHEMA_ENGINE_BINARY wins over the stand-in', () => {
    const fake = path.join(dir, 'native-schema-engine');
    writeFileSync(fake, '#!/bin/sh\necho "schema-engine-cli 0000000000000000000000000000000000000000"\n');
    chmodSync(fake, 0o755);

    const run = ok(prisma(['version'], mainDb, { PRISMA_SCHEMA_ENGINE_BINARY: fake }));

    expect(run.stdout).toMatch(/Schema Engine\s*: schema-engine-cli 0{40}/);
  });
});
