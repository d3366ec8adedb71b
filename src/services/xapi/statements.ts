import type { Db, DbTx } from '../../db/client';
import { canonicalJson } from '../../domain/canonical-json';
import { XapiError } from '../../connectors/xapi/http';
import { agentIdentifier, statementActivities, statementAgents } from '../../connectors/xapi/agents';
import { activityDefinitionMerge, sameStatement } from '../../connectors/xapi/formats';
import type { AttachmentPart } from '../../connectors/xapi/multipart';
import type { Statement } from '../../connectors/xapi/validation';
import type { Actor } from '../audit/trail';
import { completionsFromStatements, revokeVoidedCompletions } from './completions';

export const VOIDED = 'http://adlnet.gov/expapi/verbs/voided';

export interface StoreContext {
  tenantId: string;
  clientId: string;
  /** The Agent the statements' authority is set to (from the LRS client's credentials). */
  authority: Record<string, unknown>;
  version: '1.0.3' | '2.0.0';
}

/**
 * Stores a batch of valid statements in one transaction, all or nothing (Communication 2.1.2):
 * ids are assigned where missing; `stored`, `authority` and `version` are the LRS's; a statement whose
 * id is on record is accepted again when it is the same statement and refused (409) when it is not;
 * a voiding statement voids its target unless that is itself a voiding statement (400). Agents and
 * activities in every position go to link tables; activities' definitions are merged into their
 * canonical one; statements about mapped activities become completions, and voiding takes them back.
 * Returns the statements' ids in order, the stored rows, and the process commands to deliver.
 */
export async function storeStatements(
  db: Db,
  taskQueue: string,
  context: StoreContext,
  incoming: Statement[],
  parts: AttachmentPart[],
  now = new Date(),
): Promise<{ ids: string[]; stored: { seq: bigint; statement: Statement }[]; commandIds: bigint[] }> {
  const stamped = incoming.map((statement) => stamp(statement, context, now));
  const ids = stamped.map((s) => s.id as string);
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
  if (repeated) throw new XapiError(400, 'duplicate_statement_id', `The batch holds statement ${repeated} twice`);
  return db.$transaction(async (tx) => {
    const existing = await tx.xapiStatement.findMany({ where: { tenantId: context.tenantId, id: { in: ids } }, select: { id: true, statement: true } });
    const known = new Map(existing.map((row) => [row.id, row.statement as Statement]));
    for (const [i, statement] of stamped.entries()) {
      const previous = known.get(statement.id);
      // Compared with the statement as sent: what the LRS filled in (a timestamp the sender left out) does not count.
      if (previous && !sameStatement(previous, { ...incoming[i]!, id: statement.id })) {
        throw new XapiError(409, 'statement_conflict', `Statement ${statement.id} is on record with other content; a new statement needs a new id`, { id: statement.id });
      }
    }
    const fresh = stamped.filter((s) => !known.has(s.id));
    await checkVoiding(tx, context.tenantId, fresh);
    const stored = await insert(tx, context, fresh, now);
    await voidTargets(tx, context.tenantId, fresh);
    await keepAttachments(tx, context.tenantId, parts);
    await keepActivityDefinitions(tx, context.tenantId, fresh);
    // What the statements mean for people's training, in the same transaction.
    const actor: Actor = { type: 'api_client', id: context.clientId };
    const voiding = fresh.filter((s) => s.verb.id === VOIDED);
    const commandIds = [
      ...(await completionsFromStatements(tx, taskQueue, context.tenantId, actor, fresh.filter((s) => s.verb.id !== VOIDED))),
      ...(await revokeVoidedCompletions(tx, taskQueue, context.tenantId, actor, voiding.map((s) => s.object.id as string))),
    ];
    return { ids, stored, commandIds };
  });
}

/** What the LRS adds to a statement as it stores it (Data 2.4.8–2.4.10). */
function stamp(statement: Statement, context: StoreContext, now: Date): Statement {
  const stored = now.toISOString();
  return {
    ...statement,
    id: statement.id ?? crypto.randomUUID(),
    timestamp: statement.timestamp ?? stored,
    stored,
    authority: context.authority,
    version: statement.version ?? (context.version === '2.0.0' ? '2.0.0' : '1.0.0'),
  };
}

async function checkVoiding(tx: DbTx, tenantId: string, statements: Statement[]): Promise<void> {
  const targets = statements.filter((s) => s.verb.id === VOIDED).map((s) => s.object.id as string);
  if (targets.length === 0) return;
  const voiding = new Set([
    ...statements.filter((s) => s.verb.id === VOIDED).map((s) => s.id as string),
    ...(await tx.xapiStatement.findMany({ where: { tenantId, id: { in: targets }, verb: VOIDED }, select: { id: true } })).map((r) => r.id),
  ]);
  const bad = targets.find((t) => voiding.has(t));
  if (bad) throw new XapiError(400, 'voiding_a_voiding_statement', `Statement ${bad} is itself a voiding statement and cannot be voided`);
}

