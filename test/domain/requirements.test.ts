import { resolveOwedPrograms, type MatrixRule } from '../../src/domain/requirements';

/** What a person owes follows from the rules of all their roles; overlapping rules keep the strictest terms. */
describe('resolving the training matrix for a person', () => {
  const hired = new Date('2026-03-02T00:00:00Z');
  const rule = (roleId: string, programId: string, dueOffsetDays: number, mandatory = true): MatrixRule => ({
    requirementId: `${roleId}/${programId}`,
    roleId,
    programId,
    dueOffsetDays,
    mandatory,
  });

  test('each rule gives one program due the offset after the start date, earliest first', () => {
    const owed = resolveOwedPrograms([rule('nurse', 'clinical', 30), rule('nurse', 'privacy', 14)], hired);
    expect(owed.map((o) => [o.programId, o.dueDate.toISOString().slice(0, 10)])).toEqual([
      ['privacy', '2026-03-16'],
      ['clinical', '2026-04-01'],
    ]);
  });

  test('a program two roles require is owed once, on the earlier due date', () => {
    const owed = resolveOwedPrograms([rule('nurse', 'privacy', 14), rule('porter', 'privacy', 7)], hired);
    expect(owed).toEqual([{ programId: 'privacy', requirementId: 'porter/privacy', mandatory: true, dueDate: new Date('2026-03-09T00:00:00Z') }]);
  });

  test('mandatory beats optional even when the optional rule is due sooner', () => {
    const owed = resolveOwedPrograms([rule('volunteer', 'privacy', 3, false), rule('nurse', 'privacy', 14, true)], hired);
    expect(owed).toEqual([expect.objectContaining({ requirementId: 'nurse/privacy', mandatory: true })]);
  });

  test('due dates count calendar days in UTC, whatever the time of the start date', () => {
    const lateEvening = new Date('2026-03-28T23:30:00Z');
    const [owed] = resolveOwedPrograms([rule('nurse', 'privacy', 1)], lateEvening);
    expect(owed!.dueDate.toISOString()).toBe('2026-03-29T00:00:00.000Z');
  });

  test('no roles, no rules: nothing is owed', () => {
    expect(resolveOwedPrograms([], hired)).toEqual([]);
  });
});
