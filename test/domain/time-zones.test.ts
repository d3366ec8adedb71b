import { dayIn, isTimeZone, localTime } from '../../src/domain/time-zones';

/** Wall-clock moments in a tenant's time zone: what "09:00 on the 15th" is in UTC, and which day a moment falls on there. */
describe('time zones', () => {
  const iso = (epochMs: number) => new Date(epochMs).toISOString();

  test('an hour of a day in a zone is the moment it reads so on the clocks there, summer and winter', () => {
    expect(iso(localTime('2026-12-15', 9, 'Europe/Berlin'))).toBe('2026-12-15T08:00:00.000Z');
    expect(iso(localTime('2026-07-15', 9, 'Europe/Berlin'))).toBe('2026-07-15T07:00:00.000Z');
    expect(iso(localTime('2026-12-15', 9, 'America/Los_Angeles'))).toBe('2026-12-15T17:00:00.000Z');
    expect(iso(localTime('2026-12-15', 9, 'Asia/Kolkata'))).toBe('2026-12-15T03:30:00.000Z');
    expect(iso(localTime('2026-12-15', 9, 'UTC'))).toBe('2026-12-15T09:00:00.000Z');
    // East of UTC, a morning there is the evening before in UTC.
    expect(iso(localTime('2026-12-15', 9, 'Pacific/Auckland'))).toBe('2026-12-14T20:00:00.000Z');
  });

  test('an hour the clocks skip (spring forward) is the moment after the jump', () => {
    // New York, 8 March 2026: 02:00 EST becomes 03:00 EDT.
    expect(iso(localTime('2026-03-08', 2, 'America/New_York'))).toBe('2026-03-08T07:00:00.000Z');
    expect(iso(localTime('2026-03-08', 3, 'America/New_York'))).toBe('2026-03-08T07:00:00.000Z');
    // Berlin, 29 March 2026: 02:00 CET becomes 03:00 CEST.
    expect(iso(localTime('2026-03-29', 2, 'Europe/Berlin'))).toBe('2026-03-29T01:00:00.000Z');
    // Santiago, 6 September 2026: the day starts at 01:00; its midnight is that moment.
    expect(iso(localTime('2026-09-06', 0, 'America/Santiago'))).toBe('2026-09-06T04:00:00.000Z');
    // Lord Howe Island moves its clocks by half an hour: 02:00 becomes 02:30.
    expect(iso(localTime('2026-10-04', 2, 'Australia/Lord_Howe'))).toBe('2026-10-03T15:30:00.000Z');
  });

  test('an hour the clocks show twice (fall back) is the first of the two', () => {
    // New York, 1 November 2026: 01:00–02:00 happens in EDT, then again in EST.
    expect(iso(localTime('2026-11-01', 1, 'America/New_York'))).toBe('2026-11-01T05:00:00.000Z');
    expect(iso(localTime('2026-11-01', 2, 'America/New_York'))).toBe('2026-11-01T07:00:00.000Z');
    // Berlin, 25 October 2026: 02:00–03:00 happens in CEST, then again in CET.
    expect(iso(localTime('2026-10-25', 2, 'Europe/Berlin'))).toBe('2026-10-25T00:00:00.000Z');
    expect(iso(localTime('2026-10-25', 9, 'Europe/Berlin'))).toBe('2026-10-25T08:00:00.000Z');
  });

  test('the day a moment falls on depends on where you are', () => {
    const moment = Date.parse('2026-12-14T20:00:00Z');
    expect(dayIn(moment, 'UTC')).toBe('2026-12-14');
    expect(dayIn(moment, 'Pacific/Auckland')).toBe('2026-12-15');
    expect(dayIn(moment, 'America/Los_Angeles')).toBe('2026-12-14');
    expect(dayIn(Date.parse('2026-12-14T18:29:59Z'), 'Asia/Kolkata')).toBe('2026-12-14');
    expect(dayIn(Date.parse('2026-12-14T18:30:00Z'), 'Asia/Kolkata')).toBe('2026-12-15');
  });

  test('every hour of a day with a clock change lies on that day there, in order', () => {
    for (const [day, zone] of [
      ['2026-03-08', 'America/New_York'],
      ['2026-11-01', 'America/New_York'],
      ['2026-03-29', 'Europe/Berlin'],
      ['2026-10-25', 'Europe/Berlin'],
      ['2026-09-06', 'America/Santiago'],
    ] as const) {
      const moments = Array.from({ length: 24 }, (_, hour) => localTime(day, hour, zone));
      expect(moments.map((m) => dayIn(m, zone))).toEqual(Array(24).fill(day));
      moments.slice(1).forEach((m, i) => expect(m).toBeGreaterThanOrEqual(moments[i]!));
    }
  });

  test('IANA names (and UTC) are time zones; anything else is not', () => {
    for (const zone of ['UTC', 'Europe/Berlin', 'America/Los_Angeles', 'Asia/Kolkata', 'Pacific/Auckland']) expect(isTimeZone(zone)).toBe(true);
    for (const zone of ['', 'Mars/Olympus', 'Europe/Atlantis', 'GMT+25', 'x'.repeat(65)]) expect(isTimeZone(zone)).toBe(false);
  });
});
