import express, { Router } from 'express';
import { limitPerLrsClient } from '../../api/rate-limits';
import type { Db } from '../../db/client';
import type { CommandDelivery } from '../../services/processes/operations';
import { aboutRouter } from './about';
import { documentsRouter } from './documents';
import { consistentThroughOnEveryAnswer, statementsRouter } from './statements';
import { alternateRequestSyntax, authenticateLrs, cors, requireVersion, unansweredRequests, versionOnEveryAnswer, xapiErrors } from './http';

export interface XapiRouterDeps {
  db: Db;
  delivery: CommandDelivery;
  /** Statements' authority names the LRS client under this home page. */
  publicUrl: string;
  /** Requests one LRS client may make per minute (429 with Retry-After beyond). */
  rateLimitPerMinute?: number;
  /** Largest request body (a statement batch with attachments, a document). */
  maxBodyBytes?: number;
}

/**
 * trainhub's Learning Record Store, mounted at /xapi: an LMS or content is configured with the
 * endpoint https://<host>/xapi/ and an LRS client's key and secret (HTTP Basic).
 */
export function xapiRouter({ db, delivery, publicUrl, rateLimitPerMinute = 3_000, maxBodyBytes = 20 * 1024 * 1024 }: XapiRouterDeps): Router {
  const router = Router({ strict: false });
  router.use(versionOnEveryAnswer, cors);
  // Every body is read as bytes: statements are JSON or multipart/mixed, documents are whatever they are.
  router.use(express.raw({ type: () => true, limit: maxBodyBytes }));
  router.use(alternateRequestSyntax);
  router.use(aboutRouter());
  router.use(consistentThroughOnEveryAnswer);
  router.use(requireVersion, authenticateLrs(db), limitPerLrsClient(rateLimitPerMinute));
  router.use(statementsRouter(db, delivery, publicUrl));
  router.use(documentsRouter(db));
  router.use(unansweredRequests);
  router.use(xapiErrors);
  return router;
}
