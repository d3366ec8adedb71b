import type { Server } from 'node:http';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { createActivities } from './activities';
import express from 'express';
import { createApp } from './api/app';
import { metricsEndpoint } from './api/metrics';
import type { Config } from './config';
import { createDb, type Db } from './db/client';
import { createLogger } from './logger';
import { createMailer } from './mail/transport';
import { approvalLinkSettings, type ApprovalLinkSettings } from './services/identity/approval-links';
import { connectorSettings, type ConnectorSettings } from './services/imports/connectors';
import { scormSettings, type ScormSettings } from './services/scorm/settings';
import { createTemporalClient, createWorkerConnection } from './temporal/connection';
import { installTemporalLogging } from './temporal/logging';
import { ProcessCommandDispatcher } from './temporal/dispatcher';
import { Processes } from './temporal/processes';
import { createWorker } from './temporal/worker';

/** What the API and the worker need, built from configuration once the services are reachable. */
export interface Runtime {
  config: Config;
  logger: Logger;
  db: Db;
  temporalAddress: string;
  approvalLinks: ApprovalLinkSettings;
  scorm: ScormSettings;
  /** HCM connectors: the secrets key (SECRETS_KEY) and where they may point. */
  connectors: ConnectorSettings;
}

/** `development`: the embedded default may sign approvers' links with the well-known development secret. */
export function openRuntime(config: Config, temporalAddress: string, options: { development?: boolean; logger?: Logger } = {}): Runtime {
  const approvalLinks = approvalLinkSettings(config, { development: options.development ?? false });
  const connectors = connectorSettings(config, { development: options.development ?? false });
  return { config, logger: options.logger ?? createLogger(config.LOG_LEVEL), db: createDb(config.DATABASE_URL), temporalAddress, approvalLinks, scorm: scormSettings(config, approvalLinks.secret), connectors };
}

/** The dispatcher that delivers process commands; every API and worker process runs one (they share the work). */
export function createDispatcher(runtime: Runtime, client: Client): ProcessCommandDispatcher {
  const { config, logger, db } = runtime;
  return new ProcessCommandDispatcher(db, client, {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    databaseUrl: config.DATABASE_URL,
    logger: logger.child({ component: 'dispatcher' }),
  });
}

export async function startApi(runtime: Runtime): Promise<{ server: Server; client: Client; dispatcher: ProcessCommandDispatcher }> {
  const { config, logger, db } = runtime;
  const client = await createTemporalClient(runtime.temporalAddress, config.TEMPORAL_NAMESPACE);
  const dispatcher = createDispatcher(runtime, client);
  dispatcher.start();
  const app = createApp({ db, processes: new Processes(client), delivery: dispatcher, logger, publicUrl: config.PUBLIC_URL, approvalLinks: runtime.approvalLinks, scorm: runtime.scorm, rateLimitPerMinute: config.API_RATE_LIMIT_PER_MINUTE, connectors: runtime.connectors, imports: { maxUploadBytes: config.IMPORT_MAX_UPLOAD_MB * 1024 * 1024 } });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(config.PORT, config.HOST, () => resolve(listening));
  });
  logger.info({ host: config.HOST, port: config.PORT }, 'API listening');
  return { server, client, dispatcher };
}

/**
 * Runs a worker until `signal` aborts; resolves once it has drained. With `dispatch`, it also runs a
 * dispatcher (commands written by activities, e.g. an approved renewal's wake-ups, are then delivered
 * even while no API process runs).
 */
export async function runWorker(runtime: Runtime, smtpUrl: string, signal: AbortSignal, options: { dispatch: boolean } = { dispatch: true }): Promise<void> {
  const { config, logger, db } = runtime;
  installTemporalLogging(logger.child({ component: 'temporal' }));
  const mailer = createMailer(smtpUrl, config.MAIL_FROM);
  const connection = await createWorkerConnection(runtime.temporalAddress);
  const client = await createTemporalClient(runtime.temporalAddress, config.TEMPORAL_NAMESPACE);
  const dispatcher = options.dispatch ? createDispatcher(runtime, client) : null;
  const worker = await createWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    activities: createActivities({ db, mailer, publicUrl: config.PUBLIC_URL, approvalLinks: runtime.approvalLinks, connectors: runtime.connectors }),
    maxCachedWorkflows: config.WORKER_CACHED_WORKFLOWS,
  });
  signal.addEventListener('abort', () => worker.shutdown(), { once: true });
  dispatcher?.start();
  const metricsServer = config.METRICS_PORT ? await serveMetrics(runtime, config.METRICS_PORT) : null;
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE }, 'worker running');
  try {
    await worker.run();
  } finally {
    metricsServer?.close();
    await dispatcher?.stop();
    await connection.close();
    await client.connection.close();
    mailer.close();
  }
}

/** A worker's GET /metrics, on its own port (the API serves the same registry on its own). */
function serveMetrics(runtime: Runtime, port: number): Promise<Server> {
  const app = express();
  app.get('/metrics', metricsEndpoint(runtime.db));
  return new Promise((resolve) => {
    const server = app.listen(port, runtime.config.HOST, () => resolve(server));
  });
}
