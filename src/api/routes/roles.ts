import { z } from 'zod';
import type { Db } from '../../db/client';
import { createRole, deleteRole, getRole, listRoles, updateRole } from '../../services/catalog/roles';
import { catalogErrors, catalogKey, changesOf, conflictResponse, displayName, keyParams, pageOf, pageQuery } from '../schemas/catalog';
import { operation } from '../operation';
import { standardErrors } from '../schemas/common';

const roleView = z
  .object({ id: z.uuid(), key: z.string(), name: z.string(), createdAt: z.string() })
  .meta({ id: 'Role' });

const roleInput = z.strictObject({ key: catalogKey, name: displayName }).meta({ id: 'RoleInput' });
const roleChanges = changesOf({ name: displayName.optional() }, 'RoleChanges');

/** The organisational roles the training matrix keys on (HR events name them by key). */
export function roleOperations(db: Db) {
  return [
    operation(
      {
        method: 'get',
        path: '/roles',
        summary: 'List roles, in key order',
        tag: 'Catalog',
        scope: 'catalog:read',
        query: pageQuery,
        responses: { 200: { description: 'One page of roles', schema: pageOf(roleView, 'RolePage') }, ...standardErrors },
      },
      async ({ query, principal, actor }) => ({ status: 200, body: await listRoles(db, principal.tenantId, query) }),
    ),
    operation(
      {
        method: 'get',
        path: '/roles/:key',
        summary: 'Get a role by key or id',
        tag: 'Catalog',
        scope: 'catalog:read',
        params: keyParams,
        responses: { 200: { description: 'The role', schema: roleView }, ...standardErrors, ...catalogErrors },
      },
      async ({ params, principal, actor }) => ({ status: 200, body: await getRole(db, principal.tenantId, params.key) }),
    ),
    operation(
      {
        method: 'post',
        path: '/roles',
        summary: 'Create a role',
        tag: 'Catalog',
        scope: 'catalog:write',
        body: roleInput,
        responses: { 201: { description: 'Created', schema: roleView }, ...standardErrors, 409: conflictResponse },
      },
      async ({ body, principal, req, actor }) => ({ status: 201, body: await createRole(db, principal.tenantId, actor, body) }),
    ),
    operation(
      {
        method: 'patch',
        path: '/roles/:key',
        summary: 'Rename a role (its key never changes)',
        tag: 'Catalog',
        scope: 'catalog:write',
        params: keyParams,
        body: roleChanges,
        responses: { 200: { description: 'The role as saved', schema: roleView }, ...standardErrors, ...catalogErrors },
      },
      async ({ body, params, principal, req, actor }) => ({
        status: 200,
        body: await updateRole(db, principal.tenantId, actor, params.key, body),
      }),
    ),
    operation(
      {
        method: 'delete',
        path: '/roles/:key',
        summary: 'Delete a role that no requirement names and nobody holds',
        tag: 'Catalog',
        scope: 'catalog:write',
        params: keyParams,
        responses: {
          204: { description: 'Deleted' },
          ...standardErrors,
          ...catalogErrors,
          409: { description: 'role_in_use: requirements name it or people hold it; nothing was deleted', schema: conflictResponse.schema },
        },
      },
      async ({ params, principal, req, actor }) => {
        await deleteRole(db, principal.tenantId, actor, params.key);
        return { status: 204, body: undefined };
      },
    ),
  ];
}
