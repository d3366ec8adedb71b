import { z } from 'zod';
import type { Db } from '../../db/client';
import {
  deleteDocumentType,
  getDocument,
  getDocumentType,
  getDocumentVersion,
  listDocuments,
  listDocumentTypes,
  listDocumentVersions,
  listVersionTrainings,
  putDocument,
  putDocumentType,
  putDocumentVersion,
} from '../../services/documents/catalog';
import { personDocuments } from '../../services/documents/progress';
import { operation } from '../operation';
import { catalogErrors, catalogKey, conflictResponse, displayName, keyParams, keyReference, pageOf, pageQuery } from '../schemas/catalog';
import { toPersonReference } from '../schemas/completion';
import { calendarDate, emailAddress, errorResponse, idParams, standardErrors, text } from '../schemas/common';

/** How many years ahead an effective date may lie. */
const EFFECTIVE_DATE_MAX_DAYS_AHEAD = 3660;
const VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;

const impact = z.enum(['retraining', 'minor']);
const namedRef = z.object({ id: z.uuid(), key: z.string(), name: z.string() });
const titledRef = z.object({ id: z.uuid(), key: z.string(), title: z.string() });

// ---- document types

const documentTypeView = z
  .object({
    id: z.uuid(),
    key: z.string(),
    name: z.string(),
    roles: z.array(namedRef).meta({ description: 'The roles whose holders documents of this type touch, in key order' }),
    defaultImpact: impact,
    createdAt: z.string(),
  })
  .meta({ id: 'DocumentType' });

const documentTypeInput = z
  .strictObject({
    name: displayName,
    roles: z
      .array(keyReference)
      .max(200, { error: 'At most 200 roles' })
      .refine((keys) => new Set(keys).size === keys.length, { error: 'Each role may appear only once' })
      .meta({ description: 'Role keys; replaces the roles the type touches', uniqueItems: true }),
    defaultImpact: impact.meta({ description: "What a new version needs when its approval says nothing: retraining, or minor (none)" }),
  })
  .meta({ id: 'DocumentTypeInput' });

// ---- documents

const trainingView = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('acknowledgement') }),
    z.object({ kind: z.literal('course'), course: titledRef }),
    z.object({ kind: z.literal('program'), program: titledRef }),
  ])
  .meta({ id: 'DocumentTrainingRequired' });

const trainingInput = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('acknowledgement') }),
    z.strictObject({ kind: z.literal('course'), courseKey: keyReference }),
    z.strictObject({ kind: z.literal('program'), programKey: keyReference }),
  ])
  .meta({ id: 'DocumentTrainingInput', description: 'What a version requires: a "read and understood" acknowledgement of the version itself, a course, or a program' });

const documentView = z
  .object({
    id: z.uuid(),
    key: z.string(),
    title: z.string(),
    documentType: namedRef,
    training: trainingView,
    dueOffsetDays: z.number().int(),
    creditAuthors: z.boolean(),
    closeSuperseded: z.boolean(),
    createdAt: z.string(),
  })
  .meta({ id: 'Document' });

const documentInput = z
  .strictObject({
    title: displayName,
    documentType: keyReference.meta({ description: 'The document type, by key' }),
    training: trainingInput,
    dueOffsetDays: z
      .int({ error: 'Must be a whole number of days' })
      .min(0, { error: 'Must be 0 or more days' })
      .max(365, { error: 'Must be at most 365 days' })
      .meta({ description: 'The training is due this many days after the effective date' }),
    creditAuthors: z.boolean().default(true).meta({ description: "A version's authors and approvers are credited with its training (default true)" }),
    closeSuperseded: z
      .boolean()
      .default(true)
      .meta({ description: 'Open training on a superseded version is closed as obsolete (default true), or kept' }),
  })
  .meta({ id: 'DocumentInput' });

// ---- versions

