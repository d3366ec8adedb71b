import type { Db } from '../../db/client';
import { signInLinkMessage } from '../../mail/renewal-templates';
import { queueNotification } from '../notifications/outbox';
import { queueProcessCommands, sendNotificationProcess } from '../processes/commands';
import type { CommandDelivery } from '../processes/operations';
import { issueLinkToken, type ApprovalLinkSettings } from './approval-links';

const EVERY_MS = 10 * 60_000;

/**
 * An approver asks, on the sign-in page, for a new sign-in link by e-mail address. Each active person
 * with that address and approvals waiting for them (in any tenant) is e-mailed one, at most once per
 * ten minutes; the page says the same whether anyone was found or not.
 */
export async function requestSignInLink(
  db: Db,
  delivery: CommandDelivery,
  settings: ApprovalLinkSettings,
  publicUrl: string,
  email: string,
  now = new Date(),
): Promise<void> {
  const people = await db.person.findMany({
    where: { email: email.trim().toLowerCase(), status: 'active', approvals: { some: { status: 'pending', step: { status: 'pending' } } } },
    select: { id: true, tenantId: true, name: true, email: true },
    take: 20,
  });
  for (const person of people) {
    const key = `sign-in-request:${person.id}:${Math.floor(now.getTime() / EVERY_MS)}`;
    if (await db.notification.findUnique({ where: { tenantId_key: { tenantId: person.tenantId, key } }, select: { id: true } })) continue;
    const token = await issueLinkToken(db, settings, { tenantId: person.tenantId, key, purpose: 'sign_in', personId: person.id, now });
    const message = signInLinkMessage({ name: person.name, signInUrl: `${publicUrl}/approver/sign-in?token=${encodeURIComponent(token)}`, validHours: settings.linkTtlHours });
    const commandIds = await db.$transaction(async (tx) => {
      const notificationId = await queueNotification(tx, { tenantId: person.tenantId, key, personId: person.id, toAddress: person.email, ...message });
      return queueProcessCommands(tx, delivery.taskQueue, [sendNotificationProcess(person.tenantId, notificationId)]);
    });
    await delivery.deliverNow(commandIds);
  }
}
