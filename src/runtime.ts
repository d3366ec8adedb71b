import type { Server } from 'node:http';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { createActivities } from './activities';
import { createApp } from './api/app';
import type { Config } from './config';
import { createDb, type Db } from './db/client';
import { createLogger } from './logger';
import { createMailer } from './mail/transport';
import { approvalLinkSettings } from './services/identity/approval-links';
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
}

export function openRuntime(config: Config, temporalAddress: string): Runtime {
  return { config, logger: createLogger(config.LOG_LEVEL), db: createDb(config.DATABASE_URL), temporalAddress };
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
  const app = createApp({ db, processes: new Processes(client), delivery: dispatcher, logger, publicUrl: config.PUBLIC_URL, approvalLinks: approvalLinkSettings(config) });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(config.PORT, () => resolve(listening));
  });
  logger.info({ port: config.PORT }, 'API listening');
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
    activities: createActivities({ db, mailer, publicUrl: config.PUBLIC_URL, approvalLinks: approvalLinkSettings(config) }),
  });
  signal.addEventListener('abort', () => worker.shutdown(), { once: true });
  dispatcher?.start();
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE }, 'worker running');
  try {
    await worker.run();
  } finally {
    await dispatcher?.stop();
    await connection.close();
    await client.connection.close();
    mailer.close();
  }
}
