import { createHash } from 'node:crypto';
import type { Db, DbTx } from '../../db/client';
import { XapiError } from '../../connectors/xapi/http';

/** Which of the three Document Resources (Communication 2.2) a document belongs to. */
export type DocumentKind = 'state' | 'activity_profile' | 'agent_profile';

/**
 * The documents a request is about: the resource, and the activity, agent (its identifier) and
 * registration that scope it — '' where the resource has none. `registration` left undefined means
 * any registration (the State Resource's id list and delete-all without a registration).
 */
export interface DocumentScope {
  tenantId: string;
  kind: DocumentKind;
  activity: string;
  agent: string;
  registration?: string;
}

/** One document: its scope and its stateId or profileId. */
export interface DocumentKey extends DocumentScope {
  registration: string;
  documentId: string;
}

export interface DocumentContent {
  /** The Content-Type the document was sent with, returned as it is. */
  contentType: string;
  content: Buffer;
}

export interface StoredDocument extends DocumentContent {
  documentId: string;
  /** The SHA-1 of the content in lowercase hex (Communication 3.1), without quotes. */
  etag: string;
  updated: Date;
}

/** If-Match and If-None-Match of a request: `*`, or the entity tags listed (quotes removed). */
export interface Preconditions {
  ifMatch?: '*' | string[];
  ifNoneMatch?: '*' | string[];
}

export type XapiVersion = '1.0.3' | '2.0.0';

/** The ETag of a document: the SHA-1 of its content, which 1.0.3 asks for and 2.0.0 allows. */
export function documentEtag(content: Uint8Array): string {
  return createHash('sha1').update(content).digest('hex');
}

export async function getDocument(db: Db, key: DocumentKey): Promise<StoredDocument | null> {
  const row = await db.xapiDocument.findUnique({ where: { tenantId_kind_activity_agent_registration_documentId: uniqueKey(key) } });
  return row ? stored(row) : null;
}

/**
 * The ids of the documents in a scope updated after `since` (exclusive), and when the latest of them
 * was updated (for Last-Modified). A state id used under several registrations is listed once.
 */
export async function listDocumentIds(db: Db, scope: DocumentScope, since?: Date): Promise<{ ids: string[]; lastModified: Date | null }> {
  const rows = await db.xapiDocument.findMany({
    where: { ...scopeFilter(scope), ...(since ? { updated: { gt: since } } : {}) },
    select: { documentId: true, updated: true },
    orderBy: { documentId: 'asc' },
  });
  const ids = [...new Set(rows.map((r) => r.documentId))];
  const lastModified = rows.length === 0 ? null : new Date(Math.max(...rows.map((r) => r.updated.getTime())));
  return { ids, lastModified };
}

/**
 * PUT: stores the document as sent, replacing any earlier one (Communication 2.3–2.7), under the
 * concurrency rules of Communication 3.1. A failed If-Match / If-None-Match is 412. A PUT with
 * neither header over an existing document is 409 — except State in 1.0.3, which the 1.0.3
 * specification lets write without concurrency headers; 2.0.0 asks it of every document resource.
 * A 1.0.3 profile PUT with neither header is refused (400) even for a new document, the client
 * rule "MUST include If-Match or If-None-Match" enforced as the 1.0.3 conformance suite expects.
 */
export async function putDocument(db: Db, key: DocumentKey, document: DocumentContent, preconditions: Preconditions, version: XapiVersion, now = new Date()): Promise<void> {
  await withLockedDocument(db, key, async (tx, current) => {
    checkPreconditions(current, preconditions);
    if (preconditions.ifMatch === undefined && preconditions.ifNoneMatch === undefined) {
      const stateIn103 = key.kind === 'state' && version === '1.0.3';
      if (current && !stateIn103) {
        throw new XapiError(409, 'document_exists', `This ${describe(key.kind)} document already exists: GET it to learn its current ETag, then PUT again with If-Match set to that ETag (or If-None-Match: * to create only)`, { etag: `"${current.etag}"` });
      }
      if (!current && key.kind !== 'state' && version === '1.0.3') {
        throw new XapiError(400, 'concurrency_header_required', `A PUT to the ${describe(key.kind)} resource needs an If-Match or If-None-Match header`);
      }
    }
    await write(tx, key, current, document, now);
  });
}

