import { Readable } from 'node:stream';
import type { ImportMode } from '../../src/generated/prisma/enums';
import { receiveImport } from '../../src/services/imports/runs';
import type { Harness } from '../support/harness';
import { toCsv } from '../../src/services/renewals/audit-trail';

/** What the tests of import runs share: sending a file as an integrator does, and following its run. */

/**
 * A file received as a run whose own process is never started (its start command waits on a task
 * queue nobody serves), so that a test calls the run's steps itself. Returns the run's id.
 */
export async function receivedRun(h: Harness, tenantId: string, file: string, options: { mode: ImportMode; profileName?: string }): Promise<string> {
  const { run } = await receiveImport(h.db, { taskQueue: `nobody-${tenantId}`, deliverNow: async () => undefined }, { type: 'system', id: 'test' }, {
    tenantId,
    profileName: options.profileName ?? 'generic-csv',
    mode: options.mode,
    source: 'test',
    content: Readable.from([Buffer.from(file)]),
  });
  return run.id;
}

export interface Sent {
  status: number;
  body: any;
}

export async function sendFile(
  h: Harness,
  apiKey: string,
  content: string | Buffer,
  query: { profile?: string; mode?: 'snapshot' | 'delta'; kind?: string; fileName?: string } = {},
  contentType = 'text/csv; charset=utf-8',
): Promise<Sent> {
  const params = new URLSearchParams({ profile: query.profile ?? 'generic-csv', ...(query.mode ? { mode: query.mode } : {}), ...(query.kind ? { kind: query.kind } : {}), ...(query.fileName ? { fileName: query.fileName } : {}) });
  const response = await fetch(`${h.baseUrl}/api/v1/imports?${params}`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': contentType }, body: content });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const SETTLED = ['awaiting_confirmation', 'completed', 'failed', 'cancelled'];

/** Polls the run until it is in one of `states` (by default: any state it stays in). */
export async function waitForRun(h: Harness, apiKey: string, id: string, states: readonly string[] = SETTLED, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let last: any;
  while (Date.now() < deadline) {
    const response = await fetch(`${h.baseUrl}/api/v1/imports/${id}`, { headers: { authorization: `Bearer ${apiKey}` } });
    last = await response.json();
    if (states.includes(last?.state)) return last;
    if (last?.state === 'failed' && !states.includes('failed')) throw new Error(`run ${id} failed: ${last.error}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`run ${id} did not reach ${states.join(' / ')} within ${timeoutMs} ms; last seen ${JSON.stringify(last)}`);
}

export async function errorsCsv(h: Harness, apiKey: string, id: string): Promise<{ status: number; type: string | null; text: string }> {
  const response = await fetch(`${h.baseUrl}/api/v1/imports/${id}/errors.csv`, { headers: { authorization: `Bearer ${apiKey}` } });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

export const GENERIC_COLUMNS = ['external_id', 'email', 'name', 'department', 'location', 'manager_external_id', 'roles', 'hire_date', 'termination_date', 'status'] as const;

export interface Worker {
  id: string;
  email?: string;
  name?: string;
  department?: string;
  location?: string;
  manager?: string;
  roles?: string[];
  hired?: string;
  terminated?: string;
  status?: string;
}

/** A generic-csv file of these workers (header first, CRLF line ends). */
export function genericCsv(workers: readonly Worker[]): string {
  return toCsv([
    [...GENERIC_COLUMNS],
    ...workers.map((w) => [
      w.id,
      w.email ?? `${w.id.toLowerCase()}@example.com`,
      w.name ?? `Person ${w.id}`,
      w.department ?? '',
      w.location ?? '',
      w.manager ?? '',
      (w.roles ?? []).join(';'),
      w.hired ?? '2024-01-15',
      w.terminated ?? '',
      w.status ?? 'active',
    ]),
  ]);
}
