import pino, { type Logger } from 'pino';

/** Structured JSON logs; callers add tenant, request and workflow ids as child bindings. */
export function createLogger(level: string, name = 'trainhub'): Logger {
  return pino({ name, level, redact: ['req.headers.authorization', 'req.headers["x-api-key"]'] });
}
