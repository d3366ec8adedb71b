/**
 * Wall-clock moments in a tenant's time zone (IANA names), with Intl's time-zone data: pure and
 * deterministic, so workflows may use them to compute timers.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Whether `name` is a time zone this runtime knows (e.g. Europe/Berlin, UTC). */
export function isTimeZone(name: string): boolean {
  if (name.length === 0 || name.length > 64) return false;
  try {
    formatter(name);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock reading of `epochMs` in `zone`, as if that reading were UTC. */
function wallClockAsUtc(epochMs: number, zone: string): number {
  // Most tenants keep the default: UTC needs no formatting (formatToParts is most of a notice schedule's cost).
  if (zone === 'UTC') return epochMs;
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(epochMs))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
}

/**
 * The moment it is `hour`:00 on `isoDay` (YYYY-MM-DD) in `zone`. A wall-clock time that a
 * daylight-saving jump skips is taken as the moment after the jump (02:30 that does not exist is
 * 03:30); one that occurs twice, as the first.
 */
export function localTime(isoDay: string, hour: number, zone: string): number {
  const wanted = Date.parse(`${isoDay}T00:00:00Z`) + hour * 3_600_000;
  // The offsets in force half a day either side: a day holds at most one transition.
  const before = wallClockAsUtc(wanted - 43_200_000, zone) - (wanted - 43_200_000);
  const after = wallClockAsUtc(wanted + 43_200_000, zone) - (wanted + 43_200_000);
  const fits = [wanted - before, wanted - after].filter((t) => wallClockAsUtc(t, zone) === wanted);
  return fits.length > 0 ? Math.min(...fits) : wanted - before;
}

/** The calendar day (YYYY-MM-DD) that `epochMs` falls on in `zone`. */
export function dayIn(epochMs: number, zone: string): string {
  return new Date(wallClockAsUtc(epochMs, zone)).toISOString().slice(0, 10);
}
