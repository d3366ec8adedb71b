import { z } from 'zod';
import { hrEventSchema, toHrCommand } from '../schemas/hr-event';
import type { Db } from '../../db/client';
import { recordHrEvent } from '../../services/onboarding/hr-events';
import { findRequestsToReroute } from '../../services/renewals/requests';
import type { Processes } from '../../temporal/processes';
import { operation } from '../operation';
import { errorResponse, standardErrors } from '../schemas/common';

const hrEventAccepted = z
  .object({
    personId: z.uuid(),
    type: z.enum(['hire', 'transfer', 'leave', 'return', 'terminate']),
    workflowId: z.string(),
    duplicate: z.boolean(),
    changes: z.object({ assigned: z.number(), reassigned: z.number(), waived: z.number(), cancelled: z.number() }),
  })
  .meta({ id: 'HrEventAccepted' });

export function hrEventOperations(db: Db, processes: Processes) {
  return [
    operation(
      {
        method: 'post',
        path: '/hr/events',
        summary: 'Report an HR event: hire, transfer, leave, return or terminate',
        tag: 'HR',
        scope: 'hr:write',
        body: hrEventSchema,
        responses: {
          202: { description: 'Recorded and applied; the person\'s training process was started or told', schema: hrEventAccepted },
          200: { description: 'This event (source + eventId) was delivered before; nothing changed', schema: hrEventAccepted },
          ...standardErrors,
          409: { description: 'The person is terminated; only a hire brings them back', schema: errorResponse },
          422: { description: 'The event names a role or person this tenant does not have', schema: errorResponse },
          503: { description: 'The workflow engine is unavailable; the event is kept, retry to deliver it', schema: errorResponse },
        },
      },
      async ({ body, principal, req, actor }) => {
        const outcome = await recordHrEvent(db, principal.tenantId, actor, toHrCommand(body));
        // Also on a duplicate: an earlier delivery may have been recorded while Temporal was down.
        const workflowId = await processes.afterHrEvent(principal.tenantId, outcome.personId, outcome.type, { firstDelivery: !outcome.duplicate });
        if (outcome.type === 'transfer' || outcome.type === 'terminate') {
          // Approval steps this person approves, or whose approver follows from their position, move.
          const renewals = await findRequestsToReroute(db, principal.tenantId, [outcome.personId]);
          await processes.rerouteApprovals(renewals.map((r) => r.workflowId), [outcome.personId]);
        }
        return { status: outcome.duplicate ? 200 : 202, body: { ...outcome, workflowId } };
      },
    ),
  ];
}
