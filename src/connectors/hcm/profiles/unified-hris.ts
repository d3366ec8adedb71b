import type { ProfileInput } from '../profile';

/**
 * A unified HRIS API (Merge-style common model), GET /hris/v1/employees?expand=manager,work_location,
 * employments,groups: { "next", "previous", "results": [ … ] }.
 * - The external id is remote_id (the HR system's own id); the manager is the expanded manager's
 *   remote_id (without expand=manager the manager is an id of the unified API and is not read).
 * - Department: the DEPARTMENT group, else the team; location: the work location's name.
 * - Roles: the job titles of the employments (several employments, several roles).
 * - employment_status ACTIVE, PENDING (hired, not started), INACTIVE (terminated). A start_date after
 *   today makes the record future-dated (a pending hire starts on that day). The model has no leave.
 */
export const unifiedHris: ProfileInput = {
  kind: 'people',
  format: 'json',
  system: 'unified-hris',
  description: 'Unified HRIS employees (Merge-style): results[] with remote_id, first_name, last_name, work_email, employment_status, start_date, termination_date, manager, groups, work_location, employments',
  json: { records: 'results' },
  dateFormat: 'iso',
  fields: {
    externalId: { from: 'remote_id' },
    name: { join: ['first_name', 'last_name'] },
    email: { from: 'work_email' },
    department: { from: ['groups[type=DEPARTMENT].name', 'team.name'] },
    location: { from: 'work_location.name' },
    managerExternalId: { from: 'manager.remote_id' },
    roles: { from: 'employments[*].job_title' },
    hireDate: { from: ['start_date', 'hire_date'] },
    terminationDate: { from: 'termination_date' },
    status: { from: 'employment_status', values: { ACTIVE: 'active', PENDING: 'active', INACTIVE: 'terminated' } },
    effectiveDate: { from: 'start_date' },
  },
};
