import cluster from 'node:cluster';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { superviseApiProcesses } from './api-processes';
import { loadConfig } from './config';
import { createDb, type Db } from './db/client';
import { DomainError } from './domain/errors';
import { SCOPES, type Scope } from './domain/scopes';
import { seedDemoTenant } from './dev/seed-demo';
import { createDevLogger, createLogger } from './logger';
import { startMailCatcher } from './mail/catcher';
import { openRuntime, runWorker, startApi } from './runtime';
import { issueApiKey, listApiKeys, revokeApiKey, rotateApiKey } from './services/identity/api-keys';
import { getImportRun, receiveImport, type ImportRunView } from './services/imports/runs';
import { importPackage } from './services/scorm/packages';
import { packageStore } from './services/scorm/settings';
import { createLrsClient, LRS_SCOPES, type LrsScope } from './services/xapi/lrs-clients';
import { PROJECT_ROOT } from './temporal/binaries';
import { startDevServer } from './temporal/dev-server';

const USAGE = `usage: trainhub <command>
  dev                                   API + worker on the embedded default (local Temporal dev server, mail catcher)
  api                                   the HTTP API (needs TEMPORAL_ADDRESS), as API_PROCESSES processes sharing PORT
  worker                                a Temporal worker (needs TEMPORAL_ADDRESS and SMTP_URL)
  create-tenant <slug> <name>           add a tenant
  create-api-key <tenant-slug> <name> <scope...>   print a new API key (scopes: ${SCOPES.join(', ')})
  list-api-keys <tenant-slug>           the tenant's keys: prefix, name, scopes, last use, revocation
  rotate-api-key <tenant-slug> <key-prefix> [grace-minutes=60]   print a new key; the old one works for the grace period
  revoke-api-key <tenant-slug> <key-prefix>   refuse the key from now on
  import-scorm <zip> --tenant <slug> --course <key>   import a SCORM package as the course's next version
  import <file> --tenant <slug> --profile <name> [--mode snapshot|delta] [--kind people|transcript]
                                        import an HR file or LMS transcript and follow its run (needs a running worker);
                                        exit code 0 applied, 1 failed or cancelled, 2 awaits confirmation (the guard)
  create-lrs-client <tenant-slug> <name> [read|write...]   print a new LRS client's key and secret (HTTP Basic at /xapi)`;

/** Changes made from the command line are audited as the system's. */
const CLI = { type: 'system' as const, id: 'cli' };

/** Runs a command against the database: a DomainError becomes its code and message; the client is always let go. */
async function withDatabase(databaseUrl: string, command: (db: Db) => Promise<void>): Promise<void> {
  const db = createDb(databaseUrl);
  try {
    await command(db);
  } catch (error) {
    if (error instanceof DomainError) throw new Error(`${error.code}: ${error.message}`);
    throw error;
  } finally {
    await db.$disconnect();
  }
}

