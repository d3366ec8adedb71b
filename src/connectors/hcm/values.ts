import { z } from 'zod';
import { forbiddenCharacter } from '../../domain/text';

/**
 * How values in HR and LMS files are read: dates in the formats vendors write, numbers, yes/no, role
 * keys made from job codes, and the text checks every field passes. Each function answers the value or
 * a message saying what is wrong with it (the caller prefixes the field's name).
 */

export const DATE_FORMATS = ['iso', 'odata', 'auto', 'MM/DD/YYYY', 'DD/MM/YYYY', 'DD.MM.YYYY', 'YYYYMMDD'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const MIN_YEAR = 1900;
const MAX_YEAR = 2999;

/** A value as it may appear in a message: quoted, escaped, cut short. */
export function shown(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

function calendarDay(year: number, month: number, day: number, text: string): Parsed<string> {
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) {
    return { ok: false, message: `${shown(text)} is not a date (no such day)` };
  }
  if (year < MIN_YEAR || year > MAX_YEAR) return { ok: false, message: `${shown(text)} is out of range (${MIN_YEAR} to ${MAX_YEAR})` };
  return { ok: true, value: `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}` };
}

/** A day and, when the text had one, the moment (ISO 8601, UTC). */
interface DayAndMoment {
  day: string;
  moment: string | null;
}

// YYYY-MM-DD, optionally with a time and/or an offset: 2026-03-01, 2026-03-01T08:30:00Z,
// 2026-03-01T08:30:00.000-05:00, and Workday's date with offset 2026-03-01-08:00.
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/;
// OData v2 JSON: /Date(1700000000000)/ or /Date(1700000000000+0100)/ (offset ±hhmm).
const ODATA = /^\/Date\((-?\d{1,15})(?:([+-])(\d{2})(\d{2}))?\)\/$/;
const SLASHED = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const DOTTED = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;

const FORMAT_HINT: Record<DateFormat, string> = {
  iso: 'YYYY-MM-DD',
  odata: '/Date(milliseconds)/',
  auto: 'YYYY-MM-DD or /Date(milliseconds)/',
  'MM/DD/YYYY': 'MM/DD/YYYY',
  'DD/MM/YYYY': 'DD/MM/YYYY',
  'DD.MM.YYYY': 'DD.MM.YYYY',
  YYYYMMDD: 'YYYYMMDD',
};

function parseIso(text: string): Parsed<DayAndMoment> | null {
  const m = ISO.exec(text);
  if (!m) return null;
  const day = calendarDay(Number(m[1]), Number(m[2]), Number(m[3]), text);
  if (!day.ok) return day;
  if (m[4] === undefined) return { ok: true, value: { day: day.value, moment: null } };
  const [hours, minutes, seconds] = [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)];
  if (hours > 23 || minutes > 59 || seconds > 59) return { ok: false, message: `${shown(text)} is not a time of day` };
  const offset = m[8] === undefined || m[8] === 'Z' ? 'Z' : m[8].length === 5 ? `${m[8].slice(0, 3)}:${m[8].slice(3)}` : m[8];
  const instant = Date.parse(`${day.value}T${m[4]}:${m[5]}:${m[6] ?? '00'}${m[7] ? m[7].slice(0, 4) : ''}${offset}`);
  if (Number.isNaN(instant)) return { ok: false, message: `${shown(text)} is not a moment` };
  // The calendar day is the one the file wrote (in its own offset), not the UTC day.
  return { ok: true, value: { day: day.value, moment: new Date(instant).toISOString() } };
}

function parseOData(text: string): Parsed<DayAndMoment> | null {
  const m = ODATA.exec(text);
  if (!m) return null;
  const offsetMinutes = m[2] ? (m[2] === '-' ? -1 : 1) * (Number(m[3]) * 60 + Number(m[4])) : 0;
  const instant = new Date(Number(m[1]));
  const local = new Date(instant.getTime() + offsetMinutes * 60_000);
  if (Number.isNaN(local.getTime())) return { ok: false, message: `${shown(text)} is not a date` };
  const day = calendarDay(local.getUTCFullYear(), local.getUTCMonth() + 1, local.getUTCDate(), text);
  if (!day.ok) return day;
  const midnight = instant.getUTCHours() === 0 && instant.getUTCMinutes() === 0 && instant.getUTCSeconds() === 0 && instant.getUTCMilliseconds() === 0;
  return { ok: true, value: { day: day.value, moment: midnight && offsetMinutes === 0 ? null : instant.toISOString() } };
}

