import { z } from 'zod';
import type { Db } from '../../db/client';
import { getAttempt, listAttempts } from '../../services/scorm/attempts';
import { getPackage, importPackage, listPackages, updatePackageSettings, type PackageStore } from '../../services/scorm/packages';
import { operation } from '../operation';
import { errorResponse, idParams, standardErrors } from '../schemas/common';
import { catalogKey } from '../schemas/catalog';

const itemView: z.ZodType = z
  .object({
    identifier: z.string(),
    title: z.string(),
    scormType: z.enum(['sco', 'asset']).nullable().meta({ description: 'null for an item that only groups others' }),
    launchUrl: z.string().nullable().meta({ description: 'Package-relative, with xml:base and parameters applied' }),
    isVisible: z.boolean(),
    get children() {
      return z.array(itemView);
    },
  })
  .meta({ id: 'ScormItem' });

const settings = z
  .object({
    masteryOverride: z.number().min(0).max(100).nullable().meta({ description: 'Derives passed/failed from the score (0–100; 2004: scaled × 100); null keeps the content’s own status' }),
    requiredItems: z.array(z.string().min(1).max(200)).max(1000).meta({ description: 'SCOs a completed attempt needs; empty means every SCO' }),
    suspendDataLimit: z.number().int().min(4096).max(64_000).meta({ description: 'Characters of cmi.suspend_data accepted (SCORM 1.2 says 4,096)' }),
  })
  .meta({ id: 'ScormPackageSettings' });

const packageView = z
  .object({
    id: z.uuid(),
    courseKey: z.string(),
    version: z.number().int(),
    scormVersion: z.enum(['1.2', '2004 2nd Edition', '2004 3rd Edition', '2004 4th Edition']),
    title: z.string(),
    fileCount: z.number().int(),
    totalBytes: z.number().int(),
    sha256: z.string(),
    importedAt: z.string(),
    defaultOrganization: z.string().nullable(),
    organizations: z.array(z.object({ identifier: z.string(), title: z.string(), items: z.array(itemView) })),
    settings,
  })
  .meta({ id: 'ScormPackage' });

const scoView = z.object({
  item: z.string(),
  completion: z.string(),
  success: z.string(),
  verdict: z.enum(['satisfied', 'failed', 'open']),
  scoreRaw: z.number().nullable(),
  scoreScaled: z.number().nullable(),
  totalSeconds: z.number(),
  sessions: z.number().int(),
  location: z.string().nullable(),
  exit: z.string().nullable(),
  updatedAt: z.string(),
  cmi: z.record(z.string(), z.unknown()).nullable().optional().meta({ description: 'The CMI as last committed (only in an attempt’s detail)' }),
});

const attemptView = z
  .object({
    id: z.uuid(),
    personId: z.uuid(),
    courseKey: z.string(),
    packageVersion: z.number().int(),
    number: z.number().int(),
    state: z.enum(['open', 'completed', 'failed']),
    startedAt: z.string(),
    updatedAt: z.string(),
    endedAt: z.string().nullable(),
    completionId: z.uuid().nullable(),
    scos: z.array(scoView),
  })
  .meta({ id: 'ScormAttempt' });

const packageParams = z.strictObject({ key: catalogKey, version: z.coerce.number().int().min(1).max(1_000_000) });
const courseParams = z.strictObject({ key: catalogKey });
const packageErrors = { 404: { description: 'No such course or package version in this tenant', schema: errorResponse } };

