-- CreateEnum
CREATE TYPE "ImportKind" AS ENUM ('people', 'transcript');

-- CreateEnum
CREATE TYPE "ImportMode" AS ENUM ('snapshot', 'delta');

-- CreateEnum
CREATE TYPE "ImportRunState" AS ENUM ('received', 'staging', 'diffing', 'awaiting_confirmation', 'applying', 'completed', 'failed', 'cancelled');

-- CreateEnum
CREATE TYPE "ImportChangeKind" AS ENUM ('hire', 'transfer', 'leave', 'return', 'terminate', 'completion');

-- CreateEnum
CREATE TYPE "HcmAuth" AS ENUM ('none', 'basic', 'oauth2_client_credentials');

-- CreateTable
CREATE TABLE "import_profile" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "kind" "ImportKind" NOT NULL,
    "definition" JSONB NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "import_profile_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "import_run" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "kind" "ImportKind" NOT NULL,
    "mode" "ImportMode" NOT NULL,
    "profile_name" TEXT NOT NULL,
    "profile_version" INTEGER,
    "profile" JSONB NOT NULL,
    "content_hash" TEXT NOT NULL,
    "file_name" TEXT,
    "size_bytes" BIGINT NOT NULL,
    "source" TEXT NOT NULL,
    "state" "ImportRunState" NOT NULL DEFAULT 'received',
    "counts" JSONB NOT NULL DEFAULT '{}',
    "applied" INTEGER NOT NULL DEFAULT 0,
    "to_apply" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "workflow_id" TEXT NOT NULL,
    "confirmed_at" TIMESTAMP(3),
    "confirmed_by" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "connector_id" UUID,

    CONSTRAINT "import_run_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "import_chunk" (
    "run_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,

    CONSTRAINT "import_chunk_pkey" PRIMARY KEY ("run_id","seq")
);

-- CreateTable
CREATE TABLE "import_row" (
    "run_id" UUID NOT NULL,
    "line" INTEGER NOT NULL,
    "external_id" TEXT,
    "email" TEXT,
    "name" TEXT,
    "department" TEXT,
    "location" TEXT,
    "manager_external_id" TEXT,
    "roles" TEXT[],
    "hire_date" DATE,
    "termination_date" DATE,
    "status" TEXT,
    "effective_date" DATE,
    "course_key" TEXT,
    "completed_at" TIMESTAMP(3),
    "score" DECIMAL(6,2),
    "passed" BOOLEAN,
    "record_id" TEXT,
    "error" TEXT,

    CONSTRAINT "import_row_pkey" PRIMARY KEY ("run_id","line")
);

-- CreateTable
CREATE TABLE "import_change" (
    "run_id" UUID NOT NULL,
    "line" INTEGER NOT NULL,
    "kind" "ImportChangeKind" NOT NULL,
    "external_id" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "effective_date" DATE,
    "applied_at" TIMESTAMP(3),
    "error" TEXT,

    CONSTRAINT "import_change_pkey" PRIMARY KEY ("run_id","line","kind")
);

-- CreateTable
CREATE TABLE "hcm_connector" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "profile_name" TEXT NOT NULL,
    "mode" "ImportMode" NOT NULL,
    "auth" "HcmAuth" NOT NULL,
    "auth_config" JSONB NOT NULL DEFAULT '{}',
    "secret" BYTEA,
    "interval_minutes" INTEGER NOT NULL,
    "paused" BOOLEAN NOT NULL DEFAULT false,
    "schedule_id" TEXT NOT NULL,
    "last_pull_at" TIMESTAMP(3),
    "last_run_id" UUID,
    "last_error" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "hcm_connector_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "import_profile_tenant_id_name_version_key" ON "import_profile"("tenant_id", "name", "version");

-- CreateIndex
CREATE INDEX "import_run_tenant_id_created_at_idx" ON "import_run"("tenant_id", "created_at");

-- CreateIndex
CREATE INDEX "import_run_connector_id_idx" ON "import_run"("connector_id");

-- CreateIndex
CREATE UNIQUE INDEX "import_run_tenant_id_kind_content_hash_key" ON "import_run"("tenant_id", "kind", "content_hash");

-- CreateIndex
CREATE INDEX "import_change_run_id_applied_at_idx" ON "import_change"("run_id", "applied_at");

-- CreateIndex
CREATE UNIQUE INDEX "hcm_connector_tenant_id_name_key" ON "hcm_connector"("tenant_id", "name");

-- AddForeignKey
ALTER TABLE "import_profile" ADD CONSTRAINT "import_profile_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "import_run" ADD CONSTRAINT "import_run_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "import_run" ADD CONSTRAINT "import_run_connector_id_fkey" FOREIGN KEY ("connector_id") REFERENCES "hcm_connector"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "import_chunk" ADD CONSTRAINT "import_chunk_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "import_run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "import_row" ADD CONSTRAINT "import_row_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "import_run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "import_change" ADD CONSTRAINT "import_change_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "import_run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "hcm_connector" ADD CONSTRAINT "hcm_connector_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

