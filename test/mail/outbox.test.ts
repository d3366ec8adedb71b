import { randomUUID } from 'node:crypto';
import { createDb } from '../../src/db/client';
import { startMailCatcher } from '../../src/mail/catcher';
import { createMailer } from '../../src/mail/transport';
import { deliverNotification, queueNotification } from '../../src/services/notifications/outbox';
import { createTenant } from '../support/builders';
import { TEST_DATABASE_URL } from '../support/environment';

/** E-mail goes through an outbox, so a retried step never sends a message twice. */
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
});
