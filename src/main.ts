import cluster from 'node:cluster';
import path from 'node:path';
import { superviseApiProcesses } from './api-processes';
import { loadConfig } from './config';
import { createDb } from './db/client';
import { SCOPES, type Scope } from './domain/scopes';
import { seedDemoTenant } from './dev/seed-demo';
import { createDevLogger, createLogger } from './logger';
import { startMailCatcher } from './mail/catcher';
import { openRuntime, runWorker, startApi } from './runtime';
import { issueApiKey, listApiKeys, revokeApiKey, rotateApiKey } from './services/identity/api-keys';
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
  revoke-api-key <tenant-slug> <key-prefix>   refuse the key from now on`;

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
