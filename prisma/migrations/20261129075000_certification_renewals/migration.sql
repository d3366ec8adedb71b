-- CreateEnum
CREATE TYPE "CertificationRenewalRule" AS ENUM ('extend', 'reissue');

-- AlterEnum
ALTER TYPE "RenewalKind" ADD VALUE 'certification';

-- AlterTable
ALTER TABLE "renewal_policy" ADD COLUMN     "certification_renewal" "CertificationRenewalRule" NOT NULL DEFAULT 'reissue';

-- AlterTable
ALTER TABLE "renewal_request" ADD COLUMN     "certification_id" UUID,
ADD COLUMN     "holder_id" UUID;

-- AddForeignKey
ALTER TABLE "renewal_request" ADD CONSTRAINT "renewal_request_certification_id_fkey" FOREIGN KEY ("certification_id") REFERENCES "certification"("id") ON DELETE NO ACTION ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "renewal_request" ADD CONSTRAINT "renewal_request_holder_id_fkey" FOREIGN KEY ("holder_id") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;
