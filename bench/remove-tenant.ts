/**
 * Removes a tenant left behind by an interrupted benchmark run:
 *   node_modules/.bin/tsx bench/remove-tenant.ts <tenant-id>
 */
import { DEFAULT_DATABASE_URL } from '../src/config';
import { createDb } from '../src/db/client';
import { removeTenant } from '../src/services/identity/tenants';

const db = createDb(process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL);
removeTenant(db, process.argv[2]!)
  .then(() => db.$disconnect())
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
