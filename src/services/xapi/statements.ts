import type { Db, DbTx } from '../../db/client';
import { againWhenTransient } from '../../db/errors';
import { canonicalJson } from '../../domain/canonical-json';
import { XapiError } from '../../connectors/xapi/http';
import { agentIdentifier, statementActivities, statementAgents } from '../../connectors/xapi/agents';
import { activityDefinitionMerge, sameStatement } from '../../connectors/xapi/formats';
import type { AttachmentPart } from '../../connectors/xapi/multipart';
import type { ActivityDefinition, Statement } from '../../connectors/xapi/validation';
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
  // Batches that share statement ids in different orders can deadlock on them (a client resending
  // while the first delivery is still in flight): the loser goes again and finds them on record.
  return { ids, ...(await againWhenTransient(() => store(db, taskQueue, context, { incoming, stamped }, parts, now))) };
}

/** One attempt at storing a batch, in one transaction: the statements as sent and as the LRS stamped them. */
async function store(db: Db, taskQueue: string, context: StoreContext, { incoming, stamped }: { incoming: Statement[]; stamped: Statement[] }, parts: AttachmentPart[], now: Date) {
  return db.$transaction(async (tx) => {
    await checkVoiding(tx, context.tenantId, stamped);
    const stored = await insert(tx, context, stamped, now);
    await checkRepeats(tx, context.tenantId, incoming, stamped, new Set(stored.map((s) => s.statement.id)));
    const fresh = stored.map((s) => s.statement);
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
    return { stored, commandIds };
  });
}

/**
 * A statement whose id is on record is accepted again when it is the same statement, compared with
 * the statement as sent: what the LRS filled in (a timestamp the sender left out) does not count.
 */