/** The tenant a command names by its slug. */
async function tenantBySlug(db: Db, slug: string | undefined) {
  const tenant = slug === undefined ? null : await db.tenant.findUnique({ where: { slug } });
  if (!tenant) throw new Error(`No tenant has the slug ${slug}`);
  return tenant;
}

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  const config = loadConfig();
  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort());

  switch (command) {
    case 'dev':
      return runDev(config, stop.signal);
    case 'api': {
      if (config.API_PROCESSES > 1 && cluster.isPrimary) return superviseApiProcesses(config.API_PROCESSES, createLogger(config.LOG_LEVEL), stop.signal);
      const runtime = openRuntime(config, required(config.TEMPORAL_ADDRESS, 'TEMPORAL_ADDRESS'));
      const { server, client, dispatcher } = await startApi(runtime);
      await new Promise((resolve) => stop.signal.addEventListener('abort', resolve, { once: true }));
      await new Promise((resolve) => server.close(resolve));
      await dispatcher.stop();
      await client.connection.close();
      await runtime.db.$disconnect();
      return;
    }
    case 'worker': {
      const runtime = openRuntime(config, required(config.TEMPORAL_ADDRESS, 'TEMPORAL_ADDRESS'));
      await runWorker(runtime, required(config.SMTP_URL, 'SMTP_URL'), stop.signal);
      await runtime.db.$disconnect();
      return;
    }
    case 'create-tenant': {
      const [slug, ...name] = args;
      if (!slug || name.length === 0) throw new Error(USAGE);
      await withDatabase(config.DATABASE_URL, async (db) => {
        const tenant = await db.tenant.create({ data: { slug, name: name.join(' ') } });
        console.log(JSON.stringify({ tenantId: tenant.id, slug }));
      });
      return;
    }
    case 'import-scorm': {
      const { file, options } = fileWithOptions(args, ['tenant', 'course']);
      if (!file) throw new Error(USAGE);
      await withDatabase(config.DATABASE_URL, async (db) => {
        const tenant = await tenantBySlug(db, options.tenant);
        const size = (await stat(file)).size;
        const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
        // On a terminal one line follows the import; elsewhere (a log) one line per stage.
        let shown: { stage: string; at: number; line: string } | null = null;
        const show = (stage: string, line: string, final = false) => {
          if (shown && shown.stage !== stage && !process.stderr.isTTY) process.stderr.write(`${shown.line}\n`);
          if (process.stderr.isTTY && (final || !shown || Date.now() - shown.at > 200)) process.stderr.write(`\r\x1b[K${line}${final ? '\n' : ''}`);
          else if (final) process.stderr.write(`${line}\n`);
          shown = final ? null : { stage, at: Date.now(), line };
        };
        const view = await importPackage(db, packageStore(config), tenant.id, CLI, options.course, createReadStream(file), (stage, done) =>
          show(stage, stage === 'received' ? `received ${mb(done.bytes)} of ${mb(size)} MB` : `unpacked ${done.files} files, ${mb(done.bytes)} MB`),
        );
        show('done', `imported ${view.fileCount} files, ${mb(view.totalBytes)} MB`, true);
        console.log(JSON.stringify({ id: view.id, course: view.courseKey, version: view.version, scormVersion: view.scormVersion, title: view.title, files: view.fileCount }));
      });
      return;
    }
    case 'import': {
      const { file, options } = fileWithOptions(args, ['tenant', 'profile'], ['mode', 'kind']);
      if (!file) throw new Error(USAGE);
      const mode = options.mode ?? 'delta';
      if (mode !== 'snapshot' && mode !== 'delta') throw new Error(`${USAGE}\n--mode is snapshot or delta`);
      const kind = options.kind;
      if (kind !== undefined && kind !== 'people' && kind !== 'transcript') throw new Error(`${USAGE}\n--kind is people or transcript`);
      await withDatabase(config.DATABASE_URL, async (db) => {
        const tenant = await tenantBySlug(db, options.tenant);
        const run = await importFile(db, config, tenant.id, file, { profile: options.profile, mode, ...(kind ? { kind } : {}) });
        console.log(JSON.stringify({ id: run.id, state: run.state, counts: run.counts, ...(run.error ? { error: run.error } : {}) }));
        if (run.state === 'awaiting_confirmation') process.exitCode = 2;
        else if (run.state !== 'completed') process.exitCode = 1;
      });
      return;
    }
    case 'create-lrs-client': {
      const [slug, name, ...scopes] = args;
      const unknown = scopes.filter((s) => !(LRS_SCOPES as readonly string[]).includes(s));
      if (!slug || !name || unknown.length > 0) throw new Error(`${USAGE}${unknown.length ? `\nunknown scopes: ${unknown.join(', ')}` : ''}`);
      await withDatabase(config.DATABASE_URL, async (db) => {
        const tenant = await tenantBySlug(db, slug);
        const client = await createLrsClient(db, tenant.id, CLI, { name, scopes: scopes.length > 0 ? (scopes as LrsScope[]) : ['read', 'write'] });
        console.log(JSON.stringify({ endpoint: `${config.PUBLIC_URL}/xapi/`, key: client.key, secret: client.secret, scopes: client.scopes }));
      });
      return;
    }
    case 'create-api-key': {
      const [slug, name, ...scopes] = args;
      const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
      if (!slug || !name || scopes.length === 0 || unknown.length > 0) throw new Error(`${USAGE}${unknown.length ? `\nunknown scopes: ${unknown.join(', ')}` : ''}`);
      await withDatabase(config.DATABASE_URL, async (db) => {
        const tenant = await tenantBySlug(db, slug);
        const { key } = await issueApiKey(db, tenant.id, CLI, { name, scopes: scopes as Scope[] });
        console.log(key);
      });
      return;
    }
    case 'list-api-keys':
    case 'rotate-api-key':
    case 'revoke-api-key': {
      const [slug, prefix, grace] = args;
      if (!slug || (command !== 'list-api-keys' && !prefix)) throw new Error(USAGE);
      await withDatabase(config.DATABASE_URL, async (db) => {
        const tenant = await tenantBySlug(db, slug);
        const keys = await listApiKeys(db, tenant.id);
        if (command === 'list-api-keys') {
          for (const k of keys) console.log([k.keyPrefix, k.name, k.scopes.join(','), `last used ${k.lastUsedAt ?? 'never'}`, k.revokedAt ? `revoked from ${k.revokedAt}` : 'active'].join('\t'));
          return;
        }
        const target = keys.find((k) => k.keyPrefix === prefix);
        if (!target) throw new Error(`tenant ${slug} has no key with prefix ${prefix}`);
        if (command === 'revoke-api-key') {
          const revoked = await revokeApiKey(db, tenant.id, CLI, target.id);
          console.log(`revoked ${revoked.keyPrefix} from ${revoked.revokedAt}`);
        } else {
          const rotated = await rotateApiKey(db, tenant.id, CLI, target.id, Number(grace ?? 60));
          console.log(rotated.key);
          console.error(`the old key ${rotated.previous.keyPrefix} works until ${rotated.previous.revokedAt}`);
        }
      });
      return;
    }
    default:
      throw new Error(USAGE);
  }
}

