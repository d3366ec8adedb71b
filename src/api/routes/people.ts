import { z } from 'zod';
import type { Db } from '../../db/client';
import { listPersonAssignments } from '../../services/onboarding/assignments';
import { complianceReport } from '../../services/onboarding/compliance';
import { operation } from '../operation';
import { errorResponse, idParams, standardErrors } from '../schemas/common';

const assignmentView = z
  .object({
    id: z.uuid(),
    programKey: z.string(),
    programTitle: z.string(),
    mandatory: z.boolean(),
    status: z.enum(['assigned', 'in_progress', 'completed', 'overdue', 'waived', 'cancelled']),
    assignedAt: z.string(),
    dueDate: z.string().meta({ description: 'YYYY-MM-DD' }),
    completedAt: z.string().nullable(),
  })
  .meta({ id: 'Assignment' });

export function peopleOperations(db: Db) {
  return [
    operation(
      {
        method: 'get',
        path: '/people/:id/assignments',
        summary: "List a person's assignments",
        tag: 'People',
        scope: 'people:read',
        params: idParams,
        responses: {
          200: { description: 'The assignments, earliest due first', schema: z.object({ data: z.array(assignmentView) }) },
          ...standardErrors,
          404: { description: 'No such person in this tenant', schema: errorResponse },
        },
      },
      async ({ params, principal }) => ({ status: 200, body: { data: await listPersonAssignments(db, principal.tenantId, params.id) } }),
    ),
    operation(
      {
        method: 'get',
        path: '/people/:id/compliance',
        summary: 'What a person owes, why (role and rule), and where each item stands',
        tag: 'People',
        scope: 'people:read',
        params: idParams,
        responses: {
          200: { description: "The person's compliance state and every item with its provenance" },
          ...standardErrors,
          404: { description: 'No such person in this tenant', schema: errorResponse },
        },
      },
      async ({ params, principal }) => ({ status: 200, body: await complianceReport(db, principal.tenantId, params.id) }),
    ),
  ];
}
