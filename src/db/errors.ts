import { Prisma } from './client';

/**
 * What kind of database failure an error is, from PostgreSQL's SQLSTATE where the driver adapter
 * reports it (Prisma's own code alone does not say: P2039 and P2010 cover every database error, a
 * refused value and a server shutting down alike).
 */
export function sqlState(error: unknown): string | null {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return null;
  const cause = (error.meta?.driverAdapterError as { cause?: { originalCode?: unknown } } | undefined)?.cause;
  return typeof cause?.originalCode === 'string' ? cause.originalCode : null;
}

/** A value the database refuses (SQLSTATE class 22, or a check or not-null constraint): sending it again cannot succeed. */
export function isRefusedValue(error: unknown): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return false;
  if (error.code === 'P2000' || error.code === 'P2007') return true;
  const state = sqlState(error);
  return state !== null && (state.startsWith('22') || state === '23502' || state === '23514');
}

/** A foreign key refused the statement: a row it points at is gone, or a row still points at what it deletes. */
export function isStillReferenced(error: unknown): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return false;
  return error.code === 'P2003' || sqlState(error) === '23503';
}

/** A record the statement needs is gone (not found, or a foreign key to a deleted row). */
export function isMissingRecord(error: unknown): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return false;
  return error.code === 'P2025' || isStillReferenced(error);
}

/** A deadlock or serialization failure: the same transaction again will likely go through. */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return false;
  const state = sqlState(error);
  return error.code === 'P2034' || state === '40001' || state === '40P01';
}

/** Runs `transaction` again at once, up to `attempts` times in all, while it fails transiently (two transactions in each other's way). */
export async function againWhenTransient<T>(transaction: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction();
    } catch (error) {
      if (!isTransient(error) || attempt >= attempts) throw error;
    }
  }
}
