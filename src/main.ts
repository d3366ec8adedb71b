import cluster from 'node:cluster';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { superviseApiProcesses } from './api-processes';
import { loadConfig } from './config';
import { createDb } from './db/client';
import { DomainError } from './domain/errors';
import { SCOPES, type Scope } from './domain/scopes';
import { seedDemoTenant } from './dev/seed-demo';
import { createDevLogger, createLogger } from './logger';
import { startMailCatcher } from './mail/catcher';
import { openRuntime, runWorker, startApi } from './runtime';
import { issueApiKey, listApiKeys, revokeApiKey, rotateApiKey } from './services/identity/api-keys';
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
  create-lrs-client <tenant-slug> <name> [read|write...]   print a new LRS client's key and secret (HTTP Basic at /xapi)`;

/** Changes made from the command line are audited as the system's. */
const CLI = { type: 'system' as const, id: 'cli' };

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
      const db = createDb(config.DATABASE_URL);
      const tenant = await db.tenant.create({ data: { slug, name: name.join(' ') } });
      console.log(JSON.stringify({ tenantId: tenant.id, slug }));
      await db.$disconnect();
      return;
    }
    case 'import-scorm': {
      const { file, options } = fileWithOptions(args, ['tenant', 'course']);
      if (!file) throw new Error(USAGE);
      const db = createDb(config.DATABASE_URL);
      try {
        const tenant = await db.tenant.findUnique({ where: { slug: options.tenant } });
        if (!tenant) throw new Error(`No tenant has the slug ${options.tenant}`);
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
      } catch (error) {
        if (error instanceof DomainError) throw new Error(`${error.code}: ${error.message}`);
        throw error;
      } finally {
        await db.$disconnect();
      }
      return;
    }
    case 'create-lrs-client': {
      const [slug, name, ...scopes] = args;
      const unknown = scopes.filter((s) => !(LRS_SCOPES as readonly string[]).includes(s));
      if (!slug || !name || unknown.length > 0) throw new Error(`${USAGE}${unknown.length ? `\nunknown scopes: ${unknown.join(', ')}` : ''}`);
      const db = createDb(config.DATABASE_URL);
      const tenant = await db.tenant.findUniqueOrThrow({ where: { slug } });
      const client = await createLrsClient(db, tenant.id, CLI, { name, scopes: scopes.length > 0 ? (scopes as LrsScope[]) : ['read', 'write'] });
      console.log(JSON.stringify({ endpoint: `${config.PUBLIC_URL}/xapi/`, key: client.key, secret: client.secret, scopes: client.scopes }));
      await db.$disconnect();
      return;
    }
    case 'create-api-key': {
      const [slug, name, ...scopes] = args;
      const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
      if (!slug || !name || scopes.length === 0 || unknown.length > 0) throw new Error(`${USAGE}${unknown.length ? `\nunknown scopes: ${unknown.join(', ')}` : ''}`);
      const db = createDb(config.DATABASE_URL);
      const tenant = await db.tenant.findUniqueOrThrow({ where: { slug } });
      const { key } = await issueApiKey(db, tenant.id, CLI, { name, scopes: scopes as Scope[] });
      console.log(key);
      await db.$disconnect();
      return;
    }
    case 'list-api-keys':
    case 'rotate-api-key':
    case 'revoke-api-key': {
      const [slug, prefix, grace] = args;
      if (!slug || (command !== 'list-api-keys' && !prefix)) throw new Error(USAGE);
      const db = createDb(config.DATABASE_URL);
      try {
        const tenant = await db.tenant.findUniqueOrThrow({ where: { slug } });
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
      } finally {
        await db.$disconnect();
      }
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

/** `<file> --name value ...`: every named option must be given. */
function fileWithOptions<K extends string>(args: string[], names: readonly K[]): { file: string | undefined; options: Record<K, string> } {
  const options: Partial<Record<K, string>> = {};
  let file: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const name = args[i]!.startsWith('--') ? (args[i]!.slice(2) as K) : undefined;
    if (name && names.includes(name) && args[i + 1] !== undefined) options[name] = args[++i]!;
    else if (!name && file === undefined) file = args[i];
    else throw new Error(`${USAGE}\nunexpected argument: ${args[i]}`);
  }
  const missing = names.filter((n) => options[n] === undefined);
  if (missing.length > 0) throw new Error(`${USAGE}\nmissing: ${missing.map((n) => `--${n}`).join(', ')}`);
  return { file, options: options as Record<K, string> };
}

function required(value: string | undefined, name: string): string {
  if (!value) throw new Error(`${name} must be set for this command`);
  return value;
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
