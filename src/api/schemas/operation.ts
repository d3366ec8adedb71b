import { z } from 'zod';

/** A bulk change running as a process of its own (GET /operations/{id}). */
export const operationView = z
  .object({
    id: z.uuid(),
    kind: z.enum(['matrix_change']).meta({ description: 'matrix_change: the training matrix applied to everyone' }),
    state: z.enum(['queued', 'running', 'completed', 'failed']),
    trigger: z.record(z.string(), z.unknown()).meta({ description: 'What asked for it, e.g. { "change": "requirement.created", "requirement": {…} }' }),
    result: z.record(z.string(), z.unknown()).nullable().meta({ description: 'What the set-based step changed (for a matrix change: peopleAffected, assigned, reassigned, waived, byProgram)' }),
    progress: z.object({
      processesToWake: z.int().nullable().meta({ description: 'Training processes the change wakes; null until the set-based step has run' }),
      processesWoken: z.int(),
    }),
    error: z.string().nullable(),
    workflowId: z.string(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'Operation' });

/** Repeating a request with the same key is the same operation (the first one's answer comes back). */
export const idempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .trim()
    .min(1)
    .max(200)
    .regex(/^[\x21-\x7e]+$/, { error: 'must be printable ASCII without spaces' })
    .optional()
    .meta({ description: 'A key of your choosing (e.g. a UUID): a repeated request with it is the same operation; the same key with a different request is 409 idempotency_key_reused' }),
});
