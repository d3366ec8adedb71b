import { Router, type Request, type Response } from 'express';
import type { Db } from '../../db/client';
import type { CommandDelivery } from '../../services/processes/operations';
import { attachmentsOf, findStatements, getStatement, type StatementFilters } from '../../services/xapi/statement-queries';
import { storeStatements } from '../../services/xapi/statements';
import { agentIdentifier, parseAgentParam } from './agents';
import { formatStatement, parseAcceptLanguage } from './formats';
import { badRequest, requireScope, sendJson } from './http';
import { matchAttachments, readStatementsRequest, writeMultipart } from './multipart';
import { verifySignedStatements } from './signature';
import { isIri, isUuid, parseTimestamp, validateStatements, type Statement, type XapiVersion } from './validation';

/** The most statements one GET returns (`limit=0` asks for this many). */
export const MAX_PAGE = 500;

const FILTERS = ['agent', 'verb', 'activity', 'registration', 'related_activities', 'related_agents', 'since', 'until', 'limit', 'format', 'attachments', 'ascending', 'after'];

/** The Statement Resource (Communication 2.1): PUT, POST, GET (and HEAD), with attachments and signatures. */
export function statementsRouter(db: Db, delivery: CommandDelivery, publicUrl: string): Router {
  const router = Router();

  const receive = async (req: Request) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const { statementsJson, parts } = readStatementsRequest(req.get('content-type'), body);
    const statements = validateStatements(statementsJson, req.xapiVersion!);
    const single = !Array.isArray(statementsJson);
    matchAttachments(statements, parts);
    await verifySignedStatements(statements, parts);
    const lrs = req.lrs!;
    const context = { tenantId: lrs.tenantId, clientId: lrs.clientId, authority: { objectType: 'Agent', name: lrs.name, account: { homePage: publicUrl, name: lrs.key } }, version: req.xapiVersion! };
    return { statements, parts, context, single };
  };

  router.put('/statements', requireScope('write'), async (req, res) => {
    onlyParameters(req, ['statementId']);
    const statementId = req.query.statementId;
    if (typeof statementId !== 'string' || !isUuid(statementId)) throw badRequest('PUT /statements needs a statementId parameter (a UUID)');
    const { statements, parts, context, single } = await receive(req);
    if (!single) throw badRequest('PUT /statements takes one statement, not an array');
    const [statement] = statements as [Statement];
    if (statement.id !== undefined && String(statement.id).toLowerCase() !== statementId.toLowerCase()) throw badRequest(`The statement's id ${statement.id} differs from the statementId parameter ${statementId}`);
    const { commandIds } = await storeStatements(db, delivery.taskQueue, context, [{ ...statement, id: statementId.toLowerCase() }], parts);
    await delivery.deliverNow(commandIds);
    res.status(204).end();
  });

  router.post('/statements', requireScope('write'), async (req, res) => {
    onlyParameters(req, []);
    const { statements, parts, context } = await receive(req);
    const { ids, commandIds } = await storeStatements(db, delivery.taskQueue, context, statements, parts);
    await delivery.deliverNow(commandIds);
    sendJson(res, 200, ids);
  });

  router.get('/statements', requireScope('read'), async (req, res) => {
    const tenantId = req.lrs!.tenantId;
    const q = req.query as Record<string, unknown>;
    const format = parseFormat(q.format);
    const withAttachments = parseBoolean(q.attachments, 'attachments');
    const languages = parseAcceptLanguage(req.get('accept-language'));
    if (q.statementId !== undefined || q.voidedStatementId !== undefined) {
      onlyParameters(req, ['statementId', 'voidedStatementId', 'format', 'attachments']);
      if (q.statementId !== undefined && q.voidedStatementId !== undefined) throw badRequest('Ask for statementId or voidedStatementId, not both');
      const id = (q.statementId ?? q.voidedStatementId) as unknown;
      if (typeof id !== 'string' || !isUuid(id)) throw badRequest(`${q.statementId !== undefined ? 'statementId' : 'voidedStatementId'} must be a UUID`);
      const row = await getStatement(db, tenantId, id.toLowerCase(), q.voidedStatementId !== undefined);
      if (!row) {
        sendJson(res, 404, { error: { code: 'not_found', message: `No ${q.voidedStatementId !== undefined ? 'voided ' : ''}statement ${id}`, requestId: req.id } });
        return;
      }
      res.set('last-modified', row.stored.toUTCString());
      consistentThrough(res, [row.stored]);
      const statement = formatStatement(row.statement, format, languages);
      return send(res, statement, withAttachments ? await attachmentsOf(db, tenantId, [row.statement]) : null);
    }
    onlyParameters(req, FILTERS);
    const filters = parseFilters(q, req.xapiVersion!);
    const { rows, more } = await findStatements(db, tenantId, filters);
    const statements = rows.map((r) => formatStatement(r.statement, format, languages));
    const next = more ? moreLink(req.baseUrl, q, rows[rows.length - 1]!.seq) : '';
    consistentThrough(res, rows.map((r) => r.stored));
    if (rows.length > 0) res.set('last-modified', new Date(Math.max(...rows.map((r) => r.stored.getTime()))).toUTCString());
    return send(res, { statements, more: next }, withAttachments ? await attachmentsOf(db, tenantId, rows.map((r) => r.statement)) : null);
  });

  return router;
}