/** The embedded default: everything trainhub needs, on this machine, stopped together by Ctrl-C. */
async function runDev(config: ReturnType<typeof loadConfig>, signal: AbortSignal): Promise<void> {
  const dataDir = path.join(PROJECT_ROOT, '.data');
  const temporal = config.TEMPORAL_ADDRESS
    ? null
    : await startDevServer({ dbFile: path.join(dataDir, 'temporal', 'dev.db'), uiPort: 8233 });
  const catcher = config.SMTP_URL
    ? null
    : await startMailCatcher({
        port: 1025,
        onMessage: (m) => console.log(`\n──── e-mail to ${m.envelopeTo.join(', ')} ────\nSubject: ${m.subject}\n\n${m.text.trimEnd()}\n────`),
      });
  const logFile = path.join(dataDir, 'dev.log');
  const runtime = openRuntime(config, config.TEMPORAL_ADDRESS ?? temporal!.address, { development: true, logger: createDevLogger(config.LOG_LEVEL, logFile) });
  const { apiKey } = await seedDemoTenant(runtime.db);
  const { server, client, dispatcher } = await startApi(runtime);
  // One process runs everything here: the API's dispatcher serves the worker too.
  const worker = runWorker(runtime, config.SMTP_URL ?? catcher!.url, signal, { dispatch: false });
  console.log(`
trainhub is running
  API          http://${config.HOST === '127.0.0.1' || config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${config.PORT}/api/v1   (OpenAPI: /api/v1/openapi.json)
  demo API key ${apiKey}
  Temporal     ${runtime.temporalAddress}${temporal?.uiUrl ? `   UI: ${temporal.uiUrl}` : ''}
  mail         ${catcher ? `caught by ${catcher.url}, printed here` : `sent through ${config.SMTP_URL}`}
  logs         ${logFile} (JSON; warnings and errors also here)
Ctrl-C stops everything.`);
  await worker;
  await new Promise((resolve) => server.close(resolve));
  await dispatcher.stop();
  await client.connection.close();
  await runtime.db.$disconnect();
  await catcher?.stop();
  await temporal?.stop();
}

/**
 * `trainhub import`: streams the file into a run, then follows the run (polling it) with a progress
 * bar on stderr until it is applied, fails, is cancelled or waits for a confirmation. The run's
 * process is started by the dispatchers of the running API and workers (they are told of the
 * command as it commits); Ctrl-C stops following, not the run.
 */
