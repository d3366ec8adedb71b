import pino, { type Logger } from 'pino';

/** Structured JSON logs; callers add tenant, request and workflow ids as child bindings. */
export function createLogger(level: string, name = 'trainhub'): Logger {
  return pino({ name, level, redact: ['req.headers.authorization', 'req.headers["x-api-key"]'] });
}

/**
 * The embedded default's logs: everything as JSON to `file`, warnings and errors also to stderr, so
 * the terminal shows what needs attention and the caught e-mails, readable.
 */
export function createDevLogger(level: string, file: string): Logger {
  return pino(
    { name: 'trainhub', level, redact: ['req.headers.authorization', 'req.headers["x-api-key"]'] },
    pino.multistream([
      { level: level as pino.Level, stream: pino.destination({ dest: file, mkdir: true, sync: false }) },
      { level: 'warn', stream: process.stderr },
    ]),
  );
}
