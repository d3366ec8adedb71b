import { z } from 'zod';
import type { Db } from '../../db/client';
import type { ApiPrincipal } from '../../services/identity/api-keys';
import type { Actor } from '../../services/audit/trail';
import type { Processes } from '../../temporal/processes';
import { createRequirement, deleteRequirement, getRequirement, listRequirements, updateRequirement } from '../../services/catalog/requirements';
import { catalogErrors, changesOf, conflictResponse, keyReference, pageOf, pageQuery } from '../schemas/catalog';
import { operation } from '../operation';
import { applyMatrixChange, matrixSyncReport } from './training-matrix';
import { errorResponse, idParams, standardErrors } from '../schemas/common';

const unknownReference = { description: 'unknown_role / unknown_program: the tenant has no role or program with that key', schema: errorResponse };

const dueAnchor = z.enum(['hire_date', 'assignment_date']);

const requirementView = z
  .object({
    id: z.uuid(),
    role: z.object({ id: z.uuid(), key: z.string() }),
    program: z.object({ id: z.uuid(), key: z.string() }),
    department: z.string().nullable(),
    location: z.string().nullable(),
    mandatory: z.boolean(),
    dueOffsetDays: z.int(),
    dueRelativeTo: dueAnchor,
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Requirement' });

const filterValue = z.string().trim().min(1).max(200);
const terms = {
  department: filterValue.nullable().optional().meta({ description: 'Only people in this department; null or absent: any' }),
  location: filterValue.nullable().optional().meta({ description: 'Only people at this location; null or absent: any' }),
  dueOffsetDays: z
    .int({ error: 'Must be a whole number of days' })
    .min(0, { error: 'Must be 0 or more days' })
    .max(3650, { error: 'Must be at most 3650 days' })
    .meta({ description: 'Days after the anchor (hire date or assignment date) by which the program is due' }),
  dueRelativeTo: dueAnchor.meta({ description: 'What the due offset counts from' }),
};

const requirementInput = z
  .strictObject({
    role: keyReference.meta({ description: 'Role key' }),
    program: keyReference.meta({ description: 'Program key' }),
    department: terms.department,
    location: terms.location,
    mandatory: z.boolean().default(true),
    dueOffsetDays: terms.dueOffsetDays,
    dueRelativeTo: terms.dueRelativeTo.default('hire_date'),
  })
  .meta({ id: 'RequirementInput' });

const requirementChanges = changesOf(
  {
    role: keyReference.optional(),
    program: keyReference.optional(),
    department: terms.department,
    location: terms.location,
    mandatory: z.boolean().optional(),
    dueOffsetDays: terms.dueOffsetDays.optional(),
    dueRelativeTo: terms.dueRelativeTo.optional(),
  },
  'RequirementChanges',
);

const requirementQuery = pageQuery.extend({
  role: keyReference.optional().meta({ description: 'Only the requirements of this role (key)' }),
  program: keyReference.optional().meta({ description: 'Only the requirements of this program (key)' }),
});

/** The training matrix: which role (optionally only in a department / location) owes which program, by when. */
export function requirementOperations(db: Db, processes: Processes) {
  // Every change to the matrix is applied to everyone at once (set-based) and reported with the rule.
  const synced = async (requirement: object, principal: ApiPrincipal, actor: Actor) => ({
    ...requirement,
    matrixSync: await applyMatrixChange(db, processes, principal.tenantId, actor),
  });
  return [
    operation(
      {
        method: 'get',
        path: '/requirements',
        summary: 'List the training matrix, oldest rule first',
        tag: 'Catalog',
        scope: 'catalog:read',
        query: requirementQuery,
        responses: { 200: { description: 'One page of requirements', schema: pageOf(requirementView, 'RequirementPage') }, ...standardErrors },
      },
      async ({ query, principal, actor }) => {
        const { role, program, ...page } = query;
        return { status: 200, body: await listRequirements(db, principal.tenantId, { role, program }, page) };
      },
    ),
    operation(
      {
        method: 'get',
        path: '/requirements/:id',
        summary: 'Get a requirement',
        tag: 'Catalog',
        scope: 'catalog:read',
        params: idParams,
        responses: { 200: { description: 'The requirement', schema: requirementView }, ...standardErrors, ...catalogErrors },
      },
      async ({ params, principal, actor }) => ({ status: 200, body: await getRequirement(db, principal.tenantId, params.id) }),
    ),
    operation(
      {
        method: 'post',
        path: '/requirements',
        summary: 'Add a rule to the training matrix',
        tag: 'Catalog',
        scope: 'catalog:write',
        body: requirementInput,
        responses: {
          201: { description: 'Created, and applied to everyone it concerns', schema: requirementView.extend({ matrixSync: matrixSyncReport }) },
          ...standardErrors,
          409: { description: 'duplicate_requirement: the role already has this program for the same department and location', schema: conflictResponse.schema },
          422: unknownReference,
        },
      },
      async ({ body, principal, req, actor }) => ({
        status: 201,
        body: await synced(await createRequirement(db, principal.tenantId, actor, body), principal, actor),
      }),
    ),
    operation(
      {
        method: 'patch',
        path: '/requirements/:id',
        summary: 'Change the terms of a rule',
        tag: 'Catalog',
        scope: 'catalog:write',
        params: idParams,
        body: requirementChanges,
        responses: {
          200: { description: 'The requirement as saved, and what applying it changed', schema: requirementView.extend({ matrixSync: matrixSyncReport }) },
          ...standardErrors,
          ...catalogErrors,
          409: { description: 'duplicate_requirement: the change would repeat another rule', schema: conflictResponse.schema },
          422: unknownReference,
        },
      },
      async ({ body, params, principal, req, actor }) => ({
        status: 200,
        body: await synced(await updateRequirement(db, principal.tenantId, actor, params.id, body), principal, actor),
      }),
    ),
    operation(
      {
        method: 'delete',
        path: '/requirements/:id',
        summary: 'Remove a rule from the training matrix: open assignments no other rule requires are waived, finished ones kept',
        tag: 'Catalog',
        scope: 'catalog:write',
        params: idParams,
        responses: { 204: { description: 'Deleted' }, ...standardErrors, ...catalogErrors },
      },
      async ({ params, principal, req, actor }) => {
        await deleteRequirement(db, principal.tenantId, actor, params.id);
        await applyMatrixChange(db, processes, principal.tenantId, actor);
        return { status: 204, body: undefined };
      },
    ),
  ];
}
