import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { DEFAULT_NOTICE_POLICY, dueNotices, keysOfOpenAssignments, nextNoticeAt, noticeKey, noticeTime, scheduleNotices, type NoticePolicy } from '../../src/domain/notices';

/** When a person, their manager and compliance hear about an open assignment. */
describe('the notice schedule of an open assignment', () => {
  const at = (iso: string) => Date.parse(iso);
  const open = { id: 'a1', dueDate: '2026-12-15', assignedAt: '2026-12-01T10:00:00Z' };

  test('reminders before the due date, the overdue notice on it, then manager and compliance, all at 09:00 (UTC by default)', () => {
    const schedule = scheduleNotices([open], DEFAULT_NOTICE_POLICY);
    expect(schedule.map((n) => [n.kind, new Date(n.at).toISOString()])).toEqual([
      ['reminder_7d', '2026-12-08T09:00:00.000Z'],
      ['reminder_1d', '2026-12-14T09:00:00.000Z'],
      ['overdue', '2026-12-15T09:00:00.000Z'],
      ['manager_escalation', '2026-12-18T09:00:00.000Z'],
      ['compliance_escalation', '2026-12-25T09:00:00.000Z'],
    ]);
  });

  test('nobody is reminded of a time before the assignment existed; overdue and escalations still stand', () => {
    const late = { ...open, assignedAt: '2026-12-10T10:00:00Z' };
    const kinds = scheduleNotices([late], DEFAULT_NOTICE_POLICY).map((n) => n.kind);
    expect(kinds).toEqual(['reminder_1d', 'overdue', 'manager_escalation', 'compliance_escalation']);
  });

  test('what is due now, what comes next, and what was already sent', () => {
    const schedule = scheduleNotices([open], DEFAULT_NOTICE_POLICY);
    const sent = new Set([noticeKey(schedule[0]!)]);
    expect(dueNotices(schedule, sent, at('2026-12-14T10:00:00Z')).map((n) => [n.kind, n.supersedes])).toEqual([['reminder_1d', []]]);
    expect(nextNoticeAt(schedule, sent, at('2026-12-14T10:00:00Z'))).toBe(at('2026-12-15T09:00:00Z'));
  });

  test('notices whose moments passed unsent (a leave, a worker backlog) come as one: the latest, replacing the others', () => {
    const other = { id: 'a2', dueDate: '2026-12-20', assignedAt: '2026-12-01T10:00:00Z' };
    const schedule = scheduleNotices([open, other], DEFAULT_NOTICE_POLICY);
    const sent = new Set([noticeKey(schedule[0]!)]);
    // Back on 19 December at 10:00: a1's 1-day reminder, overdue notice and manager escalation all passed; a2's two reminders too.
    const now = at('2026-12-19T10:00:00Z');
    const due = dueNotices(schedule, sent, now);
    expect(due.map((n) => [n.assignmentId, n.kind, n.supersedes])).toEqual([
      ['a1', 'manager_escalation', ['reminder_1d', 'overdue']],
      ['a2', 'reminder_1d', ['reminder_7d']],
    ]);
    const handled = new Set([...sent, ...due.flatMap((n) => [n.kind, ...n.supersedes].map((kind) => noticeKey({ ...n, kind })))]);
    expect(dueNotices(schedule, handled, now)).toEqual([]);
    expect(nextNoticeAt(schedule, handled, now)).toBe(at('2026-12-20T09:00:00Z'));
  });

  test('a re-assigned item (new due date) is reminded afresh; only keys of open items are carried on', () => {
    const before = noticeKey({ assignmentId: 'a1', dueDate: '2026-12-15', kind: 'overdue' });
    const after = noticeKey({ assignmentId: 'a1', dueDate: '2027-01-15', kind: 'overdue' });
    expect(after).not.toBe(before);
    expect(keysOfOpenAssignments([before, 'a2:2026-12-15:overdue'], new Set(['a1']))).toEqual([before]);
  });
});

