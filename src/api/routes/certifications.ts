import type { Request } from 'express';
import { z } from 'zod';
import type { Db } from '../../db/client';
import { DomainError, InvalidRequest } from '../../domain/errors';
import { formatPeriod, parsePeriod, periodIsShorter } from '../../domain/periods';
import { getCertification, listCertifications, putCertification } from '../../services/certifications/catalog';
import { IMPORT_COLUMNS, IMPORT_MAX_BYTES, IMPORT_MAX_ROWS, importCertificateHistory } from '../../services/certifications/history-import';
import { listHolders, personCertificates } from '../../services/certifications/reading';
import {
  createCertificationRequirement,
  deleteCertificationRequirement,
  getCertificationRequirement,
  listCertificationRequirements,
} from '../../services/certifications/requirements';
import type { CommandDelivery } from '../../services/processes/operations';
import { operation } from '../operation';
import { catalogErrors, catalogKey, conflictResponse, displayName, keyParams, keyReference, pageOf, pageQuery } from '../schemas/catalog';
import { errorResponse, idParams, standardErrors, text } from '../schemas/common';

// ─── The catalog ──────────────────────────────────────────────────────────────────────────────

const MAX_PERIOD = parsePeriod('P50Y')!;
const PERIOD_FORMAT = 'must be an ISO 8601 period of years, months and days, e.g. P2Y, P3M, P1Y6M, P90D';

/** An ISO 8601 period of years, months and days, kept in its canonical form ("p1y6m" → "P1Y6M"). */
const period = (description: string) =>
  z
    .string()
    .max(40, { error: PERIOD_FORMAT, abort: true })
    .transform((value, ctx) => {
      const parsed = parsePeriod(value);
      if (!parsed) {
        ctx.addIssue({ code: 'custom', message: PERIOD_FORMAT });
        return z.NEVER;
      }
      if (!periodIsShorter(parsed, MAX_PERIOD, true)) {
        ctx.addIssue({ code: 'custom', message: 'must be at most P50Y' });
        return z.NEVER;
      }
      return formatPeriod(parsed);
    })
    .meta({ description, examples: ['P2Y', 'P3M', 'P1Y6M', 'P90D'] });

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const monthDay = z
  .string()
  .regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, { error: 'must be a month and day as MM-DD, e.g. 01-01', abort: true })
  .refine((value) => value !== '02-29', { error: 'must not be 02-29: the day must exist every year', abort: true })
  .refine((value) => Number(value.slice(3)) <= MONTH_DAYS[Number(value.slice(0, 2)) - 1]!, { error: 'must be a day of that month' });

const expiryBase = z.enum(['completion_date', 'previous_expiry', 'fixed_date']);

const certificationInput = z
  .strictObject({
    title: displayName,
    initialProgramKey: keyReference.meta({ description: 'The program that earns the certificate the first time (or after a lapse)' }),
    recertificationProgramKey: keyReference.optional().meta({ description: 'The program that renews it within the window; default: the initial program' }),
    activePeriod: period('How long a certificate stays valid, e.g. P2Y (at most P50Y)'),
    windowPeriod: period('How long before expiry the recertification window opens (the recertification path is assigned), e.g. P3M; shorter than activePeriod'),
    reminderDaysBeforeExpiry: z
      .array(z.int({ error: 'must be a whole number of days' }).min(1, { error: 'must be 1 or more days' }).max(3650, { error: 'must be at most 3650 days' }))
      .max(20, { error: 'at most 20 reminders' })
      .default([30, 7])
      .transform((days) => [...new Set(days)].sort((a, b) => b - a))
      .meta({ description: 'Reminders this many days before expiry (default [30, 7]); kept deduplicated, latest first' }),
    expiryBase: expiryBase.default('completion_date').meta({
      description: 'What a recertification counts its validity from: completion_date, previous_expiry (early renewal loses nothing), or fixed_date (a fixed day of the year)',
    }),
    fixedExpiryDay: monthDay.nullable().optional().meta({ description: 'For fixed_date (required there): the month and day certificates expire on, MM-DD (not 02-29)' }),
    minimumActivePeriod: period('For fixed_date: the shortest validity a certificate may get, e.g. P6M (at most activePeriod)').nullable().optional(),
    dueOffsetDays: z
      .int({ error: 'must be a whole number of days' })
      .min(0, { error: 'must be 0 or more days' })
      .max(3650, { error: 'must be at most 3650 days' })
      .default(30)
      .meta({ description: 'The initial path is due this many days after the certification is first required, or has lapsed (default 30)' }),
  })
  .superRefine((input, ctx) => {
    const problem = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    const active = parsePeriod(input.activePeriod)!;
    if (!periodIsShorter(parsePeriod(input.windowPeriod)!, active)) problem('windowPeriod', `must be shorter than activePeriod (${input.activePeriod})`);
    if (input.expiryBase === 'fixed_date') {
      if (!input.fixedExpiryDay) problem('fixedExpiryDay', 'is required when expiryBase is "fixed_date"');
    } else {
      if (input.fixedExpiryDay) problem('fixedExpiryDay', 'is only for expiryBase "fixed_date"');
      if (input.minimumActivePeriod) problem('minimumActivePeriod', 'is only for expiryBase "fixed_date"');
    }
    if (input.minimumActivePeriod && !periodIsShorter(parsePeriod(input.minimumActivePeriod)!, active, true)) {
      problem('minimumActivePeriod', `must not be longer than activePeriod (${input.activePeriod})`);
    }
  })
  .meta({ id: 'CertificationInput' });

