import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process's Prometheus metrics (served at GET /metrics). Labels never carry tenant or person ids:
 * only bounded sets such as an action or an outcome.
 */
export const metrics = new Registry();
collectDefaultMetrics({ register: metrics, prefix: 'trainhub_' });

export const processCommandsDelivered = new Counter({
  name: 'trainhub_process_commands_delivered_total',
  help: 'Process commands delivered to Temporal by this process, by action and what delivery found',
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

type Backlog = { pending: number; oldestPendingSeconds: number };
let readBacklog: (() => Promise<Backlog>) | null = null;
let reading: Promise<Backlog> | null = null;
/** One database read serves both gauges of a scrape. */
const backlog = (): Promise<Backlog> => {
  if (!readBacklog) return Promise.resolve({ pending: 0, oldestPendingSeconds: 0 });
  reading ??= readBacklog().finally(() => setImmediate(() => (reading = null)));
  return reading;
};

/** The backlog is read from the database when scraped, so every process reports the same, global figure. */
export function setBacklogReader(read: () => Promise<Backlog>): void {
  readBacklog = read;
}

new Gauge({
  name: 'trainhub_process_commands_pending',
  help: 'Process commands written but not yet delivered, across all processes',
  registers: [metrics],
  async collect() {
    this.set((await backlog()).pending);
  },
});

new Gauge({
  name: 'trainhub_process_command_oldest_pending_seconds',
  help: 'Age of the oldest undelivered process command (0 when none waits)',
  registers: [metrics],
  async collect() {
    this.set((await backlog()).oldestPendingSeconds);
  },
});
