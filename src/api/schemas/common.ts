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
  return z.string().trim().min(min, { abort: true }).max(max, { abort: true }).regex(TEXT_PATTERN, { error: 'Must not be blank or contain control characters' });
}

const DAY_MS = 86_400_000;

/**
 * A calendar date (YYYY-MM-DD) within sane bounds: not before 1900, and not more than `maxDaysAhead`
 * days after today (so nothing computed from it can leave the calendar).
 */
export function calendarDate(maxDaysAhead: number) {
  return z.iso
    .date({ abort: true })
    .refine((date) => date >= '1900-01-01', { error: 'Must not be before 1900-01-01', abort: true })
    .refine((date) => Date.parse(`${date}T00:00:00Z`) <= Date.now() + maxDaysAhead * DAY_MS, { error: `Must not be more than ${maxDaysAhead} days from today` });
}

/**
 * A moment (ISO 8601 with offset) within sane bounds: not before 1970, and not after now plus
 * `maxDaysAhead` days (0: in the past, allowing a minute of clock difference).
 */
export function moment(maxDaysAhead: number) {
  return z.iso
    .datetime({ offset: true, abort: true })
    .refine((at) => Date.parse(at) >= Date.UTC(1970, 0, 1), { error: 'Must not be before 1970', abort: true })
    .refine((at) => Date.parse(at) <= Date.now() + Math.max(maxDaysAhead * DAY_MS, 60_000), {
      error: maxDaysAhead === 0 ? 'Must not be in the future' : `Must not be more than ${maxDaysAhead} days from now`,
    });
}
