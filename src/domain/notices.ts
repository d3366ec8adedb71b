/**
 * When a person (and, later, their manager and the compliance officer) hear about an open assignment.
 * Pure, so the workflow can compute its timers deterministically.
 */
import { isTimeZone, localTime } from './time-zones';

export interface NoticePolicy {
  reminderDaysBeforeDue: number[];
  overdueNotice: boolean;
  managerEscalationDaysOverdue: number;
  complianceEscalationDaysAfter: number;
  /**
   * The tenant's IANA time zone: notices go out at 09:00 there, on the tenant's days. A policy
   * recorded before tenants had a zone (a workflow history from then) has none, and means UTC.
   */
  timeZone: string;
}

export const DEFAULT_NOTICE_POLICY: NoticePolicy = {
  reminderDaysBeforeDue: [7, 1],
  overdueNotice: true,
  managerEscalationDaysOverdue: 3,
  complianceEscalationDaysAfter: 7,
  timeZone: 'UTC',
};

const DAY_MS = 86_400_000;
/** The hour of the tenant's day at which notices go out, rather than at midnight. */
export const NOTICE_HOUR = 9;

/**
 * The moment notices for `offsetDays` after the calendar day `isoDay` (YYYY-MM-DD) go out: 09:00 on
 * that day in `timeZone`. The day is the tenant's day, so a tenant in Auckland hears of a due date at
 * 09:00 of that date in Auckland, which is the evening before in UTC. No zone (a plan recorded before
 * tenants had one) means UTC; so does a name this runtime does not know (one written around the API),
 * rather than a process that can never compute its timers.
 */
export function noticeTime(isoDay: string, offsetDays: number, timeZone?: string): number {
  const day = new Date(Date.parse(`${isoDay}T00:00:00Z`) + offsetDays * DAY_MS).toISOString().slice(0, 10);
  return localTime(day, NOTICE_HOUR, timeZone !== undefined && isTimeZone(timeZone) ? timeZone : 'UTC');
}

export type NoticeKind = `reminder_${number}d` | 'overdue' | 'manager_escalation' | 'compliance_escalation';

export interface OpenAssignment {
  id: string;
  /** YYYY-MM-DD */
  dueDate: string;
  /** ISO timestamp */
  assignedAt: string;
}

export interface Notice {
  assignmentId: string;
  dueDate: string;
  kind: NoticeKind;
  /** epoch milliseconds */
  at: number;
}

/**
 * Every notice an open assignment will get, each at 09:00 on its day in the tenant's time zone.
 * Reminders that would fall before the assignment existed are dropped (nobody is reminded of the
 * past); the overdue notice and escalations always stand.
 * The overdue notice is also the moment the assignment counts as overdue, even when it is not sent.
 */
export function scheduleNotices(assignments: readonly OpenAssignment[], policy: NoticePolicy): Notice[] {
  const notices: Notice[] = [];
  // Plans recorded by a workflow before tenants had time zones carry none: UTC, as then (noticeTime).
  const dayAt = (isoDay: string, offsetDays: number) => noticeTime(isoDay, offsetDays, policy.timeZone);
  for (const a of assignments) {
    const assignedAt = Date.parse(a.assignedAt);
    for (const days of new Set(policy.reminderDaysBeforeDue)) {
      const at = dayAt(a.dueDate, -days);
      if (at >= assignedAt) notices.push({ assignmentId: a.id, dueDate: a.dueDate, kind: `reminder_${days}d`, at });
    }
    notices.push({ assignmentId: a.id, dueDate: a.dueDate, kind: 'overdue', at: dayAt(a.dueDate, 0) });
    const managerDay = policy.managerEscalationDaysOverdue;
    notices.push({ assignmentId: a.id, dueDate: a.dueDate, kind: 'manager_escalation', at: dayAt(a.dueDate, managerDay) });
    notices.push({
      assignmentId: a.id,
      dueDate: a.dueDate,
      kind: 'compliance_escalation',
      at: dayAt(a.dueDate, managerDay + policy.complianceEscalationDaysAfter),
    });
  }
  return notices.sort((x, y) => x.at - y.at || x.assignmentId.localeCompare(y.assignmentId));
}

/** Identifies a notice across retries and runs; a reassigned item (new due date) is reminded afresh. */
export function noticeKey(notice: Pick<Notice, 'assignmentId' | 'dueDate' | 'kind'>): string {
  return `${notice.assignmentId}:${notice.dueDate}:${notice.kind}`;
}

/** The sent-notice keys worth carrying on: those of assignments still open. */
export function keysOfOpenAssignments(sent: Iterable<string>, openAssignmentIds: ReadonlySet<string>): string[] {
  return [...sent].filter((key) => openAssignmentIds.has(key.slice(0, key.indexOf(':'))));
}

/** What is due now, per assignment: the one notice to send, and the earlier ones it makes pointless. */
export interface DueNotice extends Notice {
  /** Kinds whose moment also passed unsent (a leave, a worker backlog): this notice replaces them. */
  supersedes: NoticeKind[];
}

/**
 * The notices whose moment has come and that were not sent. When several of one assignment are due
 * at once (their moments passed while the person was on leave or the worker was down), only the
 * latest goes out: a 7-day reminder is pointless beside the overdue notice, and the overdue notice
 * beside an escalation. The ones it replaces are reported with it, so they are never sent late.
 */
export function dueNotices(schedule: readonly Notice[], sent: ReadonlySet<string>, now: number): DueNotice[] {
  const latest = new Map<string, DueNotice>();
  for (const notice of schedule) {
    if (notice.at > now || sent.has(noticeKey(notice))) continue;
    const earlier = latest.get(notice.assignmentId);
    const supersedes = earlier ? [...earlier.supersedes, earlier.kind] : [];
    latest.set(notice.assignmentId, { ...notice, supersedes });
  }
  return [...latest.values()].sort((x, y) => x.at - y.at || x.assignmentId.localeCompare(y.assignmentId));
}

export function nextNoticeAt(schedule: readonly Notice[], sent: ReadonlySet<string>, now: number): number | undefined {
  return schedule.find((n) => n.at > now && !sent.has(noticeKey(n)))?.at;
}
