import { z } from 'zod';
import type { HrCommand } from '../../services/onboarding/hr-events';
import { calendarDate, emailAddress, moment, text } from './common';

/** trainhub's HR event format, which HR systems (or their middleware) post to /hr/events. */
const externalId = text(200);
const roleKeys = z.array(text(100)).min(1).meta({ description: 'Role keys as configured in trainhub' });
const department = text(200);
const location = text(200);

const envelope = {
  eventId: text(200).meta({ description: 'Unique per event in the source: a repeated delivery is recognised by it' }),
  source: text(100).meta({ description: 'The HR system, e.g. workday' }),
  occurredAt: moment(730).optional().meta({ description: 'When it took effect; at most two years ahead' }),
};

const hireEvent = z
  .object({
    type: z.literal('hire'),
    ...envelope,
    person: z.strictObject({
      externalId: externalId.meta({ description: "The person's id in the HR system" }),
      email: emailAddress(),
      name: text(300),
      department: department.optional(),
      location: location.optional(),
      managerExternalId: externalId.optional().meta({ description: "The manager's externalId in the same source" }),
      hireDate: calendarDate(730).meta({ description: 'YYYY-MM-DD, from 1900 to two years ahead; due dates count from it' }),
      roles: roleKeys,
    }),
  })
  .meta({ id: 'HireEvent', description: 'A new hire (or a rehire): starts onboarding' });

const transferEvent = z
  .object({
    type: z.literal('transfer'),
    ...envelope,
    person: z.strictObject({
      externalId,
      roles: roleKeys.optional(),
      department: department.nullable().optional(),
      location: location.nullable().optional(),
      managerExternalId: externalId.nullable().optional().meta({ description: 'null removes the manager' }),
      email: emailAddress().optional(),
      name: text(300).optional(),
    }),
  })
  .meta({ id: 'TransferEvent', description: 'A change of role, department, location or manager: requirements are recomputed' });

const statusEvent = (type: 'leave' | 'return' | 'terminate', description: string) =>
  z.object({ type: z.literal(type), ...envelope, person: z.strictObject({ externalId }) }).meta({ id: `${type[0]!.toUpperCase()}${type.slice(1)}Event`, description });

export const hrEventSchema = z
  .discriminatedUnion('type', [
    hireEvent,
    transferEvent,
    statusEvent('leave', 'The person goes on leave: reminders pause'),
    statusEvent('return', 'The person returns from leave: reminders resume'),
    statusEvent('terminate', 'The person leaves the company: open assignments are cancelled and onboarding ends'),
  ])
  .meta({ id: 'HrEvent' });
export type HrEvent = z.output<typeof hrEventSchema>;

export function toHrCommand(event: HrEvent): HrCommand {
  const base = { source: event.source, eventId: event.eventId, occurredAt: event.occurredAt ? new Date(event.occurredAt) : undefined };
  switch (event.type) {
    case 'hire': {
      const { person } = event;
      return {
        ...base,
        type: 'hire',
        person: {
          externalId: person.externalId,
          email: person.email.toLowerCase(),
          name: person.name,
          department: person.department ?? null,
          location: person.location ?? null,
          managerExternalId: person.managerExternalId ?? null,
          hireDate: new Date(`${person.hireDate}T00:00:00Z`),
          roleKeys: [...new Set(person.roles)],
        },
      };
    }
    case 'transfer': {
      const { person } = event;
      return {
        ...base,
        type: 'transfer',
        person: {
          externalId: person.externalId,
          roleKeys: person.roles ? [...new Set(person.roles)] : undefined,
          department: person.department,
          location: person.location,
          managerExternalId: person.managerExternalId,
          email: person.email?.toLowerCase(),
          name: person.name,
        },
      };
    }
    default:
      return { ...base, type: event.type, person: { externalId: event.person.externalId } };
  }
}