/** Notices go out at 09:00 on their day in the tenant's time zone, wherever the tenant is. */
describe('notices in the tenant’s time zone', () => {
  const open = { id: 'a1', dueDate: '2026-12-15', assignedAt: '2026-11-01T00:00:00Z' };
  const inZone = (timeZone: string): NoticePolicy => ({ ...DEFAULT_NOTICE_POLICY, timeZone });
  const moments = (assignment: typeof open, timeZone: string) =>
    scheduleNotices([assignment], inZone(timeZone)).map((n) => [n.kind, new Date(n.at).toISOString()]);

  test('in Berlin, 09:00 is 08:00 UTC in winter and 07:00 UTC in summer', () => {
    expect(moments(open, 'Europe/Berlin')).toEqual([
      ['reminder_7d', '2026-12-08T08:00:00.000Z'],
      ['reminder_1d', '2026-12-14T08:00:00.000Z'],
      ['overdue', '2026-12-15T08:00:00.000Z'],
      ['manager_escalation', '2026-12-18T08:00:00.000Z'],
      ['compliance_escalation', '2026-12-25T08:00:00.000Z'],
    ]);
    expect(moments({ ...open, dueDate: '2026-07-15', assignedAt: '2026-06-01T00:00:00Z' }, 'Europe/Berlin')).toEqual([
      ['reminder_7d', '2026-07-08T07:00:00.000Z'],
      ['reminder_1d', '2026-07-14T07:00:00.000Z'],
      ['overdue', '2026-07-15T07:00:00.000Z'],
      ['manager_escalation', '2026-07-18T07:00:00.000Z'],
      ['compliance_escalation', '2026-07-25T07:00:00.000Z'],
    ]);
  });

  test('in New York, notices stay at 09:00 on the clocks across the change to daylight saving time (8 March 2026)', () => {
    expect(moments({ ...open, dueDate: '2026-03-10', assignedAt: '2026-02-01T00:00:00Z' }, 'America/New_York')).toEqual([
      ['reminder_7d', '2026-03-03T14:00:00.000Z'], // EST, UTC−5
      ['reminder_1d', '2026-03-09T13:00:00.000Z'], // EDT, UTC−4
      ['overdue', '2026-03-10T13:00:00.000Z'],
      ['manager_escalation', '2026-03-13T13:00:00.000Z'],
      ['compliance_escalation', '2026-03-20T13:00:00.000Z'],
    ]);
    // And back in November (1 November 2026): the reminder a week before is in EDT, the rest in EST.
    expect(moments({ ...open, dueDate: '2026-11-03', assignedAt: '2026-10-01T00:00:00Z' }, 'America/New_York').slice(0, 3)).toEqual([
      ['reminder_7d', '2026-10-27T13:00:00.000Z'],
      ['reminder_1d', '2026-11-02T14:00:00.000Z'],
      ['overdue', '2026-11-03T14:00:00.000Z'],
    ]);
  });

  test('in Kolkata (UTC+05:30) notices go out at 03:30 UTC', () => {
    expect(moments(open, 'Asia/Kolkata')[2]).toEqual(['overdue', '2026-12-15T03:30:00.000Z']);
  });

  test('in Auckland, 09:00 on the due date is the evening before in UTC: the day is the tenant’s day', () => {
    expect(moments(open, 'Pacific/Auckland')).toEqual([
      ['reminder_7d', '2026-12-07T20:00:00.000Z'],
      ['reminder_1d', '2026-12-13T20:00:00.000Z'],
      ['overdue', '2026-12-14T20:00:00.000Z'],
      ['manager_escalation', '2026-12-17T20:00:00.000Z'],
      ['compliance_escalation', '2026-12-24T20:00:00.000Z'],
    ]);
    // At 21:00 UTC on the 14th it is already the due date in Auckland: the overdue notice is due.
    const schedule = scheduleNotices([open], inZone('Pacific/Auckland'));
    const sent = new Set(schedule.slice(0, 2).map(noticeKey));
    expect(dueNotices(schedule, sent, Date.parse('2026-12-14T21:00:00Z')).map((n) => n.kind)).toEqual(['overdue']);
    expect(dueNotices(scheduleNotices([open], DEFAULT_NOTICE_POLICY), sent, Date.parse('2026-12-14T21:00:00Z'))).toEqual([]);
  });

  test('a reminder is skipped only when its moment in the tenant’s zone came before the assignment', () => {
    // Assigned at 10:00 UTC on the 14th: in Los Angeles it is 02:00 there, so 09:00 of the 14th (17:00 UTC) is still ahead.
    const assigned = { ...open, assignedAt: '2026-12-14T10:00:00Z' };
    expect(scheduleNotices([assigned], inZone('America/Los_Angeles')).map((n) => n.kind)).toEqual(['reminder_1d', 'overdue', 'manager_escalation', 'compliance_escalation']);
    expect(scheduleNotices([assigned], DEFAULT_NOTICE_POLICY).map((n) => n.kind)).toEqual(['overdue', 'manager_escalation', 'compliance_escalation']);
  });

  test('a policy recorded before tenants had time zones (an old workflow history) means UTC, whatever zone the worker runs in', () => {
    const { timeZone: _zone, ...recordedThen } = DEFAULT_NOTICE_POLICY;
    const inUtc = scheduleNotices([open], inZone('UTC'));
    expect(scheduleNotices([open], recordedThen as NoticePolicy)).toEqual(inUtc);
    // A worker whose machine runs in Kolkata time (jest cannot change the zone of its own process).
    const script = `const { scheduleNotices } = require('./src/domain/notices');
      process.stdout.write(JSON.stringify(scheduleNotices([${JSON.stringify(open)}], ${JSON.stringify(recordedThen)})));`;
    const output = execFileSync(path.resolve(__dirname, '../../node_modules/.bin/tsx'), ['-e', script], {
      cwd: path.resolve(__dirname, '../..'),
      env: { ...process.env, TZ: 'Asia/Kolkata' },
      encoding: 'utf8',
    });
    expect(JSON.parse(output)).toEqual(inUtc);
  });

  test('a zone name the runtime does not know (written around the API) means UTC rather than a process stuck on its timers', () => {
    expect(scheduleNotices([open], inZone('Mars/Olympus'))).toEqual(scheduleNotices([open], inZone('UTC')));
  });
});
