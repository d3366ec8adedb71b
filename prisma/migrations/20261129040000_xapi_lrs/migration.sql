-- CreateTable
CREATE TABLE "lrs_client" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "scopes" TEXT[],
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMP(3),

    CONSTRAINT "lrs_client_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "xapi_statement" (
    "seq" BIGSERIAL NOT NULL,
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL,
    "statement" JSONB NOT NULL,
    "verb" TEXT NOT NULL,
    "actor" TEXT,
    "activity" TEXT,
    "registration" UUID,
    "ref" UUID,
    "voided" BOOLEAN NOT NULL DEFAULT false,
    "stored" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "timestamp" TIMESTAMPTZ(3) NOT NULL,
    "client_id" UUID NOT NULL,

    CONSTRAINT "xapi_statement_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "xapi_statement_agent" (
    "seq" BIGINT NOT NULL,
    "tenant_id" UUID NOT NULL,
    "agent" TEXT NOT NULL,
    "related" BOOLEAN NOT NULL,

    CONSTRAINT "xapi_statement_agent_pkey" PRIMARY KEY ("seq","agent","related")
);

-- CreateTable
CREATE TABLE "xapi_statement_activity" (
    "seq" BIGINT NOT NULL,
    "tenant_id" UUID NOT NULL,
    "activity" TEXT NOT NULL,
    "related" BOOLEAN NOT NULL,

    CONSTRAINT "xapi_statement_activity_pkey" PRIMARY KEY ("seq","activity","related")
);

-- CreateTable
CREATE TABLE "xapi_attachment" (
    "tenant_id" UUID NOT NULL,
    "sha2" TEXT NOT NULL,
    "content_type" TEXT NOT NULL,
    "content" BYTEA NOT NULL,

    CONSTRAINT "xapi_attachment_pkey" PRIMARY KEY ("tenant_id","sha2")
);

-- CreateTable
CREATE TABLE "xapi_document" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "activity" TEXT NOT NULL DEFAULT '',
    "agent" TEXT NOT NULL DEFAULT '',
    "registration" TEXT NOT NULL DEFAULT '',
    "document_id" TEXT NOT NULL,
    "content_type" TEXT NOT NULL,
    "content" BYTEA NOT NULL,
    "etag" TEXT NOT NULL,
    "updated" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "xapi_document_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "xapi_activity" (
    "tenant_id" UUID NOT NULL,
    "id" TEXT NOT NULL,
    "definition" JSONB NOT NULL,

    CONSTRAINT "xapi_activity_pkey" PRIMARY KEY ("tenant_id","id")
);

-- CreateTable
CREATE TABLE "xapi_course_mapping" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "course_id" UUID NOT NULL,
    "activity" TEXT NOT NULL,
    "prefix" BOOLEAN NOT NULL DEFAULT false,
    "move_on" TEXT NOT NULL DEFAULT 'CompletedOrPassed',
    "mastery_score" DOUBLE PRECISION,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "xapi_course_mapping_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "lrs_client_key_key" ON "lrs_client"("key");

-- CreateIndex
CREATE INDEX "lrs_client_tenant_id_idx" ON "lrs_client"("tenant_id");

-- CreateIndex
CREATE INDEX "xapi_statement_tenant_id_verb_seq_idx" ON "xapi_statement"("tenant_id", "verb", "seq");

-- CreateIndex
CREATE INDEX "xapi_statement_tenant_id_actor_seq_idx" ON "xapi_statement"("tenant_id", "actor", "seq");

-- CreateIndex
CREATE INDEX "xapi_statement_tenant_id_activity_seq_idx" ON "xapi_statement"("tenant_id", "activity", "seq");

-- CreateIndex
CREATE INDEX "xapi_statement_tenant_id_registration_seq_idx" ON "xapi_statement"("tenant_id", "registration", "seq");

-- CreateIndex
CREATE INDEX "xapi_statement_tenant_id_ref_idx" ON "xapi_statement"("tenant_id", "ref");

-- CreateIndex
CREATE INDEX "xapi_statement_tenant_id_stored_idx" ON "xapi_statement"("tenant_id", "stored");

-- CreateIndex
CREATE UNIQUE INDEX "xapi_statement_tenant_id_id_key" ON "xapi_statement"("tenant_id", "id");

-- CreateIndex
CREATE INDEX "xapi_statement_agent_tenant_id_agent_seq_idx" ON "xapi_statement_agent"("tenant_id", "agent", "seq");

-- CreateIndex
CREATE INDEX "xapi_statement_activity_tenant_id_activity_seq_idx" ON "xapi_statement_activity"("tenant_id", "activity", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "xapi_document_tenant_id_kind_activity_agent_registration_do_key" ON "xapi_document"("tenant_id", "kind", "activity", "agent", "registration", "document_id");

-- CreateIndex
CREATE UNIQUE INDEX "xapi_course_mapping_tenant_id_activity_prefix_key" ON "xapi_course_mapping"("tenant_id", "activity", "prefix");

-- AddForeignKey
ALTER TABLE "lrs_client" ADD CONSTRAINT "lrs_client_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "xapi_statement" ADD CONSTRAINT "xapi_statement_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "xapi_statement_agent" ADD CONSTRAINT "xapi_statement_agent_seq_fkey" FOREIGN KEY ("seq") REFERENCES "xapi_statement"("seq") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "xapi_statement_activity" ADD CONSTRAINT "xapi_statement_activity_seq_fkey" FOREIGN KEY ("seq") REFERENCES "xapi_statement"("seq") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "xapi_attachment" ADD CONSTRAINT "xapi_attachment_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "xapi_document" ADD CONSTRAINT "xapi_document_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "xapi_activity" ADD CONSTRAINT "xapi_activity_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "xapi_course_mapping" ADD CONSTRAINT "xapi_course_mapping_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "xapi_course_mapping" ADD CONSTRAINT "xapi_course_mapping_course_id_fkey" FOREIGN KEY ("course_id") REFERENCES "course"("id") ON DELETE NO ACTION ON UPDATE CASCADE;

