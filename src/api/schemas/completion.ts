import { z } from 'zod';
import type { CompletionCommand } from '../../services/onboarding/completions';
import type { PersonReference } from '../../services/onboarding/person-references';
import { emailAddress, moment, text } from './common';

/** A completion as an LMS posts it to /completions. */
export const completionSchema = z
  .object({
    source: text(100).meta({ description: 'The LMS, e.g. cornerstone' }),
    externalId: text(200).meta({ description: "The completion's id in the LMS: a repeated delivery is recognised by it" }),
    person: z
      .strictObject({
        id: z.uuid().optional(),
        externalId: text(200).optional(),
        email: emailAddress().optional(),
      })
      .refine((p) => [p.id, p.externalId, p.email].filter((v) => v !== undefined).length === 1, {
        message: 'give exactly one of id, externalId, email',
      })
      .meta({ description: "Who completed: exactly one of trainhub's id, the HR system's externalId, or the e-mail", minProperties: 1, maxProperties: 1 }),
    courseKey: text(100),
    completedAt: moment(0).meta({ description: 'When it was completed; not in the future' }),
    passed: z.boolean().default(true),
    score: z.number().min(0).max(100).optional(),
  })
  .meta({ id: 'CompletionInput' });

export type CompletionInput = z.output<typeof completionSchema>;

/** The one identity the LMS gave (the schema guarantees exactly one). */
export function toPersonReference({ id, externalId, email }: CompletionInput['person']): PersonReference {
  return id ? { id } : externalId ? { externalId } : { email: email!.toLowerCase() };
}

export function toCompletionCommand(input: CompletionInput): CompletionCommand {
  return {
    source: input.source,
    externalId: input.externalId,
    person: toPersonReference(input.person),
    courseKey: input.courseKey,
    completedAt: new Date(input.completedAt),
    passed: input.passed,
    score: input.score,
  };
}

/** The most completions one batch may carry. */
export const MAX_BATCH = 1000;

/** A batch item that fails validation is rejected on its own (with the issues), not the whole batch. */
export type BatchItem = CompletionInput | { invalid: z.core.$ZodIssue[] };

/** Up to MAX_BATCH completions; each is validated, applied and answered on its own. */
export const completionBatchSchema = z
  .strictObject({
    completions: z
      .array(completionSchema.catch(((ctx: z.core.$ZodCatchCtx): BatchItem => ({ invalid: ctx.error.issues })) as never) as unknown as z.ZodType<BatchItem, z.input<typeof completionSchema>>)
      .min(1)
      .max(MAX_BATCH),
  })
  .meta({ id: 'CompletionBatch' });
