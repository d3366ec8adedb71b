import { z } from 'zod';
import type { Db } from '../../db/client';
import { changeTrainingMatrix } from '../../services/onboarding/matrix-changes';
import { fingerprintOf, getOperation, type CommandDelivery } from '../../services/processes/operations';
import { operation } from '../operation';
import { errorResponse, standardErrors } from '../schemas/common';
import { idempotencyHeaders, operationView } from '../schemas/operation';

export const operationAccepted = z.object({ operation: operationView }).meta({ id: 'OperationAccepted' });
/** Marks the answer to a repeated request (same Idempotency-Key): the first request's operation. */
export function replayed(repeated: boolean): Record<string, string> {
  return repeated ? { 'idempotent-replayed': 'true' } : {};
}

export const keyReused = { 409: { description: 'idempotency_key_reused: the Idempotency-Key was used for a different request', schema: errorResponse } };

/** Applying the matrix to everyone, and following the operations that do it. */
export function trainingMatrixOperations(db: Db, delivery: CommandDelivery) {
  return [
    operation(
      {
        method: 'post',
        path: '/training-matrix/sync',
        summary: 'Apply the training matrix to everyone: assign what is newly required, waive what no longer is (an operation)',
        tag: 'Training matrix',
        scope: 'catalog:write',
        headers: idempotencyHeaders,
        responses: {
          202: { description: 'Accepted: the operation runs in the background; follow it at GET /operations/{id}', schema: operationAccepted },
          ...standardErrors,
          ...keyReused,
        },
      },
      async ({ principal, actor, headers }) => {
        const key = headers['idempotency-key'];
        const request = key ? { key, fingerprint: fingerprintOf(['POST', '/training-matrix/sync']) } : undefined;
        const accepted = await changeTrainingMatrix(db, delivery, principal.tenantId, actor, { change: 'sync' }, request);
        return { status: 202, body: { operation: accepted.operation }, headers: replayed(accepted.repeated) };
      },
    ),
    operation(
      {
        method: 'get',
        path: '/operations/:id',
        summary: 'A bulk operation: its state, what it changed, and how many processes its fan-out has woken',
        tag: 'Training matrix',
        scope: 'catalog:read',
        params: z.object({ id: z.string().max(100) }),
        responses: {
          200: { description: 'The operation', schema: operationView },
          ...standardErrors,
          404: { description: 'No such operation in this tenant', schema: errorResponse },
        },
      },
      async ({ params, principal }) => ({ status: 200, body: await getOperation(db, principal.tenantId, params.id) }),
    ),
  ];
}
