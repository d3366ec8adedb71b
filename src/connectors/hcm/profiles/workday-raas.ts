import type { ProfileInput } from '../profile';

/**
 * Workday Report-as-a-Service: an Advanced custom report on "All Active and Terminated Workers",
 * enabled as a web service and fetched with ?format=json. The document is { "Report_Entry": [ … ] };
 * each entry holds the report's columns by their XML alias, and Workday leaves out the columns that are
 * empty for a worker. The columns read here are the usual aliases: rename them in a copy to match a
 * tenant's report.
 * - Supervisory_Organization is the organisation's name as Workday shows it, "ICU (Florence
 *   Nightingale)": the manager's name in parentheses is dropped.
 * - Roles: Job_Code (the job profile's code) and the codes of additional jobs (a multi-instance
 *   column, which RaaS renders as Additional_Jobs_group [ { Job_Code } ]), through roleCodes.
 * - Status: Worker_Status (Active / On Leave / Terminated …) or Active_Status (1 / 0); a report with
 *   an On_Leave flag (1) marks the worker on leave whatever the status says.
 */
export const workdayRaas: ProfileInput = {
  kind: 'people',
  format: 'json',
  system: 'workday',
  description: 'Workday RaaS custom report (JSON): Report_Entry[] with Employee_ID, Worker, Email_Address, Job_Code, Supervisory_Organization, Location, Manager_ID, Hire_Date, Termination_Date, Worker_Status',
  json: { records: 'Report_Entry' },
  dateFormat: 'iso',
  fields: {
    externalId: { from: 'Employee_ID' },
    name: { from: ['Worker', 'Legal_Name', 'Preferred_Name'] },
    email: { from: ['Email_Address', 'Primary_Work_Email'] },
    department: { from: ['Supervisory_Organization', 'Department'], match: '^(.*?)(?:\\s*\\([^()]*\\))?$' },
    location: { from: ['Location', 'Work_Location'] },
    managerExternalId: { from: ['Manager_ID', 'Manager_Employee_ID'] },
    roles: { join: ['Job_Code', 'Additional_Jobs_group[*].Job_Code'] },
    hireDate: { from: 'Hire_Date' },
    terminationDate: { from: 'Termination_Date' },
    status: {
      from: ['Worker_Status', 'Active_Status'],
      values: {
        Active: 'active',
        'On Leave': 'on_leave',
        'Leave of Absence': 'on_leave',
        Terminated: 'terminated',
        Inactive: 'terminated',
        '1': 'active',
        '0': 'terminated',
      },
      overrides: [{ from: 'On_Leave', values: { '1': 'on_leave', true: 'on_leave' } }],
    },
  },
};
