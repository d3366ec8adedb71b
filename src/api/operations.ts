import type { Db } from '../db/client';
import type { CommandDelivery } from '../services/processes/operations';
import type { ScormSettings } from '../services/scorm/settings';
import { developmentConnectorSettings, type ConnectorSettings } from '../services/imports/connectors';
import type { Processes } from '../temporal/processes';
import type { Operation } from './operation';
import { apiKeyOperations } from './routes/api-keys';
import { approvalOperations } from './routes/approvals';
import { assignmentOperations } from './routes/assignments';
import { certificationOperations } from './routes/certifications';
import { certificateOperations } from './routes/certificates';
import { certificatePolicyOperations } from './routes/certificate-policy';
import { completionOperations } from './routes/completions';
import { courseOperations } from './routes/courses';
import { documentAcknowledgementOperations } from './routes/document-acknowledgements';
import { documentOperations } from './routes/documents';
import { documentEventOperations } from './routes/document-events';
import { hcmConnectorOperations } from './routes/hcm-connectors';
import { hrEventOperations } from './routes/hr-events';
import { importOperations, type ImportSettings } from './routes/imports';
import { notificationPolicyOperations } from './routes/notification-policy';
import { peopleOperations } from './routes/people';
import { programOperations } from './routes/programs';
import { renewalOperations } from './routes/renewals';
import { requirementOperations } from './routes/requirements';
import { roleOperations } from './routes/roles';
import { scormOperations } from './routes/scorm';
import { trainingMatrixOperations } from './routes/training-matrix';
import { xapiOperations } from './routes/xapi';

/**
 * Every operation under /api/v1: what the router mounts and what the OpenAPI document describes.
 * Record changes hand their process commands to `delivery`; approvers' actions reach running
 * processes through `processes` (Workflow Updates).
 */
export function apiOperations(
  db: Db,
  processes: Processes,
  delivery: CommandDelivery,
  scorm: ScormSettings,
  publicUrl: string,
  connectors: ConnectorSettings = developmentConnectorSettings(),
  imports?: ImportSettings,
): Operation[] {
  return [
    // Inbound from HR systems and LMSs, and what people owe.
    ...hrEventOperations(db, delivery),
    ...completionOperations(db, delivery),
    ...peopleOperations(db, scorm.links, publicUrl),
    ...assignmentOperations(db, delivery),
    // The training-matrix catalog; matrix changes run as operations.
    ...trainingMatrixOperations(db, delivery),
    ...roleOperations(db),
    ...courseOperations(db),
    ...programOperations(db),
    ...requirementOperations(db, delivery),
    ...notificationPolicyOperations(db),
    ...documentOperations(db),
    // Read-and-understood signatures of document versions, for auditors.
    ...documentAcknowledgementOperations(db),
    // SCORM packages of courses, and the attempts people make at them in trainhub's player.
    ...scormOperations(db, scorm.store),
    // Renewal requests, their approval chains and audit trail; approvers' decisions.
    ...renewalOperations(db, processes, delivery),
    ...approvalOperations(db, processes),
    // The tenant's own API keys.
    ...apiKeyOperations(db),
    // Controlled documents: a document system's events and what an approval would assign.
    ...documentEventOperations(db, delivery),
    // The Learning Record Store's clients and which activities count as which course.
    ...xapiOperations(db),
    // Certifications: their catalog and requirements, the certificates people hold, holders, history import.
    ...certificationOperations(db, delivery, publicUrl),
    // Issued certificates (read, PDF, revoke) and how the tenant numbers them.
    ...certificateOperations(db, delivery, publicUrl),
    ...certificatePolicyOperations(db),
    // HCM connectors: report URLs pulled on a schedule into import runs (secrets stored encrypted).
    ...hcmConnectorOperations(db, delivery, connectors),
    // Imports: HR files and LMS transcripts as durable runs (received, staged, compared, applied), and their profiles.
    ...importOperations(db, delivery, imports),
  ];
}
