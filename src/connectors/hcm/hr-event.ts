import { z } from 'zod';
import type { HireCommand } from '../../services/people';

/** trainhub's HR event format, which HR systems (or their middleware) post to /hr/events. */
const hirePerson = z.object({
  externalId: z.string().trim().min(1).max(200).meta({ description: "The person's id in the HR system" }),
  email: z.email(),
  name: z.string().trim().min(1).max(300),
  department: z.string().trim().min(1).max(200).optional(),
  managerExternalId: z.string().trim().min(1).max(200).optional().meta({ description: "The manager's externalId in the same source" }),
  hireDate: z.iso.date().meta({ description: 'YYYY-MM-DD; due dates count from it' }),
  roles: z.array(z.string().trim().min(1).max(100)).min(1).meta({ description: 'Role keys as configured in trainhub' }),
});

const hireEvent = z.object({
  type: z.literal('hire'),
  eventId: z.string().trim().min(1).max(200).meta({ description: 'Unique per event in the source: a repeated delivery is recognised by it' }),
  source: z.string().trim().min(1).max(100).meta({ description: 'The HR system, e.g. workday' }),
  occurredAt: z.iso.datetime({ offset: true }).optional(),
  person: hirePerson,
});

export const hrEventSchema = z.discriminatedUnion('type', [hireEvent]).meta({ id: 'HrEvent' });
export type HrEvent = z.output<typeof hrEventSchema>;

export function toHireCommand(event: HrEvent): HireCommand {
  const { person } = event;
  return {
    source: event.source,
    eventId: event.eventId,
    occurredAt: event.occurredAt ? new Date(event.occurredAt) : undefined,
    person: {
      externalId: person.externalId,
      email: person.email.toLowerCase(),
      name: person.name,
      department: person.department,
      managerExternalId: person.managerExternalId,
      hireDate: new Date(`${person.hireDate}T00:00:00Z`),
      roleKeys: [...new Set(person.roles)],
    },
  };
}