/**
 * POST: a new document is stored as sent; over an existing one, both must be JSON objects
 * (application/json) and the posted object's top-level properties replace the stored ones
 * (Communication 2.2 JSON Procedure) — otherwise 400 and nothing changes. A posted document that
 * says it is application/json must be a JSON object whether or not one is stored yet
 * (Communication 2.2.s8.b2; ADL XAPI-00314). If-Match and If-None-Match are honoured as for PUT (412).
 */
export async function postDocument(db: Db, key: DocumentKey, document: DocumentContent, preconditions: Preconditions, now = new Date()): Promise<void> {
  if (mediaType(document.contentType) === 'application/json') jsonObjectOf(document, 'The posted document');
  await withLockedDocument(db, key, async (tx, current) => {
    checkPreconditions(current, preconditions);
    if (!current) return write(tx, key, null, document, now);
    const existing = jsonObjectOf(current, 'The stored document');
    const posted = jsonObjectOf(document, 'The posted document');
    const merged = Buffer.from(JSON.stringify({ ...existing, ...posted }), 'utf8');
    await write(tx, key, current, { contentType: current.contentType, content: merged }, now);
  });
}

/** DELETE of one document: gone afterwards whether or not it was there; If-Match / If-None-Match honoured (412). */
export async function deleteDocument(db: Db, key: DocumentKey, preconditions: Preconditions): Promise<void> {
  await withLockedDocument(db, key, async (tx, current) => {
    checkPreconditions(current, preconditions);
    if (current) await tx.xapiDocument.delete({ where: { id: current.id } });
  });
}

/** DELETE of every document in a scope (the State Resource without stateId, Communication 2.3). */
export async function deleteDocuments(db: Db, scope: DocumentScope): Promise<number> {
  const { count } = await db.xapiDocument.deleteMany({ where: scopeFilter(scope) });
  return count;
}

/**
 * The Activities Resource (Communication 2.5) reads the canonical definition the statements built;
 * an activity the LRS has not seen defined is still an Activity Object with its id.
 */
export async function activityObject(db: Db, tenantId: string, activityId: string): Promise<Record<string, unknown>> {
  const row = await db.xapiActivity.findUnique({ where: { tenantId_id: { tenantId, id: activityId } }, select: { definition: true } });
  const definition = row?.definition;
  const defined = definition !== null && typeof definition === 'object' && !Array.isArray(definition) && Object.keys(definition).length > 0;
  return { objectType: 'Activity', id: activityId, ...(defined ? { definition } : {}) };
}

/**
 * The names statements gave the agent with this identifier as their actor (for the Agents
 * Resource's Person, Communication 2.4). Only the latest `scan` statements of the agent are read, so
 * the cost stays bounded for a learner with years of statements (an index range on tenant and actor).
 */
export async function knownAgentNames(db: Db, tenantId: string, agentIdentifier: string, { scan = 1000, limit = 50 } = {}): Promise<string[]> {
  const rows = await db.$queryRaw<{ name: string }[]>`
    SELECT DISTINCT name FROM (
      SELECT statement->'actor'->>'name' AS name
        FROM xapi_statement
       WHERE tenant_id = ${tenantId}::uuid AND actor = ${agentIdentifier}
       ORDER BY seq DESC
       LIMIT ${scan}
    ) latest
    WHERE name IS NOT NULL
    LIMIT ${limit}`;
  return rows.map((r) => r.name);
}

interface DocumentRow {
  id: string;
  documentId: string;
  contentType: string;
  content: Uint8Array;
  etag: string;
  updated: Date;
}

/**
 * Runs a write with the document's current row under a transaction-scoped advisory lock on its key,
 * so concurrent writers of one document (a row that may not exist yet) take turns and every
 * precondition is checked against what is really there when the write happens.
 */
