-- CreateEnum
CREATE TYPE "ScormAttemptState" AS ENUM ('open', 'completed', 'failed');

-- CreateTable
CREATE TABLE "scorm_package" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "course_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "scorm_version" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "manifest" JSONB NOT NULL,
    "file_count" INTEGER NOT NULL,
    "total_bytes" BIGINT NOT NULL,
    "sha256" TEXT NOT NULL,
    "mastery_override" DECIMAL(5,2),
    "required_items" TEXT[],
    "suspend_data_limit" INTEGER NOT NULL DEFAULT 4096,
    "imported_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "scorm_package_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "scorm_attempt" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "person_id" UUID NOT NULL,
    "course_id" UUID NOT NULL,
    "package_id" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "state" "ScormAttemptState" NOT NULL DEFAULT 'open',
    "started_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ended_at" TIMESTAMP(3),
    "completion_id" UUID,

    CONSTRAINT "scorm_attempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "scorm_sco_state" (
    "attempt_id" UUID NOT NULL,
    "item" TEXT NOT NULL,
    "sessions" INTEGER NOT NULL DEFAULT 0,
    "last_session" INTEGER NOT NULL DEFAULT 0,
    "last_seq" INTEGER NOT NULL DEFAULT 0,
    "completion" TEXT NOT NULL DEFAULT 'not_attempted',
    "success" TEXT NOT NULL DEFAULT 'unknown',
    "verdict" TEXT NOT NULL DEFAULT 'open',
    "score_raw" DOUBLE PRECISION,
    "score_scaled" DOUBLE PRECISION,
    "exit" TEXT,
    "location" TEXT,
    "suspend_data" TEXT,
    "earlier_seconds" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "session_seconds" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "cmi" JSONB,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "scorm_sco_state_pkey" PRIMARY KEY ("attempt_id","item")
);

-- CreateTable
CREATE TABLE "scorm_commit" (
    "attempt_id" UUID NOT NULL,
    "item" TEXT NOT NULL,
    "session" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "terminated" BOOLEAN NOT NULL,
    "applied" BOOLEAN NOT NULL,
    "cmi" JSONB NOT NULL,
    "received_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "scorm_commit_pkey" PRIMARY KEY ("attempt_id","item","session","seq")
);

-- CreateIndex
CREATE UNIQUE INDEX "scorm_package_tenant_id_course_id_version_key" ON "scorm_package"("tenant_id", "course_id", "version");

-- CreateIndex
CREATE UNIQUE INDEX "scorm_attempt_completion_id_key" ON "scorm_attempt"("completion_id");

-- CreateIndex
CREATE UNIQUE INDEX "scorm_attempt_tenant_id_person_id_course_id_number_key" ON "scorm_attempt"("tenant_id", "person_id", "course_id", "number");

-- AddForeignKey
ALTER TABLE "scorm_package" ADD CONSTRAINT "scorm_package_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scorm_package" ADD CONSTRAINT "scorm_package_course_id_fkey" FOREIGN KEY ("course_id") REFERENCES "course"("id") ON DELETE NO ACTION ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scorm_attempt" ADD CONSTRAINT "scorm_attempt_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scorm_attempt" ADD CONSTRAINT "scorm_attempt_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scorm_attempt" ADD CONSTRAINT "scorm_attempt_course_id_fkey" FOREIGN KEY ("course_id") REFERENCES "course"("id") ON DELETE NO ACTION ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scorm_attempt" ADD CONSTRAINT "scorm_attempt_package_id_fkey" FOREIGN KEY ("package_id") REFERENCES "scorm_package"("id") ON DELETE NO ACTION ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scorm_sco_state" ADD CONSTRAINT "scorm_sco_state_attempt_id_fkey" FOREIGN KEY ("attempt_id") REFERENCES "scorm_attempt"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scorm_commit" ADD CONSTRAINT "scorm_commit_attempt_id_fkey" FOREIGN KEY ("attempt_id") REFERENCES "scorm_attempt"("id") ON DELETE CASCADE ON UPDATE CASCADE;

