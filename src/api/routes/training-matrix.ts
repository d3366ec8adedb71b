import { z } from 'zod';
import type { Db } from '../../db/client';
import { syncAssignments } from '../../services/onboarding/assignment-sync';
import type { Actor } from '../../services/audit/trail';
import type { Processes } from '../../temporal/processes';
import { operation } from '../operation';
import { standardErrors } from '../schemas/common';

export const matrixSyncReport = z
  .object({
    peopleAffected: z.number(),
    assigned: z.number(),
    reassigned: z.number(),
    waived: z.number(),
    byProgram: z.record(z.string(), z.object({ assigned: z.number(), waived: z.number() })),
  })
  .meta({ id: 'MatrixSyncReport' });

export function trainingMatrixOperations(db: Db, processes: Processes) {
  return [
    operation(
      {
        method: 'post',
        path: '/training-matrix/sync',
        summary: 'Apply the training matrix to everyone: assign what is newly required, waive what no longer is',
        tag: 'Training matrix',
        scope: 'catalog:write',
        responses: {
          200: { description: 'What changed; a second run reports zeros', schema: matrixSyncReport },
          ...standardErrors,
        },
      },
      async ({ principal, req, actor }) => {
        const report = await applyMatrixChange(db, processes, principal.tenantId, actor);
        return { status: 200, body: report };
      },
    ),
  ];
}

/** Runs the set-based sync for the tenant, then wakes the processes of the people it changed. */
export async function applyMatrixChange(db: Db, processes: Processes, tenantId: string, actor: Actor) {
  const { affectedPersonIds, ...report } = await db.$transaction((tx) => syncAssignments(tx, tenantId, actor), { timeout: 120_000 });
  await processes.peopleChanged(tenantId, affectedPersonIds);
  return report;
}
