import { z } from 'zod';
import { hrEventSchema, toHireCommand } from '../../connectors/hcm/hr-event';
import type { Db } from '../../db/client';
import { recordHire } from '../../services/people';
import type { Processes } from '../../temporal/processes';
import { operation } from '../operation';
import { errorResponse, standardErrors } from '../schemas';

const hireAccepted = z.object({ personId: z.uuid(), workflowId: z.string(), duplicate: z.boolean() }).meta({ id: 'HrEventAccepted' });

export function hrEventOperations(db: Db, processes: Processes) {
  return [
    operation(
      {
        method: 'post',
        path: '/hr/events',
        summary: 'Report an HR event (hire); starts the person\'s onboarding',
        tag: 'HR',
        scope: 'hr:write',
        body: hrEventSchema,
        responses: {
          202: { description: 'Recorded; onboarding started', schema: hireAccepted },
          200: { description: 'This event was delivered before; nothing changed', schema: hireAccepted },
          ...standardErrors,
          422: { description: 'The event names a role this tenant does not have', schema: errorResponse },
          503: { description: 'The workflow engine is unavailable; retry', schema: errorResponse },
        },
      },
      async ({ body, principal, req }) => {
        const outcome = await recordHire(db, principal.tenantId, { type: 'api_client', id: principal.clientId, requestId: req.id }, toHireCommand(body));
        // Also on a duplicate: an earlier delivery may have been recorded while Temporal was down.
        const workflowId = await processes.startOnboarding(principal.tenantId, outcome.personId);
        return { status: outcome.duplicate ? 200 : 202, body: { ...outcome, workflowId } };
      },
    ),
  ];
}
