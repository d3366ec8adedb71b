import { createHash } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { Db } from '../../db/client';
import {
  activityObject,
  deleteDocument,
  deleteDocuments,
  getDocument,
  knownAgentNames,
  listDocumentIds,
  postDocument,
  putDocument,
  type DocumentKey,
  type DocumentKind,
  type DocumentScope,
  type Preconditions,
} from '../../services/xapi/documents';
import { agentIdentifier, parseAgentParam } from './agents';
import { badRequest, requireScope, XapiError } from './http';
import type { Agent, Group } from './validation';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$/;
const IRI = /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/;

/** How each Document Resource names its scope and its documents (Communication 2.3, 2.6, 2.7). */
interface DocumentResource {
  kind: DocumentKind;
  path: string;
  /** The parameter naming one document. */
  idParam: 'stateId' | 'profileId';
  usesActivity: boolean;
  usesAgent: boolean;
  usesRegistration: boolean;
  /** DELETE without the id parameter removes every document of the scope (State only). */
  deletesAll: boolean;
}

const RESOURCES: DocumentResource[] = [
  { kind: 'state', path: '/activities/state', idParam: 'stateId', usesActivity: true, usesAgent: true, usesRegistration: true, deletesAll: true },
  { kind: 'activity_profile', path: '/activities/profile', idParam: 'profileId', usesActivity: true, usesAgent: false, usesRegistration: false, deletesAll: false },
  { kind: 'agent_profile', path: '/agents/profile', idParam: 'profileId', usesActivity: false, usesAgent: true, usesRegistration: false, deletesAll: false },
];

/**
 * The Document Resources (State, Activity Profile, Agent Profile) and the Activities and Agents
 * Resources, mounted after version and authentication. Every row is the calling client's tenant's.
 */
export function documentsRouter(db: Db): Router {
  const router = Router();

  for (const resource of RESOURCES) {
    router.get(resource.path, requireScope('read'), async (req, res) => {
      const q = parameters(req, resource, ['since']);
      const scope = scopeOf(req, resource, q);
      const since = parseSince(q.since);
      const documentId = optionalId(q, resource);
      if (documentId === undefined) {
        const { ids, lastModified } = await listDocumentIds(db, scope, since);
        if (lastModified) res.set('last-modified', lastModified.toUTCString());
        return sendJson(res, ids);
      }
      const document = await getDocument(db, { ...scope, registration: scope.registration ?? '', documentId });
      if (!document) throw new XapiError(404, 'not_found', `No ${resource.idParam} ${JSON.stringify(documentId)} is stored here`);
      res.setHeader('Content-Type', document.contentType);
      res.setHeader('ETag', `"${document.etag}"`);
      res.setHeader('Last-Modified', document.updated.toUTCString());
      res.status(200).send(document.content);
    });

    router.put(resource.path, requireScope('write'), async (req, res) => {
      const key = keyOf(req, resource);
      await putDocument(db, key, contentOf(req), preconditionsOf(req), req.xapiVersion!);
      res.status(204).end();
    });

    router.post(resource.path, requireScope('write'), async (req, res) => {
      const key = keyOf(req, resource);
      await postDocument(db, key, contentOf(req), preconditionsOf(req));
      res.status(204).end();
    });

    router.delete(resource.path, requireScope('write'), async (req, res) => {
      const q = parameters(req, resource, []);
      const scope = scopeOf(req, resource, q);
      const documentId = optionalId(q, resource);
      if (documentId === undefined) {
        if (!resource.deletesAll) throw badRequest(`${resource.idParam} is required`, { parameter: resource.idParam });
        await deleteDocuments(db, scope);
      } else {
        await deleteDocument(db, { ...scope, registration: scope.registration ?? '', documentId }, preconditionsOf(req));
      }
      res.status(204).end();
    });
  }

  // The Activities Resource (Communication 2.5): the full Activity Object.
  router.get('/activities', requireScope('read'), async (req, res) => {
    onlyParameters(req, ['activityId']);
    const activityId = parseIri(req.query.activityId, 'activityId');
    sendJson(res, await activityObject(db, req.lrs!.tenantId, activityId));
  });

  // The Agents Resource (Communication 2.4): a Person of what is known of this agent (no identity merging).
  router.get('/agents', requireScope('read'), async (req, res) => {
    onlyParameters(req, ['agent']);
    const agent = parseAgent(req.query.agent, 'agent');
    if (agent.objectType === 'Group') throw badRequest('agent must be an Agent, not a Group (Communication 2.4)', { parameter: 'agent' });
    const identifier = agentIdentifier(agent)!;
    sendJson(res, person(agent, await knownAgentNames(db, req.lrs!.tenantId, identifier)));
  });

  return router;
}

type Query = Record<string, unknown>;

/**
 * The query parameters, refusing any this resource does not define in this context — a parameter
 * unknown here or differing from a known one only in case is 400 (Communication 3.2).
 */
function parameters(req: Request, resource: DocumentResource, extra: string[]): Query {
  const allowed = [resource.idParam, ...extra];
  if (resource.usesActivity) allowed.push('activityId');
  if (resource.usesAgent) allowed.push('agent');
  if (resource.usesRegistration) allowed.push('registration');
  onlyParameters(req, allowed);
  return req.query as Query;
}

