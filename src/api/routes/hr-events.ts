import { z } from 'zod';
import type { Db } from '../../db/client';
import { recordHrEvent } from '../../services/onboarding/hr-events';
import type { CommandDelivery } from '../../services/processes/operations';
import { operation } from '../operation';
import { errorResponse, standardErrors } from '../schemas/common';
import { hrEventSchema, toHrCommand } from '../schemas/hr-event';

const hrEventAccepted = z
  .object({
    personId: z.uuid(),
    type: z.enum(['hire', 'transfer', 'leave', 'return', 'terminate']),
    workflowId: z.string().meta({ description: "The person's training process, which the event starts or tells" }),
    duplicate: z.boolean(),
    changes: z.object({
      assigned: z.number(),
      reassigned: z.number(),
      waived: z.number(),
      cancelled: z.number(),
      extended: z.number().meta({ description: 'Due dates moved on by the leave that ended (a return, where the tenant extends due dates for leave)' }),
    }),
  })
  .meta({ id: 'HrEventAccepted' });

export function hrEventOperations(db: Db, delivery: CommandDelivery) {
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
          202: {
            description: "Recorded and applied, with the commands for the person's training process (and any renewal approvals the person takes part in): delivered now, or as soon as Temporal is reachable",
            schema: hrEventAccepted,
          },
          200: { description: 'This event (source + eventId) was delivered before; nothing changed', schema: hrEventAccepted },
          ...standardErrors,
          409: { description: 'The person is terminated; only a hire brings them back', schema: errorResponse },
          422: { description: 'The event names a role or person this tenant does not have', schema: errorResponse },
        },
      },
      async ({ body, principal, actor }) => {
        const outcome = await recordHrEvent(db, delivery, principal.tenantId, actor, toHrCommand(body));
        return { status: outcome.duplicate ? 200 : 202, body: outcome };
      },
    ),
  ];
}