/** SCORM packages of courses (import, versions, settings) and the attempts people make at them. */
export function scormOperations(db: Db, store: PackageStore) {
  return [
    operation(
      {
        method: 'post',
        path: '/courses/:key/scorm-packages',
        summary: 'Import a SCORM 1.2 or 2004 zip as the course’s next package version',
        tag: 'SCORM',
        scope: 'catalog:write',
        params: courseParams,
        upload: { contentTypes: ['application/zip', 'application/x-zip-compressed', 'application/octet-stream'], description: 'The SCORM package (a zip with imsmanifest.xml at its root), streamed' },
        responses: {
          201: { description: 'Imported: the package version, its SCORM version, organizations and items', schema: packageView },
          ...standardErrors,
          ...packageErrors,
          413: { description: 'upload_too_large: the upload is over SCORM_MAX_UPLOAD_MB', schema: errorResponse },
          415: { description: 'The body is not a zip', schema: errorResponse },
          422: { description: 'The package is refused (unsafe or oversized entries, a zip bomb, a missing or invalid manifest); nothing was kept', schema: errorResponse },
        },
      },
      async ({ params, principal, actor, req }) => {
        try {
          return { status: 201, body: await importPackage(db, store, principal.tenantId, actor, params.key, req) };
        } catch (error) {
          // Refused before the whole body was read (e.g. over the size cap): end the connection rather than read the rest.
          if (!req.complete) req.res?.set('connection', 'close');
          throw error;
        }
      },
    ),
    operation(
      {
        method: 'get',
        path: '/courses/:key/scorm-packages',
        summary: 'List the course’s SCORM package versions, newest first',
        tag: 'SCORM',
        scope: 'catalog:read',
        params: courseParams,
        responses: { 200: { description: 'The versions', schema: z.object({ data: z.array(packageView) }) }, ...standardErrors, ...packageErrors },
      },
      async ({ params, principal }) => ({ status: 200, body: { data: await listPackages(db, principal.tenantId, params.key) } }),
    ),
    operation(
      {
        method: 'get',
        path: '/courses/:key/scorm-packages/:version',
        summary: 'Get one SCORM package version',
        tag: 'SCORM',
        scope: 'catalog:read',
        params: packageParams,
        responses: { 200: { description: 'The package version', schema: packageView }, ...standardErrors, ...packageErrors },
      },
      async ({ params, principal }) => ({ status: 200, body: await getPackage(db, principal.tenantId, params.key, params.version) }),
    ),
    operation(
      {
        method: 'patch',
        path: '/courses/:key/scorm-packages/:version',
        summary: 'Change how a package version’s runtime data counts (mastery override, required SCOs, suspend-data length)',
        tag: 'SCORM',
        scope: 'catalog:write',
        params: packageParams,
        body: settings.partial().strict().meta({ id: 'ScormPackageSettingsChanges' }),
        responses: { 200: { description: 'The package version as saved', schema: packageView }, ...standardErrors, ...packageErrors },
      },
      async ({ params, body, principal, actor }) => ({ status: 200, body: await updatePackageSettings(db, principal.tenantId, actor, params.key, params.version, body) }),
    ),
    operation(
      {
        method: 'get',
        path: '/people/:id/scorm-attempts',
        summary: 'A person’s attempts at SCORM courses in trainhub’s player, newest first',
        tag: 'SCORM',
        scope: 'people:read',
        params: idParams,
        responses: { 200: { description: 'The attempts, each with its SCOs', schema: z.object({ data: z.array(attemptView) }) }, ...standardErrors, 404: { description: 'No such person in this tenant', schema: errorResponse } },
      },
      async ({ params, principal }) => ({ status: 200, body: { data: await listAttempts(db, principal.tenantId, params.id) } }),
    ),
    operation(
      {
        method: 'get',
        path: '/scorm-attempts/:id',
        summary: 'One attempt with each SCO’s CMI as committed (interactions, objectives) and its commit count',
        tag: 'SCORM',
        scope: 'people:read',
        params: idParams,
        responses: {
          200: { description: 'The attempt', schema: attemptView.extend({ commits: z.number().int() }).meta({ id: 'ScormAttemptDetail' }) },
          ...standardErrors,
          404: { description: 'No such attempt in this tenant', schema: errorResponse },
        },
      },
      async ({ params, principal }) => ({ status: 200, body: await getAttempt(db, principal.tenantId, params.id) }),
    ),
  ];
}
