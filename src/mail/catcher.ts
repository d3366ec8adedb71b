import PostalMime from 'postal-mime';
import { SMTPServer } from 'smtp-server';

/** A message the catcher received, as a mail client would show it. */
export interface CaughtMessage {
  envelopeTo: string[];
  to: string[];
  subject: string;
  text: string;
  messageId: string;
  receivedAt: Date;
}

export interface MailCatcher {
  /** smtp:// URL to give nodemailer. */
  url: string;
  messages: CaughtMessage[];
  /** Resolves with the first message matching, waiting for it to arrive if need be. */
  waitFor(predicate: (message: CaughtMessage) => boolean, timeoutMs?: number): Promise<CaughtMessage>;
  stop(): Promise<void>;
}

/**
 * A real SMTP server that keeps what it receives: the embedded default for development
 * (where mail goes nowhere else) and the receiving end in tests.
 */
export interface MailCatcherOptions {
  port?: number;
  onMessage?: (message: CaughtMessage) => void;
  /** Answer each message only after this long, as a slow or distant server does. */
  acceptAfterMs?: number;
  /** Refuse these recipients for good (550), as a server does for an unknown mailbox. */
  refuses?: (address: string) => boolean;
}

export async function startMailCatcher(options: MailCatcherOptions = {}): Promise<MailCatcher> {
  const messages: CaughtMessage[] = [];
  const waiters = new Set<() => void>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (options.refuses?.(address.address)) {
        callback(Object.assign(new Error(`5.1.1 <${address.address}>: mailbox unavailable`), { responseCode: 550 }));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        PostalMime.parse(Buffer.concat(chunks))
          .then((email) => {
            const message: CaughtMessage = {
              envelopeTo: session.envelope.rcptTo.map((r) => r.address),
              to: (email.to ?? []).flatMap((a) => ('address' in a && a.address ? [a.address] : [])),
              subject: email.subject ?? '',
              text: email.text ?? '',
              messageId: email.messageId ?? '',
              receivedAt: new Date(),
            };
            setTimeout(() => {
              messages.push(message);
              options.onMessage?.(message);
              for (const wake of waiters) wake();
              callback();
            }, options.acceptAfterMs ?? 0);
          })
          .catch((error: Error) => callback(error));
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;

  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    waitFor(predicate, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find(predicate);
          if (!found) return;
          cleanup();
          resolve(found);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`No matching e-mail arrived within ${timeoutMs} ms (${messages.length} received)`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
