-- CreateEnum
CREATE TYPE "RenewalKind" AS ENUM ('program', 'course');

-- CreateEnum
CREATE TYPE "ApproverRule" AS ENUM ('manager', 'managers_manager', 'role', 'people');

-- CreateEnum
CREATE TYPE "ApprovalMode" AS ENUM ('any', 'all');

-- CreateEnum
CREATE TYPE "EscalationRule" AS ENUM ('delegate', 'next_manager', 'auto_reject', 'auto_approve');

-- CreateEnum
CREATE TYPE "RenewalStatus" AS ENUM ('pending', 'approved', 'rejected', 'changes_requested', 'cancelled', 'expired');

-- CreateEnum
CREATE TYPE "ApprovalStepStatus" AS ENUM ('pending', 'approved', 'rejected', 'changes_requested', 'expired', 'cancelled');

-- CreateEnum
CREATE TYPE "ApproverOrigin" AS ENUM ('manager', 'managers_manager', 'role', 'people', 'delegate', 'escalation');

-- CreateEnum
CREATE TYPE "ApproverStatus" AS ENUM ('pending', 'approved', 'rejected', 'changes_requested', 'delegated', 'removed');

-- CreateEnum
CREATE TYPE "ActionTokenPurpose" AS ENUM ('sign_in', 'decision');

-- CreateTable
CREATE TABLE "renewal_policy" (
    "tenant_id" UUID NOT NULL,
    "allow_auto_approve" BOOLEAN NOT NULL DEFAULT false,
    "retrain_on_approval" BOOLEAN NOT NULL DEFAULT false,
    "retrain_due_days" INTEGER NOT NULL DEFAULT 30,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "renewal_policy_pkey" PRIMARY KEY ("tenant_id")
);

-- CreateTable
CREATE TABLE "approval_chain" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "kind" "RenewalKind" NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "approval_chain_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "approval_level" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "chain_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "approver" "ApproverRule" NOT NULL,
    "role_key" TEXT,
    "person_ids" UUID[],
    "mode" "ApprovalMode" NOT NULL DEFAULT 'any',
    "deadline_minutes" INTEGER NOT NULL,
    "reminder_minutes_before" INTEGER[],
    "on_timeout" "EscalationRule" NOT NULL,
    "escalate_to_person_id" UUID,

    CONSTRAINT "approval_level_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "renewal_request" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "source" TEXT NOT NULL DEFAULT 'api',
    "external_id" TEXT,
    "kind" "RenewalKind" NOT NULL,
    "program_id" UUID,
    "course_id" UUID,
    "version" TEXT,
    "reason" TEXT NOT NULL,
    "notes" TEXT,
    "requester_id" UUID NOT NULL,
    "status" "RenewalStatus" NOT NULL DEFAULT 'pending',
    "current_level" INTEGER,
    "chain" JSONB NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "outcome_reason" TEXT,
    "closed_at" TIMESTAMP(3),
    "effective_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "renewal_request_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "approval_step" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "request_id" UUID NOT NULL,
    "level" INTEGER NOT NULL,
    "attempt" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "approver_rule" "ApproverRule" NOT NULL,
    "role_key" TEXT,
    "mode" "ApprovalMode" NOT NULL,
    "status" "ApprovalStepStatus" NOT NULL DEFAULT 'pending',
    "opened_at" TIMESTAMP(3) NOT NULL,
    "due_at" TIMESTAMP(3) NOT NULL,
    "escalated_at" TIMESTAMP(3),
    "closed_at" TIMESTAMP(3),

    CONSTRAINT "approval_step_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "approval_step_approver" (
    "tenant_id" UUID NOT NULL,
    "step_id" UUID NOT NULL,
    "person_id" UUID NOT NULL,
    "via" "ApproverOrigin" NOT NULL,
    "derived_from" UUID[],
    "status" "ApproverStatus" NOT NULL DEFAULT 'pending',
    "added_at" TIMESTAMP(3) NOT NULL,
    "decided_at" TIMESTAMP(3),
    "reason" TEXT,
    "channel" TEXT,

    CONSTRAINT "approval_step_approver_pkey" PRIMARY KEY ("tenant_id","step_id","person_id")
);

-- CreateTable
CREATE TABLE "action_token" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "purpose" "ActionTokenPurpose" NOT NULL,
    "person_id" UUID NOT NULL,
    "step_id" UUID,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "used_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "action_token_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "approval_chain_tenant_id_kind_key" ON "approval_chain"("tenant_id", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "approval_level_tenant_id_chain_id_position_key" ON "approval_level"("tenant_id", "chain_id", "position");

-- CreateIndex
CREATE INDEX "renewal_request_tenant_id_status_idx" ON "renewal_request"("tenant_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "renewal_request_tenant_id_source_external_id_key" ON "renewal_request"("tenant_id", "source", "external_id");

-- CreateIndex
CREATE INDEX "approval_step_tenant_id_status_idx" ON "approval_step"("tenant_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "approval_step_tenant_id_request_id_level_attempt_key" ON "approval_step"("tenant_id", "request_id", "level", "attempt");

-- CreateIndex
CREATE INDEX "approval_step_approver_tenant_id_person_id_status_idx" ON "approval_step_approver"("tenant_id", "person_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "action_token_tenant_id_key_key" ON "action_token"("tenant_id", "key");

-- AddForeignKey
ALTER TABLE "renewal_policy" ADD CONSTRAINT "renewal_policy_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "approval_chain" ADD CONSTRAINT "approval_chain_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "approval_level" ADD CONSTRAINT "approval_level_chain_id_fkey" FOREIGN KEY ("chain_id") REFERENCES "approval_chain"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "renewal_request" ADD CONSTRAINT "renewal_request_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "renewal_request" ADD CONSTRAINT "renewal_request_program_id_fkey" FOREIGN KEY ("program_id") REFERENCES "program"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "renewal_request" ADD CONSTRAINT "renewal_request_course_id_fkey" FOREIGN KEY ("course_id") REFERENCES "course"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "renewal_request" ADD CONSTRAINT "renewal_request_requester_id_fkey" FOREIGN KEY ("requester_id") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "approval_step" ADD CONSTRAINT "approval_step_request_id_fkey" FOREIGN KEY ("request_id") REFERENCES "renewal_request"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "approval_step_approver" ADD CONSTRAINT "approval_step_approver_step_id_fkey" FOREIGN KEY ("step_id") REFERENCES "approval_step"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "approval_step_approver" ADD CONSTRAINT "approval_step_approver_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "action_token" ADD CONSTRAINT "action_token_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "action_token" ADD CONSTRAINT "action_token_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "action_token" ADD CONSTRAINT "action_token_step_id_fkey" FOREIGN KEY ("step_id") REFERENCES "approval_step"("id") ON DELETE CASCADE ON UPDATE CASCADE;

