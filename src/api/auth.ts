import type { RequestHandler } from 'express';
import type { Db } from '../db/client';
import { Forbidden, Unauthenticated } from '../domain/errors';
import type { Scope } from '../domain/scopes';
import { authenticateApiKey } from '../services/identity/api-keys';

/** Resolves the API key (Authorization: Bearer <key>, or X-API-Key) to its tenant and scopes. */
export function authenticate(db: Db): RequestHandler {
  return async (req, _res, next) => {
    const header = req.get('authorization');
    const key = header?.match(/^Bearer\s+(\S+)$/i)?.[1] ?? req.get('x-api-key');
    if (!key) throw new Unauthenticated();
    const principal = await authenticateApiKey(db, key);
    if (!principal) throw new Unauthenticated('The API key is not valid or was revoked');
    req.principal = principal;
    req.log = req.log.child({ tenantId: principal.tenantId, apiClientId: principal.clientId });
    next();
  };
}

export function requireScope(req: Express.Request, scope: Scope): void {
  if (!req.principal?.scopes.includes(scope)) throw new Forbidden(scope);
}
