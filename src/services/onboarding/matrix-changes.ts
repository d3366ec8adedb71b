import type { Db, DbTx, Prisma } from '../../db/client';
import type { Actor } from '../audit/trail';
import { inCatalogTransaction } from '../catalog/common';
import { createRequirement, deleteRequirement, updateRequirement, type RequirementChanges, type RequirementInput, type RequirementView } from '../catalog/requirements';
import { BULK, queueTrainingWakeUps } from '../processes/commands';
import {
  createOperation,
  findRepeatedOperation,
  getOperation,
  isIdempotencyRace,
  type CommandDelivery,
  type IdempotentRequest,
  type OperationView,
} from '../processes/operations';
import { syncAssignments, type MatrixSyncResult } from './assignment-sync';

/** A change of the training matrix, or a request to apply it as it stands. */
export type MatrixChange =
  | { change: 'requirement.created'; input: RequirementInput }
  | { change: 'requirement.updated'; id: string; changes: RequirementChanges }
  | { change: 'requirement.deleted'; id: string }
  | { change: 'sync' };

export interface MatrixChangeAccepted {
  /** The rule as saved (as it was, when deleted); null for a sync. */
  requirement: RequirementView | null;
  operation: OperationView;
  /** True when the Idempotency-Key named an earlier request: nothing new was done. */
  repeated: boolean;
}

export type MatrixSyncReport = Omit<MatrixSyncResult, 'affectedPersonIds'>;

/**
 * Records a matrix change together with the operation that applies it to everyone (one
 * transaction), then hands the operation's process to the dispatcher. The caller is answered at
 * once; the set-based sync and the fan-out to the people it changes run in the operation's process.
 */
export async function changeTrainingMatrix(
  db: Db,
  delivery: CommandDelivery,
  tenantId: string,
  actor: Actor,
  change: MatrixChange,
  request?: IdempotentRequest,
): Promise<MatrixChangeAccepted> {
  const repeated = await findRepeatedOperation(db, tenantId, request);
  if (repeated) return { requirement: requirementOf(repeated), operation: repeated, repeated: true };
  let created: { requirement: RequirementView | null; operationId: string; commandIds: bigint[] };
  try {
    created = await inCatalogTransaction(db, tenantId, async (tx) => {
      const requirement = await applyToCatalog(tx, tenantId, actor, change);
      const trigger = { change: change.change, ...(requirement ? { requirement } : {}) };
      return { requirement, ...(await createOperation(tx, tenantId, actor, delivery.taskQueue, { kind: 'matrix_change', trigger, ...(request ? { request } : {}) })) };
    });
  } catch (error) {
    if (!isIdempotencyRace(error)) throw error;
    const winner = (await findRepeatedOperation(db, tenantId, request))!;
    return { requirement: requirementOf(winner), operation: winner, repeated: true };
  }
  await delivery.deliverNow(created.commandIds);
  return { requirement: created.requirement, operation: await getOperation(db, tenantId, created.operationId), repeated: false };
}

function applyToCatalog(tx: DbTx, tenantId: string, actor: Actor, change: MatrixChange): Promise<RequirementView | null> {
  switch (change.change) {
    case 'requirement.created':
      return createRequirement(tx, tenantId, actor, change.input);
    case 'requirement.updated':
      return updateRequirement(tx, tenantId, actor, change.id, change.changes);
    case 'requirement.deleted':
      return deleteRequirement(tx, tenantId, actor, change.id);
    case 'sync':
      return Promise.resolve(null);
  }
}

function requirementOf(operation: OperationView): RequirementView | null {
  return (operation.trigger.requirement as RequirementView | undefined) ?? null;
}

/**
 * The set-based step of a matrix-change operation: every assignment brought in line with the matrix
 * in one statement, and a wake-up queued for each person it changed, in one transaction. Run again
 * (a retried activity) it returns what the first run recorded and changes nothing.
 */
export async function applyMatrixChange(db: Db, taskQueue: string, tenantId: string, operationId: string): Promise<MatrixSyncReport & { processesToWake: number }> {
  return db.$transaction(
    async (tx) => {
      const [operation] = await tx.$queryRaw<{ result: Prisma.JsonValue; processes_to_wake: number | null; actor_type: Actor['type']; actor_id: string | null }[]>`
        SELECT result, processes_to_wake, actor_type::text AS actor_type, actor_id FROM operation
         WHERE tenant_id = ${tenantId}::uuid AND id = ${operationId}::uuid FOR UPDATE`;
      if (!operation) throw new Error(`operation ${operationId} does not exist`);
      if (operation.result !== null) return { ...(operation.result as unknown as MatrixSyncReport), processesToWake: operation.processes_to_wake ?? 0 };

      await tx.operation.update({ where: { id: operationId }, data: { state: 'running', startedAt: new Date() } });
      const actor: Actor = { type: operation.actor_type, ...(operation.actor_id ? { id: operation.actor_id } : {}) };
      const { affectedPersonIds, ...report } = await syncAssignments(tx, tenantId, actor);
      const processesToWake = await queueTrainingWakeUps(tx, taskQueue, tenantId, affectedPersonIds, operationId, BULK);
      await tx.operation.update({ where: { id: operationId }, data: { result: report as unknown as Prisma.InputJsonObject, processesToWake } });
      return { ...report, processesToWake };
    },
    { timeout: 30 * 60_000, maxWait: 60_000 },
  );
}
