import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  messageId: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): void;
}

/**
 * Sends through the SMTP server named by an smtp:// or smtps:// URL. The timeouts bound how long one
 * send can take (the outbox's claim on a message outlasts them).
 */
export function createMailer(smtpUrl: string, from: string): Mailer {
  // Pooled: messages reuse a few open connections instead of a handshake each.
  const options: SMTPTransport.Options = { url: smtpUrl, connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 };
  const transport = nodemailer.createTransport({ ...options, pool: true, maxConnections: 4 });
  return {
    async send(message) {
      await transport.sendMail({ from, ...message });
    },
    close() {
      transport.close();
    },
  };
}
