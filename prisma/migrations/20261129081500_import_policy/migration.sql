-- CreateTable
CREATE TABLE "import_policy" (
    "tenant_id" UUID NOT NULL,
    "guard_share_percent" DECIMAL(5,2) NOT NULL DEFAULT 10,
    "guard_min_people" INTEGER NOT NULL DEFAULT 5,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "import_policy_pkey" PRIMARY KEY ("tenant_id")
);

-- AddForeignKey
ALTER TABLE "import_policy" ADD CONSTRAINT "import_policy_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

