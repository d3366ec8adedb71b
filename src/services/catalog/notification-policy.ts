import type { Db, DbTx } from '../../db/client';
import { DEFAULT_NOTICE_POLICY } from '../../domain/notices';
import { isTimeZone } from '../../domain/time-zones';
import type { Actor } from '../audit/trail';
import { auditChange, inCatalogTransaction, sameView } from './common';

/** How a tenant reminds and escalates, as the API shows it. */
export type NotificationPolicyView = {
  /** Days before the due date on which the person is reminded, largest first, e.g. [7, 1]. */
  reminderDaysBeforeDue: number[];
  /** Whether the person gets a notice on the due date when still not done. */
  overdueNotice: boolean;
  /** Days overdue after which the manager is told. */
  managerEscalationDaysOverdue: number;
  /** Days after the manager's escalation after which the compliance officer is told. */
  complianceEscalationDaysAfter: number;
  complianceOfficerEmail: string | null;
  /** A return from leave moves the due dates of open assignments on by the length of the leave. */
  extendDueDatesForLeave: boolean;
  /** The tenant's IANA time zone: notices go out at 09:00 there, on its days. */
  timeZone: string;
  /** When the tenant last set it; null while the defaults apply. */
  updatedAt: string | null;
};

export type NotificationPolicyInput = Omit<NotificationPolicyView, 'updatedAt'>;

/** What applies to a tenant that never set a policy (the workflows' defaults, the same as the table's column defaults). */
const DEFAULT_NOTIFICATION_POLICY: NotificationPolicyInput = { ...DEFAULT_NOTICE_POLICY, complianceOfficerEmail: null, extendDueDatesForLeave: false };

export async function getNotificationPolicy(db: DbTx, tenantId: string): Promise<NotificationPolicyView> {
  const row = await db.notificationPolicy.findUnique({ where: { tenantId } });
  if (!row) return { ...DEFAULT_NOTIFICATION_POLICY, reminderDaysBeforeDue: [...DEFAULT_NOTIFICATION_POLICY.reminderDaysBeforeDue], updatedAt: null };
  return {
    reminderDaysBeforeDue: row.reminderDaysBeforeDue,
    overdueNotice: row.overdueNotice,
    managerEscalationDaysOverdue: row.managerEscalationDaysOverdue,
    complianceEscalationDaysAfter: row.complianceEscalationDaysAfter,
    complianceOfficerEmail: row.complianceOfficerEmail,
    extendDueDatesForLeave: row.extendDueDatesForLeave,
    timeZone: row.timeZone,
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Replaces the tenant's policy; reminder offsets are stored largest first. */
export async function setNotificationPolicy(db: Db, tenantId: string, actor: Actor, input: NotificationPolicyInput): Promise<NotificationPolicyView> {
  return inCatalogTransaction(db, tenantId, async (tx) => {
    const before = await getNotificationPolicy(tx, tenantId);
    const fields: NotificationPolicyInput = {
      reminderDaysBeforeDue: [...new Set(input.reminderDaysBeforeDue)].sort((a, b) => b - a),
      overdueNotice: input.overdueNotice,
      managerEscalationDaysOverdue: input.managerEscalationDaysOverdue,
      complianceEscalationDaysAfter: input.complianceEscalationDaysAfter,
      complianceOfficerEmail: input.complianceOfficerEmail,
      extendDueDatesForLeave: input.extendDueDatesForLeave,
      timeZone: input.timeZone,
    };
    const { updatedAt: _at, ...current } = before;
    if (before.updatedAt !== null && sameView(current, fields)) return before;
    await tx.notificationPolicy.upsert({ where: { tenantId }, create: { tenantId, ...fields }, update: fields });
    const after = await getNotificationPolicy(tx, tenantId);
    // `before` is what applied until now: the defaults (updatedAt null) when the tenant had never set one.
    await auditChange(tx, tenantId, actor, { entityType: 'notification_policy', entityId: tenantId, action: 'updated', before, after });
    return after;
  });
}

/**
 * The tenant's time zone, at whose 09:00 notices go out: UTC for a tenant that never set a policy, or
 * whose zone this runtime does not know (a name written around the API).
 */
export async function tenantTimeZone(db: DbTx, tenantId: string): Promise<string> {
  const row = await db.notificationPolicy.findUnique({ where: { tenantId }, select: { timeZone: true } });
  return row && isTimeZone(row.timeZone) ? row.timeZone : DEFAULT_NOTICE_POLICY.timeZone;
}