const programRef = z.object({ id: z.uuid(), key: z.string(), title: z.string() });

const certificationView = z
  .object({
    id: z.uuid(),
    key: z.string(),
    title: z.string(),
    initialProgram: programRef,
    recertificationProgram: programRef,
    activePeriod: z.string(),
    windowPeriod: z.string(),
    reminderDaysBeforeExpiry: z.array(z.int()),
    expiryBase,
    fixedExpiryDay: z.string().nullable(),
    minimumActivePeriod: z.string().nullable(),
    dueOffsetDays: z.int(),
    createdAt: z.string(),
  })
  .meta({ id: 'Certification' });

// ─── Requirements ─────────────────────────────────────────────────────────────────────────────

const filterValue = text(200);

const certificationRequirementInput = z
  .strictObject({
    roleKey: keyReference.meta({ description: 'The role whose holders must hold the certification' }),
    certificationKey: keyReference,
    department: filterValue.nullable().optional().meta({ description: 'Only people in this department; null or absent: any' }),
    location: filterValue.nullable().optional().meta({ description: 'Only people at this location; null or absent: any' }),
  })
  .meta({ id: 'CertificationRequirementInput' });

const certificationRequirementView = z
  .object({
    id: z.uuid(),
    role: z.object({ id: z.uuid(), key: z.string() }),
    certification: z.object({ id: z.uuid(), key: z.string() }),
    department: z.string().nullable(),
    location: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'CertificationRequirement' });

const certificationRequirementQuery = pageQuery.extend({
  role: keyReference.optional().meta({ description: 'Only the requirements of this role (key)' }),
  certification: keyReference.optional().meta({ description: 'Only the requirements of this certification (key)' }),
});

// ─── Reading ──────────────────────────────────────────────────────────────────────────────────

const day = z.string().meta({ description: 'YYYY-MM-DD' });
const certificationState = z.enum(['assigned', 'certified', 'window_open', 'expired', 'inactive']);
const titledRef = z.object({ id: z.uuid(), key: z.string(), title: z.string() });

const personCertificateView = z
  .object({
    id: z.uuid(),
    number: z.string(),
    status: z.enum(['valid', 'expired', 'revoked', 'superseded']).meta({ description: "On the tenant's today: valid up to the day before expiresOn" }),
    issuedOn: day,
    expiresOn: day.meta({ description: 'YYYY-MM-DD: the first day it is no longer valid' }),
    cycle: z.int(),
    basis: z.string().meta({ description: 'initial, recertification, late_recertification, renewal_extend, renewal_reissue or import' }),
    source: z.string(),
    verifyUrl: z.string().meta({ description: 'The public page where anyone can check the certificate' }),
    pdfUrl: z.string().nullable().meta({ description: 'The public download of its PDF; null for imported certificates' }),
    previousNumber: z.string().nullable().meta({ description: 'The number of the certificate it follows' }),
    supersededAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    revokedReason: z.string().nullable(),
  })
  .meta({ id: 'PersonCertificate' });

const personCertificatesView = z
  .object({
    person: z.object({ id: z.uuid(), externalId: z.string(), name: z.string(), status: z.string() }),
    today: day.meta({ description: "The tenant's day the statuses are judged on" }),
    timeZone: z.string(),
    certifications: z.array(
      z.object({
        certification: titledRef,
        state: certificationState.nullable().meta({ description: "Where the certification's process stands; null before it has run" }),
        currentCertificateId: z.uuid().nullable(),
        certificates: z.array(personCertificateView).meta({ description: 'Newest first' }),
      }),
    ),
  })
  .meta({ id: 'PersonCertificates' });