function send(res: Response, json: unknown, attachments: { sha2: string; contentType: string; content: Uint8Array }[] | null): void {
  if (!attachments) return sendJson(res, 200, json);
  const { contentType, body } = writeMultipart(json, attachments.map((a) => ({ sha2: a.sha2, contentType: a.contentType, content: Buffer.from(a.content) })));
  res.status(200).type(contentType).send(body);
}

/**
 * X-Experience-API-Consistent-Through (Communication 2.1.3.s2.b5): statements stored before it are all
 * visible. A store is one short transaction whose `stored` is taken as it starts, so a second ago is
 * safe; and the header is never earlier than a `stored` the answer itself returns (XAPI-00152), since
 * a statement that is returned is visible.
 */
export function consistentThroughNow(): Date {
  return new Date(Date.now() - CONSISTENCY_MARGIN_MS);
}

const CONSISTENCY_MARGIN_MS = 1000;

function consistentThrough(res: Response, returned: Date[]): void {
  const through = Math.max(consistentThroughNow().getTime(), ...returned.map((stored) => stored.getTime()));
  res.set('x-experience-api-consistent-through', new Date(through).toISOString());
}

/**
 * Every answer to GET (or HEAD) /statements carries X-Experience-API-Consistent-Through, whatever its
 * status (XAPI-00153): mounted before the version and credential checks, the handler refines it.
 */
export const consistentThroughOnEveryAnswer = (req: Request, res: Response, next: () => void): void => {
  if ((req.method === 'GET' || req.method === 'HEAD') && /^\/statements\/?$/.test(req.path)) {
    res.set('x-experience-api-consistent-through', consistentThroughNow().toISOString());
  }
  next();
};

function onlyParameters(req: Request, allowed: readonly string[]): void {
  const unknown = Object.keys(req.query as object).filter((name) => !allowed.includes(name));
  if (unknown.length > 0) throw badRequest(`Unexpected parameter${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`);
}

function parseBoolean(value: unknown, name: string): boolean {
  if (value === undefined) return false;
  if (value === 'true' || value === 'false') return value === 'true';
  throw badRequest(`${name} must be true or false`);
}

function parseFormat(value: unknown): 'exact' | 'ids' | 'canonical' {
  if (value === undefined) return 'exact';
  if (value === 'exact' || value === 'ids' || value === 'canonical') return value;
  throw badRequest('format must be ids, exact or canonical');
}

function timestampParam(value: unknown, name: string, version: XapiVersion): Date | undefined {
  if (value === undefined) return undefined;
  const date = typeof value === 'string' ? parseTimestamp(value, version) : null;
  if (!date) throw badRequest(`${name} must be an ISO 8601 timestamp`);
  return date;
}

function parseIri(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !isIri(value)) throw badRequest(`${name} must be an IRI`);
  return value;
}

function parseFilters(q: Record<string, unknown>, version: XapiVersion): StatementFilters {
  if (q.registration !== undefined && (typeof q.registration !== 'string' || !isUuid(q.registration))) throw badRequest('registration must be a UUID');
  let limit = MAX_PAGE;
  if (q.limit !== undefined) {
    if (typeof q.limit !== 'string' || !/^\d{1,9}$/.test(q.limit)) throw badRequest('limit must be a non-negative integer');
    limit = Number(q.limit) === 0 ? MAX_PAGE : Math.min(Number(q.limit), MAX_PAGE);
  }
  let after: bigint | undefined;
  if (q.after !== undefined) {
    if (typeof q.after !== 'string' || !/^\d{1,19}$/.test(q.after)) throw badRequest('after is not a paging position this LRS gave');
    after = BigInt(q.after);
  }
  let agent: string | undefined;
  if (q.agent !== undefined) {
    if (typeof q.agent !== 'string') throw badRequest('agent must be the JSON of an Agent or Group');
    agent = agentIdentifier(parseAgentParam(q.agent, 'agent')) ?? undefined;
    if (agent === undefined) throw badRequest('agent must identify an Agent or an identified Group');
  }
  return {
    agent,
    verb: parseIri(q.verb, 'verb'),
    activity: parseIri(q.activity, 'activity'),
    registration: typeof q.registration === 'string' ? q.registration.toLowerCase() : undefined,
    relatedAgents: parseBoolean(q.related_agents, 'related_agents'),
    relatedActivities: parseBoolean(q.related_activities, 'related_activities'),
    since: timestampParam(q.since, 'since', version),
    until: timestampParam(q.until, 'until', version),
    ascending: parseBoolean(q.ascending, 'ascending'),
    limit,
    after,
  };
}

/**
 * The next page: the same query from after the last statement of this one, as an IRL relative to the
 * host (the spec allows relative ones) under wherever the LRS is mounted.
 */
function moreLink(baseUrl: string, q: Record<string, unknown>, lastSeq: bigint): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(q)) if (name !== 'after' && typeof value === 'string') params.set(name, value);
  params.set('after', String(lastSeq));
  return `${baseUrl}/statements?${params.toString()}`;
}
