-- An import's pieces are compressed with lz4 rather than pglz: written five times as fast
-- (a 9 MiB CSV in 35 ms instead of 130-185 ms), for 30 % more room. Prisma's schema cannot say this.
ALTER TABLE "import_chunk" ALTER COLUMN "data" SET COMPRESSION lz4;
