import { z } from 'zod';

/** Shapes shared by several resources. */
export const errorResponse = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'Stable machine-readable code, e.g. invalid_request' }),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'Error' });

export const idParams = z.object({ id: z.uuid() });

export const standardErrors = {
  400: { description: 'The request is malformed; details name each field', schema: errorResponse },
  401: { description: 'No valid API key', schema: errorResponse },
  403: { description: 'The API key lacks the scope', schema: errorResponse },
} as const;
