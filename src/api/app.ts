import { randomUUID } from 'node:crypto';
import express, { Router, type Express, type Request } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import type { Db } from '../db/client';
import type { ApprovalLinkSettings } from '../services/identity/approval-links';
import type { CommandDelivery } from '../services/processes/operations';
import type { ScormSettings } from '../services/scorm/settings';
import type { ConnectorSettings } from '../services/imports/connectors';
import type { ImportSettings } from './routes/imports';
import type { Processes } from '../temporal/processes';
import { scormRouter } from '../connectors/scorm/router';
import { xapiRouter } from '../connectors/xapi/router';
import { authenticate } from './auth';
import { errorHandler, notFoundRoute } from './errors';
import { buildOpenApiDocument } from './openapi';
import { metricsEndpoint, timeRequests } from './metrics';
import { mountOperations } from './operation';
import { limitLookupsPerAddress, limitPerAddress, limitPerKey } from './rate-limits';
import { apiOperations } from './operations';
import { acknowledgementPages } from './pages/acknowledgement';
import { approverPages } from './pages/approver';
import { learnerPages } from './pages/learner';
import { verifyPages } from './pages/verify';
import { healthRouter } from './routes/health';

export interface AppDeps {
  db: Db;
  processes: Processes;
  /** Where record changes hand their process commands right after commit (the dispatcher). */
  delivery: CommandDelivery;
  logger: Logger;
  publicUrl: string;
  /** Signing of approvers' links and sessions. */
  approvalLinks: ApprovalLinkSettings;
  /** The SCORM package store and the player's link signing. */
  scorm: ScormSettings;
  /** Requests one API key may make per minute (429 with Retry-After beyond). */
  rateLimitPerMinute?: number;
  /** HCM connectors' secrets key and URL rules (src/runtime.ts passes them; without them, the development settings). */
  connectors?: ConnectorSettings;
  /** What an import may be (IMPORT_MAX_UPLOAD_MB; the default without it). */
  imports?: ImportSettings;
}

export function createApp({ db, processes, delivery, logger, publicUrl, approvalLinks, scorm, rateLimitPerMinute = 3_000, connectors, imports }: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(helmet());
  app.use(timeRequests);
  app.use((req, res, next) => {
    // A caller's own request id is kept when it is a plain token, so its logs and ours line up.
    const given = req.get('x-request-id');
    req.id = given && /^[A-Za-z0-9._:-]{1,100}$/.test(given) ? given : randomUUID();
    res.setHeader('x-request-id', req.id);
    req.log = logger.child({ requestId: req.id });
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      req.log.info({ method: req.method, path: req.path, status: res.statusCode, ms }, 'request');
    });
    next();
  });

  // Methods no route answers (TRACE, CONNECT, …) are 405, not 404.
  app.use((req, res, next) => {
    if (['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].includes(req.method)) return next();
    res.set('allow', 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS');
    res.status(405).json({ error: { code: 'method_not_allowed', message: `${req.method} is not supported`, requestId: req.id } });
  });
  app.use(healthRouter(db, processes));
  // Prometheus metrics: process-wide figures, no tenant data (like /health, no key).
  app.get('/metrics', metricsEndpoint(db));

  const operations = apiOperations(db, processes, delivery, scorm, publicUrl, connectors, imports);
  const openApi = buildOpenApiDocument(operations, publicUrl);
  const api = Router();
  api.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  // Who is calling comes first: a request without a valid key is 401 whatever its body.
  api.use(authenticate(db));
  api.use(limitPerKey(rateLimitPerMinute));
  // A JSON file sent to an upload operation (an HR system's export) is streamed by its handler, not parsed here.
  const streamedJson = new Set(operations.filter((op) => op.upload?.contentTypes.includes('application/json')).map((op) => `${op.method.toUpperCase()} ${op.path}`));
  api.use(express.json({ limit: '1mb', type: (req) => !streamedJson.has(`${req.method} ${(req as Request).path}`) && Boolean((req as Request).is('application/json')) }));
  mountOperations(api, operations);
  app.use('/api/v1', api);
  // The approver inbox and e-mailed decision links: server-rendered pages with their own sign-in.
  app.use('/approver', limitPerAddress(60));
  app.use(approverPages({ db, processes, delivery, settings: approvalLinks, publicUrl }));
  // The learner's page of what they owe, opened from their e-mails.
  app.use(learnerPages({ db, settings: approvalLinks, player: scorm.links }));
  // "Read and understood": a document version's page from the training e-mail, and signing with a fresh e-mailed link.
  app.use('/documents', limitPerAddress(30));
  app.use(acknowledgementPages({ db, delivery, settings: approvalLinks, publicUrl }));
  // A certificate's public verify page (its QR code leads there) and its PDF: no sign-in, limited per address.
  app.use('/verify', limitLookupsPerAddress(60));
  app.use(verifyPages({ db }));
  // The SCORM player, its commits and the packages' files (same origin, so content finds the API).
  app.use(scormRouter({ db, delivery, store: scorm.store, links: scorm.links, secureCookies: publicUrl.startsWith('https:') }));
  // The Learning Record Store (xAPI), with its own clients (HTTP Basic) and error rules.
  app.use('/xapi', xapiRouter({ db, delivery, publicUrl, rateLimitPerMinute }));

  app.use(notFoundRoute);
  app.use(errorHandler);
  return app;
}
