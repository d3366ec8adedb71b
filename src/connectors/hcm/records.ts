/**
 * What a profile makes of a file's records: trainhub's own shapes, whatever the vendor. A reader
 * yields one of these per record (or a RowError naming the record's line), in file order.
 */

/** A worker as an HR system describes them, after the profile's mapping. Days are YYYY-MM-DD. */
export interface WorkerRecord {
  /** Where the record starts in the file: the CSV line, or the JSON entry's 1-based position. */
  line: number;
  externalId: string;
  email: string | null;
  name: string;
  department: string | null;
  location: string | null;
  managerExternalId: string | null;
  /** trainhub role keys (job codes or positions already mapped through the profile's table). */
  roles: string[];
  hireDate: string | null;
  terminationDate: string | null;
  status: 'active' | 'on_leave' | 'terminated';
  /** The day these values take effect (effective-dated sources); null: they hold now. */
  effectiveDate: string | null;
}

/** A historic completion from an LMS transcript. */
export interface CompletionRecord {
  line: number;
  /** The person by HR external id or e-mail (`person` holds whichever the file has). */
  person: string;
  /** A trainhub course key (course codes already mapped through the profile's table). */
  courseKey: string;
  /** ISO 8601 moment. */
  completedAt: string;
  score: number | null;
  passed: boolean;
  /** The LMS's id for the record: with the run's source it makes a re-import one completion. */
  recordId: string;
}

export interface RowError {
  line: number;
  /** What is wrong, naming the field as the file names it, e.g. `Hire_Date: "31/02/2026" is not a date`. */
  error: string;
  /** The external id when it could be read, so errors.csv can name the person. */
  externalId?: string | null;
}

export type ReadResult<T> = T | RowError;

export function isRowError(value: ReadResult<unknown>): value is RowError {
  return typeof value === 'object' && value !== null && 'error' in value;
}