function onlyParameters(req: Request, allowed: readonly string[]): void {
  const query = req.query as Query;
  const unknown = Object.keys(query).filter((name) => !allowed.includes(name));
  if (unknown.length > 0) throw badRequest(`Unexpected parameter${unknown.length > 1 ? 's' : ''} here: ${unknown.join(', ')}`, { parameters: unknown });
  for (const [name, value] of Object.entries(query)) {
    // Text that PostgreSQL cannot hold is refused here rather than failing the write.
    if (typeof value === 'string' && value.includes('\u0000')) throw badRequest(`${name} must not contain a NUL character`, { parameter: name });
  }
}

function scopeOf(req: Request, resource: DocumentResource, q: Query): DocumentScope {
  const activity = resource.usesActivity ? parseIri(q.activityId, 'activityId') : '';
  const agent = resource.usesAgent ? agentIdentifier(parseAgent(q.agent, 'agent'))! : '';
  if (agent.includes('\u0000')) throw badRequest('agent must not contain a NUL character', { parameter: 'agent' });
  let registration: string | undefined = resource.usesRegistration ? undefined : '';
  if (resource.usesRegistration && q.registration !== undefined) {
    if (typeof q.registration !== 'string' || !UUID.test(q.registration)) throw badRequest('registration must be a UUID', { parameter: 'registration' });
    registration = q.registration.toLowerCase();
  }
  return { tenantId: req.lrs!.tenantId, kind: resource.kind, activity, agent, registration };
}

/** The key of the one document a PUT or POST writes: the id parameter is required. */
function keyOf(req: Request, resource: DocumentResource): DocumentKey {
  const q = parameters(req, resource, []);
  const scope = scopeOf(req, resource, q);
  const documentId = optionalId(q, resource);
  if (documentId === undefined) throw badRequest(`${resource.idParam} is required`, { parameter: resource.idParam });
  return { ...scope, registration: scope.registration ?? '', documentId };
}

function optionalId(q: Query, resource: DocumentResource): string | undefined {
  const value = q[resource.idParam];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) throw badRequest(`${resource.idParam} must be one non-empty string`, { parameter: resource.idParam });
  return value;
}

function parseIri(value: unknown, name: string): string {
  if (value === undefined) throw badRequest(`${name} is required`, { parameter: name });
  if (typeof value !== 'string' || !IRI.test(value)) throw badRequest(`${name} must be an IRI`, { parameter: name });
  return value;
}

function parseAgent(value: unknown, name: string): Agent | Group {
  if (value === undefined) throw badRequest(`${name} is required`, { parameter: name });
  if (typeof value !== 'string') throw badRequest(`${name} must be the JSON of one Agent`, { parameter: name });
  const agent = parseAgentParam(value, name);
  if (agentIdentifier(agent) === null) throw badRequest(`${name} must identify an Agent (mbox, mbox_sha1sum, openid or account)`, { parameter: name });
  return agent;
}

function parseSince(value: unknown): Date | undefined {
  if (value === undefined) return undefined;
  const date = typeof value === 'string' && TIMESTAMP.test(value) ? new Date(value) : null;
  if (!date || Number.isNaN(date.getTime())) throw badRequest('since must be an ISO 8601 timestamp with a time zone', { parameter: 'since' });
  return date;
}

/** The body exactly as sent, with its Content-Type (a document without one is bytes). */
function contentOf(req: Request): { contentType: string; content: Buffer } {
  return {
    contentType: req.get('content-type') ?? 'application/octet-stream',
    content: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
  };
}

/** If-Match / If-None-Match: `*` or a list of entity tags, quotes removed; weak tags never match (strong comparison). */
function preconditionsOf(req: Request): Preconditions {
  return { ifMatch: entityTags(req.get('if-match')), ifNoneMatch: entityTags(req.get('if-none-match')) };
}

function entityTags(header: string | undefined): '*' | string[] | undefined {
  if (header === undefined) return undefined;
  if (header.trim() === '*') return '*';
  return header
    .split(',')
    .map((tag) => tag.trim())
    .filter((tag) => tag.length > 0 && !tag.startsWith('W/'))
    .map((tag) => tag.replace(/^"(.*)"$/, '$1').toLowerCase());
}

/** JSON with a strong ETag of exactly the bytes sent (every GET carries one, Communication 3.1). */
function sendJson(res: Response, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('ETag', `"${createHash('sha1').update(body).digest('hex')}"`);
  res.status(200).send(body);
}

/** A Person Object (Communication 2.4): each property an array; here the agent's own identifier and the names known for it. */
function person(a: Agent, knownNames: string[]): Record<string, unknown> {
  const names = [...new Set([...(typeof a.name === 'string' ? [a.name] : []), ...knownNames])];
  return {
    objectType: 'Person',
    ...(names.length > 0 ? { name: names } : {}),
    ...(typeof a.mbox === 'string' ? { mbox: [a.mbox] } : {}),
    ...(typeof a.mbox_sha1sum === 'string' ? { mbox_sha1sum: [a.mbox_sha1sum] } : {}),
    ...(typeof a.openid === 'string' ? { openid: [a.openid] } : {}),
    ...(a.account ? { account: [{ homePage: a.account.homePage, name: a.account.name }] } : {}),
  };
}
