import type { DbTx, Prisma } from '../../db/client';
import type { ActorType } from '../../generated/prisma/enums';

export interface Actor {
  type: ActorType;
  id?: string;
  requestId?: string;
}

export const SYSTEM: Actor = { type: 'system' };

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: string;
  reason?: string;
  data?: Prisma.InputJsonValue;
  /** When it happened, if not now: a workflow passes its own clock so its entries read in order. */
  at?: Date;
  /** A step that may run again (a retried activity) names its entry: the same key is written once. */
  idempotencyKey?: string;
}

export async function recordAudit(db: DbTx, tenantId: string, actor: Actor, entry: AuditEntry): Promise<void> {
  const data = { tenantId, actorType: actor.type, actorId: actor.id, requestId: actor.requestId, ...entry };
  if (entry.idempotencyKey) await db.auditEvent.createMany({ data: [data], skipDuplicates: true });
  else await db.auditEvent.create({ data });
}
