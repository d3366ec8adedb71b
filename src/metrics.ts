import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process's Prometheus metrics (GET /metrics on the API; on a worker, METRICS_PORT). Labels never
 * carry tenant or person ids: only bounded sets such as a route pattern, an action or an outcome.
 */
export const metrics = new Registry();
collectDefaultMetrics({ register: metrics, prefix: 'trainhub_' });

// ─── HTTP ────────────────────────────────────────────────────────────────────────────────────────
export const httpDuration = new Histogram({
  name: 'trainhub_http_request_duration_seconds',
  help: 'HTTP requests by method, route pattern and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metrics],
});

export const httpErrors = new Counter({
  name: 'trainhub_http_errors_total',
  help: 'Error responses by status and error code',
  labelNames: ['status', 'code'] as const,
  registers: [metrics],
});

// ─── Process commands ───────────────────────────────────────────────────────────────────────────
export const processCommandsDelivered = new Counter({
  name: 'trainhub_process_commands_delivered_total',
  help: 'Process commands delivered to Temporal by this process (starts and signals), by action and what delivery found',
  labelNames: ['action', 'outcome'] as const,
  registers: [metrics],
});

export const processCommandFailures = new Counter({
  name: 'trainhub_process_command_failures_total',
  help: 'Delivery attempts that failed and will be retried (e.g. Temporal unreachable)',
  registers: [metrics],
});

export const processCommandLag = new Histogram({
  name: 'trainhub_process_command_lag_seconds',
  help: 'From the commit of a record change to the delivery of the process command it wrote',
  labelNames: ['priority'] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
  registers: [metrics],
});

// ─── E-mail and activities (counted where they run: the worker) ───────────────────────────────
export const emailsDelivered = new Counter({
  name: 'trainhub_emails_total',
  help: 'Outbox delivery attempts by result: sent, failed (refused for good), retry (will be tried again)',
  labelNames: ['result'] as const,
  registers: [metrics],
});

export const activityFailures = new Counter({
  name: 'trainhub_activity_failures_total',
  help: 'Activity attempts that failed, by activity and whether a retry may mend it',
  labelNames: ['activity', 'retryable'] as const,
  registers: [metrics],
});

// ─── Backlogs, read from the database when scraped (the same global figure on every process) ──
export interface Backlogs {
  commandsPending: number;
  oldestCommandSeconds: number;
  emailsPending: number;
  oldestEmailSeconds: number;
}

let readBacklogs: (() => Promise<Backlogs>) | null = null;
let reading: Promise<Backlogs> | null = null;
const backlogs = (): Promise<Backlogs> => {
  if (!readBacklogs) return Promise.resolve({ commandsPending: 0, oldestCommandSeconds: 0, emailsPending: 0, oldestEmailSeconds: 0 });
  reading ??= readBacklogs().finally(() => setImmediate(() => (reading = null)));
  return reading;
};

/** Where the backlog gauges read from (the process's database). */
export function setBacklogReader(read: () => Promise<Backlogs>): void {
  readBacklogs = read;
}

const backlogGauge = (name: string, help: string, pick: (b: Backlogs) => number) =>
  new Gauge({
    name,
    help,
    registers: [metrics],
    async collect() {
      this.set(pick(await backlogs()));
    },
  });

backlogGauge('trainhub_process_commands_pending', 'Process commands written but not yet delivered, across all processes', (b) => b.commandsPending);
backlogGauge('trainhub_process_command_oldest_pending_seconds', 'Age of the oldest undelivered process command (0 when none waits)', (b) => b.oldestCommandSeconds);
backlogGauge('trainhub_emails_pending', 'Outbox messages not yet sent', (b) => b.emailsPending);
backlogGauge('trainhub_email_oldest_pending_seconds', 'Age of the oldest unsent outbox message (0 when none waits)', (b) => b.oldestEmailSeconds);
