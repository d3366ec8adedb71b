/**
 * Calendar periods people configure for certifications (how long a certificate stays in force, when the
 * recertification window opens), written as ISO 8601 periods of years, months and days — "P2Y", "P3M",
 * "P1Y6M", "P90D". Unlike durations (src/domain/durations.ts) they are not a fixed number of minutes:
 * a month is a calendar month, so they are applied to calendar days with addPeriod.
 */
export interface Period {
  years: number;
  months: number;
  days: number;
}

const ISO_PERIOD = /^P(?:(\d{1,4})Y)?(?:(\d{1,5})M)?(?:(\d{1,6})D)?$/;
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The period an ISO 8601 text of years, months and days stands for; null when it is not one or is zero. */
export function parsePeriod(text: string): Period | null {
  if (typeof text !== 'string') return null;
  const match = ISO_PERIOD.exec(text.trim().toUpperCase());
  if (!match) return null;
  const [, years, months, days] = match;
  if (years === undefined && months === undefined && days === undefined) return null;
  const period = { years: Number(years ?? 0), months: Number(months ?? 0), days: Number(days ?? 0) };
  return period.years + period.months + period.days > 0 ? period : null;
}

/** {years: 1, months: 6, days: 0} → "P1Y6M"; the zero period → "P0D". */
export function formatPeriod(period: Period): string {
  const text = `${period.years ? `${period.years}Y` : ''}${period.months ? `${period.months}M` : ''}${period.days ? `${period.days}D` : ''}`;
  return `P${text || '0D'}`;
}

function daysInMonth(year: number, monthIndex: number): number {
  return new Date(Date.UTC(year, monthIndex + 1, 0)).getUTCDate();
}

function parseDay(isoDay: string): { year: number; monthIndex: number; day: number } {
  const match = ISO_DAY.exec(isoDay);
  if (match) {
    const year = Number(match[1]);
    const monthIndex = Number(match[2]) - 1;
    const day = Number(match[3]);
    if (monthIndex >= 0 && monthIndex < 12 && day >= 1 && day <= daysInMonth(year, monthIndex)) return { year, monthIndex, day };
  }
  throw new RangeError(`not a calendar day: ${isoDay}`);
}

/**
 * The calendar day a period after (sign 1) or before (sign -1) `isoDay` (YYYY-MM-DD). As in java.time:
 * years and months move together first, landing on the same day of the month or, when that month is
 * shorter, on its last day (2024-01-31 + P1M = 2024-02-29, 2024-02-29 + P1Y = 2025-02-28); the days come after.
 */
export function addPeriod(isoDay: string, period: Period, sign: 1 | -1 = 1): string {
  const { year, monthIndex, day } = parseDay(isoDay);
  const totalMonths = year * 12 + monthIndex + sign * (period.years * 12 + period.months);
  const targetYear = Math.floor(totalMonths / 12);
  const targetMonth = totalMonths - targetYear * 12;
  const landed = Date.UTC(targetYear, targetMonth, Math.min(day, daysInMonth(targetYear, targetMonth)));
  const result = new Date(landed + sign * period.days * 86_400_000);
  if (Number.isNaN(result.getTime())) throw new RangeError(`${formatPeriod(period)} from ${isoDay} is out of range`);
  return result.toISOString().slice(0, 10);
}

/** Days checked by periodIsShorter: four years from a leap year hold every month length and leap day case. */
const SAMPLE_START = Date.UTC(2024, 0, 1);
const SAMPLE_DAYS = 4 * 365 + 1;

/**
 * Whether `a` is shorter than `b` (or, with orEqual, not longer) whatever day it is counted from:
 * P11M is shorter than P1Y, P30D is not shorter than P1M (February), P12M is not shorter than P1Y.
 */
export function periodIsShorter(a: Period, b: Period, orEqual = false): boolean {
  for (let offset = 0; offset < SAMPLE_DAYS; offset++) {
    const start = new Date(SAMPLE_START + offset * 86_400_000).toISOString().slice(0, 10);
    const endA = addPeriod(start, a);
    const endB = addPeriod(start, b);
    if (orEqual ? endA > endB : endA >= endB) return false;
  }
  return true;
}
