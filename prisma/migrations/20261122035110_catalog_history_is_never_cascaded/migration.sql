-- DropForeignKey
ALTER TABLE "assignment" DROP CONSTRAINT "assignment_program_id_fkey";

-- DropForeignKey
ALTER TABLE "completion" DROP CONSTRAINT "completion_course_id_fkey";

-- DropForeignKey
ALTER TABLE "person_role" DROP CONSTRAINT "person_role_role_id_fkey";

-- DropForeignKey
ALTER TABLE "program_course" DROP CONSTRAINT "program_course_course_id_fkey";

-- DropForeignKey
ALTER TABLE "renewal_request" DROP CONSTRAINT "renewal_request_course_id_fkey";

-- DropForeignKey
ALTER TABLE "renewal_request" DROP CONSTRAINT "renewal_request_program_id_fkey";

-- DropForeignKey
ALTER TABLE "requirement" DROP CONSTRAINT "requirement_program_id_fkey";

-- DropForeignKey
ALTER TABLE "requirement" DROP CONSTRAINT "requirement_role_id_fkey";

-- AddForeignKey
ALTER TABLE "person_role" ADD CONSTRAINT "person_role_role_id_fkey" FOREIGN KEY ("role_id") REFERENCES "role"("id") ON DELETE NO ACTION ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "program_course" ADD CONSTRAINT "program_course_course_id_fkey" FOREIGN KEY ("course_id") REFERENCES "course"("id") ON DELETE NO ACTION ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "requirement" ADD CONSTRAINT "requirement_role_id_fkey" FOREIGN KEY ("role_id") REFERENCES "role"("id") ON DELETE NO ACTION ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "requirement" ADD CONSTRAINT "requirement_program_id_fkey" FOREIGN KEY ("program_id") REFERENCES "program"("id") ON DELETE NO ACTION ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "assignment" ADD CONSTRAINT "assignment_program_id_fkey" FOREIGN KEY ("program_id") REFERENCES "program"("id") ON DELETE NO ACTION ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "completion" ADD CONSTRAINT "completion_course_id_fkey" FOREIGN KEY ("course_id") REFERENCES "course"("id") ON DELETE NO ACTION ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "renewal_request" ADD CONSTRAINT "renewal_request_program_id_fkey" FOREIGN KEY ("program_id") REFERENCES "program"("id") ON DELETE NO ACTION ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "renewal_request" ADD CONSTRAINT "renewal_request_course_id_fkey" FOREIGN KEY ("course_id") REFERENCES "course"("id") ON DELETE NO ACTION ON UPDATE CASCADE;
