import type { ProfileInput } from '../profile';

/**
 * BambooHR custom report (POST /v1/reports/custom?format=JSON):
 * { "title", "fields": [ { id, type, name } ], "employees": [ { "id", "firstName", … } ] }.
 * - The external id is BambooHR's employee id (`id`), which supervisorEId refers to.
 * - Roles from jobTitle (BambooHR has no job codes): "Registered Nurse" is role registered-nurse
 *   unless the tenant's roleCodes say otherwise.
 * - Empty dates come as 0000-00-00.
 * - Status Active / Inactive; employmentHistoryStatus "Leave of Absence" puts the worker on leave.
 */
export const bamboohr: ProfileInput = {
  kind: 'people',
  format: 'json',
  system: 'bamboohr',
  description: 'BambooHR custom report (JSON): employees[] with id, firstName, lastName, workEmail, department, location, jobTitle, hireDate, terminationDate, status, supervisorEId',
  json: { records: 'employees' },
  dateFormat: 'iso',
  fields: {
    externalId: { from: 'id' },
    name: { join: ['firstName', 'lastName'] },
    email: { from: 'workEmail' },
    department: { from: 'department' },
    location: { from: 'location' },
    managerExternalId: { from: 'supervisorEId' },
    roles: { from: 'jobTitle' },
    hireDate: { from: 'hireDate', nullValues: ['0000-00-00'] },
    terminationDate: { from: 'terminationDate', nullValues: ['0000-00-00'] },
    status: {
      from: 'status',
      values: { Active: 'active', Inactive: 'terminated' },
      overrides: [{ from: 'employmentHistoryStatus', values: { 'Leave of Absence': 'on_leave', 'On Leave': 'on_leave' } }],
    },
  },
};
