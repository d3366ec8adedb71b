import type { Db, DbTx, Prisma } from '../../db/client';
import { InvalidRequest } from '../../domain/errors';
import { recordAudit, type Actor } from '../audit/trail';

/** One page of a list, in a stable order: pass `nextCursor` back as `cursor` for the next page. */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface PageRequest {
  limit: number;
  cursor?: string;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

/** Roles, courses and programs are addressed by their key or by their id (keys never look like a UUID). */
export function byKeyOrId(tenantId: string, ref: string): { tenantId: string; id: string } | { tenantId: string; key: string } {
  return isUuid(ref) ? { tenantId, id: ref.toLowerCase() } : { tenantId, key: ref };
}

/**
 * Runs one change of a tenant's catalog in a transaction that holds the tenant's catalog lock, so
 * the checks it makes (duplicate keys and rules, prerequisite cycles, whether something is still in
 * use) see a catalog no concurrent change can alter before the change commits. The audit row is
 * written inside the same transaction.
 */
export function inCatalogTransaction<T>(db: Db, tenantId: string, change: (tx: DbTx) => Promise<T>): Promise<T> {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`catalog:${tenantId}`}, 0))`;
    return change(tx);
  });
}

/** Cursors are opaque to clients: the sort values of the last row of the page, encoded. */
export function encodeCursor(values: readonly string[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): string[] {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(values) && values.length === arity && values.every((v) => typeof v === 'string')) return values as string[];
  } catch {
    // answered below
  }
  return invalidCursor();
}

export function invalidCursor(): never {
  throw new InvalidRequest('Invalid query string: query.cursor: not a cursor this list returned', [
    { field: 'query.cursor', message: 'Not a cursor this list returned' },
  ]);
}

/** `rows` were fetched with `take: limit + 1`: the extra row only tells whether another page exists. */
export function toPage<T>(rows: readonly T[], limit: number, sortValues: (row: T) => string[]): Page<T> {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return { data, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(sortValues(last)) : null };
}

/** JSON-equal: an update that changes nothing writes nothing and audits nothing. */
export function sameView(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The audit row of one catalog change: what it was before and what it is after (null when created / deleted). */
export async function auditChange(
  tx: DbTx,
  tenantId: string,
  actor: Actor,
  change: { entityType: string; entityId: string; action: 'created' | 'updated' | 'deleted'; before: object | null; after: object | null },
): Promise<void> {
  await recordAudit(tx, tenantId, actor, {
    action: `${change.entityType}.${change.action}`,
    entityType: change.entityType,
    entityId: change.entityId,
    data: { before: change.before, after: change.after } as Prisma.InputJsonObject,
  });
}
