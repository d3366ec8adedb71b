import { randomUUID } from 'node:crypto';
import { hopelessFailure } from '../../src/activities/failures';
import { createDb } from '../../src/db/client';
import { startMailCatcher } from '../../src/mail/catcher';
import { createMailer } from '../../src/mail/transport';
import { deliverNotification, queueNotification } from '../../src/services/notifications/outbox';
import { createTenant } from '../support/builders';
import { TEST_DATABASE_URL } from '../support/environment';

/**
 * E-mail goes through an outbox, so a retried step never sends a message twice — not even when the
 * retry runs while the first attempt is still sending.
 */
describe('the e-mail outbox', () => {
  const db = createDb(TEST_DATABASE_URL);
  afterAll(() => db.$disconnect());

  const message = (tenantId: string, key: string) => ({
    tenantId,
    key,
    toAddress: 'grace@example.com',
    subject: 'Your training',
    text: 'Hello Grace',
  });

  test('queuing the same step twice keeps one message, and delivering it twice sends it once', async () => {
    const { tenantId } = await createTenant(db);
    const mail = await startMailCatcher();
    const mailer = createMailer(mail.url, 'trainhub <no-reply@trainhub.test>');
    try {
      const key = `onboarding:${tenantId}:${randomUUID()}:welcome`;
      const first = await queueNotification(db, message(tenantId, key));
      const second = await queueNotification(db, { ...message(tenantId, key), subject: 'changed on retry' });
      expect(second).toBe(first);

      expect(await deliverNotification(db, mailer, first)).toEqual({ sent: true });
      expect(await deliverNotification(db, mailer, first)).toEqual({ sent: false });

      const received = await mail.waitFor((m) => m.subject === 'Your training');
      expect(received.messageId).toBe(`<${first}@trainhub>`);
      expect(mail.messages).toHaveLength(1);
      const row = await db.notification.findUniqueOrThrow({ where: { id: first } });
      expect(row).toMatchObject({ status: 'sent', attempts: 1, messageId: `<${first}@trainhub>` });
    } finally {
      mailer.close();
      await mail.stop();
    }
  });

  test('when the SMTP server is down the message stays pending with the error, and a later retry sends it', async () => {
    const { tenantId } = await createTenant(db);
    const mail = await startMailCatcher();
    const port = Number(new URL(mail.url).port);
    await mail.stop();
    const mailer = createMailer(`smtp://127.0.0.1:${port}`, 'trainhub <no-reply@trainhub.test>');
    try {
      const id = await queueNotification(db, message(tenantId, `step-${randomUUID()}`));
      await expect(deliverNotification(db, mailer, id)).rejects.toThrow(/ECONNREFUSED/);
      expect(await db.notification.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.stringContaining('ECONNREFUSED') });

      const back = await startMailCatcher({ port });
      try {
        expect(await deliverNotification(db, mailer, id)).toEqual({ sent: true });
        expect(back.messages).toHaveLength(1);
        expect(await db.notification.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
      } finally {
        await back.stop();
      }
    } finally {
      mailer.close();
    }
  });

  test('two attempts delivering one message at the same moment send it once: the second waits for the first', async () => {
    const { tenantId } = await createTenant(db);
    // A slow server keeps the first attempt in flight while the second one starts.
    const mail = await startMailCatcher({ acceptAfterMs: 500 });
    const otherDb = createDb(TEST_DATABASE_URL);
    const mailers = [createMailer(mail.url, 'trainhub <no-reply@trainhub.test>'), createMailer(mail.url, 'trainhub <no-reply@trainhub.test>')];
    try {
      const id = await queueNotification(db, message(tenantId, `concurrent-${randomUUID()}`));
      const attempts = await Promise.allSettled([deliverNotification(db, mailers[0]!, id), deliverNotification(otherDb, mailers[1]!, id)]);

      expect(attempts.filter((a) => a.status === 'fulfilled').map((a) => (a as PromiseFulfilledResult<unknown>).value)).toEqual([{ sent: true }]);
      const refused = attempts.find((a) => a.status === 'rejected') as PromiseRejectedResult;
      expect(refused.reason.code).toBe('mail_unavailable');
      // For a process this is a failure to retry later, never one that ends it.
      expect(hopelessFailure(refused.reason)).toBeNull();
      // The retry of the second attempt finds the message sent.
      expect(await deliverNotification(otherDb, mailers[1]!, id)).toEqual({ sent: false });
      await mail.waitFor((m) => m.subject === 'Your training');
      expect(mail.messages).toHaveLength(1);
      expect(await db.notification.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'sent', attempts: 1, claimedUntil: null });
    } finally {
      for (const mailer of mailers) mailer.close();
      await otherDb.$disconnect();
      await mail.stop();
    }
  });

  test('a mailbox the server refuses for good is marked failed with the reason and never retried', async () => {
    const { tenantId } = await createTenant(db);
    const mail = await startMailCatcher({ refuses: (address) => address === 'gone@example.com' });
    const mailer = createMailer(mail.url, 'trainhub <no-reply@trainhub.test>');
    try {
      const id = await queueNotification(db, { ...message(tenantId, `refused-${randomUUID()}`), toAddress: 'gone@example.com' });
      expect(await deliverNotification(db, mailer, id)).toEqual({ sent: false });
      expect(await db.notification.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'failed', attempts: 1, lastError: expect.stringContaining('mailbox unavailable') });
      expect(await deliverNotification(db, mailer, id)).toEqual({ sent: false });
      expect(mail.messages).toHaveLength(0);
    } finally {
      mailer.close();
      await mail.stop();
    }
  });
});
