import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';

export type Db = PrismaClient;
export { Prisma } from '../generated/prisma/client';

/** One client per process; the pg adapter pools connections. `?schema=` in the URL selects the schema. */
export function createDb(databaseUrl: string): Db {
  const schema = new URL(databaseUrl).searchParams.get('schema') ?? undefined;
  // Sessions run in UTC: SQL that compares now() with Prisma's timestamp columns (written as UTC) stays right
  // whatever time zone the database server is set to.
  const adapter = new PrismaPg({ connectionString: databaseUrl, options: '-c TimeZone=UTC' }, schema ? { schema } : undefined);
  return new PrismaClient({ adapter });
}

/** A transaction client or the root client: services accept either so callers choose the boundary. */
export type DbTx = Omit<Db, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;
