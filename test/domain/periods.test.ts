import { addPeriod, formatPeriod, parsePeriod, periodIsShorter } from '../../src/domain/periods';

/** The calendar periods of certifications: how long a certificate stays in force, when its window opens. */
describe('ISO 8601 periods of years, months and days', () => {
  test('are read as written, in either case and with surrounding spaces', () => {
    expect(parsePeriod('P2Y')).toEqual({ years: 2, months: 0, days: 0 });
    expect(parsePeriod('P3M')).toEqual({ years: 0, months: 3, days: 0 });
    expect(parsePeriod('P1Y6M')).toEqual({ years: 1, months: 6, days: 0 });
    expect(parsePeriod('P90D')).toEqual({ years: 0, months: 0, days: 90 });
    expect(parsePeriod(' p1y2m3d ')).toEqual({ years: 1, months: 2, days: 3 });
    expect(parsePeriod('P18M')).toEqual({ years: 0, months: 18, days: 0 });
  });

  test('anything else is not a period: empty, zero, negative, fractions, weeks, times, wrong order, absurd sizes', () => {
    for (const text of ['', 'P', 'P0D', 'P0Y0M', '2Y', 'P-1Y', 'P1.5Y', 'P2W', 'PT12H', 'P1DT1H', 'P6M1Y', 'P1Y1Y', 'P10000Y', 'P1234567D', 'two years']) {
      expect([text, parsePeriod(text)]).toEqual([text, null]);
    }
    expect(parsePeriod(undefined as unknown as string)).toBeNull();
  });

  test('are written back in the canonical form', () => {
    expect(formatPeriod({ years: 1, months: 6, days: 0 })).toBe('P1Y6M');
    expect(formatPeriod({ years: 0, months: 0, days: 90 })).toBe('P90D');
    expect(formatPeriod({ years: 2, months: 0, days: 5 })).toBe('P2Y5D');
    expect(formatPeriod({ years: 0, months: 0, days: 0 })).toBe('P0D');
    expect(formatPeriod(parsePeriod(' p1y2m3d ')!)).toBe('P1Y2M3D');
  });
});

describe('a period after or before a calendar day', () => {
  const p = (text: string) => parsePeriod(text)!;

  test('years and months land on the same day of the month', () => {
    expect(addPeriod('2024-03-15', p('P2Y'))).toBe('2026-03-15');
    expect(addPeriod('2024-11-15', p('P3M'))).toBe('2025-02-15');
    expect(addPeriod('2024-07-01', p('P1Y6M'))).toBe('2026-01-01');
  });

  test('or on the last day of a shorter month', () => {
    expect(addPeriod('2024-01-31', p('P1M'))).toBe('2024-02-29');
    expect(addPeriod('2023-01-31', p('P1M'))).toBe('2023-02-28');
    expect(addPeriod('2024-02-29', p('P1Y'))).toBe('2025-02-28');
    expect(addPeriod('2024-02-29', p('P4Y'))).toBe('2028-02-29');
    expect(addPeriod('2024-08-31', p('P1M'))).toBe('2024-09-30');
  });

  test('days are counted after the months, across month and year ends', () => {
    expect(addPeriod('2024-12-15', p('P90D'))).toBe('2025-03-15');
    expect(addPeriod('2024-01-31', p('P1M1D'))).toBe('2024-03-01');
    expect(addPeriod('2023-12-31', p('P1D'))).toBe('2024-01-01');
  });

  test('before a day: the same rules backwards (a window of three months before expiry)', () => {
    expect(addPeriod('2026-03-15', p('P3M'), -1)).toBe('2025-12-15');
    expect(addPeriod('2024-05-31', p('P3M'), -1)).toBe('2024-02-29');
    expect(addPeriod('2025-03-01', p('P1D'), -1)).toBe('2025-02-28');
    expect(addPeriod('2024-03-31', p('P1M1D'), -1)).toBe('2024-02-28');
    expect(addPeriod('2025-01-10', p('P1Y6M'), -1)).toBe('2023-07-10');
  });

  test('a day that is not a calendar day is refused', () => {
    expect(() => addPeriod('2025-02-29', p('P1D'))).toThrow(RangeError);
    expect(() => addPeriod('2025-2-1', p('P1D'))).toThrow(RangeError);
    expect(() => addPeriod('yesterday', p('P1D'))).toThrow(RangeError);
  });
});

describe('comparing periods whatever day they are counted from', () => {
  const p = (text: string) => parsePeriod(text)!;

  test('shorter on every day, not only on average', () => {
    expect(periodIsShorter(p('P3M'), p('P2Y'))).toBe(true);
    expect(periodIsShorter(p('P11M'), p('P1Y'))).toBe(true);
    expect(periodIsShorter(p('P364D'), p('P1Y'))).toBe(true);
    expect(periodIsShorter(p('P365D'), p('P1Y'))).toBe(false); // equal in a common year
    expect(periodIsShorter(p('P30D'), p('P1M'))).toBe(false); // longer than February
    expect(periodIsShorter(p('P12M'), p('P1Y'))).toBe(false);
    expect(periodIsShorter(p('P2Y'), p('P3M'))).toBe(false);
  });

  test('or not longer', () => {
    expect(periodIsShorter(p('P12M'), p('P1Y'), true)).toBe(true);
    expect(periodIsShorter(p('P50Y'), p('P50Y'), true)).toBe(true);
    expect(periodIsShorter(p('P600M'), p('P50Y'), true)).toBe(true);
    expect(periodIsShorter(p('P601M'), p('P50Y'), true)).toBe(false);
    expect(periodIsShorter(p('P49Y12M1D'), p('P50Y'), true)).toBe(false);
  });
});
