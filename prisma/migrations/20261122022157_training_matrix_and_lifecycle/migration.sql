-- CreateEnum
CREATE TYPE "DueAnchor" AS ENUM ('hire_date', 'assignment_date');

-- DropIndex
DROP INDEX "requirement_tenant_id_role_id_program_id_key";

-- AlterTable
ALTER TABLE "assignment" ADD COLUMN     "progress" INTEGER,
ADD COLUMN     "started_at" TIMESTAMP(3),
ADD COLUMN     "status_actor" TEXT,
ADD COLUMN     "status_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "status_reason" TEXT;

-- AlterTable
ALTER TABLE "person" ADD COLUMN     "location" TEXT,
ADD COLUMN     "terminated_at" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "requirement" ADD COLUMN     "department" TEXT,
ADD COLUMN     "due_relative_to" "DueAnchor" NOT NULL DEFAULT 'hire_date',
ADD COLUMN     "location" TEXT,
ADD COLUMN     "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- CreateTable
CREATE TABLE "program_prerequisite" (
    "tenant_id" UUID NOT NULL,
    "program_id" UUID NOT NULL,
    "prerequisite_id" UUID NOT NULL,

    CONSTRAINT "program_prerequisite_pkey" PRIMARY KEY ("tenant_id","program_id","prerequisite_id")
);

-- CreateTable
CREATE TABLE "notification_policy" (
    "tenant_id" UUID NOT NULL,
    "reminder_days_before_due" INTEGER[] DEFAULT ARRAY[7, 1]::INTEGER[],
    "overdue_notice" BOOLEAN NOT NULL DEFAULT true,
    "manager_escalation_days_overdue" INTEGER NOT NULL DEFAULT 3,
    "compliance_escalation_days_after" INTEGER NOT NULL DEFAULT 7,
    "compliance_officer_email" TEXT,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notification_policy_pkey" PRIMARY KEY ("tenant_id")
);

-- CreateIndex
CREATE INDEX "requirement_tenant_id_role_id_idx" ON "requirement"("tenant_id", "role_id");

-- CreateIndex
CREATE INDEX "requirement_tenant_id_program_id_idx" ON "requirement"("tenant_id", "program_id");

-- AddForeignKey
ALTER TABLE "program_prerequisite" ADD CONSTRAINT "program_prerequisite_program_id_fkey" FOREIGN KEY ("program_id") REFERENCES "program"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "program_prerequisite" ADD CONSTRAINT "program_prerequisite_prerequisite_id_fkey" FOREIGN KEY ("prerequisite_id") REFERENCES "program"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notification_policy" ADD CONSTRAINT "notification_policy_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
