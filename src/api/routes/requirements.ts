import { z } from 'zod';
import type { Db } from '../../db/client';
import { getRequirement, listRequirements } from '../../services/catalog/requirements';
import { changeTrainingMatrix, type MatrixChange } from '../../services/onboarding/matrix-changes';
import { fingerprintOf, type CommandDelivery } from '../../services/processes/operations';
import type { Actor } from '../../services/audit/trail';
import { catalogErrors, changesOf, conflictResponse, keyReference, pageOf, pageQuery } from '../schemas/catalog';
import { operation } from '../operation';
import { keyReused, operationAccepted, replayed } from './training-matrix';
import { idempotencyHeaders, operationView } from '../schemas/operation';
import { errorResponse, idParams, standardErrors, text } from '../schemas/common';

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

const filterValue = text(200);
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
export function requirementOperations(db: Db, delivery: CommandDelivery) {
  // Every change to the matrix is recorded with an operation that applies it to everyone (202).
  const change = async (tenantId: string, actor: Actor, matrixChange: MatrixChange, key: string | undefined, fingerprint: unknown[]) => {
    const accepted = await changeTrainingMatrix(db, delivery, tenantId, actor, matrixChange, key ? { key, fingerprint: fingerprintOf(fingerprint) } : undefined);
    return {
      status: 202,
      body: { ...(accepted.requirement ?? {}), operation: accepted.operation },
      headers: replayed(accepted.repeated),
    };
  };
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
        headers: idempotencyHeaders,
        body: requirementInput,
        responses: {
          202: {
            description: 'Created; the operation that applies it to everyone it concerns runs in the background (GET /operations/{id})',
            schema: requirementView.extend({ operation: operationView }).meta({ id: 'RequirementChangeAccepted' }),
          },
          ...standardErrors,
          409: { description: 'duplicate_requirement: the role already has this program for the same department and location; idempotency_key_reused', schema: conflictResponse.schema },
          422: unknownReference,
        },
      },
      async ({ body, principal, actor, headers }) =>
        change(principal.tenantId, actor, { change: 'requirement.created', input: body }, headers['idempotency-key'], ['POST', '/requirements', body]),
    ),
    operation(
      {
        method: 'patch',
        path: '/requirements/:id',
        summary: 'Change the terms of a rule',
        tag: 'Catalog',
        scope: 'catalog:write',
        params: idParams,
        headers: idempotencyHeaders,
        body: requirementChanges,
        responses: {
          202: {
            description: 'The requirement as saved; the operation that applies the change to everyone runs in the background',
            schema: requirementView.extend({ operation: operationView }).meta({ id: 'RequirementChangeAccepted' }),
          },
          ...standardErrors,
          ...catalogErrors,
          409: { description: 'duplicate_requirement: the change would repeat another rule; idempotency_key_reused', schema: conflictResponse.schema },
          422: unknownReference,
        },
      },
      async ({ body, params, principal, actor, headers }) =>
        change(principal.tenantId, actor, { change: 'requirement.updated', id: params.id, changes: body }, headers['idempotency-key'], ['PATCH', params.id, body]),
    ),
    operation(
      {
        method: 'delete',
        path: '/requirements/:id',
        summary: 'Remove a rule from the training matrix: open assignments no other rule requires are waived, finished ones kept',
        tag: 'Catalog',
        scope: 'catalog:write',
        params: idParams,
        headers: idempotencyHeaders,
        responses: {
          202: { description: 'Deleted; the operation that applies the change to everyone runs in the background', schema: operationAccepted },
          ...standardErrors,
          ...catalogErrors,
          ...keyReused,
        },
      },
      async ({ params, principal, actor, headers }) => {
        const accepted = await change(principal.tenantId, actor, { change: 'requirement.deleted', id: params.id }, headers['idempotency-key'], ['DELETE', params.id]);
        return { ...accepted, body: { operation: accepted.body.operation } };
      },
    ),
  ];
}
