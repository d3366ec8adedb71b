import { createHash, randomUUID } from 'node:crypto';
import type { Db, DbTx } from '../../db/client';
import { Prisma } from '../../db/client';
import { Conflict, NotFound } from '../../domain/errors';
import { matrixChangeWorkflowId } from '../../domain/workflow-ids';
import type { OperationKind, OperationState } from '../../generated/prisma/enums';
import { isUuid } from '../catalog/common';
import type { Actor } from '../audit/trail';
import { queueProcessCommands, startMatrixChangeProcess } from './commands';

/**
 * Operations: bulk changes that run as processes of their own. The request that asks for one records
 * it (and the command that starts its process) and is answered 202 with its id; the process does the
 * set-based work and fans out to the people concerned; GET /operations/:id shows how far it got.
 */
export interface OperationView {
  id: string;
  kind: OperationKind;
  state: OperationState;
  /** What asked for it, e.g. { change: "requirement.created", requirement: {…} }. */
  trigger: Record<string, unknown>;
  /** What the set-based step changed, once it has run. */
  result: Record<string, unknown> | null;
  progress: {
    /** How many processes the fan-out wakes; null until the set-based step has run. */
    processesToWake: number | null;
    processesWoken: number;
  };
  error: string | null;
  workflowId: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** A request repeated with the same Idempotency-Key is the same operation; `fingerprint` tells a repeat from a different request. */
export interface IdempotentRequest {
  key: string;
  fingerprint: string;
}

/** Where a change's process commands go: their task queue, and an attempt to deliver them right after commit (the dispatcher). */
export interface CommandDelivery {
  readonly taskQueue: string;
  deliverNow(ids: readonly bigint[]): Promise<unknown>;
}

export function fingerprintOf(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/**
 * The operation an earlier request with this Idempotency-Key made, if any. The same key with a
 * different request is refused (409), as payment APIs do: the caller reused a key by mistake.
 */
export async function findRepeatedOperation(db: DbTx, tenantId: string, request: IdempotentRequest | undefined): Promise<OperationView | null> {
  if (!request) return null;
  const row = await db.operation.findUnique({ where: { tenantId_idempotencyKey: { tenantId, idempotencyKey: request.key } } });
  if (!row) return null;
  if (row.requestHash !== request.fingerprint) {
    throw new Conflict('idempotency_key_reused', 'This Idempotency-Key was used for a different request; use a new key for a new request', {
      operationId: row.id,
    });
  }
  return viewOf(db, row);
}

/**
 * Records an operation and the command that starts its process, in the caller's transaction (the
 * one that records the change it applies). Returns the operation id and the command ids to deliver.
 */
export async function createOperation(
  tx: DbTx,
  tenantId: string,
  actor: Actor,
  taskQueue: string,
  input: { kind: OperationKind; trigger: Record<string, unknown>; request?: IdempotentRequest },
): Promise<{ operationId: string; commandIds: bigint[] }> {
  const operationId = randomUUID();
  await tx.operation.create({
    data: {
      id: operationId,
      tenantId,
      kind: input.kind,
      workflowId: matrixChangeWorkflowId(tenantId, operationId),
      idempotencyKey: input.request?.key ?? null,
      requestHash: input.request?.fingerprint ?? null,
      trigger: input.trigger as Prisma.InputJsonObject,
      actorType: actor.type,
      actorId: actor.id ?? null,
    },
  });
  const commandIds = await queueProcessCommands(tx, taskQueue, [startMatrixChangeProcess(tenantId, operationId)]);
  return { operationId, commandIds };
}

/** Two requests with one new key at the same moment: the second finds the first's operation. */
export function isIdempotencyRace(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002' && /idempotency/i.test(JSON.stringify(error.meta ?? {}));
}

export async function getOperation(db: DbTx, tenantId: string, id: string): Promise<OperationView> {
  const row = isUuid(id) ? await db.operation.findFirst({ where: { tenantId, id } }) : null;
  if (!row) throw new NotFound('operation', id);
  return viewOf(db, row);
}

type OperationRow = Prisma.OperationGetPayload<object>;

async function viewOf(db: DbTx, row: OperationRow): Promise<OperationView> {
  const finished = row.state === 'completed';
  const woken = finished || row.processesToWake === null ? (row.processesToWake ?? 0) : await wokenSoFar(db, row.id);
  return {
    id: row.id,
    kind: row.kind,
    state: row.state,
    trigger: row.trigger as Record<string, unknown>,
    result: (row.result as Record<string, unknown> | null) ?? null,
    progress: { processesToWake: row.processesToWake, processesWoken: woken },
    error: row.error,
    workflowId: row.workflowId,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}

/** The fan-out's commands delivered so far (the command that started the operation's own process excluded). */
export async function wokenSoFar(db: DbTx, operationId: string): Promise<number> {
  const [row] = await db.$queryRaw<{ woken: bigint }[]>`
    SELECT count(*) AS woken FROM process_command
     WHERE operation_id = ${operationId}::uuid AND workflow_type <> 'matrixChange' AND delivered_at IS NOT NULL`;
  return Number(row?.woken ?? 0);
}

export async function pendingWakeUps(db: DbTx, operationId: string): Promise<number> {
  const [row] = await db.$queryRaw<{ pending: bigint }[]>`
    SELECT count(*) AS pending FROM process_command
     WHERE operation_id = ${operationId}::uuid AND workflow_type <> 'matrixChange' AND delivered_at IS NULL`;
  return Number(row?.pending ?? 0);
}

export async function finishOperation(db: Db, tenantId: string, operationId: string, outcome: { state: 'completed' | 'failed'; error?: string }): Promise<void> {
  await db.operation.updateMany({
    where: { tenantId, id: operationId, state: { in: ['queued', 'running'] } },
    data: { state: outcome.state, error: outcome.error ?? null, finishedAt: new Date() },
  });
}
