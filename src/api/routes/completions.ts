import { z } from 'zod';
import { completionSchema, toCompletionCommand } from '../schemas/completion';
import type { Db } from '../../db/client';
import { recordCompletion } from '../../services/onboarding/completions';
import type { CommandDelivery } from '../../services/processes/operations';
import { operation } from '../operation';
import { errorResponse, standardErrors } from '../schemas/common';

const completionView = z
  .object({
    id: z.uuid(),
    source: z.string(),
    externalId: z.string(),
    personId: z.uuid(),
    courseKey: z.string(),
    passed: z.boolean(),
    score: z.number().nullable(),
    completedAt: z.string(),
    receivedAt: z.string(),
  })
  .meta({ id: 'Completion' });

const completionRecorded = z
  .object({ completion: completionView, duplicate: z.boolean(), completedAssignmentIds: z.array(z.uuid()) })
  .meta({ id: 'CompletionRecorded' });

export function completionOperations(db: Db, delivery: CommandDelivery) {
  return [
    operation(
      {
        method: 'post',
        path: '/completions',
        summary: 'Report a course completion from an LMS',
        tag: 'Completions',
        scope: 'completions:write',
        body: completionSchema,
        responses: {
          201: { description: "Recorded and applied; the person's training process is told (and starts again if it had ended)", schema: completionRecorded },
          200: { description: 'This completion (source + externalId) was delivered before; nothing changed', schema: completionRecorded },
          ...standardErrors,
          422: { description: 'No such person or course in this tenant', schema: errorResponse },
        },
      },
      async ({ body, principal, actor }) => {
        const outcome = await recordCompletion(db, delivery, principal.tenantId, actor, toCompletionCommand(body));
        return { status: outcome.duplicate ? 200 : 201, body: outcome };
      },
    ),
  ];
}
