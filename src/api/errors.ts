import type { ErrorRequestHandler, RequestHandler } from 'express';
import { DomainError } from '../domain/errors';

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export const notFoundRoute: RequestHandler = (req, res) => {
  res.status(404).json({ error: { code: 'route_not_found', message: `No route ${req.method} ${req.path}` } } satisfies ErrorBody);
};

/** The one place where failures become HTTP responses. Unknown errors are logged and answered 500. */
export const errorHandler: ErrorRequestHandler = (error, req, res, _next) => {
  const body = toErrorBody(error);
  if (body) {
    res.status(body.status).json({ error: body.error } satisfies ErrorBody);
    return;
  }
  req.log?.error({ err: error }, 'unhandled error');
  res.status(500).json({ error: { code: 'internal_error', message: 'Something went wrong on our side' } } satisfies ErrorBody);
};

function toErrorBody(error: unknown): { status: number; error: ErrorBody['error'] } | null {
  if (error instanceof DomainError) {
    return { status: error.status, error: { code: error.code, message: error.message, details: error.details } };
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
