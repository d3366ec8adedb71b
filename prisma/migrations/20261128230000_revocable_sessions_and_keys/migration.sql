-- AlterEnum
ALTER TYPE "ActionTokenPurpose" ADD VALUE 'learner';

-- AlterEnum
ALTER TYPE "ApproverStatus" ADD VALUE 'not_needed';

-- AlterTable
ALTER TABLE "api_client" ADD COLUMN     "last_used_at" TIMESTAMP(3),
ADD COLUMN     "rotated_from_id" UUID;

-- CreateTable
CREATE TABLE "approver_session" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "person_id" UUID NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "revoked_at" TIMESTAMP(3),

    CONSTRAINT "approver_session_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "approver_session_tenant_id_person_id_idx" ON "approver_session"("tenant_id", "person_id");

-- CreateIndex
CREATE INDEX "approver_session_person_id_idx" ON "approver_session"("person_id");

-- AddForeignKey
ALTER TABLE "approver_session" ADD CONSTRAINT "approver_session_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "approver_session" ADD CONSTRAINT "approver_session_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Deciding for any approver of the tenant is a delegation of its own, named as such: keys that
-- held approvals:write keep what they could do under the explicit scope.
UPDATE "api_client" SET "scopes" = array_replace("scopes", 'approvals:write', 'approvals:act-for-approvers');
