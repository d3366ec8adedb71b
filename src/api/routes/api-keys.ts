import { z } from 'zod';
import type { Db } from '../../db/client';
import { SCOPES } from '../../domain/scopes';
import { issueApiKey, listApiKeys, revokeApiKey, rotateApiKey } from '../../services/identity/api-keys';
import { operation } from '../operation';
import { errorResponse, idParams, standardErrors, text } from '../schemas/common';

const apiKeyView = z
  .object({
    id: z.uuid(),
    name: z.string(),
    keyPrefix: z.string().meta({ description: 'The visible part of the key (th_<prefix>_…), to tell keys apart' }),
    scopes: z.array(z.string()),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable().meta({ description: 'When the key last authenticated a request (to the minute)' }),
    revokedAt: z.string().nullable().meta({ description: 'From when the key is refused (a rotated key: the end of its grace period)' }),
    rotatedFromId: z.uuid().nullable(),
  })
  .meta({ id: 'ApiKey' });

const newKey = z
  .object({ apiKey: apiKeyView, key: z.string().meta({ description: 'The key itself: shown this once, only its hash is stored' }) })
  .meta({ id: 'ApiKeyIssued' });

const scopes = z
  .array(z.enum(SCOPES))
  .min(1)
  .refine((list) => new Set(list).size === list.length, { error: 'Each scope may appear only once' })
  .meta({ uniqueItems: true });

const notFound = { 404: { description: 'No such API key in this tenant', schema: errorResponse } };

/** The tenant's API keys: issued, listed with their last use, rotated with a grace period, revoked. */
export function apiKeyOperations(db: Db) {
  return [
    operation(
      {
        method: 'get',
        path: '/api-keys',
        summary: "The tenant's API keys (never the keys themselves), with when each was last used",
        tag: 'API keys',
        scope: 'api-keys:read',
        responses: { 200: { description: 'Oldest first', schema: z.object({ data: z.array(apiKeyView) }) }, ...standardErrors },
      },
      async ({ principal }) => ({ status: 200, body: { data: await listApiKeys(db, principal.tenantId) } }),
    ),
    operation(
      {
        method: 'post',
        path: '/api-keys',
        summary: 'Issue an API key for a system, with the scopes its integration needs',
        tag: 'API keys',
        scope: 'api-keys:write',
        body: z.strictObject({ name: text(200), scopes }).meta({ id: 'ApiKeyInput' }),
        responses: { 201: { description: 'Issued; the key is in this answer only', schema: newKey }, ...standardErrors },
      },
      async ({ body, principal, actor }) => ({ status: 201, body: await issueApiKey(db, principal.tenantId, actor, body) }),
    ),
    operation(
      {
        method: 'post',
        path: '/api-keys/:id/rotate',
        summary: 'Rotate a key: a new key with the same scopes; the old one keeps working for the grace period',
        tag: 'API keys',
        scope: 'api-keys:write',
        params: idParams,
        body: z
          .strictObject({ graceMinutes: z.int().min(0).max(10_080).default(60).meta({ description: 'How long the old key still works (0 to 10080, default 60)' }) })
          .meta({ id: 'ApiKeyRotation' }),
        responses: {
          201: { description: 'The new key (in this answer only) and the old one with the end of its grace', schema: newKey.extend({ previous: apiKeyView }).meta({ id: 'ApiKeyRotated' }) },
          ...standardErrors,
          ...notFound,
          409: { description: 'The key is revoked (api_key_revoked)', schema: errorResponse },
        },
      },
      async ({ params, body, principal, actor }) => ({ status: 201, body: await rotateApiKey(db, principal.tenantId, actor, params.id, body.graceMinutes) }),
    ),
    operation(
      {
        method: 'post',
        path: '/api-keys/:id/revoke',
        summary: 'Revoke a key at once',
        tag: 'API keys',
        scope: 'api-keys:write',
        params: idParams,
        body: z.strictObject({ reason: text(1000).optional() }).meta({ id: 'ApiKeyRevocation' }),
        responses: { 200: { description: 'Revoked (again: unchanged)', schema: apiKeyView }, ...standardErrors, ...notFound },
      },
      async ({ params, body, principal, actor }) => ({ status: 200, body: await revokeApiKey(db, principal.tenantId, actor, params.id, body.reason) }),
    ),
  ];
}
