/**
 * Durations people configure (approval deadlines, reminder offsets), written as ISO 8601 durations
 * of days, hours and minutes — "P3D", "PT12H", "P1DT6H", "PT30M" — and kept as whole minutes.
 */
const ISO_DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/;

/** Minutes in an ISO 8601 duration of days, hours and minutes; null when it is not one (or is zero). */
export function parseDurationMinutes(text: string): number | null {
  const match = ISO_DURATION.exec(text.trim().toUpperCase());
  if (!match || text.trim().toUpperCase().endsWith('T')) return null;
  const [, days, hours, minutes] = match;
  if (days === undefined && hours === undefined && minutes === undefined) return null;
  const total = Number(days ?? 0) * 1440 + Number(hours ?? 0) * 60 + Number(minutes ?? 0);
  return total > 0 && Number.isSafeInteger(total) ? total : null;
}

/** 4320 → "P3D", 90 → "PT1H30M", 1500 → "P1DT1H". */
export function formatDurationMinutes(minutes: number): string {
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  const time = `${hours ? `${hours}H` : ''}${rest ? `${rest}M` : ''}`;
  return `P${days ? `${days}D` : ''}${time ? `T${time}` : ''}` || 'PT0M';
}
