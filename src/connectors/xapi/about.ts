import { Router } from 'express';
import { sendJson } from './http';

/**
 * The versions this LRS speaks (Communication 2.8): the latest patch of each major version (1.0.3,
 * 2.0.0) and, since every 1.0.x request is served as 1.0.3, the earlier 1.0 patches too — clients
 * (and the 1.0.3 conformance suite) look for the one they were built for.
 */
export const SUPPORTED_VERSIONS = ['1.0.0', '1.0.1', '1.0.2', '1.0.3', '2.0.0'] as const;

/**
 * GET /xapi/about, mounted before version checks and authentication: it needs no credentials and is
 * never refused for its X-Experience-API-Version header (Communication 2.8). The response still
 * carries the header (Communication 3.3): the version asked for when it is one this LRS speaks,
 * otherwise the latest.
 */
export function aboutRouter(): Router {
  const router = Router();
  router.get('/about', (req, res) => {
    const asked = (req.get('x-experience-api-version') ?? '').trim();
    res.set('x-experience-api-version', /^1\.0(\.\d+)?$/.test(asked) ? '1.0.3' : '2.0.0');
    sendJson(res, 200, { version: SUPPORTED_VERSIONS });
  });
  return router;
}
