import type { ProfileInput } from '../profile';

/**
 * Oracle HCM Cloud REST, the workers resource (/hcmRestApi/resources/11.13.18.05/workers with
 * expand=names,emails,workRelationships.assignments.managers and a date range for future rows):
 * { "items": [ … ], "count", "hasMore", "limit", "offset" }.
 * - The external id is PersonNumber; the name LastName (with FirstName) of the first name record; the
 *   e-mail the work address (EmailType W1).
 * - Assignments of the primary work relationship are effective-dated (EffectiveStartDate,
 *   EffectiveSequence): the row in effect gives department, location, manager, job and status; later
 *   rows are future-dated changes. Hire and termination dates are the work relationship's.
 * - The manager is the line manager's person number (ManagerPersonNumber where the extract has it,
 *   else the ManagerAssignmentNumber with its default "E" prefix taken off).
 * - AssignmentStatusType ACTIVE, SUSPENDED (on leave), INACTIVE (terminated).
 */
export const oracleHcmWorkers: ProfileInput = {
  kind: 'people',
  format: 'json',
  system: 'oracle-hcm',
  description: 'Oracle HCM REST workers: items[] with PersonNumber, names[], emails[], workRelationships[].assignments[] (effective-dated)',
  json: { records: 'items' },
  dateFormat: 'iso',
  effectiveDated: {
    rows: ['workRelationships[PrimaryFlag=true].assignments', 'workRelationships[0].assignments'],
    startDate: 'EffectiveStartDate',
    sequence: 'EffectiveSequence',
  },
  fields: {
    externalId: { from: 'PersonNumber' },
    name: { join: ['names[0].FirstName', 'names[0].LastName'] },
    email: { from: ['emails[EmailType=W1].EmailAddress', 'emails[PrimaryFlag=true].EmailAddress'] },
    department: { in: 'row', from: 'DepartmentName' },
    location: { in: 'row', from: ['LocationCode', 'LocationName'] },
    managerExternalId: {
      in: 'row',
      from: ['managers[ManagerType=LINE_MANAGER].ManagerPersonNumber', 'managers[ManagerType=LINE_MANAGER].ManagerAssignmentNumber'],
      match: '^(?:E(?=\\d))?(.+)$',
    },
    roles: { in: 'row', from: ['JobCode', 'PositionCode'] },
    hireDate: { from: ['workRelationships[PrimaryFlag=true].StartDate', 'workRelationships[0].StartDate'] },
    terminationDate: { from: ['workRelationships[PrimaryFlag=true].TerminationDate', 'workRelationships[0].TerminationDate'] },
    status: { in: 'row', from: 'AssignmentStatusType', values: { ACTIVE: 'active', SUSPENDED: 'on_leave', INACTIVE: 'terminated' } },
  },
};
