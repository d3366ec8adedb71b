import type { Db } from '../../db/client';
import { Prisma } from '../../db/client';
import type { Statement } from '../../connectors/xapi/validation';

export interface StatementFilters {
  /** An agent's identifier (agentIdentifier). */
  agent?: string;
  verb?: string;
  activity?: string;
  registration?: string;
  relatedAgents: boolean;
  relatedActivities: boolean;
  since?: Date;
  until?: Date;
  ascending: boolean;
  limit: number;
  /** The last `seq` of the previous page (the `more` link carries it). */
  after?: bigint;
}

export interface StatementRow {
  seq: bigint;
  statement: Statement;
  stored: Date;
}

/**
 * One page of the statements that match (Communication 2.1.3): not voided; filters on agent, verb,
 * activity and registration match the statement itself, or — the spec's rule for statements that
 * target others — the statement its StatementRef object names (one level: a reference to a
 * reference is not followed). Time and paging filters apply to the statement returned.
 *
 * With an agent or activity filter the page is read from that link table's key (tenant, agent or
 * activity, seq) in order, so it stops after a page whether the agent or activity has ten statements
 * or a million (`related_*` included: a statement is listed there once per agent or activity).
 */
export async function findStatements(db: Db, tenantId: string, f: StatementFilters): Promise<{ rows: StatementRow[]; more: boolean }> {
  const order = f.ascending ? Prisma.sql`ASC` : Prisma.sql`DESC`;
  const limit = f.limit + 1;
  const readBy = drivingLink(f);
  const driver = readBy && link(readBy, tenantId, f);
  const window = (seq: Prisma.Sql) => [
    f.since ? Prisma.sql`AND s.stored > ${f.since}` : Prisma.empty,
    f.until ? Prisma.sql`AND s.stored <= ${f.until}` : Prisma.empty,
    f.after !== undefined ? (f.ascending ? Prisma.sql`AND ${seq} > ${f.after}` : Prisma.sql`AND ${seq} < ${f.after}`) : Prisma.empty,
  ];
  const direct = driver
    ? Prisma.sql`
        SELECT s.seq, s.statement, s.stored FROM ${driver.table} l JOIN xapi_statement s ON s.seq = l.seq
         WHERE ${driver.condition} AND s.tenant_id = ${tenantId}::uuid AND NOT s.voided ${filtersOn('s', tenantId, f, readBy!)} ${Prisma.join(window(Prisma.sql`l.seq`), ' ')}
         ORDER BY l.seq ${order} LIMIT ${limit}`
    : Prisma.sql`
        SELECT s.seq, s.statement, s.stored FROM xapi_statement s
         WHERE s.tenant_id = ${tenantId}::uuid AND NOT s.voided ${filtersOn('s', tenantId, f)} ${Prisma.join(window(Prisma.sql`s.seq`), ' ')}
         ORDER BY s.seq ${order} LIMIT ${limit}`;
  const hasTargetFilters = f.agent !== undefined || f.verb !== undefined || f.activity !== undefined || f.registration !== undefined;
  const rows = hasTargetFilters
    ? await db.$queryRaw<StatementRow[]>`
        SELECT seq, statement, stored FROM (
          (${direct})
          UNION
          (SELECT s.seq, s.statement, s.stored FROM xapi_statement s JOIN xapi_statement t ON t.tenant_id = s.tenant_id AND t.id = s.ref
            WHERE s.tenant_id = ${tenantId}::uuid AND s.ref IS NOT NULL AND NOT s.voided ${filtersOn('t', tenantId, f)} ${Prisma.join(window(Prisma.sql`s.seq`), ' ')}
            ORDER BY s.seq ${order} LIMIT ${limit})
        ) page ORDER BY seq ${order} LIMIT ${limit}`
    : await db.$queryRaw<StatementRow[]>`${direct}`;
  return { rows: rows.slice(0, f.limit), more: rows.length > f.limit };
}

type Link = 'agent' | 'activity';

/** The link table a page is read from: the agent's when the filters name one, else the activity's. */
function drivingLink(f: StatementFilters): Link | null {
  return f.agent !== undefined ? 'agent' : f.activity !== undefined ? 'activity' : null;
}

/** A link table (to alias `l`) and its rows that name the filters' agent or activity (every place of it with `related_*`). */
function link(kind: Link, tenantId: string, f: StatementFilters): { table: Prisma.Sql; condition: Prisma.Sql } {
  const [table, match, related] =
    kind === 'agent'
      ? [Prisma.sql`xapi_statement_agent`, Prisma.sql`l.agent = ${f.agent}`, f.relatedAgents]
      : [Prisma.sql`xapi_statement_activity`, Prisma.sql`l.activity = ${f.activity}`, f.relatedActivities];
  return { table, condition: Prisma.sql`l.tenant_id = ${tenantId}::uuid AND ${match} ${related ? Prisma.empty : Prisma.sql`AND NOT l.related`}` };
}

/** The filters on agent, verb, activity and registration, applied to the statement aliased `alias` (but the link its page is read by). */
function filtersOn(alias: 's' | 't', tenantId: string, f: StatementFilters, readBy?: Link): Prisma.Sql {
  const a = Prisma.raw(alias);
  const named = (kind: Link) => {
    const { table, condition } = link(kind, tenantId, f);
    return Prisma.sql`AND ${a}.seq IN (SELECT l.seq FROM ${table} l WHERE ${condition})`;
  };
  return Prisma.join(
    [
      f.verb !== undefined ? Prisma.sql`AND ${a}.verb = ${f.verb}` : Prisma.empty,
      f.registration !== undefined ? Prisma.sql`AND ${a}.registration = ${f.registration}::uuid` : Prisma.empty,
      f.agent !== undefined && readBy !== 'agent' ? named('agent') : Prisma.empty,
      f.activity !== undefined && readBy !== 'activity' ? named('activity') : Prisma.empty,
    ],
    ' ',
  );
}

/** One statement by id: a voided one only when asked for as voided (voidedStatementId), else only one that is not. */
export async function getStatement(db: Db, tenantId: string, id: string, voided: boolean): Promise<StatementRow | null> {
  const row = await db.xapiStatement.findUnique({ where: { tenantId_id: { tenantId, id } }, select: { seq: true, statement: true, stored: true, voided: true, verb: true } });
  if (!row || row.voided !== voided) return null;
  return { seq: row.seq, statement: row.statement as Statement, stored: row.stored };
}

/** The attachments (by SHA-2) the statements and their SubStatements refer to, for a multipart answer. */
export async function attachmentsOf(db: Db, tenantId: string, statements: Statement[]) {
  const declared = (s: { attachments?: unknown }) => ((s.attachments ?? []) as { sha2: string }[]).map((a) => a.sha2.toLowerCase());
  const hashes = [...new Set(statements.flatMap((s) => [...declared(s), ...(s.object?.objectType === 'SubStatement' ? declared(s.object) : [])]))];
  if (hashes.length === 0) return [];
  return db.xapiAttachment.findMany({ where: { tenantId, sha2: { in: hashes } }, select: { sha2: true, contentType: true, content: true } });
}

