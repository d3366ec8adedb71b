-- CreateIndex
CREATE INDEX "document_acknowledgement_person_id_idx" ON "document_acknowledgement"("person_id");

-- CreateIndex
CREATE INDEX "document_training_person_id_idx" ON "document_training"("person_id");

