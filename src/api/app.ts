import { randomUUID } from 'node:crypto';
import express, { Router, type Express } from 'express';
import type { Logger } from 'pino';
import type { Db } from '../db/client';
import { DEFAULT_APPROVAL_LINK_SETTINGS, type ApprovalLinkSettings } from '../services/identity/approval-links';
import { metrics } from '../metrics';
import type { CommandDelivery } from '../services/processes/operations';
import type { Processes } from '../temporal/processes';
import { authenticate } from './auth';
import { errorHandler, notFoundRoute } from './errors';
import { buildOpenApiDocument } from './openapi';
import { mountOperations } from './operation';
import { apiOperations } from './operations';
import { approverPages } from './pages/approver';
import { healthRouter } from './routes/health';

export interface AppDeps {
  db: Db;
  processes: Processes;
  /** Where record changes hand their process commands right after commit (the dispatcher). */
  delivery: CommandDelivery;
  logger: Logger;
  publicUrl: string;
  /** Signing of approvers' links and sessions; the development defaults when absent. */
  approvalLinks?: ApprovalLinkSettings;
}

export function createApp({ db, processes, delivery, logger, publicUrl, approvalLinks = DEFAULT_APPROVAL_LINK_SETTINGS }: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use((req, res, next) => {
    req.id = req.get('x-request-id')?.slice(0, 100) || randomUUID();
    res.setHeader('x-request-id', req.id);
    req.log = logger.child({ requestId: req.id });
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      req.log.info({ method: req.method, path: req.path, status: res.statusCode, ms }, 'request');
    });
    next();
  });

  app.use(healthRouter(db, processes));
  // Prometheus metrics: process-wide figures, no tenant data (like /health, no key).
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.contentType).send(await metrics.metrics());
  });

  const operations = apiOperations(db, processes, delivery);
  const openApi = buildOpenApiDocument(operations, publicUrl);
  const api = Router();
  api.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  api.use(express.json({ limit: '1mb' }));
  api.use(authenticate(db));
  mountOperations(api, operations);
  app.use('/api/v1', api);
  // The approver inbox and e-mailed decision links: server-rendered pages with their own sign-in.
  app.use(approverPages({ db, processes, settings: approvalLinks, publicUrl }));

  app.use(notFoundRoute);
  app.use(errorHandler);
  return app;
}
