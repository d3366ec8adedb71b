import { Router } from 'express';
import type { Db } from '../../db/client';
import type { Processes } from '../../temporal/processes';

/** Liveness and dependency checks for load balancers and operators; they reveal no tenant data. */
export function healthRouter(db: Db, processes: Processes): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/health/db', async (_req, res) => {
    try {
      await db.$queryRaw`SELECT 1`;
      res.json({ status: 'ok' });
    } catch {
      res.status(503).json({ status: 'unavailable' });
    }
  });
  router.get('/health/temporal', async (_req, res) => {
    const healthy = await processes.isHealthy();
    res.status(healthy ? 200 : 503).json({ status: healthy ? 'ok' : 'unavailable' });
  });
  return router;
}
