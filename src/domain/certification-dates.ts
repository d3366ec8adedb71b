import { addPeriod, parsePeriod, type Period } from './periods';

/**
 * When a certificate expires, when its recertification window opens and when its holder is reminded:
 * pure, so the process and the tests compute the same days. Days are YYYY-MM-DD in the tenant's zone.
 */

export type ExpiryBase = 'completion_date' | 'previous_expiry' | 'fixed_date';

export interface ExpiryRule {
  expiryBase: ExpiryBase;
  activePeriod: string;
  windowPeriod: string;
  /** For fixed_date: "MM-DD". */
  fixedExpiryDay: string | null;
  /** For fixed_date; when absent, the window period (a certificate never opens its window the day it is issued). */
  minimumActivePeriod: string | null;
}

export type IssueBasis = 'initial' | 'recertification' | 'late_recertification';

function period(text: string): Period {
  const parsed = parsePeriod(text);
  if (!parsed) throw new RangeError(`not a period: ${text}`);
  return parsed;
}

/** The first `MM-DD` on or after `isoDay` (a 29 February that the year lacks is its 28th). */
function firstFixedDayFrom(isoDay: string, monthDay: string): string {
  const month = Number(monthDay.slice(0, 2)) - 1;
  const day = Number(monthDay.slice(3));
  for (let year = Number(isoDay.slice(0, 4)); ; year++) {
    const lastOfMonth = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
    const candidate = new Date(Date.UTC(year, month, Math.min(day, lastOfMonth))).toISOString().slice(0, 10);
    if (candidate >= isoDay) return candidate;
  }
}

/**
 * The expiry of the certificate a completion of the path earns, and why it is issued. `previous` is the
 * certificate it follows (none for a first certification, or after a revocation). A completion before
 * the previous certificate's expiry day renews it; on that day or later the renewal is late.
 *  - completion_date: the completion day plus the active period.
 *  - previous_expiry: an early or on-time renewal keeps the cadence (previous expiry plus the active
 *    period); a first or late one counts from the completion day.
 *  - fixed_date: the first fixed day at least the minimum active period after completion (and after
 *    the previous expiry), e.g. every 1 January.
 */
export function nextExpiry(rule: ExpiryRule, completedOn: string, previous: { expiresOn: string } | null): { expiresOn: string; basis: IssueBasis } {
  const basis: IssueBasis = !previous ? 'initial' : completedOn < previous.expiresOn ? 'recertification' : 'late_recertification';
  const active = period(rule.activePeriod);
  if (rule.expiryBase === 'previous_expiry' && basis === 'recertification') return { expiresOn: addPeriod(previous!.expiresOn, active), basis };
  if (rule.expiryBase !== 'fixed_date') return { expiresOn: addPeriod(completedOn, active), basis };
  if (!rule.fixedExpiryDay) throw new RangeError('a fixed_date rule needs its fixed expiry day');
  let earliest = addPeriod(completedOn, period(rule.minimumActivePeriod ?? rule.windowPeriod));
  if (previous && earliest <= previous.expiresOn) earliest = addPeriod(previous.expiresOn, { years: 0, months: 0, days: 1 });
  return { expiresOn: firstFixedDayFrom(earliest, rule.fixedExpiryDay), basis };
}

/** An approved certification renewal's new expiry: extend adds the active period to the current expiry; reissue is a recertification on the day of approval. */
export function renewedExpiry(rule: ExpiryRule, how: 'extend' | 'reissue', approvedOn: string, current: { expiresOn: string } | null): string {
  if (how === 'extend' && current) return addPeriod(current.expiresOn, period(rule.activePeriod));
  return nextExpiry(rule, approvedOn, current).expiresOn;
}

/** The day the recertification window opens: the window period before expiry. */
export function windowOpensOn(rule: Pick<ExpiryRule, 'windowPeriod'>, expiresOn: string): string {
  return addPeriod(expiresOn, period(rule.windowPeriod), -1);
}

/** Reminder days (largest offset first) that fall inside the window, i.e. on or after it opens and before expiry. */
export function reminderDays(rule: Pick<ExpiryRule, 'windowPeriod'>, expiresOn: string, daysBefore: readonly number[]): { daysBefore: number; on: string }[] {
  const opens = windowOpensOn(rule, expiresOn);
  return [...new Set(daysBefore)]
    .sort((a, b) => b - a)
    .map((d) => ({ daysBefore: d, on: addPeriod(expiresOn, { years: 0, months: 0, days: d }, -1) }))
    .filter((r) => r.on >= opens && r.on < expiresOn);
}