function parseDayAndMoment(text: string, format: DateFormat): Parsed<DayAndMoment> {
  let parsed: Parsed<DayAndMoment> | null = null;
  let m: RegExpExecArray | null;
  const dayOnly = (day: Parsed<string>): Parsed<DayAndMoment> => (day.ok ? { ok: true, value: { day: day.value, moment: null } } : day);
  switch (format) {
    case 'iso':
      parsed = parseIso(text);
      break;
    case 'odata':
      parsed = parseOData(text);
      break;
    case 'auto':
      parsed = parseIso(text) ?? parseOData(text);
      break;
    case 'MM/DD/YYYY':
      if ((m = SLASHED.exec(text))) parsed = dayOnly(calendarDay(Number(m[3]), Number(m[1]), Number(m[2]), text));
      break;
    case 'DD/MM/YYYY':
      if ((m = SLASHED.exec(text))) parsed = dayOnly(calendarDay(Number(m[3]), Number(m[2]), Number(m[1]), text));
      break;
    case 'DD.MM.YYYY':
      if ((m = DOTTED.exec(text))) parsed = dayOnly(calendarDay(Number(m[3]), Number(m[2]), Number(m[1]), text));
      break;
    case 'YYYYMMDD':
      if ((m = COMPACT.exec(text))) parsed = dayOnly(calendarDay(Number(m[1]), Number(m[2]), Number(m[3]), text));
      break;
  }
  return parsed ?? { ok: false, message: `${shown(text)} is not a date (${FORMAT_HINT[format]})` };
}

/** A calendar day, YYYY-MM-DD (a timestamp gives the day it names in its own offset). */
export function parseDay(text: string, format: DateFormat): Parsed<string> {
  const parsed = parseDayAndMoment(text, format);
  return parsed.ok ? { ok: true, value: parsed.value.day } : parsed;
}

/** A moment, ISO 8601 in UTC; a date without a time is that day's midnight UTC. */
export function parseMoment(text: string, format: DateFormat): Parsed<string> {
  const parsed = parseDayAndMoment(text, format);
  if (!parsed.ok) return parsed;
  return { ok: true, value: parsed.value.moment ?? `${parsed.value.day}T00:00:00.000Z` };
}

/** A score: a decimal number, optionally with a % sign. */
export function parseNumber(text: string): Parsed<number> {
  const m = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*%?$/.exec(text);
  if (!m) return { ok: false, message: `${shown(text)} is not a number` };
  return { ok: true, value: Number(m[1]) };
}

const YES = new Set(['true', 'yes', 'y', '1', 'pass', 'passed', 'complete', 'completed', 'satisfied']);
const NO = new Set(['false', 'no', 'n', '0', 'fail', 'failed', 'incomplete', 'not passed']);

export function parseYesNo(text: string, trueValues?: readonly string[], falseValues?: readonly string[]): Parsed<boolean> {
  const key = text.toLowerCase();
  const yes = trueValues ? trueValues.some((value) => value.toLowerCase() === key) : YES.has(key);
  const no = falseValues ? falseValues.some((value) => value.toLowerCase() === key) : NO.has(key);
  if (yes && !no) return { ok: true, value: true };
  if (no && !yes) return { ok: true, value: false };
  return { ok: false, message: `${shown(text)} is neither yes nor no` };
}

/** The role key a job code stands for when the profile's table does not name it: "RN-01" → "rn-01". */
export function slugOf(code: string): string {
  return code
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Text a trainhub field can hold: at most `max` characters, no control characters, nothing undecodable. */
export function checkText(text: string, max: number): string | null {
  if (text.length > max) return `is longer than ${max} characters`;
  const forbidden = forbiddenCharacter(text);
  if (forbidden) return `contains a control character (${forbidden})`;
  if (text.includes('\uFFFD')) return "contains U+FFFD (bytes that could not be decoded: is the file's encoding the profile's?)";
  return null;
}

const EMAIL = z.regexes.email;

export function checkEmail(text: string): string | null {
  if (text.length > 320 || !EMAIL.test(text) || text.indexOf('@') > 64) return `${shown(text)} is not an e-mail address`;
  return null;
}
