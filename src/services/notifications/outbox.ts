import type { Db, DbTx } from '../../db/client';
import { ServiceUnavailable } from '../../domain/errors';
import type { Mailer } from '../../mail/transport';
import { emailsDelivered } from '../../metrics';

export interface OutgoingMessage {
  tenantId: string;
  /** Idempotency key: the workflow id and the step that sends it. */
  key: string;
  personId?: string;
  toAddress: string;
  subject: string;
  text: string;
}

/** How long an attempt holds a message it is sending: longer than the SMTP transport can take (src/mail/transport.ts). */
const CLAIM_SECONDS = 180;

/** Puts a message in the outbox once; queuing the same key again returns the first row's id. */
export async function queueNotification(db: DbTx, message: OutgoingMessage): Promise<string> {
  const row = await db.notification.upsert({
    where: { tenantId_key: { tenantId: message.tenantId, key: message.key } },
    create: message,
    update: {},
    select: { id: true },
  });
  return row.id;
}

/**
 * Sends a queued message unless it was sent already. The attempt first claims the row (for a
 * while), so two attempts at once — a timed-out activity still running and its retry — never both
 * send: the second is told to try again later, when the first has sent it or its claim has lapsed.
 * A mail server's permanent refusal (5xx, e.g. an unknown mailbox) marks the message failed for
 * good. The Message-ID is derived from the row, so the one unavoidable duplicate (a crash between
 * the server's acceptance and the row's update) is recognised by mail clients as the same message.
 */
export async function deliverNotification(db: Db, mailer: Mailer, notificationId: string): Promise<{ sent: boolean }> {
  const [claimed] = await db.$queryRaw<{ id: string; to_address: string; subject: string; text: string }[]>`
    UPDATE notification SET claimed_until = now() + make_interval(secs => ${CLAIM_SECONDS}), attempts = attempts + 1
     WHERE id = ${notificationId}::uuid AND status = 'pending' AND (claimed_until IS NULL OR claimed_until < now())
    RETURNING id::text AS id, to_address, subject, text`;
  if (!claimed) {
    const row = await db.notification.findUniqueOrThrow({ where: { id: notificationId }, select: { status: true } });
    if (row.status !== 'pending') return { sent: false };
    throw new ServiceUnavailable('mail', `Notification ${notificationId} is being sent by another attempt; try again once it is done`);
  }
  const messageId = `<${claimed.id}@trainhub>`;
  try {
    await mailer.send({ to: claimed.to_address, subject: claimed.subject, text: claimed.text, messageId });
  } catch (error) {
    const refusedForGood = isPermanentRefusal(error);
    await db.notification.update({
      where: { id: claimed.id },
      data: { lastError: String(error).slice(0, 2000), claimedUntil: null, ...(refusedForGood ? { status: 'failed' } : {}) },
    });
    emailsDelivered.inc({ result: refusedForGood ? 'failed' : 'retry' });
    if (refusedForGood) return { sent: false };
    throw error;
  }
  await db.notification.update({
    where: { id: claimed.id },
    data: { status: 'sent', sentAt: new Date(), messageId, lastError: null, claimedUntil: null },
  });
  emailsDelivered.inc({ result: 'sent' });
  return { sent: true };
}

/** SMTP 5xx replies are permanent (RFC 5321 §4.2.1): retrying the same message cannot succeed. */
function isPermanentRefusal(error: unknown): boolean {
  const code = (error as { responseCode?: unknown }).responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}
