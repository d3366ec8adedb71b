-- CreateIndex
CREATE INDEX "assignment_person_id_idx" ON "assignment"("person_id");

-- CreateIndex
CREATE INDEX "completion_person_id_idx" ON "completion"("person_id");

-- CreateIndex
CREATE INDEX "person_manager_id_idx" ON "person"("manager_id");

-- CreateIndex
CREATE INDEX "person_role_person_id_idx" ON "person_role"("person_id");
