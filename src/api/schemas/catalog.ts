import { z } from 'zod';
import { isUuid } from '../../services/catalog/common';
import { errorResponse, text } from './common';

/** Boundary shapes shared by the catalog's resources (roles, courses, programs, requirements). */

const KEY_PATTERN = /^[a-z0-9]+(?:[-_.][a-z0-9]+)*$/;

/** The natural key a role, course or program is created with; other systems refer to it by this key. */
export const catalogKey = z
  .string()
  .min(1, { abort: true })
  .max(100, { abort: true })
  .regex(KEY_PATTERN, { error: 'Must be lowercase letters and digits, optionally joined by single "-", "_" or "." (e.g. hand-hygiene)' })
  .refine((key) => !isUuid(key), { error: 'Must not look like a UUID: resources are addressed by key or id' })
  .meta({ description: 'Unique within the tenant; lowercase letters and digits joined by "-", "_" or ".", e.g. hand-hygiene' });

/** A reference to an existing role, course or program by its key; one that does not exist is 422 unknown_<entity>. */
export const keyReference = text(100);

export const displayName = text(200);

export const keyParams = z.object({
  key: z.string().min(1).max(100).meta({ description: 'The key (or the id)' }),
});

export const pageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50).meta({ description: 'Page size, 1-200 (default 50)' }),
  cursor: z
    .string()
    .min(1)
    .max(500)
    .regex(/^[A-Za-z0-9_-]+$/, { error: 'Not a cursor this list returned' })
    .optional()
    .meta({ description: "The previous page's nextCursor, as it was returned (opaque)" }),
});

/** A list page of `item`: `nextCursor` is null on the last page. */
export function pageOf(item: z.ZodType, id: string) {
  return z
    .object({ data: z.array(item), nextCursor: z.string().nullable().meta({ description: 'Pass as cursor for the next page; null on the last page' }) })
    .meta({ id });
}

/** PATCH bodies: strict, and at least one field. */
export function changesOf<S extends z.core.$ZodShape>(shape: S, id: string) {
  return z
    .strictObject(shape)
    .refine((changes) => Object.values(changes).some((value) => value !== undefined), {
      error: 'Give at least one field to change',
      // Only when the fields themselves are fine: an unknown field is reported on its own.
      when: (payload) => payload.issues.length === 0,
    })
    .meta({ id, minProperties: 1 });
}

export const catalogErrors = {
  404: { description: 'No such record in this tenant', schema: errorResponse },
} as const;

export const conflictResponse = { description: 'The key or rule already exists, or the record is still in use', schema: errorResponse } as const;
export const unknownReferenceResponse = {
  description: 'A key names a role, course or program this tenant does not have (unknown_<entity>), or prerequisites would form a cycle (cyclic_prerequisite)',
  schema: errorResponse,
} as const;

/** Catalog changes are audited as made by the API client that asked for them. */
