import { z } from 'zod';
import type { Db } from '../../db/client';
import { listPersonAssignments } from '../../services/onboarding/assignments';
import { complianceReport } from '../../services/onboarding/compliance';
import { courseLaunches } from '../../services/scorm/launches';
import type { PlayerLinkSettings } from '../../services/scorm/player-links';
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
    courses: z.array(
      z.object({
        key: z.string(),
        title: z.string(),
        launchUrl: z.string().nullable().meta({ description: "A short-lived link that opens the course in trainhub's SCORM player; null when trainhub hosts no package for it" }),
        attempt: z.object({ number: z.number().int(), state: z.enum(['open', 'completed', 'failed']) }).nullable().meta({ description: "The person's latest attempt in the player" }),
      }),
    ),
  })
  .meta({ id: 'Assignment' });

export function peopleOperations(db: Db, player: PlayerLinkSettings, publicUrl: string) {
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
      async ({ params, principal }) => {
        const [assignments, launches] = await Promise.all([
          listPersonAssignments(db, principal.tenantId, params.id),
          courseLaunches(db, player, publicUrl, principal.tenantId, params.id),
        ]);
        return { status: 200, body: { data: assignments.map((a) => ({ ...a, courses: launches.get(a.programKey) ?? [] })) } };
      },
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
