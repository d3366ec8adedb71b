import { createHash } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client';

export type Db = PrismaClient;
export { Prisma } from '../generated/prisma/client';

const databaseUrls = new WeakMap<Db, string>();

/** One client per process; the pg adapter pools connections. `?schema=` in the URL selects the schema. */
export function createDb(databaseUrl: string): Db {
  const schema = new URL(databaseUrl).searchParams.get('schema') ?? undefined;
  // Sessions run in UTC: SQL that compares now() with Prisma's timestamp columns (written as UTC) stays right
  // whatever time zone the database server is set to.
  const adapter = new PrismaPg({ connectionString: databaseUrl, options: '-c TimeZone=UTC' }, {
    ...(schema ? { schema } : {}),
    // The adapter passes the name on to pg, where `undefined` means an unnamed (unprepared) statement.
    statementNameGenerator: statementName as (query: { sql: string; args: unknown[] }) => string,
  });
  const client = new PrismaClient({ adapter });
  databaseUrls.set(client, databaseUrl);
  return client;
}

/**
 * The URL a client was created with, for the few steps that need a plain pg connection of their own
 * (COPY … FROM STDIN, which Prisma cannot stream).
 */
export function databaseUrlOf(db: Db): string {
  const url = databaseUrls.get(db);
  if (!url) throw new Error('This Prisma client was not made by createDb: its database URL is unknown');
  return url;
}

/**
 * A plain pg connection of its own to the database a client uses (`?schema=` becomes the search path),
 * in UTC, for what Prisma does slowly or not at all: COPY … FROM STDIN, and bytea written as bytes
 * (Prisma's adapter sends it as hex text, and its memory grows with what passed through). The caller ends it.
 */
export async function connectPlain(db: Db): Promise<pg.Client> {
  const url = new URL(databaseUrlOf(db));
  const schema = url.searchParams.get('schema');
  url.searchParams.delete('schema');
  const client = new pg.Client({ connectionString: url.toString(), options: `-c TimeZone=UTC${schema ? ` -c search_path=${schema}` : ''}` });
  await client.connect();
  return client;
}

/**
 * Statements are prepared once per connection and reused by name, so PostgreSQL stops parsing and
 * planning the same text on every call (planning was most of a compliance read's database time).
 * Only texts with few parameters are named: a list bound value by value (`IN ($1, … $n)`) would
 * leave a statement behind for every length.
 */
const MAX_NAMED_PARAMETERS = 32;
const statementNames = new Map<string, string>();
function statementName(query: { sql: string; args: unknown[] }): string | undefined {
  if (query.args.length > MAX_NAMED_PARAMETERS) return undefined;
  let name = statementNames.get(query.sql);
  if (name === undefined) {
    name = `th_${createHash('sha1').update(query.sql).digest('base64url')}`;
    if (statementNames.size < 10_000) statementNames.set(query.sql, name);
  }
  return name;
}

/** A transaction client or the root client: services accept either so callers choose the boundary. */
export type DbTx = Omit<Db, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;
