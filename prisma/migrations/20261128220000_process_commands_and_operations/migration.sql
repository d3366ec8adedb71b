-- CreateEnum
CREATE TYPE "ProcessCommandAction" AS ENUM ('start', 'signal', 'signal_with_start');

-- CreateEnum
CREATE TYPE "OperationKind" AS ENUM ('matrix_change');

-- CreateEnum
CREATE TYPE "OperationState" AS ENUM ('queued', 'running', 'completed', 'failed');

-- AlterEnum
ALTER TYPE "NotificationStatus" ADD VALUE 'failed';

-- AlterEnum
ALTER TYPE "RenewalStatus" ADD VALUE 'failed';

-- AlterTable
ALTER TABLE "audit_event" ADD COLUMN     "idempotency_key" TEXT;

-- AlterTable
ALTER TABLE "notification" ADD COLUMN     "claimed_until" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "notification_policy" ADD COLUMN     "extend_due_dates_for_leave" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "person" ADD COLUMN     "leave_started_at" DATE;

-- CreateTable
CREATE TABLE "process_command" (
    "id" BIGSERIAL NOT NULL,
    "tenant_id" UUID NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "workflow_type" TEXT NOT NULL,
    "task_queue" TEXT NOT NULL,
    "action" "ProcessCommandAction" NOT NULL,
    "args" JSONB,
    "signal_name" TEXT,
    "signal_args" JSONB,
    "start_again" BOOLEAN NOT NULL DEFAULT false,
    "priority" SMALLINT NOT NULL DEFAULT 0,
    "operation_id" UUID,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "available_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "delivered_at" TIMESTAMP(3),
    "outcome" TEXT,

    CONSTRAINT "process_command_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "operation" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "kind" "OperationKind" NOT NULL,
    "state" "OperationState" NOT NULL DEFAULT 'queued',
    "workflow_id" TEXT NOT NULL,
    "idempotency_key" TEXT,
    "request_hash" TEXT,
    "trigger" JSONB NOT NULL,
    "actor_type" "ActorType" NOT NULL,
    "actor_id" TEXT,
    "result" JSONB,
    "processes_to_wake" INTEGER,
    "error" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMP(3),
    "finished_at" TIMESTAMP(3),

    CONSTRAINT "operation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "process_command_pending_idx" ON "process_command"("task_queue", "priority", "id") WHERE (delivered_at IS NULL);

-- CreateIndex
CREATE INDEX "process_command_pending_workflow_idx" ON "process_command"("workflow_id", "id") WHERE (delivered_at IS NULL);

-- CreateIndex
CREATE INDEX "process_command_delivered_idx" ON "process_command"("delivered_at") WHERE (delivered_at IS NOT NULL);

-- CreateIndex
CREATE INDEX "process_command_operation_id_idx" ON "process_command"("operation_id");

-- CreateIndex
CREATE INDEX "process_command_tenant_id_idx" ON "process_command"("tenant_id");

-- CreateIndex
CREATE INDEX "operation_tenant_id_created_at_idx" ON "operation"("tenant_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "operation_tenant_id_idempotency_key_key" ON "operation"("tenant_id", "idempotency_key");

-- CreateIndex
CREATE UNIQUE INDEX "audit_event_tenant_id_idempotency_key_key" ON "audit_event"("tenant_id", "idempotency_key");

-- AddForeignKey
ALTER TABLE "process_command" ADD CONSTRAINT "process_command_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "process_command" ADD CONSTRAINT "process_command_operation_id_fkey" FOREIGN KEY ("operation_id") REFERENCES "operation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "operation" ADD CONSTRAINT "operation_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;



-- The dispatcher LISTENs on this channel: a committed command wakes it at once (NOTIFY is delivered
-- at commit, and PostgreSQL folds a transaction's identical notifications into one).
CREATE FUNCTION notify_process_command() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('process_command', '');
  RETURN NULL;
END $$;

CREATE TRIGGER process_command_inserted AFTER INSERT ON process_command
  FOR EACH STATEMENT EXECUTE FUNCTION notify_process_command();
