import { DEFAULT_NOTICE_POLICY, dueNotices, keysOfOpenAssignments, nextNoticeAt, noticeKey, scheduleNotices } from '../../src/domain/notices';

/** When a person, their manager and compliance hear about an open assignment. */
describe('the notice schedule of an open assignment', () => {
  const at = (iso: string) => Date.parse(iso);
  const open = { id: 'a1', dueDate: '2026-12-15', assignedAt: '2026-12-01T10:00:00Z' };

  test('reminders before the due date, the overdue notice on it, then manager and compliance, all at 09:00 UTC', () => {
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
