import { z } from 'zod';
import { profileDefinitionSchema } from '../../connectors/hcm/profile';
import type { Db } from '../../db/client';
import { getImportPolicy, setImportPolicy } from '../../services/imports/diff';
import { getImportProfile, listImportProfiles, saveImportProfile } from '../../services/imports/profiles';
import {
  cancelImportRun,
  confirmImportRun,
  DEFAULT_MAX_IMPORT_BYTES,
  getImportRun,
  importErrorsCsv,
  listImportRuns,
  receiveImport,
} from '../../services/imports/runs';
import type { CommandDelivery } from '../../services/processes/operations';
import { operation } from '../operation';
import { catalogKey } from '../schemas/catalog';
import { errorResponse, idParams, standardErrors, text } from '../schemas/common';

/** What an import may be (IMPORT_MAX_UPLOAD_MB). */
export interface ImportSettings {
  maxUploadBytes: number;
}

const RUN_STATES = ['received', 'staging', 'diffing', 'awaiting_confirmation', 'applying', 'completed', 'failed', 'cancelled'] as const;
const count = z.number().int().optional();

const importRunView = z
  .object({
    id: z.uuid(),
    kind: z.enum(['people', 'transcript']),
    mode: z.enum(['snapshot', 'delta']),
    profile: z.object({ name: z.string(), version: z.number().int().nullable().meta({ description: 'null: a built-in profile' }) }),
    source: z.string().meta({ description: 'api, cli, or the connector that pulled the file' }),
    fileName: z.string().nullable(),
    sizeBytes: z.number().int(),
    contentHash: z.string().meta({ description: 'SHA-256 of the file: the same file again is this run' }),
    state: z.enum(RUN_STATES),
    counts: z
      .object({
        rows: count.meta({ description: 'Records read from the file, good and bad' }),
        rejected: count.meta({ description: 'Rows refused (see errors.csv)' }),
        created: count.meta({ description: 'New people (hires)' }),
        rehired: count.meta({ description: 'Terminated people active again' }),
        updated: count.meta({ description: 'Transfers: roles, department, location, manager, e-mail or name changed' }),
        onLeave: count,
        returned: count,
        terminated: count.meta({ description: 'Terminations, those of people a snapshot lacks included' }),
        absent: count.meta({ description: 'Of the terminations: people a snapshot lacks' }),
        unchanged: count,
        futureDated: count.meta({ description: 'Changes that wait for a day after today' }),
        completions: count.meta({ description: 'Transcript runs: completions to record' }),
        refused: count.meta({ description: 'Changes the existing rules refused when applied (see errors.csv)' }),
      })
      .meta({ description: 'Keys appear as the run reaches the step that counts them' }),
    progress: z.object({ applied: z.number().int(), toApply: z.number().int() }),
    error: z.string().nullable().meta({ description: 'Why the run failed (e.g. a file the profile cannot read)' }),
    workflowId: z.string(),
    confirmation: z
      .object({
        terminations: z.number().int(),
        activePeople: z.number().int(),
        maxSharePercent: z.number(),
        minPeople: z.number().int(),
        confirmedAt: z.string().nullable(),
        confirmedBy: z.string().nullable(),
      })
      .nullable()
      .meta({ description: 'Set when the accidental-deletion guard held the snapshot: what it found, and who confirmed' }),
    createdAt: z.string(),
    updatedAt: z.string(),
    links: z.object({ self: z.string(), errors: z.string().meta({ description: 'errors.csv: refused rows and failed changes, by line' }) }),
  })
  .meta({ id: 'ImportRun' });

const profileSummary = z
  .object({
    name: z.string(),
    kind: z.enum(['people', 'transcript']),
    format: z.enum(['csv', 'json']),
    source: z.string().meta({ description: 'The source people (or completions) of this profile are recorded under' }),
    version: z.number().int().nullable().meta({ description: "The tenant's version; null for a built-in" }),
    builtIn: z.boolean(),
    createdAt: z.string().nullable(),
  })
  .meta({ id: 'ImportProfileSummary' });
const profileView = profileSummary.extend({ definition: profileDefinitionSchema }).meta({ id: 'ImportProfile' });

const policyView = z
  .object({
    maxSharePercent: z.number().meta({ description: "A snapshot terminating more than this share of its source's active people …" }),
    minPeople: z.number().int().meta({ description: '… and more than this many of them waits for a confirmation' }),
    updatedAt: z.string().nullable().meta({ description: 'null while the defaults apply (10 %, 5 people)' }),
  })
  .meta({ id: 'ImportPolicy' });
