import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import { createApp } from '../../src/api/app';
import { loadConfig } from '../../src/config';
import { createDb, type Db } from '../../src/db/client';
import { createLogger } from '../../src/logger';
import type { ApprovalLinkSettings } from '../../src/services/identity/approval-links';
import { startMailCatcher, type MailCatcher } from '../../src/mail/catcher';
import { createMailer } from '../../src/mail/transport';
import { scormSettings, type ScormSettings } from '../../src/services/scorm/settings';
import { createTemporalClient, createWorkerConnection } from '../../src/temporal/connection';
import { installTemporalLogging } from '../../src/temporal/logging';
import { ProcessCommandDispatcher } from '../../src/temporal/dispatcher';
import { Processes } from '../../src/temporal/processes';
import { createWorker } from '../../src/temporal/worker';
import { temporalAddress, testPaths, TEST_DATABASE_URL } from './environment';

/**
 * trainhub as it runs in production, wired to real services: the test database, the suite's
 * Temporal dev server, an SMTP server that keeps what it receives, the HTTP API on a free port
 * and a worker on a task queue of this test file's own.
 */
export interface Harness {
  db: Db;
  mail: MailCatcher;
  temporal: Client;
  /** Delivers process commands, as in every API process (started with the harness). */
  dispatcher: ProcessCommandDispatcher;
  /** The SCORM package store (a temporary folder of this harness's own) and the player's link signing. */
  scorm: ScormSettings;
  /** How this harness signs approvers' links and sessions (a secret of its own). */
  approvalLinks: ApprovalLinkSettings;
  baseUrl: string;
  taskQueue: string;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

/** Test logs at warn (TEST_LOG_LEVEL overrides); call before creating a TestWorkflowEnvironment. */
export function installTestRuntime() {
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'warn');
  installTemporalLogging(logger);
  return logger;
}

export interface HarnessOptions {
  /** Run against this Temporal instead of the suite's dev server, e.g. a time-skipping TestWorkflowEnvironment. */
  temporal?: { client: Client; nativeConnection: NativeConnection };
  /** Or against the Temporal server at this address (one the test starts, stops and kills itself). */
  temporalAddress?: string;
  /** Requests one API key may make per minute (the API's default otherwise). */
  rateLimitPerMinute?: number;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const db = createDb(TEST_DATABASE_URL);
  const mail = await startMailCatcher();
  const mailer = createMailer(mail.url, 'trainhub <no-reply@trainhub.test>');
  const address = options.temporalAddress ?? temporalAddress();
  const temporal = options.temporal?.client ?? (await createTemporalClient(address, 'default'));
  const taskQueue = `test-${randomUUID()}`;
  const logger = installTestRuntime();
  const dispatcher = new ProcessCommandDispatcher(db, temporal, {
    taskQueue,
    databaseUrl: TEST_DATABASE_URL,
    // The time-skipping server cannot register search attributes.
    searchAttributes: !options.temporal,
    logger,
  });
  dispatcher.start();
  const approvalLinks: ApprovalLinkSettings = { secret: randomBytes(32).toString('base64url'), linkTtlHours: 72, sessionHours: 12, learnerLinkTtlDays: 30 };
  const scorm = scormSettings(loadConfig({ SCORM_STORAGE_DIR: await mkdtemp(path.join(tmpdir(), 'trainhub-scorm-')) }), approvalLinks.secret);
  const app = createApp({ db, processes: new Processes(temporal), delivery: dispatcher, logger, publicUrl: 'http://trainhub.test', approvalLinks, scorm, ...(options.rateLimitPerMinute ? { rateLimitPerMinute: options.rateLimitPerMinute } : {}) });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let running: { worker: Worker; connection: NativeConnection; done: Promise<void> } | null = null;
  const harness: Harness = {
    db,
    mail,
    temporal,
    dispatcher,
    approvalLinks,
    scorm,
    baseUrl,
    taskQueue,
    async startWorker() {
      if (running) return;
      const connection = options.temporal?.nativeConnection ?? (await createWorkerConnection(address));
      const worker = await createWorker({
        connection,
        namespace: 'default',
        taskQueue,
        activities: createActivities({ db, mailer, publicUrl: 'http://trainhub.test', approvalLinks }),
        workflowBundlePath: testPaths.workflowBundle,
      });
      running = { worker, connection, done: worker.run() };
    },
    async stopWorker() {
      if (!running) return;
      const { worker, connection, done } = running;
      running = null;
      worker.shutdown();
      await done;
      if (!options.temporal) await connection.close();
    },
    async close() {
      await harness.stopWorker();
      await dispatcher.stop();
      await new Promise((resolve) => server.close(resolve));
      if (!options.temporal) await temporal.connection.close();
      mailer.close();
      await mail.stop();
      await db.$disconnect();
      await rm(scorm.store.root, { recursive: true, force: true });
    },
  };
  await harness.startWorker();
  return harness;
}
