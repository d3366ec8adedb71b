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
}

export async function recordAudit(db: DbTx, tenantId: string, actor: Actor, entry: AuditEntry): Promise<void> {
  await db.auditEvent.create({
    data: { tenantId, actorType: actor.type, actorId: actor.id, requestId: actor.requestId, ...entry },
  });
}