const policyInput = z
  .strictObject({
    maxSharePercent: z.number().min(0).max(100).meta({ description: "Kept to two decimals" }),
    minPeople: z.number().int().min(0).max(1_000_000),
  })
  .meta({ id: 'ImportPolicyInput' });

const importQuery = z.strictObject({
  profile: z.string().min(1).max(100).meta({ description: "The profile's name: the tenant's (latest version) or a built-in" }),
  mode: z.enum(['snapshot', 'delta']).default('delta').meta({ description: 'snapshot: the file is everyone (an active person it lacks has left); delta (default): absence changes nothing' }),
  kind: z.enum(['people', 'transcript']).optional().meta({ description: "The profile's kind when left out" }),
  fileName: text(255).optional(),
});
const listQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  state: z.enum(RUN_STATES).optional(),
});
const profileParams = z.strictObject({ name: catalogKey });
const runNotFound = { 404: { description: 'No such import run in this tenant', schema: errorResponse } };

/** Import runs (a file in, its run followed, a guarded snapshot confirmed or cancelled) and the profiles they read files with. */
export function importOperations(db: Db, delivery: CommandDelivery, settings: ImportSettings = { maxUploadBytes: DEFAULT_MAX_IMPORT_BYTES }) {
  return [
    operation(
      {
        method: 'post',
        path: '/imports',
        summary: 'Import an HR file (people) or an LMS transcript: the run stages, compares and applies it in the background',
        tag: 'Imports',
        scope: 'imports:write',
        query: importQuery,
        upload: {
          contentTypes: ['text/csv', 'application/json'],
          description: `The file as the profile reads it (text/csv or application/json), streamed; at most ${settings.maxUploadBytes / 1024 / 1024} MiB`,
        },
        responses: {
          202: { description: 'Received: the run, which goes on in the background (follow it with GET /imports/{id})', schema: importRunView },
          200: { description: 'This very file (same content) was imported before: its run', schema: importRunView },
          ...standardErrors,
          413: { description: 'upload_too_large: the file is over IMPORT_MAX_UPLOAD_MB', schema: errorResponse },
          415: { description: 'The body is neither text/csv nor application/json, or not the format the profile reads', schema: errorResponse },
          422: { description: 'unknown_profile, or profile_kind_mismatch (the profile reads the other kind of file)', schema: errorResponse },
        },
      },
      async ({ query, principal, actor, req }) => {
        try {
          const { run, duplicate } = await receiveImport(db, delivery, actor, {
            tenantId: principal.tenantId,
            ...(query.kind ? { kind: query.kind } : {}),
            profileName: query.profile,
            mode: query.mode,
            ...(query.fileName ? { fileName: query.fileName } : {}),
            source: 'api',
            content: req,
            format: req.is('text/csv') ? 'csv' : 'json',
            maxBytes: settings.maxUploadBytes,
          });
          return { status: duplicate ? 200 : 202, body: run, headers: { location: run.links.self } };
        } catch (error) {
          // Refused before the whole body was read (e.g. over the cap): end the connection rather than read the rest.
          if (!req.complete) req.res?.set('connection', 'close');
          throw error;
        }
      },
    ),
    operation(
      {
        method: 'get',
        path: '/imports',
        summary: "The tenant's import runs, newest first",
        tag: 'Imports',
        scope: 'imports:write',
        query: listQuery,
        responses: { 200: { description: 'The runs', schema: z.object({ runs: z.array(importRunView) }) }, ...standardErrors },
      },
      async ({ query, principal }) => ({
        status: 200,
        body: { runs: await listImportRuns(db, principal.tenantId, { limit: query.limit, ...(query.state ? { state: query.state } : {}) }) },
      }),
    ),
    operation(
      {
        method: 'get',
        path: '/imports/:id',
        summary: 'An import run: its state, counts and progress',
        tag: 'Imports',
        scope: 'imports:write',
        params: idParams,
        responses: { 200: { description: 'The run', schema: importRunView }, ...standardErrors, ...runNotFound },
      },
      async ({ params, principal }) => ({ status: 200, body: await getImportRun(db, principal.tenantId, params.id) }),
    ),
    operation(
      {
        method: 'get',
        path: '/imports/:id/errors.csv',
        summary: "An import run's refused rows and failed changes, by line (CSV)",
        tag: 'Imports',
        scope: 'imports:write',
        params: idParams,
        responses: {
          200: {
            description: 'A header row (line, external_id, error), then one row per refused row or failed change, by line; people a snapshot lacks have no line',
            schema: z.string(),
            contentType: 'text/csv',
          },
          ...standardErrors,
          ...runNotFound,
        },
      },
      async ({ params, principal }) => ({
        status: 200,
        contentType: 'text/csv; charset=utf-8',
        headers: { 'content-disposition': `attachment; filename="import-${params.id}-errors.csv"` },
        body: await importErrorsCsv(db, principal.tenantId, params.id),
      }),
    ),
    operation(
      {
        method: 'post',
        path: '/imports/:id/confirm',
        summary: 'Confirm a snapshot the accidental-deletion guard held: it is applied, terminations included',
        tag: 'Imports',
        scope: 'imports:write',
        params: idParams,
        responses: {
          200: { description: 'Confirmed (who and when are recorded); the run goes on to apply. A repeat answers the run as it is', schema: importRunView },
          ...standardErrors,
          ...runNotFound,
          409: { description: 'import_not_awaiting_confirmation: the run is not held by the guard', schema: errorResponse },
        },
      },
      async ({ params, principal, actor }) => ({ status: 200, body: await confirmImportRun(db, delivery, principal.tenantId, actor, params.id) }),
    ),
    operation(
      {
        method: 'post',
        path: '/imports/:id/cancel',
        summary: 'Cancel a snapshot the accidental-deletion guard held: nothing of it is applied',
        tag: 'Imports',
        scope: 'imports:write',
        params: idParams,
        responses: {
          200: { description: 'Cancelled. A repeat answers the run as it is', schema: importRunView },
          ...standardErrors,
          ...runNotFound,
          409: { description: 'import_not_awaiting_confirmation: the run is not held by the guard', schema: errorResponse },
        },
      },
      async ({ params, principal, actor }) => ({ status: 200, body: await cancelImportRun(db, delivery, principal.tenantId, actor, params.id) }),
    ),
    operation(
      {
        method: 'get',
        path: '/import-policy',
        summary: "The tenant's accidental-deletion guard for snapshot imports (the defaults until set)",
        tag: 'Imports',
        scope: 'catalog:read',
        responses: { 200: { description: 'The policy in force', schema: policyView }, ...standardErrors },
      },
      async ({ principal }) => ({ status: 200, body: await getImportPolicy(db, principal.tenantId) }),
    ),
    operation(
      {
        method: 'put',
        path: '/import-policy',
        summary: "Replace the tenant's accidental-deletion guard (runs already held keep what they were judged by)",
        tag: 'Imports',
        scope: 'imports:write',
        body: policyInput,
        responses: { 200: { description: 'The policy as saved', schema: policyView }, ...standardErrors },
      },
      async ({ body, principal, actor }) => ({ status: 200, body: await setImportPolicy(db, principal.tenantId, actor, body) }),
    ),
    operation(
      {
        method: 'get',
        path: '/import-profiles',
        summary: "Import profiles: the built-in ones and the tenant's own (latest versions)",
        tag: 'Imports',
        scope: 'catalog:read',
        responses: { 200: { description: 'The profiles, by name', schema: z.object({ profiles: z.array(profileSummary) }) }, ...standardErrors },
      },
      async ({ principal }) => ({ status: 200, body: { profiles: await listImportProfiles(db, principal.tenantId) } }),
    ),
    operation(
      {
        method: 'get',
        path: '/import-profiles/:name',
        summary: "An import profile with its definition: the tenant's latest version (or the one asked for), else the built-in",
        tag: 'Imports',
        scope: 'catalog:read',
        params: profileParams,
        query: z.strictObject({ version: z.coerce.number().int().min(1).max(1_000_000).optional() }),
        responses: { 200: { description: 'The profile', schema: profileView }, ...standardErrors, 404: { description: 'No such profile (or version)', schema: errorResponse } },
      },
      async ({ params, query, principal }) => ({ status: 200, body: await getImportProfile(db, principal.tenantId, params.name, query.version) }),
    ),
    operation(
      {
        method: 'put',
        path: '/import-profiles/:name',
        summary: "Save the tenant's import profile under a name: a new version when the definition changed (runs keep the version they began with)",
        tag: 'Imports',
        scope: 'imports:write',
        params: profileParams,
        body: profileDefinitionSchema,
        responses: {
          201: { description: 'Saved as a new version', schema: profileView },
          200: { description: 'The definition is that of the latest version: nothing changed', schema: profileView },
          ...standardErrors,
        },
      },
      async ({ params, body, principal, actor }) => {
        const { profile, created } = await saveImportProfile(db, principal.tenantId, actor, params.name, body);
        return { status: created ? 201 : 200, body: profile };
      },
    ),
  ];
}
