import type { RequestHandler } from 'express';
import type { Db } from '../db/client';
import { httpDuration, metrics, setBacklogReader } from '../metrics';

/** Times every request under its route pattern (never its path: ids would explode the label set). */
export const timeRequests: RequestHandler = (req, res, next) => {
  const end = httpDuration.startTimer({ method: req.method });
  res.on('finish', () => {
    const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
    end({ route, status: String(res.statusCode) });
  });
  next();
};

/** GET /metrics: the registry, with the backlogs read from the database at scrape time. */
export function metricsEndpoint(db: Db): RequestHandler {
  setBacklogReader(async () => {
    const [row] = await db.$queryRaw<{ commands: bigint; oldest_command: number | null; emails: bigint; oldest_email: number | null }[]>`
      SELECT (SELECT count(*) FROM process_command WHERE delivered_at IS NULL) AS commands,
             (SELECT extract(epoch FROM now() - min(created_at))::float8 FROM process_command WHERE delivered_at IS NULL) AS oldest_command,
             (SELECT count(*) FROM notification WHERE status = 'pending') AS emails,
             (SELECT extract(epoch FROM now() - min(created_at))::float8 FROM notification WHERE status = 'pending') AS oldest_email`;
    return {
      commandsPending: Number(row?.commands ?? 0),
      oldestCommandSeconds: Math.max(0, row?.oldest_command ?? 0),
      emailsPending: Number(row?.emails ?? 0),
      oldestEmailSeconds: Math.max(0, row?.oldest_email ?? 0),
    };
  });
  return async (_req, res) => {
    res.type(metrics.contentType).send(await metrics.metrics());
  };
}
