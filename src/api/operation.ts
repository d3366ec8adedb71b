import type { Request, Router } from 'express';
import { z } from 'zod';
import { InvalidRequest, UnsupportedMediaType } from '../domain/errors';
import { findForbiddenText } from '../domain/text';
import type { Scope } from '../domain/scopes';
import type { ApiPrincipal } from '../services/identity/api-keys';
import { requireScope } from './auth';
import type { Actor } from '../services/audit/trail';

/**
 * An API operation described once: the router validates with these zod schemas and the OpenAPI
 * document is generated from the very same objects.
 */
export interface OperationSpec<B extends z.ZodType, P extends z.ZodType, Q extends z.ZodType = z.ZodUndefined, H extends z.ZodType = z.ZodUndefined> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express-style path relative to /api/v1, e.g. /people/:id/assignments */
  path: string;
  summary: string;
  tag: string;
  scope: Scope;
  params?: P;
  /** Query string parameters, e.g. paging; each property becomes one `in: query` parameter. */
  query?: Q;
  /** Request headers the operation reads, by lower-case name (e.g. idempotency-key); each becomes an `in: header` parameter. */
  headers?: H;
  body?: B;
  /** A body that is not JSON but a file streamed as it is (e.g. a zip): its accepted types; the handler reads `req`. */
  upload?: { contentTypes: readonly string[]; description: string };
  /** `contentType` for a response that is not JSON (e.g. text/csv); its schema then describes the text. */
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
}

export interface OperationContext<B, P, Q = undefined, H = undefined> {
  body: B;
  params: P;
  query: Q;
  headers: H;
  principal: ApiPrincipal;
  /** The calling system, as the audit trail records it. */
  actor: Actor;
  req: Request;
}

export interface OperationResult {
  status: number;
  body: unknown;
  /** Send `body` (a string) as it is, with this Content-Type, instead of as JSON. */
  contentType?: string;
  headers?: Record<string, string>;
}

export interface Operation<B extends z.ZodType = z.ZodType, P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, H extends z.ZodType = z.ZodType>
  extends OperationSpec<B, P, Q, H> {
  handle(ctx: OperationContext<z.output<B>, z.output<P>, z.output<Q>, z.output<H>>): Promise<OperationResult>;
}

export function operation<
  B extends z.ZodType = z.ZodUndefined,
  P extends z.ZodType = z.ZodUndefined,
  Q extends z.ZodType = z.ZodUndefined,
  H extends z.ZodType = z.ZodUndefined,
>(
  spec: OperationSpec<B, P, Q, H>,
  handle: (ctx: OperationContext<z.output<B>, z.output<P>, z.output<Q>, z.output<H>>) => Promise<OperationResult>,
): Operation {
  return { ...spec, handle } as unknown as Operation;
}

export function mountOperations(router: Router, operations: readonly Operation[]): void {
  // A known path asked with a method it does not take is 405 naming the ones it does (not 404).
  const methodsOf = new Map<string, string[]>();
  for (const op of operations) methodsOf.set(op.path, [...(methodsOf.get(op.path) ?? []), op.method.toUpperCase()]);
  for (const op of operations) {
    router[op.method](op.path, async (req, res) => {
      requireScope(req, op.scope);
      const params = op.params ? parse(op.params, req.params, 'path') : undefined;
      const query = op.query ? parse(op.query, req.query, 'query') : undefined;
      const headers = op.headers ? parse(op.headers, req.headers, 'header') : undefined;
      if (op.upload && !op.upload.contentTypes.some((type) => req.is(type))) {
        throw new UnsupportedMediaType(`Send the body as ${op.upload.contentTypes.join(' or ')} (got ${req.get('content-type') ?? 'no Content-Type'})`);
      }
      const body = op.body ? parse(op.body, req.body, 'body') : undefined;
      const result = await op.handle({ body, params, query, headers, principal: req.principal!, actor: { type: 'api_client', id: req.principal!.clientId, requestId: req.id }, req });
      if (result.headers) res.set(result.headers);
      if (result.contentType) res.status(result.status).type(result.contentType).send(result.body);
      else res.status(result.status).json(result.body);
    });
  }
  for (const [path, methods] of methodsOf) {
    const allow = [...methods, ...(methods.includes('GET') ? ['HEAD'] : [])].join(', ');
    router.all(path, (req, res) => {
      res.set('allow', allow);
      res.status(405).json({ error: { code: 'method_not_allowed', message: `${req.method} is not supported here; use ${allow}`, requestId: req.id } });
    });
  }
}

function parse(schema: z.ZodType, value: unknown, where: 'body' | 'path' | 'query' | 'header'): unknown {
  if (where === 'body' && value === undefined) {
    // A body whose every field is optional may be left out.
    const empty = schema.safeParse({});
    if (empty.success) return empty.data;
    throw new InvalidRequest('The request needs a JSON body (Content-Type: application/json)');
  }
  // Every text that comes in, whatever its field: no control characters, no unpaired surrogates.
  const forbidden = where === 'header' ? null : findForbiddenText(value);
  if (forbidden) {
    const field = [where, ...forbidden.path].join('.');
    const message = `Must not contain control characters or unpaired surrogates (found ${forbidden.character})`;
    throw new InvalidRequest(`Invalid ${where === 'body' ? 'request body' : where === 'path' ? 'path' : 'query string'}: ${field}: ${message}`, [{ field, message }]);
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const what = { body: 'request body', path: 'path', query: 'query string', header: 'header' }[where];
  throw invalid(what, result.error.issues, [where]);
}

/** A 400 naming each field zod found wrong (`at`: where the validated value sits, e.g. ['body', 'completions', '3']). */
export function invalid(what: string, issues: readonly z.core.$ZodIssue[], at: readonly string[]): InvalidRequest {
  const problems = issues.flatMap((issue) =>
    // A strict object's unknown keys: one problem per key, each naming its own field.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: [...at, ...issue.path.map(String), key].join('.'), message: 'Unknown field' }))
      : [{ field: [...at, ...issue.path.map(String)].join('.'), message: issue.message }],
  );
  const summary = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
  return new InvalidRequest(`Invalid ${what}: ${summary}`, problems);
}
