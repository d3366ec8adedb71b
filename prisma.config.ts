import { defineConfig } from 'prisma/config';

// The CLI reads the database from DATABASE_URL; scripts/ set it to the local default when unset.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://trainhub:trainhub@127.0.0.1:5432/trainhub' },
});
