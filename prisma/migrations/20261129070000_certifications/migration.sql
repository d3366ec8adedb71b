-- CreateEnum
CREATE TYPE "ExpiryBase" AS ENUM ('completion_date', 'previous_expiry', 'fixed_date');

-- CreateEnum
CREATE TYPE "CertificationState" AS ENUM ('assigned', 'certified', 'window_open', 'expired', 'inactive');

-- CreateTable
CREATE TABLE "certification" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "initial_program_id" UUID NOT NULL,
    "recertification_program_id" UUID NOT NULL,
    "active_period" TEXT NOT NULL,
    "window_period" TEXT NOT NULL,
    "reminder_days_before_expiry" INTEGER[] DEFAULT ARRAY[30, 7]::INTEGER[],
    "expiry_base" "ExpiryBase" NOT NULL,
    "fixed_expiry_day" TEXT,
    "minimum_active_period" TEXT,
    "due_offset_days" INTEGER NOT NULL DEFAULT 30,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "certification_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "certification_requirement" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "role_id" UUID NOT NULL,
    "certification_id" UUID NOT NULL,
    "department" TEXT,
    "location" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "certification_requirement_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "certification_status" (
    "tenant_id" UUID NOT NULL,
    "person_id" UUID NOT NULL,
    "certification_id" UUID NOT NULL,
    "state" "CertificationState" NOT NULL,
    "certificate_id" UUID,
    "cycle_started_at" TIMESTAMP(3),
    "assignment_id" UUID,
    "workflow_id" TEXT NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "certification_status_pkey" PRIMARY KEY ("tenant_id","person_id","certification_id")
);

-- CreateTable
CREATE TABLE "certificate" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "person_id" UUID NOT NULL,
    "certification_id" UUID NOT NULL,
    "number" TEXT NOT NULL,
    "verification_code" TEXT NOT NULL,
    "issued_on" DATE NOT NULL,
    "expires_on" DATE NOT NULL,
    "cycle" INTEGER NOT NULL,
    "basis" TEXT NOT NULL,
    "previous_id" UUID,
    "superseded_at" TIMESTAMP(3),
    "revoked_at" TIMESTAMP(3),
    "revoked_reason" TEXT,
    "snapshot" JSONB NOT NULL,
    "pdf" BYTEA,
    "pdf_sha256" TEXT,
    "renewal_request_id" UUID,
    "source" TEXT NOT NULL DEFAULT 'trainhub',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "certificate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "certificate_policy" (
    "tenant_id" UUID NOT NULL,
    "number_pattern" TEXT NOT NULL DEFAULT '{CERT}-{YYYY}-{SEQ:6}',
    "issuer_name" TEXT,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "certificate_policy_pkey" PRIMARY KEY ("tenant_id")
);

-- CreateTable
CREATE TABLE "certificate_counter" (
    "tenant_id" UUID NOT NULL,
    "scope" TEXT NOT NULL,
    "value" INTEGER NOT NULL,

    CONSTRAINT "certificate_counter_pkey" PRIMARY KEY ("tenant_id","scope")
);

-- CreateIndex
CREATE INDEX "certification_initial_program_id_idx" ON "certification"("initial_program_id");

-- CreateIndex
CREATE INDEX "certification_recertification_program_id_idx" ON "certification"("recertification_program_id");

-- CreateIndex
CREATE UNIQUE INDEX "certification_tenant_id_key_key" ON "certification"("tenant_id", "key");

-- CreateIndex
CREATE INDEX "certification_requirement_tenant_id_role_id_idx" ON "certification_requirement"("tenant_id", "role_id");

-- CreateIndex
CREATE INDEX "certification_requirement_certification_id_idx" ON "certification_requirement"("certification_id");

-- CreateIndex
CREATE INDEX "certification_status_person_id_idx" ON "certification_status"("person_id");

-- CreateIndex
CREATE INDEX "certification_status_certification_id_idx" ON "certification_status"("certification_id");

-- CreateIndex
CREATE INDEX "certification_status_certificate_id_idx" ON "certification_status"("certificate_id");

-- CreateIndex
CREATE UNIQUE INDEX "certificate_verification_code_key" ON "certificate"("verification_code");

-- CreateIndex
CREATE INDEX "certificate_current_idx" ON "certificate"("tenant_id", "certification_id", "expires_on") WHERE (superseded_at IS NULL AND revoked_at IS NULL);

-- CreateIndex
CREATE INDEX "certificate_person_id_idx" ON "certificate"("person_id");

-- CreateIndex
CREATE INDEX "certificate_previous_id_idx" ON "certificate"("previous_id");

-- CreateIndex
CREATE INDEX "certificate_renewal_request_id_idx" ON "certificate"("renewal_request_id");

-- CreateIndex
CREATE UNIQUE INDEX "certificate_tenant_id_number_key" ON "certificate"("tenant_id", "number");

-- CreateIndex
CREATE UNIQUE INDEX "certificate_tenant_id_person_id_certification_id_cycle_key" ON "certificate"("tenant_id", "person_id", "certification_id", "cycle");

-- AddForeignKey
ALTER TABLE "certification" ADD CONSTRAINT "certification_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "certification" ADD CONSTRAINT "certification_initial_program_id_fkey" FOREIGN KEY ("initial_program_id") REFERENCES "program"("id") ON DELETE NO ACTION ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "certification" ADD CONSTRAINT "certification_recertification_program_id_fkey" FOREIGN KEY ("recertification_program_id") REFERENCES "program"("id") ON DELETE NO ACTION ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "certification_requirement" ADD CONSTRAINT "certification_requirement_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "certification_requirement" ADD CONSTRAINT "certification_requirement_role_id_fkey" FOREIGN KEY ("role_id") REFERENCES "role"("id") ON DELETE NO ACTION ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "certification_requirement" ADD CONSTRAINT "certification_requirement_certification_id_fkey" FOREIGN KEY ("certification_id") REFERENCES "certification"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "certification_status" ADD CONSTRAINT "certification_status_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "certification_status" ADD CONSTRAINT "certification_status_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "certification_status" ADD CONSTRAINT "certification_status_certification_id_fkey" FOREIGN KEY ("certification_id") REFERENCES "certification"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "certification_status" ADD CONSTRAINT "certification_status_certificate_id_fkey" FOREIGN KEY ("certificate_id") REFERENCES "certificate"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "certificate" ADD CONSTRAINT "certificate_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "certificate" ADD CONSTRAINT "certificate_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "certificate" ADD CONSTRAINT "certificate_certification_id_fkey" FOREIGN KEY ("certification_id") REFERENCES "certification"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "certificate" ADD CONSTRAINT "certificate_previous_id_fkey" FOREIGN KEY ("previous_id") REFERENCES "certificate"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "certificate" ADD CONSTRAINT "certificate_renewal_request_id_fkey" FOREIGN KEY ("renewal_request_id") REFERENCES "renewal_request"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "certificate_policy" ADD CONSTRAINT "certificate_policy_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "certificate_counter" ADD CONSTRAINT "certificate_counter_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
