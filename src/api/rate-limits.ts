import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { ErrorBody } from './errors';

function tooMany(message: string): RequestHandler {
  return (req, res) => {
    const retryAfter = Number(res.getHeader('retry-after') ?? 60);
    res.status(429).json({
      error: { code: 'rate_limited', message, details: { retryAfterSeconds: retryAfter }, requestId: req.id },
    } satisfies ErrorBody);
  };
}

function perMinuteLimit(perMinute: number, key: (req: Parameters<RequestHandler>[0]) => string, who: string): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: key,
    handler: (req, res, next) => tooMany(`${who} made more than ${perMinute} requests in a minute; retry after the Retry-After seconds`)(req, res, next),
  });
}

/**
 * A runaway integration slows only itself: each API key may make `perMinute` requests a minute;
 * beyond, 429 with Retry-After and the standard RateLimit headers.
 */
export function limitPerKey(perMinute: number): RequestHandler {
  return perMinuteLimit(perMinute, (req) => `key:${req.principal!.clientId}`, 'This API key');
}

/** The same for LRS clients at /xapi, counted per client (HTTP Basic key). */
export function limitPerLrsClient(perMinute: number): RequestHandler {
  return perMinuteLimit(perMinute, (req) => `lrs:${req.lrs!.clientId}`, 'This LRS client');
}

/** The approver pages have no key: their forms (sign-in, new-link requests, decisions) are limited per address. */
export function limitPerAddress(perMinute: number): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    skip: (req) => req.method === 'GET',
    handler: (req, res, next) => tooMany('Too many requests from this address; retry after the Retry-After seconds')(req, res, next),
  });
}

/**
 * Public look-ups (the certificate verify page and its PDF): every request counts, GET included, per
 * address, so codes cannot be tried in bulk (they are unguessable anyway; this keeps it so).
 */
export function limitLookupsPerAddress(perMinute: number): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (req, res) => {
      const retryAfter = Number(res.getHeader('retry-after') ?? 60);
      res.status(429).type('text/plain').send(`Too many look-ups from this address; try again in ${retryAfter} seconds.`);
    },
  });
}
