import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { DomainError } from '../../domain/errors';
import type { Db } from '../../db/client';
import { authenticateLrsClient, type LrsScope } from '../../services/xapi/lrs-clients';

/** What the LRS answers when a request breaks a rule of the xAPI specification. */
export class XapiError extends DomainError {}

export const badRequest = (message: string, details?: unknown) => new XapiError(400, 'bad_request', message, details);

const VERSION = /^(1\.0(\.[0-3])?|2\.0(\.0)?)$/;

/** The version a request's X-Experience-API-Version header stands for, or null when it names none this LRS speaks. */
function versionAsked(req: Request): '1.0.3' | '2.0.0' | null {
  const given = (req.get('x-experience-api-version') ?? '').trim();
  if (!VERSION.test(given)) return null;
  return given.startsWith('2') ? '2.0.0' : '1.0.3';
}

/**
 * Every answer of the LRS carries X-Experience-API-Version (1.0.3 Communication 3.3.s3.b1, 2.0.0
 * Communication 1.3): mounted first, so that a 400 for a missing or unsupported version header, a
 * 401 and an OPTIONS answer carry it too. It is the version asked for when this LRS speaks it,
 * otherwise the latest (2.0.0); requireVersion and the About Resource set it again where they answer.
 */
export const versionOnEveryAnswer: RequestHandler = (req, res, next) => {
  res.set('x-experience-api-version', versionAsked(req) ?? '2.0.0');
  next();
};

/**
 * Every /xapi request except GET /xapi/about names the version it speaks (xAPI 1.0.3 §6.2, 2.0.0
 * Communication §1.3): 1.0.x is answered as 1.0.3, 2.0.x as 2.0.0; anything else is 400.
 */
export const requireVersion: RequestHandler = (req, res, next) => {
  const given = req.get('x-experience-api-version');
  if (!given) return next(badRequest('The X-Experience-API-Version header is required (1.0.3 or 2.0.0)'));
  const version = versionAsked(req);
  if (!version) return next(badRequest(`X-Experience-API-Version ${given} is not supported; use 1.0.3 or 2.0.0`));
  req.xapiVersion = version;
  res.set('x-experience-api-version', req.xapiVersion);
  next();
};

/** HTTP Basic with an LRS client's key and secret; 401 with a challenge otherwise. */
export function authenticateLrs(db: Db): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    const decoded = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const principal = colon > 0 ? await authenticateLrsClient(db, decoded.slice(0, colon), decoded.slice(colon + 1)) : null;
    if (!principal) {
      res.set('www-authenticate', 'Basic realm="trainhub LRS"');
      return next(new XapiError(401, 'unauthenticated', 'HTTP Basic credentials of an LRS client are required'));
    }
    req.lrs = principal;
    next();
  };
}

/** Reading needs the read scope, everything else write. */
export function requireScope(scope: LrsScope): RequestHandler {
  return (req, _res, next) => {
    if (!req.lrs?.scopes.includes(scope)) return next(new XapiError(403, 'forbidden', `This LRS client lacks the scope "${scope}"`, { requiredScope: scope }));
    next();
  };
}

/** Browser content posts from other origins: CORS for every /xapi resource (credentials travel in Authorization). */
export const cors: RequestHandler = (req, res, next) => {
  res.set({
    'access-control-allow-origin': req.get('origin') ?? '*',
    'access-control-allow-methods': 'GET, HEAD, PUT, POST, DELETE, OPTIONS',
    'access-control-allow-headers': 'Authorization, Content-Type, X-Experience-API-Version, If-Match, If-None-Match, X-Requested-With',
    'access-control-expose-headers': 'ETag, Last-Modified, X-Experience-API-Version, X-Experience-API-Consistent-Through, Location',
    'access-control-max-age': '86400',
    vary: 'Origin',
  });
  if (req.method === 'OPTIONS') {
    res.status(204).end();
    return;
  }
  next();
};

/**
 * The 1.0.3 alternate request syntax (§7.2.2 of part three): a POST with `?method=PUT|GET|POST|DELETE`
 * whose form body carries the headers, the content and the query parameters. It becomes the request
 * it stands for; 2.0.0 removed it. Runs on the raw body (a Buffer) before anything reads it.
 */
