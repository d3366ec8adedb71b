const DAY_MS = 24 * 60 * 60 * 1000;

/** Calendar dates are carried as UTC midnight, so adding days never shifts across time zones. */
export function toCalendarDate(value: Date): Date {
  return new Date(Date.UTC(value.getUTCFullYear(), value.getUTCMonth(), value.getUTCDate()));
}

export function addDays(date: Date, days: number): Date {
  return new Date(toCalendarDate(date).getTime() + days * DAY_MS);
}

export function isoDate(date: Date): string {
  return toCalendarDate(date).toISOString().slice(0, 10);
}

/** Whole calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: Date, to: Date): number {
  return Math.round((toCalendarDate(to).getTime() - toCalendarDate(from).getTime()) / DAY_MS);
}