const holdersQuery = pageQuery.extend({
  status: z.enum(['valid', 'expiring', 'expired']).optional().meta({
    description: 'valid: expires after today; expiring: valid and expires within withinDays; expired: its expiry day has come. Without it: every certificate in force',
  }),
  withinDays: z.coerce.number().int().min(1).max(3650).default(30).meta({ description: 'For status=expiring: how many days ahead (default 30)' }),
});

const holderView = z
  .object({
    person: z.object({ id: z.uuid(), externalId: z.string(), name: z.string(), status: z.string() }),
    certificate: z.object({
      id: z.uuid(),
      number: z.string(),
      status: z.enum(['valid', 'expired']),
      issuedOn: day,
      expiresOn: day,
      cycle: z.int(),
      basis: z.string(),
      verifyUrl: z.string(),
    }),
    daysToExpiry: z.int().meta({ description: 'From today to the expiry day; 0 or less: expired' }),
  })
  .meta({ id: 'CertificationHolder' });

const holdersPage = z
  .object({
    certification: titledRef,
    today: day,
    timeZone: z.string(),
    data: z.array(holderView),
    nextCursor: z.string().nullable().meta({ description: 'Pass as cursor for the next page; null on the last page' }),
  })
  .meta({ id: 'CertificationHolderPage' });

// ─── Import ───────────────────────────────────────────────────────────────────────────────────

const importOutcome = z
  .object({
    imported: z.int(),
    unchanged: z.int().meta({ description: 'Rows already on record with the same content (by number)' }),
    rejected: z.int(),
    errors: z.array(z.object({ line: z.int().meta({ description: 'The line the row starts on; the header is line 1' }), message: z.string() })),
    processesWoken: z.int(),
  })
  .meta({ id: 'CertificateImportOutcome' });

/** The body as text, at most `limit` bytes: a larger one is 413 before the rest is read. */
async function readText(req: Request, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.res?.set('connection', 'close');
      throw new DomainError(413, 'payload_too_large', `The CSV is larger than ${limit} bytes; split the file`, { limitBytes: limit });
    }
    chunks.push(chunk);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new InvalidRequest('The CSV must be UTF-8 text');
  }
}

