import { z } from 'zod';
import type { Db } from '../../db/client';
import { createCourse, deleteCourse, getCourse, listCourses, updateCourse } from '../../services/catalog/courses';
import { catalogErrors, catalogKey, changesOf, conflictResponse, displayName, keyParams, pageOf, pageQuery } from '../schemas/catalog';
import { operation } from '../operation';
import { standardErrors } from '../schemas/common';

const courseView = z
  .object({ id: z.uuid(), key: z.string(), title: z.string(), createdAt: z.string() })
  .meta({ id: 'Course' });

const courseInput = z.strictObject({ key: catalogKey, title: displayName }).meta({ id: 'CourseInput' });
const courseChanges = changesOf({ title: displayName.optional() }, 'CourseChanges');

/** The courses programs are made of (LMS completions name them by key). */
export function courseOperations(db: Db) {
  return [
    operation(
      {
        method: 'get',
        path: '/courses',
        summary: 'List courses, in key order',
        tag: 'Catalog',
        scope: 'catalog:read',
        query: pageQuery,
        responses: { 200: { description: 'One page of courses', schema: pageOf(courseView, 'CoursePage') }, ...standardErrors },
      },
      async ({ query, principal, actor }) => ({ status: 200, body: await listCourses(db, principal.tenantId, query) }),
    ),
    operation(
      {
        method: 'get',
        path: '/courses/:key',
        summary: 'Get a course by key or id',
        tag: 'Catalog',
        scope: 'catalog:read',
        params: keyParams,
        responses: { 200: { description: 'The course', schema: courseView }, ...standardErrors, ...catalogErrors },
      },
      async ({ params, principal, actor }) => ({ status: 200, body: await getCourse(db, principal.tenantId, params.key) }),
    ),
    operation(
      {
        method: 'post',
        path: '/courses',
        summary: 'Create a course',
        tag: 'Catalog',
        scope: 'catalog:write',
        body: courseInput,
        responses: { 201: { description: 'Created', schema: courseView }, ...standardErrors, 409: conflictResponse },
      },
      async ({ body, principal, req, actor }) => ({ status: 201, body: await createCourse(db, principal.tenantId, actor, body) }),
    ),
    operation(
      {
        method: 'patch',
        path: '/courses/:key',
        summary: 'Retitle a course (its key never changes)',
        tag: 'Catalog',
        scope: 'catalog:write',
        params: keyParams,
        body: courseChanges,
        responses: { 200: { description: 'The course as saved', schema: courseView }, ...standardErrors, ...catalogErrors },
      },
      async ({ body, params, principal, req, actor }) => ({
        status: 200,
        body: await updateCourse(db, principal.tenantId, actor, params.key, body),
      }),
    ),
    operation(
      {
        method: 'delete',
        path: '/courses/:key',
        summary: 'Delete a course that no program contains and nobody has completed',
        tag: 'Catalog',
        scope: 'catalog:write',
        params: keyParams,
        responses: {
          204: { description: 'Deleted' },
          ...standardErrors,
          ...catalogErrors,
          409: { description: 'course_in_use: programs contain it or completions record it; nothing was deleted', schema: conflictResponse.schema },
        },
      },
      async ({ params, principal, req, actor }) => {
        await deleteCourse(db, principal.tenantId, actor, params.key);
        return { status: 204, body: undefined };
      },
    ),
  ];
}
