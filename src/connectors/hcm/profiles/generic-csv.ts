import type { ProfileInput } from '../profile';

/**
 * A CSV from anything else, with trainhub's column names (a tenant with other names copies the profile
 * and changes the `from`s). external_id, name and email are required columns; the others may be left
 * out. roles holds trainhub role keys separated by ";". Dates YYYY-MM-DD. status active, on_leave or
 * terminated (empty: terminated from termination_date on, else active).
 */
export const genericCsv: ProfileInput = {
  kind: 'people',
  format: 'csv',
  description: 'CSV: external_id,email,name,department,location,manager_external_id,roles (role keys separated by ;),hire_date,termination_date,status',
  csv: {
    delimiter: ',',
    encoding: 'utf-8',
    header: true,
    optionalColumns: ['department', 'location', 'manager_external_id', 'roles', 'hire_date', 'termination_date', 'status'],
  },
  dateFormat: 'iso',
  fields: {
    externalId: { from: 'external_id' },
    email: { from: 'email' },
    name: { from: 'name' },
    department: { from: 'department' },
    location: { from: 'location' },
    managerExternalId: { from: 'manager_external_id' },
    roles: { from: 'roles', split: ';', through: 'none' },
    hireDate: { from: 'hire_date' },
    terminationDate: { from: 'termination_date' },
    status: {
      from: 'status',
      values: { active: 'active', on_leave: 'on_leave', 'on leave': 'on_leave', leave: 'on_leave', terminated: 'terminated', inactive: 'terminated' },
    },
  },
};
