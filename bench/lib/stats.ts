/** The p-th percentile of an ascending list (nearest rank). */
export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;

/** Per second. */
export const perSecond = (count: number, ms: number) => (count / Math.max(ms, 1)) * 1000;

export function latencies(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, max ${(sorted.at(-1) ?? 0).toFixed(1)} ms`;
}

/** Runs `count` tasks, `concurrency` at a time; returns each one's duration in ms, in order. */
export async function closedLoop(count: number, concurrency: number, task: (i: number) => Promise<unknown>): Promise<number[]> {
  const durations = new Array<number>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      for (let i = next++; i < count; i = next++) {
        const started = performance.now();
        await task(i);
        durations[i] = performance.now() - started;
      }
    }),
  );
  return durations;
}

/** Runs tasks `concurrency` at a time for `ms` (each starts as another ends); returns each one's duration in ms. */
export async function closedLoopFor(ms: number, concurrency: number, task: (i: number) => Promise<unknown>): Promise<number[]> {
  const durations: number[] = [];
  const until = performance.now() + ms;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const i = next++;
        const started = performance.now();
        await task(i);
        durations.push(performance.now() - started);
      }
    }),
  );
  return durations;
}

/**
 * Open loop: task i starts at its scheduled time (start + i / rate), whether or not earlier ones
 * are done; its latency counts from that scheduled time, so a queue in front of the server shows.
 */
export async function openLoop(count: number, ratePerSecond: number, task: (i: number) => Promise<unknown>): Promise<{ latencies: number[]; late: number }> {
  const start = performance.now();
  const running: Promise<void>[] = [];
  const result = new Array<number>(count);
  let late = 0;
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / ratePerSecond;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    else if (wait < -10) late += 1;
    running.push(task(i).then(() => void (result[i] = performance.now() - due)));
  }
  await Promise.all(running);
  return { latencies: result, late };
}
