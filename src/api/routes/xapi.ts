import { z } from 'zod';
import type { Db } from '../../db/client';
import { MOVE_ON } from '../../services/xapi/completions';
import { createLrsClient, listLrsClients, LRS_SCOPES, revokeLrsClient } from '../../services/xapi/lrs-clients';
import { createMapping, deleteMapping, listMappings, statementStats, unmappedActivities } from '../../services/xapi/mappings';
import { operation } from '../operation';
import { errorResponse, idParams, standardErrors, text } from '../schemas/common';
import { catalogKey } from '../schemas/catalog';

const lrsClient = z
  .object({ id: z.uuid(), name: z.string(), key: z.string(), scopes: z.array(z.enum(LRS_SCOPES)), createdAt: z.string(), revokedAt: z.string().nullable() })
  .meta({ id: 'LrsClient' });

const mapping = z
  .object({
    activity: z.string().min(3).max(2000).regex(/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/, 'must be an IRI').meta({ description: 'An activity id, or the start of one when prefix is true' }),
    prefix: z.boolean().default(false),
    courseKey: catalogKey,
    moveOn: z.enum(MOVE_ON).default('CompletedOrPassed').meta({ description: 'cmi5 moveOn: what a statement must say for the course to count as done' }),
    masteryScore: z.number().min(0).max(1).nullable().default(null).meta({ description: 'Scaled score at or above which a scored statement passes' }),
  })
  .strict();

const mappingView = mapping.extend({ id: z.uuid(), createdAt: z.string() }).meta({ id: 'XapiMapping' });

/** The Learning Record Store's administration: its clients (HTTP Basic credentials) and which activities count as which course. */
export function xapiOperations(db: Db) {
  return [
    operation(
      {
        method: 'post',
        path: '/lrs-clients',
        summary: 'Create an LRS client: its key and secret (shown once) for HTTP Basic at /xapi',
        tag: 'xAPI',
        scope: 'api-keys:write',
        body: z.strictObject({ name: text(200), scopes: z.array(z.enum(LRS_SCOPES)).min(1).default(['read', 'write']) }).meta({ id: 'LrsClientInput' }),
        responses: { 201: { description: 'Created; the secret is not shown again', schema: lrsClient.extend({ secret: z.string() }) }, ...standardErrors },
      },
      async ({ body, principal, actor }) => ({ status: 201, body: await createLrsClient(db, principal.tenantId, actor, body) }),
    ),
    operation(
      { method: 'get', path: '/lrs-clients', summary: 'List LRS clients', tag: 'xAPI', scope: 'api-keys:read', responses: { 200: { description: 'The clients', schema: z.object({ data: z.array(lrsClient) }) }, ...standardErrors } },
      async ({ principal }) => ({ status: 200, body: { data: await listLrsClients(db, principal.tenantId) } }),
    ),
    operation(
      {
        method: 'post',
        path: '/lrs-clients/:id/revoke',
        summary: 'Refuse an LRS client’s credentials from now on',
        tag: 'xAPI',
        scope: 'api-keys:write',
        params: idParams,
        responses: { 200: { description: 'Revoked', schema: lrsClient }, ...standardErrors, 404: { description: 'No such client in this tenant', schema: errorResponse } },
      },
      async ({ params, principal, actor }) => ({ status: 200, body: await revokeLrsClient(db, principal.tenantId, actor, params.id) }),
    ),
    operation(
      {
        method: 'post',
        path: '/xapi/mappings',
        summary: 'Map an activity (or activities by prefix) to a course: statements about it become completions',
        tag: 'xAPI',
        scope: 'catalog:write',
        body: mapping.meta({ id: 'XapiMappingInput' }),
        responses: {
          201: { description: 'Created', schema: mappingView },
          ...standardErrors,
          409: { description: 'The activity is mapped already', schema: errorResponse },
          422: { description: 'No such course', schema: errorResponse },
        },
      },
      async ({ body, principal, actor }) => ({ status: 201, body: await createMapping(db, principal.tenantId, actor, body) }),
    ),
    operation(
      { method: 'get', path: '/xapi/mappings', summary: 'List activity-to-course mappings', tag: 'xAPI', scope: 'catalog:read', responses: { 200: { description: 'The mappings', schema: z.object({ data: z.array(mappingView) }) }, ...standardErrors } },
      async ({ principal }) => ({ status: 200, body: { data: await listMappings(db, principal.tenantId) } }),
    ),
    operation(
      {
        method: 'delete',
        path: '/xapi/mappings/:id',
        summary: 'Remove a mapping (completions already made stay)',
        tag: 'xAPI',
        scope: 'catalog:write',
        params: idParams,
        responses: { 204: { description: 'Removed' }, ...standardErrors, 404: { description: 'No such mapping', schema: errorResponse } },
      },
      async ({ params, principal, actor }) => {
        await deleteMapping(db, principal.tenantId, actor, params.id);
        return { status: 204, body: undefined };
      },
    ),
    operation(
      {
        method: 'get',
        path: '/xapi/unmapped',
        summary: 'Activities with statements that no mapping covers, most recent first',
        tag: 'xAPI',
        scope: 'catalog:read',
        responses: { 200: { description: 'Activity, statement count, last stored', schema: z.object({ data: z.array(z.object({ activity: z.string(), statements: z.number().int(), lastStored: z.string() })) }) }, ...standardErrors },
      },
      async ({ principal }) => ({ status: 200, body: { data: await unmappedActivities(db, principal.tenantId) } }),
    ),
    operation(
      {
        method: 'get',
        path: '/xapi/stats',
        summary: 'Statements per LRS client and day (last 30 days), mapped and unmapped',
        tag: 'xAPI',
        scope: 'catalog:read',
        responses: { 200: { description: 'One row per client and day', schema: z.object({ data: z.array(z.object({ client: z.string(), day: z.string(), statements: z.number().int(), mapped: z.number().int(), unmapped: z.number().int() })) }) }, ...standardErrors },
      },
      async ({ principal }) => ({ status: 200, body: { data: await statementStats(db, principal.tenantId) } }),
    ),
  ];
}
