-- AlterTable
ALTER TABLE "notification_policy" ADD COLUMN     "time_zone" TEXT NOT NULL DEFAULT 'UTC';
