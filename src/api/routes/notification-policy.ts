import { z } from 'zod';
import type { Db } from '../../db/client';
import { isTimeZone } from '../../domain/time-zones';
import { getNotificationPolicy, setNotificationPolicy } from '../../services/catalog/notification-policy';
import { operation } from '../operation';
import { emailAddress, standardErrors } from '../schemas/common';

const days = (what: string) =>
  z
    .int({ error: 'Must be a whole number of days' })
    .min(0, { error: 'Must be 0 or more days' })
    .max(365, { error: 'Must be at most 365 days' })
    .meta({ description: what });

const policyFields = {
  reminderDaysBeforeDue: z
    .array(z.int({ error: 'Must be a whole number of days' }).min(1, { error: 'Must be a positive number of days' }).max(365, { error: 'Must be at most 365 days' }))
    .max(10, { error: 'At most 10 reminders' })
    .refine((offsets) => new Set(offsets).size === offsets.length, { error: 'Each offset may appear only once' })
    .meta({ description: 'Remind the person this many days before the due date, e.g. [7, 1]; [] for no reminders', uniqueItems: true }),
  overdueNotice: z.boolean().meta({ description: 'Tell the person on the due date when the program is still not complete' }),
  managerEscalationDaysOverdue: days('Tell the manager once an assignment is this many days overdue'),
  complianceEscalationDaysAfter: days("Then tell the compliance officer this many days after the manager's escalation"),
  complianceOfficerEmail: emailAddress().nullable().meta({ description: 'Where compliance escalations go; null: nobody' }),
  extendDueDatesForLeave: z
    .boolean()
    .default(false)
    .meta({ description: 'On return from leave, move the due dates of open assignments that fell due during the leave on by its length (default false)' }),
  timeZone: z
    .string()
    .refine(isTimeZone, { error: 'Must be an IANA time zone name, e.g. Europe/Berlin or America/New_York' })
    .default('UTC')
    .meta({
      description:
        "The tenant's IANA time zone (default UTC): notices (reminders, overdue notices, escalations, recertification notices) go out at 09:00 in this zone, on its days",
      examples: ['Europe/Berlin', 'America/New_York', 'UTC'],
    }),
};

const policyView = z.object({ ...policyFields, complianceOfficerEmail: z.string().nullable(), updatedAt: z.string().nullable().meta({ description: 'null while the defaults apply' }) }).meta({ id: 'NotificationPolicy' });
const policyInput = z.strictObject(policyFields).meta({ id: 'NotificationPolicyInput' });

/** How the tenant reminds people and escalates overdue training, and in which time zone: data, not constants. */
export function notificationPolicyOperations(db: Db) {
  return [
    operation(
      {
        method: 'get',
        path: '/notification-policy',
        summary: "The tenant's reminder and escalation policy and time zone (the defaults until one is set)",
        tag: 'Catalog',
        scope: 'catalog:read',
        responses: { 200: { description: 'The policy in force', schema: policyView }, ...standardErrors },
      },
      async ({ principal, actor }) => ({ status: 200, body: await getNotificationPolicy(db, principal.tenantId) }),
    ),
    operation(
      {
        method: 'put',
        path: '/notification-policy',
        summary: "Replace the tenant's reminder and escalation policy and time zone",
        tag: 'Catalog',
        scope: 'catalog:write',
        body: policyInput,
        responses: { 200: { description: 'The policy as saved', schema: policyView }, ...standardErrors },
      },
      async ({ body, principal, req, actor }) => ({ status: 200, body: await setNotificationPolicy(db, principal.tenantId, actor, body) }),
    ),
  ];
}
