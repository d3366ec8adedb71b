import type { Request, Router } from 'express';
import { z } from 'zod';
import { InvalidRequest } from '../domain/errors';
import type { Scope } from '../domain/scopes';
import type { ApiPrincipal } from '../services/api-keys';
import { requireScope } from './auth';

/**
 * An API operation described once: the router validates with these zod schemas and the OpenAPI
 * document is generated from the very same objects.
 */
export interface OperationSpec<B extends z.ZodType, P extends z.ZodType> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express-style path relative to /api/v1, e.g. /people/:id/assignments */
  path: string;
  summary: string;
  tag: string;
  scope: Scope;
  params?: P;
  body?: B;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
}

export interface OperationContext<B, P> {
  body: B;
  params: P;
  principal: ApiPrincipal;
  req: Request;
}

export interface OperationResult {
  status: number;
  body: unknown;
}

export interface Operation<B extends z.ZodType = z.ZodType, P extends z.ZodType = z.ZodType> extends OperationSpec<B, P> {
  handle(ctx: OperationContext<z.output<B>, z.output<P>>): Promise<OperationResult>;
}

export function operation<B extends z.ZodType = z.ZodUndefined, P extends z.ZodType = z.ZodUndefined>(
  spec: OperationSpec<B, P>,
  handle: (ctx: OperationContext<z.output<B>, z.output<P>>) => Promise<OperationResult>,
): Operation {
  return { ...spec, handle } as unknown as Operation;
}

export function mountOperations(router: Router, operations: readonly Operation[]): void {
  for (const op of operations) {
    router[op.method](op.path, async (req, res) => {
      requireScope(req, op.scope);
      const params = op.params ? parse(op.params, req.params, 'path') : undefined;
      const body = op.body ? parse(op.body, req.body, 'body') : undefined;
      const result = await op.handle({ body, params, principal: req.principal!, req });
      res.status(result.status).json(result.body);
    });
  }
}

function parse(schema: z.ZodType, value: unknown, where: 'body' | 'path'): unknown {
  if (where === 'body' && value === undefined) {
    throw new InvalidRequest('The request needs a JSON body (Content-Type: application/json)');
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => ({
    field: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  const summary = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
  throw new InvalidRequest(`Invalid ${where === 'body' ? 'request body' : 'path'}: ${summary}`, problems);
}