const progressView = z
  .object({
    affected: z.number().int().meta({ description: 'Everyone the version asks training of (not obsolete)' }),
    trained: z.number().int().meta({ description: 'Completed or credited' }),
    outstanding: z.number().int().meta({ description: 'Still open' }),
    overdue: z.number().int().meta({ description: 'Open past the due date' }),
  })
  .meta({ id: 'DocumentVersionProgress' });

const documentVersionView = z
  .object({
    id: z.uuid(),
    document: titledRef,
    version: z.string(),
    title: z.string(),
    status: z.enum(['draft', 'approved', 'effective', 'superseded', 'withdrawn']),
    impact: impact.nullable().meta({ description: 'Set by the approval; null while a draft' }),
    approvedAt: z.string().nullable(),
    effectiveDate: z.string().meta({ description: 'YYYY-MM-DD' }),
    contentHash: z.string().meta({ description: 'SHA-256 of the content, lowercase hex' }),
    authors: z.array(z.object({ id: z.uuid(), externalId: z.string(), name: z.string() })).meta({ description: 'The people credited as its authors and approvers' }),
    createdAt: z.string(),
    progress: progressView,
  })
  .meta({ id: 'DocumentVersion' });

const author = z
  .strictObject({
    id: z.uuid().optional(),
    externalId: text(200).optional(),
    email: emailAddress().optional(),
  })
  .refine((p) => [p.id, p.externalId, p.email].filter((v) => v !== undefined).length === 1, { message: 'give exactly one of id, externalId, email' })
  .meta({ description: "An author or approver: exactly one of trainhub's id, the HR system's externalId, or the e-mail", minProperties: 1, maxProperties: 1 });

const documentVersionInput = z
  .strictObject({
    title: displayName,
    effectiveDate: calendarDate(EFFECTIVE_DATE_MAX_DAYS_AHEAD).meta({ description: 'YYYY-MM-DD: the day the version takes effect' }),
    contentHash: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, { error: 'Must be the SHA-256 of the content: 64 hexadecimal digits' })
      .meta({ description: "SHA-256 of the version's content (64 hex digits), which an acknowledgement signs" }),
    authors: z.array(author).max(100, { error: 'At most 100 authors' }).default([]).meta({ description: 'People credited as authors and approvers (default none)' }),
  })
  .meta({ id: 'DocumentVersionInput' });

const versionParams = z.object({
  key: keyParams.shape.key,
  version: z
    .string()
    .regex(VERSION_PATTERN, { error: 'Must be 1-40 letters, digits, ".", "_" or "-", starting with a letter or digit (e.g. 3.0)' })
    .meta({ description: 'The version as the document system numbers it, e.g. 3.0' }),
});

// ---- training lines

const reasonView = z
  .object({
    role: namedRef.nullable().meta({ description: 'The role through which the document touches the person (null if the role was deleted since)' }),
    documentType: namedRef,
    training: trainingView,
  })
  .meta({ id: 'DocumentTrainingReason', description: 'Why: role → document type → the training the document requires' });

const trainingStatus = z.enum(['open', 'completed', 'credited', 'obsolete']);
const lineStatus = {
  status: trainingStatus,
  overdue: z.boolean().meta({ description: 'Open past the due date' }),
  dueDate: z.string().meta({ description: 'YYYY-MM-DD' }),
  assignedAt: z.string(),
  completedAt: z.string().nullable(),
  why: reasonView,
};

const versionTrainingView = z
  .object({ person: z.object({ id: z.uuid(), externalId: z.string(), name: z.string() }), ...lineStatus })
  .meta({ id: 'DocumentVersionTraining' });

const trainingsQuery = pageQuery.extend({
  status: z
    .enum(['open', 'completed', 'credited', 'obsolete', 'overdue'])
    .optional()
    .meta({ description: 'Only rows of this status; overdue: open past the due date. Without it: everyone affected (all but obsolete)' }),
});

