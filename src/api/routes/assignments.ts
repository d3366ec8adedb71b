import { z } from 'zod';
import { progressSchema, toProgressCommand } from '../schemas/progress-report';
import type { Db } from '../../db/client';
import { recordProgress, waiveAssignment } from '../../services/onboarding/assignment-changes';
import type { CommandDelivery } from '../../services/processes/operations';
import { operation } from '../operation';
import { errorResponse, idParams, standardErrors, text } from '../schemas/common';

const waiveBody = z.strictObject({ reason: text(1000, 3).meta({ description: 'Why the person is exempt; kept in the audit trail' }) });

export function assignmentOperations(db: Db, delivery: CommandDelivery) {
  return [
    operation(
      {
        method: 'post',
        path: '/assignments/:id/waive',
        summary: 'Exempt a person from an open assignment, with a reason',
        tag: 'Assignments',
        scope: 'assignments:write',
        params: idParams,
        body: waiveBody,
        responses: {
          200: { description: "Waived; the person's training process re-reads what they owe" },
          ...standardErrors,
          404: { description: 'No such assignment in this tenant', schema: errorResponse },
          409: { description: 'The assignment is not open', schema: errorResponse },
        },
      },
      async ({ params, body, principal, actor }) => {
        const waived = await waiveAssignment(db, delivery, principal.tenantId, actor, params.id, body.reason);
        return { status: 200, body: { id: waived.id, status: waived.status, statusReason: waived.statusReason, statusAt: waived.statusAt.toISOString() } };
      },
    ),
    operation(
      {
        method: 'post',
        path: '/progress',
        summary: 'Report that a course was started, or how far it got (from an LMS)',
        tag: 'Completions',
        scope: 'completions:write',
        body: progressSchema,
        responses: {
          200: { description: 'The assignments whose program contains the course, as they now stand' },
          ...standardErrors,
          422: { description: 'No such person or course in this tenant', schema: errorResponse },
        },
      },
      async ({ body, principal, req, actor }) => {
        const result = await recordProgress(db, principal.tenantId, actor, toProgressCommand(body, new Date()));
        return { status: 200, body: result };
      },
    ),
  ];
}
