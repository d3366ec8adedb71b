import type { Db } from '../db/client';
import type { Processes } from '../temporal/processes';
import type { Operation } from './operation';
import { approvalOperations } from './routes/approvals';
import { assignmentOperations } from './routes/assignments';
import { completionOperations } from './routes/completions';
import { courseOperations } from './routes/courses';
import { hrEventOperations } from './routes/hr-events';
import { notificationPolicyOperations } from './routes/notification-policy';
import { peopleOperations } from './routes/people';
import { programOperations } from './routes/programs';
import { renewalOperations } from './routes/renewals';
import { requirementOperations } from './routes/requirements';
import { roleOperations } from './routes/roles';
import { trainingMatrixOperations } from './routes/training-matrix';

/** Every operation under /api/v1: what the router mounts and what the OpenAPI document describes. */
export function apiOperations(db: Db, processes: Processes): Operation[] {
  return [
    // Inbound from HR systems and LMSs, and what people owe.
    ...hrEventOperations(db, processes),
    ...completionOperations(db, processes),
    ...peopleOperations(db),
    ...assignmentOperations(db, processes),
    // The training-matrix catalog.
    ...trainingMatrixOperations(db, processes),
    ...roleOperations(db),
    ...courseOperations(db),
    ...programOperations(db),
    ...requirementOperations(db, processes),
    ...notificationPolicyOperations(db),
    // Renewal requests, their approval chains and audit trail; approvers' decisions.
    ...renewalOperations(db, processes),
    ...approvalOperations(db, processes),
  ];
}
