import type { ProfileInput } from '../profile';

/**
 * An LMS transcript as CSV: person (HR external id or e-mail), course (a trainhub course key, or a
 * code the tenant's courseCodes map), completed_at (YYYY-MM-DD or an ISO timestamp), score (0–100),
 * passed (yes/no, true/false, 1/0, passed/failed; empty: passed), record_id (the LMS's id of the
 * record: a re-import is the same completion). score, passed and record_id may be left out.
 */
export const lmsTranscriptCsv: ProfileInput = {
  kind: 'transcript',
  format: 'csv',
  description: 'CSV: person,course,completed_at,score,passed,record_id',
  csv: { delimiter: ',', encoding: 'utf-8', header: true, optionalColumns: ['score', 'passed', 'record_id'] },
  dateFormat: 'iso',
  fields: {
    person: { from: 'person' },
    course: { from: 'course' },
    completedAt: { from: 'completed_at' },
    score: { from: 'score' },
    passed: { from: 'passed' },
    recordId: { from: 'record_id' },
  },
};