async function checkRepeats(tx: DbTx, tenantId: string, incoming: Statement[], stamped: Statement[], inserted: Set<string>): Promise<void> {
  const repeated = stamped.flatMap((statement, i) => (inserted.has(statement.id) ? [] : [{ statement, sent: incoming[i]! }]));
  if (repeated.length === 0) return;
  const onRecord = await tx.xapiStatement.findMany({ where: { tenantId, id: { in: repeated.map((r) => r.statement.id) } }, select: { id: true, statement: true } });
  const known = new Map(onRecord.map((row) => [row.id, row.statement as Statement]));
  for (const { statement, sent } of repeated) {
    if (!sameStatement(known.get(statement.id)!, { ...sent, id: statement.id })) {
      throw new XapiError(409, 'statement_conflict', `Statement ${statement.id} is on record with other content; a new statement needs a new id`, { id: statement.id });
    }
  }
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

/**
 * The statements whose ids are not on record yet, with their agents and activities, in one SQL
 * statement: the statements as one JSON array (PostgreSQL parses each once, as it stores it), their
 * columns and links as a second, small one. Text arrays, one per column, cost both sides escaping
 * and unescaping every statement; one JSONB document of everything costs PostgreSQL a parse of the
 * whole and a copy of each statement out of it. Returns the rows it stored, in the batch's order.
 */
async function insert(tx: DbTx, context: StoreContext, statements: Statement[], now: Date): Promise<{ seq: bigint; statement: Statement }[]> {
  const columns = statements.map((s) => ({
    id: s.id,
    verb: s.verb.id,
    actor: agentIdentifier(s.actor),
    activity: isActivity(s.object) ? s.object.id : null,
    registration: s.context?.registration ?? null,
    ref: s.object?.objectType === 'StatementRef' ? s.object.id : null,
    timestamp: s.timestamp,
    agents: statementAgents(s),
    activities: statementActivities(s),
  }));
  const rows = await tx.$queryRaw<{ seq: bigint; n: bigint }[]>`
    WITH input AS (
      SELECT * FROM ROWS FROM (
          json_array_elements(${JSON.stringify(statements)}::json),
          jsonb_to_recordset(${JSON.stringify(columns)}::jsonb)
            AS (id uuid, verb text, actor text, activity text, registration uuid, ref uuid, timestamp timestamptz, agents jsonb, activities jsonb)
        ) WITH ORDINALITY AS i(statement, id, verb, actor, activity, registration, ref, timestamp, agents, activities, n)
    ), stored AS (
      INSERT INTO xapi_statement (tenant_id, id, statement, verb, actor, activity, registration, ref, voided, stored, timestamp, client_id)
      SELECT ${context.tenantId}::uuid, i.id, i.statement::jsonb, i.verb, i.actor, i.activity, i.registration, i.ref, false, ${now}, i.timestamp, ${context.clientId}::uuid
        FROM input i ORDER BY i.n
      ON CONFLICT (tenant_id, id) DO NOTHING
      RETURNING seq, id
    ), numbered AS (
      SELECT s.seq, i.n, i.agents, i.activities FROM stored s JOIN input i ON i.id = s.id
    ), agents AS (
      INSERT INTO xapi_statement_agent (tenant_id, agent, seq, related)
      SELECT ${context.tenantId}::uuid, a.identifier, s.seq, a.related FROM numbered s, jsonb_to_recordset(s.agents) AS a(identifier text, related boolean)
    ), activities AS (
      INSERT INTO xapi_statement_activity (tenant_id, activity, seq, related)
      SELECT ${context.tenantId}::uuid, a.id, s.seq, a.related FROM numbered s, jsonb_to_recordset(s.activities) AS a(id text, related boolean)
    )
    SELECT seq, n FROM numbered ORDER BY n`;
  return rows.map((r) => ({ seq: r.seq, statement: statements[Number(r.n) - 1]! }));
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
 * The canonical definition of each activity, from the statements that define it. Most batches change
 * none (content sends the same definition every time): those read the definitions and write nothing.
 * A batch that changes some takes a transaction-scoped advisory lock per activity, all in one order
 * (row locks alone deadlock: an upsert meets rows another batch inserted meanwhile), reads them again
 * under the locks and writes what changed.
 */
async function keepActivityDefinitions(tx: DbTx, tenantId: string, statements: Statement[]): Promise<void> {
  const sent = new Map<string, Map<string, ActivityDefinition>>();
  for (const s of statements) {
    if (!isActivity(s.object) || !s.object.definition) continue;
    const texts = sent.get(s.object.id) ?? sent.set(s.object.id, new Map()).get(s.object.id)!;
    texts.set(JSON.stringify(s.object.definition), s.object.definition);
  }
  const ids = [...sent.keys()].sort();
  if (ids.length === 0) return;
  const changes = (current: { id: string; definition: ActivityDefinition }[]) => {
    const known = new Map(current.map((r) => [r.id, r.definition]));
    return ids.flatMap((id) => {
      const before = known.get(id);
      const after = [...sent.get(id)!.values()].reduce<ActivityDefinition | undefined>((merged, definition) => activityDefinitionMerge(merged, definition), before);
      return before && sameDefinition(after!, before) ? [] : [{ id, definition: after! }];
    });
  };
  const read = () => tx.$queryRaw<{ id: string; definition: ActivityDefinition }[]>`
    SELECT id, definition FROM xapi_activity WHERE tenant_id = ${tenantId}::uuid AND id = ANY(${ids}::text[])`;
  if (changes(await read()).length === 0) return;
  await tx.$queryRaw`
    SELECT count(pg_advisory_xact_lock(k)) FROM (
      SELECT DISTINCT hashtextextended(${tenantId} || '|' || id, 0) AS k FROM unnest(${ids}::text[]) AS id ORDER BY 1) AS keys`;
  const changed = changes(await read());
  if (changed.length === 0) return;
  await tx.$executeRaw`
    INSERT INTO xapi_activity (tenant_id, id, definition)
    SELECT ${tenantId}::uuid, a.id, a.definition FROM jsonb_to_recordset(${JSON.stringify(changed)}::jsonb) AS a(id text, definition jsonb)
    ON CONFLICT (tenant_id, id) DO UPDATE SET definition = EXCLUDED.definition`;
}

/** A merge that changes nothing keeps the stored definition's key order, so the cheap comparison settles most. */
const sameDefinition = (a: ActivityDefinition, b: ActivityDefinition) => JSON.stringify(a) === JSON.stringify(b) || canonicalJson(a) === canonicalJson(b);
