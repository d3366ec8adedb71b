-- AlterTable
ALTER TABLE "assignment" ADD COLUMN     "completions_count_from" TIMESTAMP(3);
