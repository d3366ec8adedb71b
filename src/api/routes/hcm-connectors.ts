import { z } from 'zod';
import type { Db } from '../../db/client';
import {
  CLIENT_AUTHENTICATIONS,
  deleteConnector,
  getConnector,
  listConnectors,
  putConnector,
  requestPull,
  type ConnectorSettings,
} from '../../services/imports/connectors';
import type { CommandDelivery } from '../../services/processes/operations';
import { operation } from '../operation';
import { errorResponse, standardErrors, text } from '../schemas/common';

const connectorName = z
  .string()
  .min(1, { abort: true })
  .max(100, { abort: true })
  .regex(/^[a-z0-9]+(?:[-_.][a-z0-9]+)*$/, { error: 'Must be lowercase letters and digits, optionally joined by single "-", "_" or "." (e.g. workday-weekly)' });

const nameParams = z.object({ name: connectorName });

/** Secrets are written, never read back: at most 4 KiB, any characters a password may hold (no control characters). */
const secret = z.string().min(1).max(4096);

const reportUrl = z.string().max(2000).meta({
  description:
    'The report to pull, e.g. a Workday RaaS URL with ?format=json. https:// only; plain http:// is accepted only for this machine (localhost) where the deployment allows it (development, tests). No credentials in the URL.',
});

const authInput = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('none') }),
    z.strictObject({
      type: z.literal('basic'),
      username: text(200).refine((name) => !name.includes(':'), { error: 'Must not contain ":" (HTTP Basic)' }),
      password: secret.optional().meta({ description: 'Required when created, when the type changes or the URL’s origin changes; left out, the stored one is kept' }),
    }),
    z.strictObject({
      type: z.literal('oauth2_client_credentials'),
      tokenUrl: z.string().max(2000).meta({ description: 'The token endpoint (POST grant_type=client_credentials); same rules as url' }),
      clientId: text(500),
      clientSecret: secret.optional().meta({ description: 'Required when created, when the type or the token URL changes; left out, the stored one is kept' }),
      scope: text(1000).nullable().optional(),
      clientAuthentication: z.enum(CLIENT_AUTHENTICATIONS).default('client_secret_basic').meta({ description: 'How the client authenticates at the token endpoint (RFC 6749 §2.3.1)' }),
    }),
  ])
  .meta({ id: 'HcmConnectorAuthInput' });

const connectorInput = z
  .strictObject({
    url: reportUrl,
    profileName: text(100).meta({ description: 'The import profile (built-in or the tenant’s) the report is read with, e.g. workday-raas' }),
    mode: z.enum(['snapshot', 'delta']).meta({ description: 'snapshot: the report is everyone (absence means leaver); delta: changes only' }),
    auth: authInput,
    intervalMinutes: z
      .int({ error: 'Must be a whole number of minutes' })
      .min(5, { error: 'Must be at least 5 minutes' })
      .max(10_080, { error: 'Must be at most 10080 minutes (a week)' })
      .meta({ description: 'How often the report is pulled' }),
    paused: z.boolean().default(false).meta({ description: 'A paused connector is not pulled on schedule (a pull can still be asked for)' }),
  })
  .meta({ id: 'HcmConnectorInput' });

const authView = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('none') }),
    z.object({ type: z.literal('basic'), username: z.string(), hasSecret: z.boolean() }),
    z.object({
      type: z.literal('oauth2_client_credentials'),
      tokenUrl: z.string(),
      clientId: z.string(),
      scope: z.string().nullable(),
      clientAuthentication: z.enum(CLIENT_AUTHENTICATIONS),
      hasSecret: z.boolean(),
    }),
  ])
  .meta({ id: 'HcmConnectorAuth', description: 'The secret (password, client secret) is never shown: hasSecret says one is stored' });

const connectorView = z
  .object({
    id: z.uuid(),
    name: z.string(),
    url: z.string(),
    profileName: z.string(),
    mode: z.enum(['snapshot', 'delta']),
    auth: authView,
    intervalMinutes: z.int(),
    paused: z.boolean(),
    scheduleId: z.string().meta({ description: 'The Temporal Schedule that pulls it' }),
    lastPullAt: z.string().nullable().meta({ description: 'When the last pull ended (success or failure)' }),
    lastRunId: z.uuid().nullable().meta({ description: 'The import run of the last successful pull (GET /imports/:id)' }),
    lastError: z.string().nullable().meta({ description: 'Why the last pull failed; null once a pull succeeds' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'HcmConnector' });

const notFound = { description: 'No such connector in this tenant', schema: errorResponse };

/**
 * HCM connectors: report URLs (Workday RaaS style) pulled on a Temporal Schedule into import runs.
 * Every change is recorded with the command that brings the connector's Schedule in line.
 */
export function hcmConnectorOperations(db: Db, delivery: CommandDelivery, settings: ConnectorSettings) {
  return [
    operation(
      {
        method: 'put',
        path: '/hcm-connectors/:name',
        summary: 'Create or replace a connector: its report URL, profile, mode, credentials (stored encrypted) and pull interval',
        tag: 'Imports',
        scope: 'imports:write',
        params: nameParams,
        body: connectorInput,
        responses: {
          200: { description: 'Replaced (its Schedule follows)', schema: connectorView },
          201: { description: 'Created (its Schedule follows)', schema: connectorView },
          ...standardErrors,
          422: { description: 'unknown_profile: no built-in or tenant profile has that name', schema: errorResponse },
        },
      },
      async ({ params, body, principal, actor }) => {
        const { connector, created } = await putConnector(db, delivery, settings, principal.tenantId, actor, params.name, body);
        return { status: created ? 201 : 200, body: connector };
      },
    ),
    operation(
      {
        method: 'get',
        path: '/hcm-connectors',
        summary: 'List the tenant’s connectors with the outcome of their last pull',
        tag: 'Imports',
        scope: 'imports:write',
        responses: { 200: { description: 'The connectors, by name', schema: z.object({ data: z.array(connectorView) }) }, ...standardErrors },
      },
      async ({ principal }) => ({ status: 200, body: { data: await listConnectors(db, principal.tenantId) } }),
    ),
    operation(
      {
        method: 'get',
        path: '/hcm-connectors/:name',
        summary: 'Read a connector and the outcome of its last pull',
        tag: 'Imports',
        scope: 'imports:write',
        params: nameParams,
        responses: { 200: { description: 'The connector', schema: connectorView }, ...standardErrors, 404: notFound },
      },
      async ({ params, principal }) => ({ status: 200, body: await getConnector(db, principal.tenantId, params.name) }),
    ),
    operation(
      {
        method: 'delete',
        path: '/hcm-connectors/:name',
        summary: 'Remove a connector and its Schedule (the runs it made stay)',
        tag: 'Imports',
        scope: 'imports:write',
        params: nameParams,
        responses: { 204: { description: 'Removed' }, ...standardErrors, 404: notFound },
      },
      async ({ params, principal, actor }) => {
        await deleteConnector(db, delivery, principal.tenantId, actor, params.name);
        return { status: 204, body: undefined };
      },
    ),
    operation(
      {
        method: 'post',
        path: '/hcm-connectors/:name/pull',
        summary: 'Pull the report now (skipped while a pull is under way); the outcome shows on the connector',
        tag: 'Imports',
        scope: 'imports:write',
        params: nameParams,
        responses: { 202: { description: 'Asked for', schema: connectorView }, ...standardErrors, 404: notFound },
      },
      async ({ params, principal, actor }) => ({ status: 202, body: await requestPull(db, delivery, principal.tenantId, actor, params.name) }),
    ),
  ];
}