async function withLockedDocument<T>(db: Db, key: DocumentKey, work: (tx: DbTx, current: DocumentRow | null) => Promise<T>): Promise<T> {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${lockId(key)})`;
    const current = await tx.xapiDocument.findUnique({ where: { tenantId_kind_activity_agent_registration_documentId: uniqueKey(key) } });
    return work(tx, current);
  });
}

/** A 64-bit lock id from the document's key (SHA-256, so two documents share a lock only by a negligible chance). */
function lockId(key: DocumentKey): bigint {
  const name = JSON.stringify([key.tenantId, key.kind, key.activity, key.agent, key.registration, key.documentId]);
  return createHash('sha256').update(name).digest().readBigInt64BE(0);
}

async function write(tx: DbTx, key: DocumentKey, current: DocumentRow | null, document: DocumentContent, now: Date): Promise<void> {
  const data = { contentType: document.contentType, content: new Uint8Array(document.content), etag: documentEtag(document.content), updated: now };
  if (current) await tx.xapiDocument.update({ where: { id: current.id }, data });
  else await tx.xapiDocument.create({ data: { ...uniqueKey(key), ...data } });
}

/**
 * If-Match and If-None-Match as RFC 7232 §3.1–3.2 define them, with strong comparison: If-Match holds
 * when the document exists and (`*` or) its ETag is listed; If-None-Match holds when it does not
 * exist or (for a list) its ETag is not listed. A failed condition is 412 and nothing is written.
 */
function checkPreconditions(current: DocumentRow | null, { ifMatch, ifNoneMatch }: Preconditions): void {
  if (ifMatch !== undefined && !(current && (ifMatch === '*' || ifMatch.includes(current.etag)))) {
    throw new XapiError(412, 'precondition_failed', current ? 'If-Match does not name the current ETag of this document: it has changed since it was read' : 'If-Match was given but there is no such document', current ? { etag: `"${current.etag}"` } : undefined);
  }
  if (ifNoneMatch !== undefined && current && (ifNoneMatch === '*' || ifNoneMatch.includes(current.etag))) {
    throw new XapiError(412, 'precondition_failed', ifNoneMatch === '*' ? 'If-None-Match: * was given but the document already exists' : 'If-None-Match names the current ETag of this document', { etag: `"${current.etag}"` });
  }
}

function jsonObjectOf(document: { contentType: string; content: Uint8Array }, what: string): Record<string, unknown> {
  if (mediaType(document.contentType) !== 'application/json') {
    throw new XapiError(400, 'document_not_mergeable', `${what} is ${document.contentType || 'without a Content-Type'}; a POST merges only application/json documents (use PUT to replace)`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(document.content).toString('utf8'));
  } catch {
    throw new XapiError(400, 'document_not_mergeable', `${what} is not valid JSON; a POST merges JSON objects`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new XapiError(400, 'document_not_mergeable', `${what} is JSON but not a JSON object; a POST merges JSON objects`);
  }
  return parsed as Record<string, unknown>;
}

function mediaType(contentType: string): string {
  return contentType.split(';')[0]!.trim().toLowerCase();
}

function uniqueKey(key: DocumentKey) {
  return { tenantId: key.tenantId, kind: key.kind, activity: key.activity, agent: key.agent, registration: key.registration, documentId: key.documentId };
}

function scopeFilter(scope: DocumentScope) {
  return { tenantId: scope.tenantId, kind: scope.kind, activity: scope.activity, agent: scope.agent, ...(scope.registration === undefined ? {} : { registration: scope.registration }) };
}

function stored(row: DocumentRow): StoredDocument {
  return { documentId: row.documentId, contentType: row.contentType, content: Buffer.from(row.content), etag: row.etag, updated: row.updated };
}

function describe(kind: DocumentKind): string {
  return kind === 'state' ? 'state' : kind === 'activity_profile' ? 'activity profile' : 'agent profile';
}
