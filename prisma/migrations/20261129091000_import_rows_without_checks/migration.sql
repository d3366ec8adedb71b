-- A run's staged rows and changes no longer check their run row by row (a third of the COPY into
-- import_row, a quarter of the INSERT into import_change): this trigger removes them with their run,
-- as the cascade did, also when the run goes with its tenant.

-- DropForeignKey
ALTER TABLE "import_change" DROP CONSTRAINT "import_change_run_id_fkey";

-- DropForeignKey
ALTER TABLE "import_row" DROP CONSTRAINT "import_row_run_id_fkey";

-- A change holds what it changes; its HR event is built from the staged row when it is applied.
-- Changes diffed before keep theirs: a transfer's fields are the ones its event named, and a hire
-- whose row had no hire date gets the one its event carried.
ALTER TABLE "import_change" ADD COLUMN "fields" TEXT[];
UPDATE "import_change"
   SET "fields" = ARRAY(SELECT k FROM jsonb_object_keys("payload"->'person') k WHERE k <> 'externalId' ORDER BY k)
 WHERE "kind" = 'transfer';
UPDATE "import_row" r SET "hire_date" = (c."payload"->'person'->>'hireDate')::date
  FROM "import_change" c
 WHERE c."run_id" = r."run_id" AND c."line" = r."line" AND c."kind" = 'hire' AND r."hire_date" IS NULL;
ALTER TABLE "import_change" DROP COLUMN "payload";

CREATE FUNCTION import_run_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM import_row WHERE run_id IN (SELECT id FROM removed);
  DELETE FROM import_change WHERE run_id IN (SELECT id FROM removed);
  RETURN NULL;
END
$$;

CREATE TRIGGER import_run_removed AFTER DELETE ON "import_run"
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION import_run_removed();
