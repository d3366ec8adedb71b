import { z } from 'zod';
import { completionBatchSchema, completionSchema, MAX_BATCH, toCompletionCommand } from '../schemas/completion';
import type { Db } from '../../db/client';
import { recordCompletions, type CompletionCommand, type CompletionResult } from '../../services/onboarding/completions';
import type { CommandDelivery } from '../../services/processes/operations';
import { invalid, operation } from '../operation';
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

const batchResult = z
  .object({
    index: z.number().int().meta({ description: "The completion's position in the request" }),
    status: z.enum(['recorded', 'duplicate', 'rejected']),
    completion: completionView.optional(),
    completedAssignmentIds: z.array(z.uuid()).optional().meta({ description: "The person's assignments this request completed" }),
    error: errorResponse.shape.error.optional().meta({ description: 'Why a rejected completion was not recorded (its status as a single POST would have answered it)' }),
  })
  .meta({ id: 'CompletionBatchResult' });

const batchRecorded = z
  .object({
    recorded: z.number().int(),
    duplicates: z.number().int(),
    rejected: z.number().int(),
    results: z.array(batchResult),
  })
  .meta({ id: 'CompletionBatchRecorded' });

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
          201: { description: "Recorded and applied; the person's training process is told if their assignments changed (and starts again if it had ended)", schema: completionRecorded },
          200: { description: 'This completion (source + externalId) was delivered before; nothing changed', schema: completionRecorded },
          ...standardErrors,
          409: { description: 'This source + externalId was delivered before with different content', schema: errorResponse },
          422: { description: 'No such person or course in this tenant', schema: errorResponse },
        },
      },
      async ({ body, principal, actor }) => {
        const [result] = await recordCompletions(db, delivery, principal.tenantId, actor, [toCompletionCommand(body)]);
        if (result!.status === 'rejected') throw result!.error;
        return { status: result!.status === 'duplicate' ? 200 : 201, body: { completion: result!.completion, duplicate: result!.status === 'duplicate', completedAssignmentIds: result!.completedAssignmentIds } };
      },
    ),
    operation(
      {
        method: 'post',
        path: '/completions/batch',
        summary: `Report up to ${MAX_BATCH} completions at once`,
        tag: 'Completions',
        scope: 'completions:write',
        body: completionBatchSchema,
        responses: {
          200: {
            description:
              'Each completion answered on its own, in the order sent: recorded, a duplicate of one on record (source + externalId), or rejected with ' +
              'the error a single POST would have given (invalid, unknown person or course, externalId reused with other content). Rejected ones change nothing; ' +
              'sending the batch again records only what was not recorded before.',
            schema: batchRecorded,
          },
          ...standardErrors,
        },
      },
      async ({ body, principal, actor }) => {
        const valid: { index: number; command: CompletionCommand }[] = [];
        const results = new Array<CompletionResult>(body.completions.length);
        body.completions.forEach((item, index) => {
          if ('invalid' in item) results[index] = { status: 'rejected', error: invalid(`completion ${index}`, item.invalid, ['body', 'completions', String(index)]) };
          else valid.push({ index, command: toCompletionCommand(item) });
        });
        const recorded = await recordCompletions(db, delivery, principal.tenantId, actor, valid.map((v) => v.command));
        valid.forEach((v, i) => (results[v.index] = recorded[i]!));
        const count = (status: CompletionResult['status']) => results.filter((r) => r.status === status).length;
        return {
          status: 200,
          body: {
            recorded: count('recorded'),
            duplicates: count('duplicate'),
            rejected: count('rejected'),
            results: results.map((r, index) =>
              r.status === 'rejected'
                ? { index, status: r.status, error: { code: r.error.code, message: r.error.message, ...(r.error.details === undefined ? {} : { details: r.error.details }) } }
                : { index, status: r.status, completion: r.completion, completedAssignmentIds: r.completedAssignmentIds },
            ),
          },
        };
      },
    ),
  ];
}
