import type { Db } from '../../db/client';
import { NotFound } from '../../domain/errors';

/** One line of a renewal's audit trail, as an auditor reads it. */
export interface AuditLine {
  at: string;
  action: string;
  actorType: string;
  actorId: string | null;
  actorName: string | null;
  reason: string | null;
  level: number | null;
  data: Record<string, unknown>;
}

/** Every step, reminder, escalation, re-route and decision of one request, in the order they happened. */
export async function listRenewalAudit(db: Db, tenantId: string, requestId: string): Promise<AuditLine[]> {
  const request = await db.renewalRequest.findFirst({ where: { tenantId, id: requestId }, select: { id: true } });
  if (!request) throw new NotFound('renewal request', requestId);
  const events = await db.auditEvent.findMany({
    where: { tenantId, entityType: 'renewal_request', entityId: requestId },
    orderBy: [{ at: 'asc' }, { id: 'asc' }],
  });
  const personIds = [...new Set(events.filter((e) => e.actorType === 'person' && e.actorId).map((e) => e.actorId!))];
  const clientIds = [...new Set(events.filter((e) => e.actorType === 'api_client' && e.actorId).map((e) => e.actorId!))];
  const [people, clients] = await Promise.all([
    db.person.findMany({ where: { tenantId, id: { in: personIds } }, select: { id: true, name: true } }),
    db.apiClient.findMany({ where: { tenantId, id: { in: clientIds } }, select: { id: true, name: true } }),
  ]);
  const names = new Map([...people, ...clients].map((row) => [row.id, row.name]));
  return events.map((event) => {
    const data = (event.data ?? {}) as Record<string, unknown>;
    return {
      at: event.at.toISOString(),
      action: event.action,
      actorType: event.actorType,
      actorId: event.actorId,
      actorName: event.actorId ? (names.get(event.actorId) ?? null) : null,
      reason: event.reason,
      level: typeof data.level === 'number' ? data.level : null,
      data,
    };
  });
}

const CSV_COLUMNS = ['at', 'action', 'level', 'actor_type', 'actor_id', 'actor_name', 'reason', 'details'] as const;

export function auditCsv(lines: readonly AuditLine[]): string {
  const rows = lines.map((line) => {
    const { level: _level, ...details } = line.data;
    return [line.at, line.action, line.level ?? '', line.actorType, line.actorId ?? '', line.actorName ?? '', line.reason ?? '', JSON.stringify(details)];
  });
  return toCsv([CSV_COLUMNS as readonly string[], ...rows]);
}

/**
 * RFC 4180 CSV (CRLF line ends; a field with a comma, quote or line break is quoted, quotes doubled).
 * A cell that a spreadsheet would run as a formula (starting with = + - @, tab or carriage return) is
 * prefixed with an apostrophe, so an approver's "reason" can never execute in an auditor's spreadsheet.
 */
export function toCsv(rows: readonly (readonly (string | number)[])[]): string {
  return rows.map((row) => row.map((cell) => csvCell(String(cell))).join(',')).join('\r\n') + '\r\n';
}

function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
