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

export async function startApi(runtime: Runtime): Promise<{ server: Server; client: Client }> {
  const { config, logger, db } = runtime;
  const client = await createTemporalClient(runtime.temporalAddress, config.TEMPORAL_NAMESPACE);
  const processes = new Processes(client, config.TEMPORAL_TASK_QUEUE);
  const app = createApp({ db, processes, logger, publicUrl: config.PUBLIC_URL, approvalLinks: approvalLinkSettings(config) });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(config.PORT, () => resolve(listening));
  });
  logger.info({ port: config.PORT }, 'API listening');
  return { server, client };
}

/** Runs a worker until `signal` aborts; resolves once it has drained. */
export async function runWorker(runtime: Runtime, smtpUrl: string, signal: AbortSignal): Promise<void> {
  const { config, logger, db } = runtime;
  installTemporalLogging(logger.child({ component: 'temporal' }));
  const mailer = createMailer(smtpUrl, config.MAIL_FROM);
  const connection = await createWorkerConnection(runtime.temporalAddress);
  const client = await createTemporalClient(runtime.temporalAddress, config.TEMPORAL_NAMESPACE);
  const processes = new Processes(client, config.TEMPORAL_TASK_QUEUE);
  const worker = await createWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    activities: createActivities({ db, mailer, publicUrl: config.PUBLIC_URL, approvalLinks: approvalLinkSettings(config), processes }),
  });
  signal.addEventListener('abort', () => worker.shutdown(), { once: true });
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE }, 'worker running');
  try {
    await worker.run();
  } finally {
    await connection.close();
    await client.connection.close();
    mailer.close();
  }
}
