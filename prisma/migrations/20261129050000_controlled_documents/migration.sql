-- AlterEnum
ALTER TYPE "ActionTokenPurpose" ADD VALUE 'acknowledgement';

-- CreateTable
CREATE TABLE "document_type" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "default_impact" TEXT NOT NULL DEFAULT 'retraining',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "document_type_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "document_type_role" (
    "tenant_id" UUID NOT NULL,
    "document_type_id" UUID NOT NULL,
    "role_id" UUID NOT NULL,

    CONSTRAINT "document_type_role_pkey" PRIMARY KEY ("document_type_id","role_id")
);

-- CreateTable
CREATE TABLE "document" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "document_type_id" UUID NOT NULL,
    "training" TEXT NOT NULL,
    "course_id" UUID,
    "program_id" UUID,
    "due_offset_days" INTEGER NOT NULL DEFAULT 0,
    "credit_authors" BOOLEAN NOT NULL DEFAULT true,
    "close_superseded" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "document_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "document_version" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "document_id" UUID NOT NULL,
    "version" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'draft',
    "impact" TEXT,
    "approved_at" TIMESTAMP(3),
    "effective_date" DATE NOT NULL,
    "content_hash" TEXT NOT NULL,
    "author_ids" TEXT[],
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "document_version_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "document_event" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "source" TEXT NOT NULL,
    "event_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "received_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "document_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "document_training" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "version_id" UUID NOT NULL,
    "person_id" UUID NOT NULL,
    "role_id" UUID NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "due_date" DATE NOT NULL,
    "assigned_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMP(3),
    "notified_at" TIMESTAMP(3),

    CONSTRAINT "document_training_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "document_acknowledgement" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "version_id" UUID NOT NULL,
    "person_id" UUID NOT NULL,
    "signed_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "content_hash" TEXT NOT NULL,
    "meaning" TEXT NOT NULL,
    "link_id" UUID NOT NULL,
    "address" TEXT,

    CONSTRAINT "document_acknowledgement_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "document_type_tenant_id_key_key" ON "document_type"("tenant_id", "key");

-- CreateIndex
CREATE INDEX "document_type_role_tenant_id_role_id_idx" ON "document_type_role"("tenant_id", "role_id");

-- CreateIndex
CREATE UNIQUE INDEX "document_tenant_id_key_key" ON "document"("tenant_id", "key");

-- CreateIndex
CREATE UNIQUE INDEX "document_version_document_id_version_key" ON "document_version"("document_id", "version");

-- CreateIndex
CREATE UNIQUE INDEX "document_event_tenant_id_source_event_id_key" ON "document_event"("tenant_id", "source", "event_id");

-- CreateIndex
CREATE INDEX "document_training_tenant_id_person_id_idx" ON "document_training"("tenant_id", "person_id");

-- CreateIndex
CREATE UNIQUE INDEX "document_training_version_id_person_id_key" ON "document_training"("version_id", "person_id");

-- CreateIndex
CREATE UNIQUE INDEX "document_acknowledgement_version_id_person_id_key" ON "document_acknowledgement"("version_id", "person_id");

-- AddForeignKey
ALTER TABLE "document_type" ADD CONSTRAINT "document_type_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "document_type_role" ADD CONSTRAINT "document_type_role_document_type_id_fkey" FOREIGN KEY ("document_type_id") REFERENCES "document_type"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "document_type_role" ADD CONSTRAINT "document_type_role_role_id_fkey" FOREIGN KEY ("role_id") REFERENCES "role"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "document" ADD CONSTRAINT "document_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "document" ADD CONSTRAINT "document_document_type_id_fkey" FOREIGN KEY ("document_type_id") REFERENCES "document_type"("id") ON DELETE NO ACTION ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "document" ADD CONSTRAINT "document_course_id_fkey" FOREIGN KEY ("course_id") REFERENCES "course"("id") ON DELETE NO ACTION ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "document" ADD CONSTRAINT "document_program_id_fkey" FOREIGN KEY ("program_id") REFERENCES "program"("id") ON DELETE NO ACTION ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "document_version" ADD CONSTRAINT "document_version_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "document_version" ADD CONSTRAINT "document_version_document_id_fkey" FOREIGN KEY ("document_id") REFERENCES "document"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "document_event" ADD CONSTRAINT "document_event_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "document_training" ADD CONSTRAINT "document_training_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "document_version"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "document_training" ADD CONSTRAINT "document_training_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "document_acknowledgement" ADD CONSTRAINT "document_acknowledgement_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "document_version"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "document_acknowledgement" ADD CONSTRAINT "document_acknowledgement_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