async function importFile(
  db: Db,
  config: ReturnType<typeof loadConfig>,
  tenantId: string,
  file: string,
  options: { profile: string; mode: 'snapshot' | 'delta'; kind?: 'people' | 'transcript' },
): Promise<ImportRunView> {
  const size = (await stat(file)).size;
  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  const tty = process.stderr.isTTY;
  const bar = (done: number, of: number) => {
    const share = of > 0 ? Math.min(1, done / of) : 1;
    const filled = Math.round(share * 30);
    return `[${'#'.repeat(filled)}${'-'.repeat(30 - filled)}] ${String(Math.floor(share * 100)).padStart(3)}%`;
  };
  // On a terminal one line is redrawn; elsewhere (a log) one line per stage, as it ended.
  let shown: { stage: string; line: string } | null = null;
  const show = (stage: string, line: string, final = false) => {
    if (shown && shown.stage !== stage && !tty) process.stderr.write(`${shown.line}\n`);
    if (tty && (final || shown?.line !== line)) process.stderr.write(`\r\x1b[K${line}${final ? '\n' : ''}`);
    else if (!tty && final) process.stderr.write(`${line}\n`);
    shown = final ? null : { stage, line };
  };
  const delivery = { taskQueue: config.TEMPORAL_TASK_QUEUE, deliverNow: async () => undefined };
  const { run, duplicate } = await receiveImport(db, delivery, CLI, {
    tenantId,
    profileName: options.profile,
    mode: options.mode,
    ...(options.kind ? { kind: options.kind } : {}),
    fileName: path.basename(file),
    source: 'cli',
    content: createReadStream(file),
    maxBytes: config.IMPORT_MAX_UPLOAD_MB * 1024 * 1024,
    onBytes: (bytes) => show('upload', `uploading ${bar(bytes, size)} ${mb(bytes)} of ${mb(size)} MB`),
  });
  show('upload', `uploaded ${mb(run.sizeBytes)} MB${duplicate ? `: this file was imported before, as run ${run.id}` : `: run ${run.id}`}`, true);
  const stopped = new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  let interrupted = false;
  void stopped.then(() => (interrupted = true));
  const waitingSince = Date.now();
  let hinted = false;
  for (;;) {
    const view = await getImportRun(db, tenantId, run.id);
    const { state, counts, progress } = view;
    if (state === 'received' || state === 'staging') show(state, `${state === 'received' ? 'waiting for a worker' : 'reading the file'}…`);
    else if (state === 'diffing') show(state, `comparing ${counts.rows ?? 0} rows with trainhub…`);
    else if (state === 'applying') show(state, `applying ${bar(progress.applied, progress.toApply)} ${progress.applied} of ${progress.toApply} changes`);
    else {
      const done = state === 'completed' ? `applied ${progress.applied} of ${progress.toApply} changes` : state.replace('_', ' ');
      show(state, done, true);
      if (state === 'awaiting_confirmation' && view.confirmation) {
        process.stderr.write(
          `The snapshot would terminate ${view.confirmation.terminations} of ${view.confirmation.activePeople} active people (the guard holds more than ` +
            `${view.confirmation.maxSharePercent} % and more than ${view.confirmation.minPeople}). Nothing was changed.\n` +
            `Confirm with POST /api/v1/imports/${view.id}/confirm, or cancel with POST /api/v1/imports/${view.id}/cancel.\n`,
        );
      }
      if (state === 'failed' && view.error) process.stderr.write(`The run failed: ${view.error}\n`);
      if ((counts.rejected ?? 0) > 0) process.stderr.write(`${counts.rejected} rows were refused: GET ${view.links.errors}\n`);
      return view;
    }
    if (state === 'received' && !hinted && Date.now() - waitingSince > 30_000) {
      hinted = true;
      process.stderr.write(`\nNo worker has taken the run yet: are trainhub's API and worker running (task queue ${config.TEMPORAL_TASK_QUEUE})?\n`);
    }
    if (interrupted) {
      show('stopped', `stopped following; the run goes on: GET ${view.links.self}`, true);
      return view;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** `<file> --name value ...`: every named option must be given; `optional` ones may be. */
function fileWithOptions<K extends string, O extends string = never>(
  args: string[],
  names: readonly K[],
  optional: readonly O[] = [],
): { file: string | undefined; options: Record<K, string> & Partial<Record<O, string>> } {
  const options: Partial<Record<K | O, string>> = {};
  let file: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const name = args[i]!.startsWith('--') ? (args[i]!.slice(2) as K | O) : undefined;
    if (name && ((names as readonly string[]).includes(name) || (optional as readonly string[]).includes(name)) && args[i + 1] !== undefined) options[name] = args[++i]!;
    else if (!name && file === undefined) file = args[i];
    else throw new Error(`${USAGE}\nunexpected argument: ${args[i]}`);
  }
  const missing = names.filter((n) => options[n] === undefined);
  if (missing.length > 0) throw new Error(`${USAGE}\nmissing: ${missing.map((n) => `--${n}`).join(', ')}`);
  return { file, options: options as Record<K, string> & Partial<Record<O, string>> };
}

function required(value: string | undefined, name: string): string {
  if (!value) throw new Error(`${name} must be set for this command`);
  return value;
}

main(process.argv.slice(2)).then(
  () => process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
