import { z } from 'zod';
import type { Db } from '../../db/client';
import { createProgram, deleteProgram, getProgram, listPrograms, updateProgram } from '../../services/catalog/programs';
import {
  catalogErrors,
  catalogKey,
  changesOf,
  conflictResponse,
  displayName,
  keyParams,
  keyReference,
  pageOf,
  pageQuery,
  unknownReferenceResponse,
} from '../schemas/catalog';
import { operation } from '../operation';
import { standardErrors } from '../schemas/common';

const reference = z.object({ id: z.uuid(), key: z.string(), title: z.string() });

const programView = z
  .object({
    id: z.uuid(),
    key: z.string(),
    title: z.string(),
    courses: z.array(reference).meta({ description: 'In the order they are taken' }),
    prerequisites: z.array(reference).meta({ description: 'Programs that must be complete before this one is assigned' }),
    createdAt: z.string(),
  })
  .meta({ id: 'Program' });

const distinct = (keys: string[]) => new Set(keys).size === keys.length;

const courseKeys = z
  .array(keyReference)
  .min(1, { error: 'A program needs at least one course' })
  .refine(distinct, { error: 'Each course may appear only once' })
  .meta({ description: 'Course keys, in the order they are taken', uniqueItems: true });

const prerequisiteKeys = z
  .array(keyReference)
  .refine(distinct, { error: 'Each prerequisite may appear only once' })
  .meta({ description: 'Keys of the programs that must be complete first', uniqueItems: true });

const programInput = z
  .strictObject({ key: catalogKey, title: displayName, courses: courseKeys, prerequisites: prerequisiteKeys.default([]) })
  .meta({ id: 'ProgramInput' });

const programChanges = changesOf(
  { title: displayName.optional(), courses: courseKeys.optional(), prerequisites: prerequisiteKeys.optional() },
  'ProgramChanges',
);

/** Programs: ordered courses, and the programs that must be complete before one is assigned. */
export function programOperations(db: Db) {
  return [
    operation(
      {
        method: 'get',
        path: '/programs',
        summary: 'List programs with their courses and prerequisites, in key order',
        tag: 'Catalog',
        scope: 'catalog:read',
        query: pageQuery,
        responses: { 200: { description: 'One page of programs', schema: pageOf(programView, 'ProgramPage') }, ...standardErrors },
      },
      async ({ query, principal, actor }) => ({ status: 200, body: await listPrograms(db, principal.tenantId, query) }),
    ),
    operation(
      {
        method: 'get',
        path: '/programs/:key',
        summary: 'Get a program by key or id',
        tag: 'Catalog',
        scope: 'catalog:read',
        params: keyParams,
        responses: { 200: { description: 'The program', schema: programView }, ...standardErrors, ...catalogErrors },
      },
      async ({ params, principal, actor }) => ({ status: 200, body: await getProgram(db, principal.tenantId, params.key) }),
    ),
    operation(
      {
        method: 'post',
        path: '/programs',
        summary: 'Create a program from existing courses, optionally after other programs',
        tag: 'Catalog',
        scope: 'catalog:write',
        body: programInput,
        responses: {
          201: { description: 'Created', schema: programView },
          ...standardErrors,
          409: conflictResponse,
          422: unknownReferenceResponse,
        },
      },
      async ({ body, principal, req, actor }) => ({ status: 201, body: await createProgram(db, principal.tenantId, actor, body) }),
    ),
    operation(
      {
        method: 'patch',
        path: '/programs/:key',
        summary: 'Retitle a program, or replace its courses or prerequisites (its key never changes)',
        tag: 'Catalog',
        scope: 'catalog:write',
        params: keyParams,
        body: programChanges,
        responses: {
          200: { description: 'The program as saved', schema: programView },
          ...standardErrors,
          ...catalogErrors,
          422: unknownReferenceResponse,
        },
      },
      async ({ body, params, principal, req, actor }) => ({
        status: 200,
        body: await updateProgram(db, principal.tenantId, actor, params.key, body),
      }),
    ),
    operation(
      {
        method: 'delete',
        path: '/programs/:key',
        summary: 'Delete a program no requirement, assignment or other program uses',
        tag: 'Catalog',
        scope: 'catalog:write',
        params: keyParams,
        responses: {
          204: { description: 'Deleted' },
          ...standardErrors,
          ...catalogErrors,
          409: {
            description: 'program_in_use: requirements name it, people were assigned it, or other programs need it; nothing was deleted',
            schema: conflictResponse.schema,
          },
        },
      },
      async ({ params, principal, req, actor }) => {
        await deleteProgram(db, principal.tenantId, actor, params.key);
        return { status: 204, body: undefined };
      },
    ),
  ];
}
