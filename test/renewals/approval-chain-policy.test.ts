import {
  delegateApprover,
  escalateApprovers,
  onTimeout,
  refuseDecision,
  refuseRequesterAction,
  reminderTimes,
  rerouteApprovers,
  resolveLevelApprovers,
  stepOutcome,
  type Approver,
  type DecisionContext,
  type LevelSpec,
  type OrgView,
} from '../../src/domain/approval-chain';
import { formatDurationMinutes, parseDurationMinutes } from '../../src/domain/durations';

/** The pure policy of approval chains: who approves, when a step is decided, who may act, what a timeout does. */
describe('approval chain policy', () => {
  // rita → manny → dora; cora and colin are compliance officers; del is a deputy; ex has left.
  const org = (overrides: Partial<OrgView['people']> = {}): OrgView => ({
    requesterId: 'rita',
    people: {
      rita: { managerId: 'manny', active: true },
      manny: { managerId: 'dora', active: true },
      dora: { managerId: null, active: true },
      cora: { managerId: 'dora', active: true },
      colin: { managerId: 'dora', active: true },
      del: { managerId: 'dora', active: true },
      ex: { managerId: 'dora', active: false },
      ...overrides,
    },
    roleHolders: { 'compliance-officer': ['cora', 'colin', 'rita', 'ex'] },
  });
  const level = (overrides: Partial<LevelSpec>): LevelSpec => ({
    position: 1,
    name: 'Level',
    approver: 'manager',
    roleKey: null,
    personIds: [],
    mode: 'any',
    deadlineMinutes: 3 * 1440,
    reminderMinutesBefore: [],
    onTimeout: 'auto_reject',
    escalateToPersonId: null,
    ...overrides,
  });
  const approver = (personId: string, via: Approver['via'], status: Approver['status'] = 'pending', derivedFrom: string[] = []): Approver => ({ personId, via, status, derivedFrom });

  describe('who approves a level', () => {
    test("the manager and the manager's manager follow the requester's line, remembering whom they were derived from", () => {
      expect(resolveLevelApprovers(level({ approver: 'manager' }), org())).toEqual([approver('manny', 'manager', 'pending', ['rita'])]);
      expect(resolveLevelApprovers(level({ approver: 'managers_manager' }), org())).toEqual([approver('dora', 'managers_manager', 'pending', ['rita', 'manny'])]);
    });

    test('role holders and named people approve, except the requester and anyone who has left', () => {
      expect(resolveLevelApprovers(level({ approver: 'role', roleKey: 'compliance-officer' }), org()).map((a) => a.personId)).toEqual(['colin', 'cora']);
      expect(resolveLevelApprovers(level({ approver: 'people', personIds: ['del', 'rita', 'ex', 'del'] }), org()).map((a) => a.personId)).toEqual(['del']);
    });

    test('nobody qualifies when the line ends or the manager has left', () => {
      expect(resolveLevelApprovers(level({ approver: 'managers_manager' }), org({ manny: { managerId: null, active: true } }))).toEqual([]);
      expect(resolveLevelApprovers(level({ approver: 'manager' }), org({ manny: { managerId: 'dora', active: false } }))).toEqual([]);
    });
  });

  describe('when a step is decided', () => {
    test('any-of: the first approval decides; all-of: every remaining approver must approve', () => {
      const two = [approver('cora', 'role', 'approved'), approver('colin', 'role')];
      expect(stepOutcome('any', two)).toBe('approved');
      expect(stepOutcome('all', two)).toBe('pending');
      expect(stepOutcome('all', [two[0]!, approver('colin', 'role', 'removed')])).toBe('approved');
      expect(stepOutcome('all', [approver('colin', 'role', 'delegated'), approver('del', 'delegate', 'approved'), two[0]!])).toBe('approved');
    });

    test('one rejection or request for changes decides the step in either mode', () => {
      expect(stepOutcome('all', [approver('cora', 'role', 'approved'), approver('colin', 'role', 'rejected')])).toBe('rejected');
      expect(stepOutcome('any', [approver('cora', 'role', 'changes_requested'), approver('colin', 'role')])).toBe('changes_requested');
      expect(stepOutcome('any', [])).toBe('pending');
    });
  });

  test('reminders go out at each offset still ahead of the deadline, earliest first, once per offset', () => {
    const opened = 0;
    const due = 3 * 1440 * 60_000;
    expect(reminderTimes(opened, due, [60, 1440, 60, 5 * 1440])).toEqual([due - 1440 * 60_000, due - 60 * 60_000]);
  });

  describe('what a timeout does', () => {
    const waiting = [approver('manny', 'manager', 'pending', ['rita'])];
    test('next_manager: the manager above each waiting approver takes over', () => {
      expect(onTimeout(level({ onTimeout: 'next_manager' }), waiting, org(), false)).toEqual({ kind: 'reassign', approvers: [approver('dora', 'escalation', 'pending', ['manny'])] });
      expect(onTimeout(level({ onTimeout: 'next_manager' }), [approver('dora', 'managers_manager')], org(), false)).toMatchObject({ kind: 'expire' });
    });

    test('delegate: the named deputy takes over, unless they have left', () => {
      expect(onTimeout(level({ onTimeout: 'delegate', escalateToPersonId: 'del' }), waiting, org(), false)).toEqual({ kind: 'reassign', approvers: [approver('del', 'escalation')] });
      expect(onTimeout(level({ onTimeout: 'delegate', escalateToPersonId: 'ex' }), waiting, org(), false)).toMatchObject({ kind: 'expire' });
    });

    test('auto_approve only where the tenant allows it; auto_reject always rejects', () => {
      expect(onTimeout(level({ onTimeout: 'auto_approve' }), waiting, org(), true)).toEqual({ kind: 'approve' });
      expect(onTimeout(level({ onTimeout: 'auto_approve' }), waiting, org(), false)).toEqual({
        kind: 'expire',
        reason: 'level 1 timed out and this tenant does not allow automatic approval',
      });
      expect(onTimeout(level({ onTimeout: 'auto_reject' }), waiting, org(), true)).toEqual({ kind: 'reject' });
    });

    test('an escalation hands over what waited and keeps decisions on record', () => {
      const before = [approver('cora', 'role', 'approved'), approver('colin', 'role')];
      expect(escalateApprovers(before, [approver('dora', 'escalation', 'pending', ['colin'])])).toEqual([
        approver('cora', 'role', 'approved'),
        approver('colin', 'role', 'removed'),
        approver('dora', 'escalation', 'pending', ['colin']),
      ]);
    });
  });

  describe('re-routing after an HR change', () => {
    const managerLevel = level({ approver: 'manager' });

    test("the requester's new manager replaces the old one", () => {
      const moved = org({ rita: { managerId: 'max', active: true }, max: { managerId: 'dora', active: true } });
      const result = rerouteApprovers([approver('manny', 'manager', 'pending', ['rita'])], resolveLevelApprovers(managerLevel, moved), moved, false);
      expect(result).toEqual({ approvers: [approver('manny', 'manager', 'removed', ['rita']), approver('max', 'manager', 'pending', ['rita'])], added: ['max'], removed: ['manny'] });
    });

    test('nothing moves when nothing relevant changed', () => {
      const result = rerouteApprovers([approver('manny', 'manager', 'pending', ['rita'])], resolveLevelApprovers(managerLevel, org()), org(), false);
      expect(result.added).toEqual([]);
      expect(result.removed).toEqual([]);
    });

    test('a delegate keeps the step while the person they act for still qualifies; if the delegate leaves, it returns', () => {
      const delegated = delegateApprover([approver('manny', 'manager', 'pending', ['rita'])], 'manny', 'del');
      expect(rerouteApprovers(delegated, resolveLevelApprovers(managerLevel, org()), org(), false).added).toEqual([]);
      const delGone = org({ del: { managerId: 'dora', active: false } });
      const back = rerouteApprovers(delegated, resolveLevelApprovers(managerLevel, delGone), delGone, false);
      expect(back.removed).toEqual(['del']);
      expect(back.added).toEqual(['manny']);
      expect(back.approvers.find((a) => a.personId === 'manny')!.status).toBe('pending');
    });

    test('an escalated step stays with its escalation approver while they are active', () => {
      const escalated = [approver('manny', 'manager', 'removed', ['rita']), approver('dora', 'escalation', 'pending', ['manny'])];
      const moved = org({ rita: { managerId: 'max', active: true }, max: { managerId: 'dora', active: true } });
      expect(rerouteApprovers(escalated, resolveLevelApprovers(managerLevel, moved), moved, true)).toMatchObject({ added: [], removed: [] });
    });

    test('a role holder who leaves drops out; decisions already made stay', () => {
      const roleLevel = level({ approver: 'role', roleKey: 'compliance-officer', mode: 'all' });
      const coraGone = org({ cora: { managerId: 'dora', active: false } });
      const result = rerouteApprovers([approver('colin', 'role', 'approved'), approver('cora', 'role')], resolveLevelApprovers(roleLevel, coraGone), coraGone, false);
      expect(result.approvers).toEqual([approver('colin', 'role', 'approved'), approver('cora', 'role', 'removed')]);
      expect(stepOutcome('all', result.approvers)).toBe('approved');
    });
  });

  describe('who may act (the Update validator)', () => {
    const context = (overrides: Partial<DecisionContext> = {}): DecisionContext => ({
      status: 'pending',
      requesterId: 'rita',
      current: { id: 'step-2', level: 2, approvers: [approver('dora', 'managers_manager'), approver('colin', 'role', 'delegated'), approver('del', 'delegate', 'pending', ['colin'])] },
      past: [{ id: 'step-1', level: 1, approvers: [approver('manny', 'manager', 'approved')] }],
      ...overrides,
    });
    const attempt = (actorPersonId: string, extra: Partial<Parameters<typeof refuseDecision>[1]> = {}) => ({ stepId: 'step-2', actorPersonId, decision: 'approve' as const, ...extra });

    test("the current step's pending approvers and delegates may act", () => {
      expect(refuseDecision(context(), attempt('dora'))).toBeNull();
      expect(refuseDecision(context(), attempt('del'))).toBeNull();
    });

    test('anyone else, someone who delegated, and a second decision are refused', () => {
      expect(refuseDecision(context(), attempt('cora'))?.code).toBe('not_an_approver');
      expect(refuseDecision(context(), attempt('colin'))?.message).toBe('You cannot decide this approval step: you delegated it');
      expect(refuseDecision(context(), { ...attempt('manny'), stepId: 'step-1' })?.code).toBe('already_decided');
      expect(refuseDecision(context(), { ...attempt('cora'), stepId: 'step-1' })?.code).toBe('step_closed');
    });

    test('a closed request, or one waiting for resubmission, refuses every decision', () => {
      for (const status of ['approved', 'rejected', 'cancelled', 'expired'] as const) {
        expect(refuseDecision(context({ status }), attempt('dora'))?.code).toBe('request_closed');
      }
      expect(refuseDecision(context({ status: 'changes_requested', current: null, past: [] }), attempt('dora'))?.code).toBe('awaiting_resubmission');
    });

    test('rejecting needs a reason; a delegate must be someone new who is not the requester', () => {
      expect(refuseDecision(context(), attempt('dora', { decision: 'reject', reason: '  ' }))?.code).toBe('reason_required');
      expect(refuseDecision(context(), attempt('dora', { decision: 'delegate', delegateToPersonId: 'rita' }))?.code).toBe('invalid_delegate');
      expect(refuseDecision(context(), attempt('dora', { decision: 'delegate', delegateToPersonId: 'del' }))?.message).toBe('That person already approves this step');
      expect(refuseDecision(context(), attempt('dora', { decision: 'delegate', delegateToPersonId: 'cora' }))).toBeNull();
    });

    test('only the requester resubmits, and only after changes were requested', () => {
      expect(refuseRequesterAction({ status: 'changes_requested', requesterId: 'rita' }, 'resubmit', 'rita')).toBeNull();
      expect(refuseRequesterAction({ status: 'changes_requested', requesterId: 'rita' }, 'resubmit', 'manny')?.code).toBe('not_the_requester');
      expect(refuseRequesterAction({ status: 'pending', requesterId: 'rita' }, 'resubmit', 'rita')?.code).toBe('request_closed');
      expect(refuseRequesterAction({ status: 'pending', requesterId: 'rita' }, 'cancel', 'rita')).toBeNull();
    });
  });

  test('durations are ISO 8601 days, hours and minutes', () => {
    expect(['P3D', 'PT12H', 'P1DT6H', 'pt30m', 'PT90M'].map(parseDurationMinutes)).toEqual([4320, 720, 1800, 30, 90]);
    expect(['', 'P', 'PT', 'P0D', '3 days', 'P1W', 'P1DT'].map(parseDurationMinutes)).toEqual([null, null, null, null, null, null, null]);
    expect([4320, 90, 1500].map(formatDurationMinutes)).toEqual(['P3D', 'PT1H30M', 'P1DT1H']);
  });
});