const personDocumentView = z
  .object({
    document: titledRef,
    version: z.object({ id: z.uuid(), version: z.string(), title: z.string(), status: z.string(), effectiveDate: z.string() }),
    ...lineStatus,
  })
  .meta({ id: 'PersonDocument' });

const unknownReferences = (what: string) => ({ 422: { description: what, schema: errorResponse } });

/** Controlled documents: their types (mapped to roles), the training each requires, their versions, and who owes what. */
export function documentOperations(db: Db) {
  return [
    operation(
      {
        method: 'get',
        path: '/document-types',
        summary: 'List document types, in key order',
        tag: 'Documents',
        scope: 'catalog:read',
        query: pageQuery,
        responses: { 200: { description: 'One page of document types', schema: pageOf(documentTypeView, 'DocumentTypePage') }, ...standardErrors },
      },
      async ({ query, principal }) => ({ status: 200, body: await listDocumentTypes(db, principal.tenantId, query) }),
    ),
    operation(
      {
        method: 'get',
        path: '/document-types/:key',
        summary: 'Get a document type by key or id',
        tag: 'Documents',
        scope: 'catalog:read',
        params: keyParams,
        responses: { 200: { description: 'The document type', schema: documentTypeView }, ...standardErrors, ...catalogErrors },
      },
      async ({ params, principal }) => ({ status: 200, body: await getDocumentType(db, principal.tenantId, params.key) }),
    ),
    operation(
      {
        method: 'put',
        path: '/document-types/:key',
        summary: 'Create a document type, or replace its name, roles and default impact',
        tag: 'Documents',
        scope: 'catalog:write',
        params: z.object({ key: catalogKey }),
        body: documentTypeInput,
        responses: {
          201: { description: 'Created', schema: documentTypeView },
          200: { description: 'Replaced (or unchanged)', schema: documentTypeView },
          ...standardErrors,
          ...unknownReferences('A role key this tenant does not have (unknown_role, naming every one)'),
        },
      },
      async ({ params, body, principal, actor }) => {
        const saved = await putDocumentType(db, principal.tenantId, actor, params.key, body);
        return { status: saved.created ? 201 : 200, body: saved.view };
      },
    ),
    operation(
      {
        method: 'delete',
        path: '/document-types/:key',
        summary: 'Delete a document type no document uses',
        tag: 'Documents',
        scope: 'catalog:write',
        params: keyParams,
        responses: {
          204: { description: 'Deleted' },
          ...standardErrors,
          ...catalogErrors,
          409: { description: 'document_type_in_use: documents are of this type; nothing was deleted', schema: conflictResponse.schema },
        },
      },
      async ({ params, principal, actor }) => {
        await deleteDocumentType(db, principal.tenantId, actor, params.key);
        return { status: 204, body: undefined };
      },
    ),
    operation(
      {
        method: 'get',
        path: '/documents',
        summary: 'List documents, in key order',
        tag: 'Documents',
        scope: 'catalog:read',
        query: pageQuery,
        responses: { 200: { description: 'One page of documents', schema: pageOf(documentView, 'DocumentPage') }, ...standardErrors },
      },
      async ({ query, principal }) => ({ status: 200, body: await listDocuments(db, principal.tenantId, query) }),
    ),
    operation(
      {
        method: 'get',
        path: '/documents/:key',
        summary: 'Get a document by key or id',
        tag: 'Documents',
        scope: 'catalog:read',
        params: keyParams,
        responses: { 200: { description: 'The document', schema: documentView }, ...standardErrors, ...catalogErrors },
      },
      async ({ params, principal }) => ({ status: 200, body: await getDocument(db, principal.tenantId, params.key) }),
    ),
    operation(
      {
        method: 'put',
        path: '/documents/:key',
        summary: 'Create a document, or replace its title, type, required training and settings',
        tag: 'Documents',
        scope: 'catalog:write',
        params: z.object({ key: catalogKey }),
        body: documentInput,
        responses: {
          201: { description: 'Created', schema: documentView },
          200: { description: 'Replaced (or unchanged)', schema: documentView },
          ...standardErrors,
          ...unknownReferences('A document type, course or program this tenant does not have (unknown_document_type, unknown_course, unknown_program)'),
        },
      },
      async ({ params, body, principal, actor }) => {
        const saved = await putDocument(db, principal.tenantId, actor, params.key, body);
        return { status: saved.created ? 201 : 200, body: saved.view };
      },
    ),
    operation(
      {
        method: 'get',
        path: '/documents/:key/versions',
        summary: "List a document's versions, newest first (latest effective date), each with its progress",
        tag: 'Documents',
        scope: 'catalog:read',
        params: keyParams,
        query: pageQuery,
        responses: { 200: { description: 'One page of versions', schema: pageOf(documentVersionView, 'DocumentVersionPage') }, ...standardErrors, ...catalogErrors },
      },
      async ({ params, query, principal }) => ({ status: 200, body: await listDocumentVersions(db, principal.tenantId, params.key, query) }),
    ),
    operation(
      {
        method: 'get',
        path: '/documents/:key/versions/:version',
        summary: 'A version with its status and progress: affected, trained, outstanding, overdue',
        tag: 'Documents',
        scope: 'catalog:read',
        params: versionParams,
        responses: { 200: { description: 'The version', schema: documentVersionView }, ...standardErrors, ...catalogErrors },
      },
      async ({ params, principal }) => ({ status: 200, body: await getDocumentVersion(db, principal.tenantId, params.key, params.version) }),
    ),
    operation(
      {
        method: 'put',
        path: '/documents/:key/versions/:version',
        summary: 'Record a draft version, or edit it while it is a draft',
        tag: 'Documents',
        scope: 'catalog:write',
        params: versionParams,
        body: documentVersionInput,
        responses: {
          201: { description: 'Created as a draft', schema: documentVersionView },
          200: { description: 'The draft as edited, or the version unchanged', schema: documentVersionView },
          ...standardErrors,
          ...catalogErrors,
          409: { description: 'version_not_draft: the version was approved (or is effective, superseded, withdrawn); its content no longer changes', schema: errorResponse },
          ...unknownReferences('An author this tenant does not have (unknown_person, naming every one), or one matching several people (ambiguous_person)'),
        },
      },
      async ({ params, body, principal, actor }) => {
        const saved = await putDocumentVersion(db, principal.tenantId, actor, params.key, params.version, { ...body, authors: body.authors.map(toPersonReference) });
        return { status: saved.created ? 201 : 200, body: saved.view };
      },
    ),
    operation(
      {
        method: 'get',
        path: '/documents/:key/versions/:version/trainings',
        summary: 'Who a version asks training of, and why (role → document type → training), in name order',
        tag: 'Documents',
        scope: 'catalog:read',
        params: versionParams,
        query: trainingsQuery,
        responses: {
          200: { description: 'One page of people with their training on this version', schema: pageOf(versionTrainingView, 'DocumentVersionTrainingPage') },
          ...standardErrors,
          ...catalogErrors,
        },
      },
      async ({ params, query, principal }) => {
        const { status, ...page } = query;
        return { status: 200, body: await listVersionTrainings(db, principal.tenantId, params.key, params.version, { status }, page) };
      },
    ),
    operation(
      {
        method: 'get',
        path: '/people/:id/documents',
        summary: 'Every document version a person owes or has done training on, newest first, and why',
        tag: 'People',
        scope: 'people:read',
        params: idParams,
        responses: {
          200: { description: "The person's document training (obsolete rows left out)", schema: z.object({ data: z.array(personDocumentView) }).meta({ id: 'PersonDocuments' }) },
          ...standardErrors,
          404: { description: 'No such person in this tenant', schema: errorResponse },
        },
      },
      async ({ params, principal }) => ({ status: 200, body: { data: await personDocuments(db, principal.tenantId, params.id) } }),
    ),
  ];
}