async function insert(tx: DbTx, context: StoreContext, statements: Statement[], now: Date): Promise<{ seq: bigint; statement: Statement }[]> {
  if (statements.length === 0) return [];
  const column = <T>(pick: (s: Statement) => T) => statements.map(pick);
  const rows = await tx.$queryRaw<{ seq: bigint; id: string }[]>`
    INSERT INTO xapi_statement (tenant_id, id, statement, verb, actor, activity, registration, ref, voided, stored, timestamp, client_id)
    SELECT ${context.tenantId}::uuid, i.id, i.statement, i.verb, i.actor, i.activity, i.registration, i.ref, false, ${now}, i.timestamp, ${context.clientId}::uuid
      FROM unnest(${column((s) => s.id)}::uuid[], ${column((s) => JSON.stringify(s))}::jsonb[], ${column((s) => s.verb.id)}::text[],
                  ${column((s) => agentIdentifier(s.actor))}::text[], ${column((s) => (isActivity(s.object) ? s.object.id : null))}::text[],
                  ${column((s) => s.context?.registration ?? null)}::uuid[], ${column((s) => (s.object?.objectType === 'StatementRef' ? s.object.id : null))}::uuid[],
                  ${column((s) => s.timestamp)}::timestamptz[])
           WITH ORDINALITY AS i(id, statement, verb, actor, activity, registration, ref, timestamp, n)
     ORDER BY i.n
    RETURNING seq, id`;
  const seqOf = new Map(rows.map((r) => [r.id, r.seq]));
  const agents = statements.flatMap((s) => statementAgents(s).map((a) => ({ seq: seqOf.get(s.id)!, agent: a.identifier, related: a.related })));
  const activities = statements.flatMap((s) => statementActivities(s).map((a) => ({ seq: seqOf.get(s.id)!, activity: a.id, related: a.related })));
  if (agents.length > 0) {
    await tx.$executeRaw`
      INSERT INTO xapi_statement_agent (seq, tenant_id, agent, related)
      SELECT a.seq, ${context.tenantId}::uuid, a.agent, a.related FROM unnest(${agents.map((a) => a.seq)}::bigint[], ${agents.map((a) => a.agent)}::text[], ${agents.map((a) => a.related)}::boolean[]) AS a(seq, agent, related)
      ON CONFLICT DO NOTHING`;
  }
  if (activities.length > 0) {
    await tx.$executeRaw`
      INSERT INTO xapi_statement_activity (seq, tenant_id, activity, related)
      SELECT a.seq, ${context.tenantId}::uuid, a.activity, a.related FROM unnest(${activities.map((a) => a.seq)}::bigint[], ${activities.map((a) => a.activity)}::text[], ${activities.map((a) => a.related)}::boolean[]) AS a(seq, activity, related)
      ON CONFLICT DO NOTHING`;
  }
  return statements.map((statement) => ({ seq: seqOf.get(statement.id)!, statement }));
}

function isActivity(object: Statement['object']): boolean {
  return object !== undefined && (object.objectType === undefined || object.objectType === 'Activity');
}

/** Voided statements stay stored (for the voidedStatementId lookup) but leave every query. */
async function voidTargets(tx: DbTx, tenantId: string, statements: Statement[]): Promise<void> {
  const targets = statements.filter((s) => s.verb.id === VOIDED).map((s) => s.object.id as string);
  if (targets.length === 0) return;
  await tx.$executeRaw`UPDATE xapi_statement SET voided = true WHERE tenant_id = ${tenantId}::uuid AND id = ANY(${targets}::uuid[]) AND verb <> ${VOIDED}`;
}

async function keepAttachments(tx: DbTx, tenantId: string, parts: AttachmentPart[]): Promise<void> {
  // Hashes are hex: one case for all, whatever case a client wrote them in.
  const unique = [...new Map(parts.map((p) => [p.sha2.toLowerCase(), p])).entries()].sort(([a], [b]) => (a < b ? -1 : 1)); // one lock order for concurrent batches
  for (const [sha2, part] of unique) {
    await tx.$executeRaw`
      INSERT INTO xapi_attachment (tenant_id, sha2, content_type, content) VALUES (${tenantId}::uuid, ${sha2}, ${part.contentType}, ${part.content})
      ON CONFLICT DO NOTHING`;
  }
}

/**
 * The canonical definition of each activity, from the statements that define it. Concurrent batches
 * that share activities take a transaction-scoped advisory lock per activity first, all in one order
 * (row locks alone deadlock: an upsert meets rows another batch inserted meanwhile); definitions that
 * a batch does not change are not written again.
 */
async function keepActivityDefinitions(tx: DbTx, tenantId: string, statements: Statement[]): Promise<void> {
  const defined = new Map<string, Record<string, unknown>>();
  for (const s of statements) {
    if (isActivity(s.object) && s.object.definition) defined.set(s.object.id, activityDefinitionMerge(defined.get(s.object.id) ?? {}, s.object.definition));
  }
  const ids = [...defined.keys()].sort();
  if (ids.length === 0) return;
  await tx.$queryRaw`
    SELECT count(pg_advisory_xact_lock(k)) FROM (
      SELECT DISTINCT hashtextextended(${tenantId} || '|' || id, 0) AS k FROM unnest(${ids}::text[]) AS id ORDER BY 1) AS keys`;
  const current = await tx.$queryRaw<{ id: string; definition: Record<string, unknown> }[]>`
    SELECT id, definition FROM xapi_activity WHERE tenant_id = ${tenantId}::uuid AND id = ANY(${ids}::text[])`;
  const known = new Map(current.map((r) => [r.id, r.definition]));
  const changed = ids
    .map((id) => ({ id, definition: known.has(id) ? activityDefinitionMerge(known.get(id)!, defined.get(id)!) : defined.get(id)! }))
    .filter(({ id, definition }) => !known.has(id) || canonicalJson(definition) !== canonicalJson(known.get(id)!));
  if (changed.length === 0) return;
  await tx.$executeRaw`
    INSERT INTO xapi_activity (tenant_id, id, definition)
    SELECT ${tenantId}::uuid, a.id, a.definition FROM unnest(${changed.map((c) => c.id)}::text[], ${changed.map((c) => JSON.stringify(c.definition))}::jsonb[]) AS a(id, definition)
    ON CONFLICT (tenant_id, id) DO UPDATE SET definition = EXCLUDED.definition`;
}