export const alternateRequestSyntax: RequestHandler = (req, _res, next) => {
  if (req.method !== 'POST' || req.query.method === undefined) return next();
  const method = String(req.query.method).toUpperCase();
  if (!['GET', 'PUT', 'POST', 'DELETE'].includes(method)) return next(badRequest(`method=${String(req.query.method)} is not a method the alternate request syntax allows`));
  if (Object.keys(req.query).length > 1) return next(badRequest('With the alternate request syntax every parameter but method goes in the form body'));
  if (!req.is('application/x-www-form-urlencoded')) return next(badRequest('The alternate request syntax needs Content-Type application/x-www-form-urlencoded'));
  const form = new URLSearchParams(Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '');
  const query: Record<string, string> = {};
  let content: string | null = null;
  for (const [name, value] of form) {
    const lower = name.toLowerCase();
    if (lower === 'content') content = value;
    else if (lower === 'authorization' || lower === 'x-experience-api-version' || lower === 'content-type' || lower === 'if-match' || lower === 'if-none-match') req.headers[lower] = value;
    else if (lower === 'content-length') continue; // of the content field, which is read whole anyway
    else query[name] = value;
  }
  if ((req.get('x-experience-api-version') ?? '').startsWith('2')) return next(badRequest('xAPI 2.0.0 has no alternate request syntax'));
  req.method = method;
  Object.defineProperty(req, 'query', { value: query, configurable: true, enumerable: true, writable: true });
  req.body = content === null ? Buffer.alloc(0) : Buffer.from(content, 'utf8');
  // A form that names no Content-Type of its content sends JSON (statements) or what a document is.
  if (req.is('application/x-www-form-urlencoded')) req.headers['content-type'] = 'application/json';
  next();
};

/**
 * A JSON answer with the Content-Type `application/json` exactly. Express's `res.json` (and `res.send`
 * of a string) appends "; charset=utf-8", which JSON does not need (RFC 8259 §11 defines no charset
 * parameter) and which the ADL conformance suite refuses where it compares the header to
 * "application/json" (XAPI-00161); the body goes out as bytes so nothing is appended.
 */
export function sendJson(res: Response, status: number, value: unknown): void {
  res.status(status).setHeader('Content-Type', 'application/json');
  res.send(Buffer.from(JSON.stringify(value), 'utf8'));
}

/** The methods each xAPI resource defines (Communication 2), HEAD going with GET (Communication 1.1). */
export const RESOURCE_METHODS: Readonly<Record<string, readonly string[]>> = {
  '/statements': ['GET', 'HEAD', 'PUT', 'POST'],
  '/activities/state': ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'],
  '/activities/profile': ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'],
  '/agents/profile': ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'],
  '/activities': ['GET', 'HEAD'],
  '/agents': ['GET', 'HEAD'],
  '/about': ['GET', 'HEAD'],
};

/**
 * Mounted after every resource's routes: a request that reached here was not answered. A method a
 * resource does not define (DELETE /statements, POST /agents …) is 405 with Allow, as HTTP asks and the
 * ADL suite expects; a path that is no xAPI resource is 404.
 */
export const unansweredRequests: RequestHandler = (req, res, next) => {
  const path = req.path.length > 1 ? req.path.replace(/\/+$/, '') : req.path;
  const allowed = RESOURCE_METHODS[path];
  if (!allowed) return next(new XapiError(404, 'not_found', `${req.path} is no resource of this LRS`));
  res.set('allow', allowed.join(', '));
  next(new XapiError(405, 'method_not_allowed', `${path} does not take ${req.method}; it takes ${allowed.join(', ')}`, { allowed }));
};

/** xAPI errors as JSON with the status the specification asks for. */
export function xapiErrors(error: unknown, req: Request, res: Response, next: NextFunction): void {
  if (!(error instanceof DomainError)) return next(error);
  sendJson(res, error.status, { error: { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }), requestId: req.id } });
}
