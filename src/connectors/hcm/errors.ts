import { DomainError } from '../../domain/errors';

/**
 * The file as a whole cannot be read with the profile: not CSV or not JSON, the records path is
 * missing, a column the profile needs is absent, the file is cut off. The run fails with it (no retry
 * can mend it); row-level problems are RowErrors instead and the run goes on.
 */
export class UnreadableFile extends DomainError {
  constructor(message: string) {
    super(422, 'unreadable_file', message);
  }
}
