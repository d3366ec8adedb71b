-- A statement's agent and activity rows no longer check their statement row by row (five index
-- lookups per statement stored): the trigger below removes them with their statement, as the cascade
-- did, also when statements go with their tenant. Each link table keeps one index, its key, in the
-- order queries read it (a tenant's agent or activity, then the statements in order).

-- DropForeignKey
ALTER TABLE "xapi_statement_activity" DROP CONSTRAINT "xapi_statement_activity_seq_fkey";

-- DropForeignKey
ALTER TABLE "xapi_statement_agent" DROP CONSTRAINT "xapi_statement_agent_seq_fkey";

-- DropIndex
DROP INDEX "xapi_statement_activity_tenant_id_activity_seq_idx";

-- DropIndex
DROP INDEX "xapi_statement_agent_tenant_id_agent_seq_idx";

-- AlterTable
ALTER TABLE "xapi_statement_activity" DROP CONSTRAINT "xapi_statement_activity_pkey",
ADD CONSTRAINT "xapi_statement_activity_pkey" PRIMARY KEY ("tenant_id", "activity", "seq", "related");

-- AlterTable
ALTER TABLE "xapi_statement_agent" DROP CONSTRAINT "xapi_statement_agent_pkey",
ADD CONSTRAINT "xapi_statement_agent_pkey" PRIMARY KEY ("tenant_id", "agent", "seq", "related");

CREATE FUNCTION xapi_statement_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM xapi_statement_agent l USING removed r WHERE l.tenant_id = r.tenant_id AND l.seq = r.seq;
  DELETE FROM xapi_statement_activity l USING removed r WHERE l.tenant_id = r.tenant_id AND l.seq = r.seq;
  RETURN NULL;
END
$$;

CREATE TRIGGER xapi_statement_removed AFTER DELETE ON "xapi_statement"
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION xapi_statement_removed();
