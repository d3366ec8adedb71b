import { z } from 'zod';
import { TEXT_PATTERN } from '../../domain/text';

/** Shapes shared by several resources. */
export const errorResponse = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'Stable machine-readable code, e.g. invalid_request' }),
      message: z.string(),
      details: z.unknown().optional(),
      requestId: z.string().optional().meta({ description: 'The request id (X-Request-Id), also in the logs' }),
    }),
  })
  .meta({ id: 'Error' });

export const idParams = z.object({ id: z.uuid() });

export const standardErrors = {
  400: { description: 'The request is malformed; details name each field', schema: errorResponse },
  401: { description: 'No valid API key', schema: errorResponse },
  403: { description: 'The API key lacks the scope', schema: errorResponse },
} as const;

/**
 * Text as people and systems write it: trimmed, with at least one visible character, at most `max`
 * long, and without control characters (tab and line breaks are fine).
 */
export function text(max: number, min = 1) {
  return z.string().max(max, { abort: true }).trim().min(min, { abort: true }).regex(TEXT_PATTERN, { error: 'Must not be blank or contain control characters' });
}

const DAY_MS = 86_400_000;

/**
 * A calendar date (YYYY-MM-DD) within sane bounds: not before 1900, and not more than `maxDaysAhead`
 * days after today (so nothing computed from it can leave the calendar).
 */
export function calendarDate(maxDaysAhead: number) {
  return z.iso
    .date({ abort: true })
    .regex(/^(19|2[0-9])[0-9]{2}-/, { error: 'Must be a date from 1900 to 2999', abort: true })
    .refine((date) => Date.parse(`${date}T00:00:00Z`) <= Date.now() + maxDaysAhead * DAY_MS, { error: `Must not be more than ${maxDaysAhead} days from today` });
}

/**
 * A moment (ISO 8601 with offset) within sane bounds: not before 1970, and not after now plus
 * `maxDaysAhead` days (0: in the past, allowing a minute of clock difference).
 */
export function moment(maxDaysAhead: number) {
  return z.iso
    .datetime({ offset: true, abort: true })
    .regex(/^(19[7-9][0-9]|2[0-9]{3})-/, { error: 'Must be a moment from 1970 to 2999', abort: true })
    .refine((at) => Date.parse(at) <= Date.now() + Math.max(maxDaysAhead * DAY_MS, 60_000), {
      error: maxDaysAhead === 0 ? 'Must not be in the future' : `Must not be more than ${maxDaysAhead} days from now`,
    });
}

/** An e-mail address; the pattern the OpenAPI document states is exactly the one applied. */
export function emailAddress() {
  return z
    .email({ pattern: z.regexes.email, error: 'Must be an e-mail address', abort: true })
    .max(320, { abort: true })
    .refine((address) => address.indexOf('@') <= 64, { error: 'Must be an e-mail address (at most 64 characters before the @)' });
}
