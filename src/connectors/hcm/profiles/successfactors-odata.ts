import type { ProfileInput } from '../profile';

/**
 * SAP SuccessFactors Employee Central through OData v2 (?$format=json): { "d": { "results": [ … ] } }
 * of User entities expanded with empInfo/jobInfoNav (or of EmpEmployment entities expanded with
 * userNav and jobInfoNav). Dates are OData's /Date(milliseconds)/.
 * - The external id is personIdExternal (the person, stable across employments) when the extract has
 *   it, else userId.
 * - EmpJob rows are effective-dated (startDate, seqNumber for several changes on one day): the row in
 *   effect gives department, location, manager, job code and status; later rows are future-dated
 *   changes.
 * - EmpJob's managerId is the manager's userId; expand jobInfoNav/managerUserNav/empInfo so the
 *   manager is named by personIdExternal like everyone else (managerId is the fallback; NO_MANAGER is
 *   none).
 * - Status: the emplStatus picklist's external code (expand jobInfoNav/emplStatusNav): A active;
 *   U, P (unpaid / paid leave), S (suspended), F (furlough) on leave; T, R, D, O terminated. A tenant
 *   whose extract carries only the picklist option id (emplStatus) adds its ids to the table.
 * - Department and location: the names (departmentNav, locationNav) when expanded, else the codes.
 */
export const successfactorsOdata: ProfileInput = {
  kind: 'people',
  format: 'json',
  system: 'successfactors',
  description: 'SAP SuccessFactors OData v2 JSON: d.results[] of User (empInfo.jobInfoNav) or EmpEmployment (userNav, jobInfoNav), effective-dated EmpJob rows',
  json: { records: 'd.results' },
  dateFormat: 'auto',
  effectiveDated: {
    rows: ['empInfo.jobInfoNav.results', 'jobInfoNav.results', 'employmentNav.results[0].jobInfoNav.results'],
    startDate: 'startDate',
    sequence: 'seqNumber',
  },
  fields: {
    externalId: { from: ['personIdExternal', 'empInfo.personIdExternal', 'userId'] },
    // Whichever entity the extract is rooted at, only one of each pair is there.
    name: { join: ['firstName', 'userNav.firstName', 'lastName', 'userNav.lastName'] },
    email: { from: ['email', 'userNav.email'] },
    department: { in: 'row', from: ['departmentNav.name', 'department'] },
    location: { in: 'row', from: ['locationNav.name', 'location'] },
    managerExternalId: { in: 'row', from: ['managerUserNav.empInfo.personIdExternal', 'managerId'], nullValues: ['NO_MANAGER'] },
    roles: { in: 'row', from: 'jobCode' },
    hireDate: { from: ['empInfo.startDate', 'startDate', 'hireDate'] },
    terminationDate: { from: ['empInfo.endDate', 'endDate'] },
    status: {
      in: 'row',
      from: ['emplStatusNav.externalCode', 'emplStatus'],
      values: {
        A: 'active',
        U: 'on_leave',
        P: 'on_leave',
        S: 'on_leave',
        F: 'on_leave',
        T: 'terminated',
        R: 'terminated',
        D: 'terminated',
        O: 'terminated',
      },
    },
  },
};