/** Certifications (catalog and requirements), certificates people hold, their holders, and the import of earlier systems' certificates. */
export function certificationOperations(db: Db, delivery: CommandDelivery, publicUrl: string) {
  return [
    operation(
      {
        method: 'get',
        path: '/certifications',
        summary: 'List certifications, in key order',
        tag: 'Certifications',
        scope: 'catalog:read',
        query: pageQuery,
        responses: { 200: { description: 'One page of certifications', schema: pageOf(certificationView, 'CertificationPage') }, ...standardErrors },
      },
      async ({ query, principal }) => ({ status: 200, body: await listCertifications(db, principal.tenantId, query) }),
    ),
    operation(
      {
        method: 'get',
        path: '/certifications/:key',
        summary: 'Get a certification by key or id',
        tag: 'Certifications',
        scope: 'catalog:read',
        params: keyParams,
        responses: { 200: { description: 'The certification', schema: certificationView }, ...standardErrors, ...catalogErrors },
      },
      async ({ params, principal }) => ({ status: 200, body: await getCertification(db, principal.tenantId, params.key) }),
    ),
    operation(
      {
        method: 'put',
        path: '/certifications/:key',
        summary: 'Create a certification, or replace its title, paths (programs) and validity rules',
        tag: 'Certifications',
        scope: 'certifications:write',
        params: z.object({ key: catalogKey }),
        body: certificationInput,
        responses: {
          201: { description: 'Created', schema: certificationView },
          200: { description: 'Replaced (the processes under way read the rules again), or unchanged', schema: certificationView },
          ...standardErrors,
          422: { description: 'unknown_program: a program key this tenant does not have', schema: errorResponse },
        },
      },
      async ({ params, body, principal, actor }) => {
        const saved = await putCertification(db, delivery, principal.tenantId, actor, params.key, {
          ...body,
          fixedExpiryDay: body.fixedExpiryDay ?? null,
          minimumActivePeriod: body.minimumActivePeriod ?? null,
        });
        return { status: saved.created ? 201 : 200, body: saved.view };
      },
    ),
    operation(
      {
        method: 'get',
        path: '/certification-requirements',
        summary: 'List which roles must hold which certifications, oldest rule first',
        tag: 'Certifications',
        scope: 'catalog:read',
        query: certificationRequirementQuery,
        responses: { 200: { description: 'One page of certification requirements', schema: pageOf(certificationRequirementView, 'CertificationRequirementPage') }, ...standardErrors },
      },
      async ({ query, principal }) => {
        const { role, certification, ...page } = query;
        return { status: 200, body: await listCertificationRequirements(db, principal.tenantId, { role, certification }, page) };
      },
    ),
    operation(
      {
        method: 'get',
        path: '/certification-requirements/:id',
        summary: 'Get a certification requirement',
        tag: 'Certifications',
        scope: 'catalog:read',
        params: idParams,
        responses: { 200: { description: 'The certification requirement', schema: certificationRequirementView }, ...standardErrors, ...catalogErrors },
      },
      async ({ params, principal }) => ({ status: 200, body: await getCertificationRequirement(db, principal.tenantId, params.id) }),
    ),
    operation(
      {
        method: 'post',
        path: '/certification-requirements',
        summary: 'Require the holders of a role (optionally in a department / at a location) to hold a certification',
        tag: 'Certifications',
        scope: 'certifications:write',
        body: certificationRequirementInput,
        responses: {
          201: {
            description: 'Created; the certification process of everyone it applies to is woken',
            schema: certificationRequirementView.extend({ processesWoken: z.int() }).meta({ id: 'CertificationRequirementCreated' }),
          },
          ...standardErrors,
          409: { description: 'duplicate_certification_requirement: the role already requires it for the same department and location', schema: conflictResponse.schema },
          422: { description: 'unknown_role / unknown_certification', schema: errorResponse },
        },
      },
      async ({ body, principal, actor }) => {
        const change = await createCertificationRequirement(db, delivery, principal.tenantId, actor, body);
        return { status: 201, body: { ...change.requirement, processesWoken: change.processesWoken } };
      },
    ),
    operation(
      {
        method: 'delete',
        path: '/certification-requirements/:id',
        summary: 'Remove a certification requirement: the processes of the people it applied to are woken (theirs stops where nothing else requires it)',
        tag: 'Certifications',
        scope: 'certifications:write',
        params: idParams,
        responses: { 204: { description: 'Deleted' }, ...standardErrors, ...catalogErrors },
      },
      async ({ params, principal, actor }) => {
        await deleteCertificationRequirement(db, delivery, principal.tenantId, actor, params.id);
        return { status: 204, body: undefined };
      },
    ),
    operation(
      {
        method: 'get',
        path: '/people/:id/certificates',
        summary: "Every certificate of a person, newest first, by certification, with the certification's state",
        tag: 'People',
        scope: 'people:read',
        params: idParams,
        responses: { 200: { description: "The person's certificates", schema: personCertificatesView }, ...standardErrors, 404: { description: 'No such person in this tenant', schema: errorResponse } },
      },
      async ({ params, principal }) => ({ status: 200, body: await personCertificates(db, principal.tenantId, params.id, publicUrl) }),
    ),
    operation(
      {
        method: 'get',
        path: '/certifications/:key/holders',
        summary: 'Holders of certificates in force (neither superseded nor revoked), soonest expiry first: valid, expiring within N days, or expired',
        tag: 'Certifications',
        scope: 'people:read',
        params: keyParams,
        query: holdersQuery,
        responses: { 200: { description: 'One page of holders', schema: holdersPage }, ...standardErrors, ...catalogErrors },
      },
      async ({ params, query, principal }) => ({ status: 200, body: await listHolders(db, principal.tenantId, params.key, query, publicUrl) }),
    ),
    operation(
      {
        method: 'post',
        path: '/certificates/import',
        summary: "Import certificates people earned before trainhub (an earlier system's CSV); each row on its own, idempotent by number",
        tag: 'Certifications',
        scope: 'certifications:write',
        upload: {
          contentTypes: ['text/csv'],
          description: `CSV (UTF-8) with a header row naming the columns ${IMPORT_COLUMNS.join(', ')}: person (HR external id or e-mail), certification (key), issued and expires (YYYY-MM-DD), number. At most ${IMPORT_MAX_ROWS} rows and ${IMPORT_MAX_BYTES / 1024 / 1024} MiB`,
        },
        responses: {
          200: { description: 'What was imported, found unchanged, and rejected (each rejected row with its line and why)', schema: importOutcome },
          ...standardErrors,
          413: { description: 'payload_too_large: the body is over the cap', schema: errorResponse },
          415: { description: 'The body is not text/csv', schema: errorResponse },
        },
      },
      async ({ principal, actor, req }) => {
        const csv = await readText(req, IMPORT_MAX_BYTES);
        return { status: 200, body: await importCertificateHistory(db, delivery, principal.tenantId, actor, csv) };
      },
    ),
  ];
}
