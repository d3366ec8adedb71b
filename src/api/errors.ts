import type { ErrorRequestHandler, RequestHandler } from 'express';
import { isRefusedValue, isStillReferenced } from '../db/errors';
import { DomainError } from '../domain/errors';
import { httpErrors } from '../metrics';

export interface ErrorBody {
  /** requestId: the X-Request-Id of the request, also in every log line it caused. */
  error: { code: string; message: string; details?: unknown; requestId?: string };
}

export const notFoundRoute: RequestHandler = (req, res) => {
  httpErrors.inc({ status: '404', code: 'route_not_found' });
  res.status(404).json({ error: { code: 'route_not_found', message: `No route ${req.method} ${req.path}`, requestId: req.id } } satisfies ErrorBody);
};

/** The one place where failures become HTTP responses. Unknown errors are logged (with their stack) and answered 500. */
export const errorHandler: ErrorRequestHandler = (error, req, res, _next) => {
  const body = toErrorBody(error);
  if (body) {
    httpErrors.inc({ status: String(body.status), code: body.error.code });
    if (body.status >= 500) req.log?.warn({ err: error, code: body.error.code }, body.error.message);
    res.status(body.status).json({ error: { ...body.error, requestId: req.id } } satisfies ErrorBody);
    return;
  }
  httpErrors.inc({ status: '500', code: 'internal_error' });
  req.log?.error({ err: error }, 'unhandled error');
  res.status(500).json({ error: { code: 'internal_error', message: 'Something went wrong on our side', requestId: req.id } } satisfies ErrorBody);
};

function toErrorBody(error: unknown): { status: number; error: ErrorBody['error'] } | null {
  if (error instanceof DomainError) {
    return { status: error.status, error: { code: error.code, message: error.message, details: error.details } };
  }
  // Values the database refuses (a malformed UUID, an out-of-range number) came in a request that
  // validation let through: the caller learns that much, never the database's own words.
  if (isRefusedValue(error)) {
    return { status: 400, error: { code: 'invalid_request', message: 'A value in the request cannot be stored (out of range or malformed)' } };
  }
  // A record that something was attached to meanwhile (the database refuses to drop history).
  if (isStillReferenced(error)) {
    return { status: 409, error: { code: 'still_in_use', message: 'Other records still refer to this; nothing was deleted' } };
  }
  // body-parser failures carry a `type` and a 4xx status.
  const parserError = error as { type?: string; status?: number; message?: string };
  if (parserError.type === 'entity.parse.failed') {
    return { status: 400, error: { code: 'malformed_json', message: `The request body is not valid JSON: ${parserError.message}` } };
  }
  if (parserError.type === 'entity.too.large') {
    return { status: 413, error: { code: 'payload_too_large', message: 'The request body is too large' } };
  }
  if (typeof parserError.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
    return { status: parserError.status, error: { code: 'bad_request', message: parserError.message ?? 'Bad request' } };
  }
  return null;
}
