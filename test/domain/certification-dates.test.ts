import { nextExpiry, renewedExpiry, reminderDays, windowOpensOn, type ExpiryRule } from '../../src/domain/certification-dates';

/**
 * The three ways a certification's next expiry is based (Totara's), on exact days: the first
 * certificate, early and on-time renewals inside the window, and late renewals after expiry.
 */
describe('certificate expiry rules', () => {
  const rule = (over: Partial<ExpiryRule>): ExpiryRule => ({
    expiryBase: 'completion_date',
    activePeriod: 'P1Y',
    windowPeriod: 'P3M',
    fixedExpiryDay: null,
    minimumActivePeriod: null,
    ...over,
  });

  test('completion date: every certificate runs the active period from the day the path was completed', () => {
    const r = rule({ expiryBase: 'completion_date' });
    expect(nextExpiry(r, '2026-03-10', null)).toEqual({ expiresOn: '2027-03-10', basis: 'initial' });
    // Early renewal loses the rest of the old certificate's time.
    expect(nextExpiry(r, '2026-12-15', { expiresOn: '2027-03-10' })).toEqual({ expiresOn: '2027-12-15', basis: 'recertification' });
    expect(nextExpiry(r, '2027-04-01', { expiresOn: '2027-03-10' })).toEqual({ expiresOn: '2028-04-01', basis: 'late_recertification' });
  });

  test('previous expiry: early and on-time renewers keep their cadence, late ones count from completion', () => {
    const r = rule({ expiryBase: 'previous_expiry', activePeriod: 'P2Y' });
    expect(nextExpiry(r, '2026-03-10', null)).toEqual({ expiresOn: '2028-03-10', basis: 'initial' });
    expect(nextExpiry(r, '2027-12-11', { expiresOn: '2028-03-10' })).toEqual({ expiresOn: '2030-03-10', basis: 'recertification' });
    expect(nextExpiry(r, '2028-03-09', { expiresOn: '2028-03-10' })).toEqual({ expiresOn: '2030-03-10', basis: 'recertification' });
    // On the expiry day itself the certificate has lapsed: the renewal is late.
    expect(nextExpiry(r, '2028-03-10', { expiresOn: '2028-03-10' })).toEqual({ expiresOn: '2030-03-10', basis: 'late_recertification' });
    expect(nextExpiry(r, '2028-05-02', { expiresOn: '2028-03-10' })).toEqual({ expiresOn: '2030-05-02', basis: 'late_recertification' });
  });

  test('fixed date: the first 1 January at least the minimum active period after completion', () => {
    const r = rule({ expiryBase: 'fixed_date', fixedExpiryDay: '01-01', minimumActivePeriod: 'P6M' });
    expect(nextExpiry(r, '2026-03-10', null)).toEqual({ expiresOn: '2027-01-01', basis: 'initial' });
    // Completed in August: 1 January is under six months away, so the next one.
    expect(nextExpiry(r, '2026-08-01', null)).toEqual({ expiresOn: '2028-01-01', basis: 'initial' });
    // Renewed inside the window (October to December): the next 1 January but one.
    expect(nextExpiry(r, '2026-11-20', { expiresOn: '2027-01-01' })).toEqual({ expiresOn: '2028-01-01', basis: 'recertification' });
    expect(nextExpiry(r, '2027-02-03', { expiresOn: '2027-01-01' })).toEqual({ expiresOn: '2028-01-01', basis: 'late_recertification' });
  });

  test('fixed date without a minimum: at least the window period, and never on or before the previous expiry', () => {
    const r = rule({ expiryBase: 'fixed_date', fixedExpiryDay: '07-01', windowPeriod: 'P2M' });
    expect(nextExpiry(r, '2026-05-15', null)).toEqual({ expiresOn: '2027-07-01', basis: 'initial' });
    expect(nextExpiry(r, '2026-04-30', null)).toEqual({ expiresOn: '2026-07-01', basis: 'initial' });
    expect(nextExpiry(r, '2027-06-30', { expiresOn: '2027-07-01' })).toEqual({ expiresOn: '2028-07-01', basis: 'recertification' });
  });

  test('a fixed 29 February falls on the 28th in years without one', () => {
    const r = rule({ expiryBase: 'fixed_date', fixedExpiryDay: '02-29', minimumActivePeriod: 'P1M' });
    expect(nextExpiry(r, '2026-06-01', null).expiresOn).toBe('2027-02-28');
    expect(nextExpiry(r, '2027-06-01', null).expiresOn).toBe('2028-02-29');
  });

  test('month arithmetic clamps to the end of the month', () => {
    expect(nextExpiry(rule({ activePeriod: 'P1M' }), '2027-01-31', null).expiresOn).toBe('2027-02-28');
    expect(windowOpensOn(rule({ windowPeriod: 'P1M' }), '2027-03-31')).toBe('2027-02-28');
  });

  test('renewals by approval: extend adds the active period to the current expiry; reissue recertifies on the day of approval', () => {
    const r = rule({ expiryBase: 'previous_expiry', activePeriod: 'P1Y' });
    expect(renewedExpiry(r, 'extend', '2026-05-01', { expiresOn: '2026-09-30' })).toBe('2027-09-30');
    expect(renewedExpiry(rule({ activePeriod: 'P1Y' }), 'reissue', '2026-05-01', { expiresOn: '2026-09-30' })).toBe('2027-05-01');
    expect(renewedExpiry(r, 'extend', '2026-05-01', null)).toBe('2027-05-01');
  });

  test('the window opens the window period before expiry; reminders fall inside it, largest offset first', () => {
    const r = rule({ windowPeriod: 'P60D' });
    expect(windowOpensOn(r, '2027-03-10')).toBe('2027-01-09');
    expect(reminderDays(r, '2027-03-10', [7, 90, 30, 30])).toEqual([
      { daysBefore: 30, on: '2027-02-08' },
      { daysBefore: 7, on: '2027-03-03' },
    ]);
  });
});
