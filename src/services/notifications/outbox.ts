import type { Db } from '../../db/client';
import type { Mailer } from '../../mail/transport';

export interface OutgoingMessage {
  tenantId: string;
  /** Idempotency key: the workflow id and the step that sends it. */
  key: string;
  personId?: string;
  toAddress: string;
  subject: string;
  text: string;
}

/** Puts a message in the outbox once; queuing the same key again returns the first row's id. */
export async function queueNotification(db: Db, message: OutgoingMessage): Promise<string> {
  const row = await db.notification.upsert({
    where: { tenantId_key: { tenantId: message.tenantId, key: message.key } },
    create: message,
    update: {},
    select: { id: true },
  });
  return row.id;
}

/**
 * Sends a queued message unless it was sent already. The Message-ID is derived from the row, so
 * even a crash between sending and recording it yields a copy that mail clients recognise as the same.
 */
export async function deliverNotification(db: Db, mailer: Mailer, notificationId: string): Promise<{ sent: boolean }> {
  const message = await db.notification.findUniqueOrThrow({ where: { id: notificationId } });
  if (message.status === 'sent') return { sent: false };
  const messageId = `<${message.id}@trainhub>`;
  await db.notification.update({ where: { id: message.id }, data: { attempts: { increment: 1 } } });
  try {
    await mailer.send({ to: message.toAddress, subject: message.subject, text: message.text, messageId });
  } catch (error) {
    await db.notification.update({ where: { id: message.id }, data: { lastError: String(error) } });
    throw error;
  }
  await db.notification.update({
    where: { id: message.id },
    data: { status: 'sent', sentAt: new Date(), messageId, lastError: null },
  });
  return { sent: true };
}
