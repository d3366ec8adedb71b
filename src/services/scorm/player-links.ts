import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The SCORM player's credentials, all stateless HMAC-SHA256 signatures with the links' secret:
 * - a launch link (`/scorm/launch/<token>`) names a person and a course and works for minutes, so
 *   one that leaks from a browser history is soon useless;
 * - the player page then holds a session token naming the attempt, the SCO and the player session,
 *   which the content's commits carry (a day long: people leave a course open over lunch);
 * - a cookie scoped to the package's content folder lets the content frame fetch its files.
 */
export interface PlayerLinkSettings {
  secret: string;
  launchMinutes: number;
}

export const PLAYER_SESSION_HOURS = 24;

export interface LaunchGrant {
  tenantId: string;
  personId: string;
  courseId: string;
}

export interface SessionGrant {
  attemptId: string;
  item: string;
  session: number;
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const SIGNATURE = '[A-Za-z0-9_-]{43}';
const LAUNCH = new RegExp(`^(${UUID})\\.(${UUID})\\.(${UUID})\\.(\\d{1,12})\\.(${SIGNATURE})$`);
const SESSION = new RegExp(`^(${UUID})\\.(\\d{1,9})\\.([A-Za-z0-9_-]{1,700})\\.(\\d{1,12})\\.(${SIGNATURE})$`);
const CONTENT = new RegExp(`^(${UUID})\\.(\\d{1,12})\\.(${SIGNATURE})$`);

function sign(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

function verify(secret: string, payload: string, signature: string): boolean {
  const expected = Buffer.from(sign(secret, payload));
  const actual = Buffer.from(signature);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

export function launchToken(settings: PlayerLinkSettings, grant: LaunchGrant, now = new Date()): string {
  const payload = `${grant.tenantId}.${grant.personId}.${grant.courseId}.${seconds(now) + settings.launchMinutes * 60}`;
  return `${payload}.${sign(settings.secret, `scorm-launch|${payload}`)}`;
}

export type TokenCheck<T> = { ok: true; grant: T } | { ok: false; problem: 'invalid' | 'expired' };

export function readLaunchToken(settings: PlayerLinkSettings, token: string, now = new Date()): TokenCheck<LaunchGrant> {
  const match = LAUNCH.exec(token);
  if (!match) return { ok: false, problem: 'invalid' };
  const [, tenantId, personId, courseId, exp, signature] = match as unknown as [string, string, string, string, string, string];
  if (!verify(settings.secret, `scorm-launch|${tenantId}.${personId}.${courseId}.${exp}`, signature)) return { ok: false, problem: 'invalid' };
  if (Number(exp) <= seconds(now)) return { ok: false, problem: 'expired' };
  return { ok: true, grant: { tenantId, personId, courseId } };
}

export function sessionToken(settings: PlayerLinkSettings, grant: SessionGrant, now = new Date()): string {
  const payload = `${grant.attemptId}.${grant.session}.${Buffer.from(grant.item).toString('base64url')}.${seconds(now) + PLAYER_SESSION_HOURS * 3600}`;
  return `${payload}.${sign(settings.secret, `scorm-session|${payload}`)}`;
}

export function readSessionToken(settings: PlayerLinkSettings, token: unknown, now = new Date()): TokenCheck<SessionGrant> {
  const match = typeof token === 'string' ? SESSION.exec(token) : null;
  if (!match) return { ok: false, problem: 'invalid' };
  const [, attemptId, session, item, exp, signature] = match as unknown as [string, string, string, string, string, string];
  if (!verify(settings.secret, `scorm-session|${attemptId}.${session}.${item}.${exp}`, signature)) return { ok: false, problem: 'invalid' };
  if (Number(exp) <= seconds(now)) return { ok: false, problem: 'expired' };
  return { ok: true, grant: { attemptId, session: Number(session), item: Buffer.from(item, 'base64url').toString() } };
}

export const CONTENT_COOKIE = 'trainhub_scorm';

export function contentCookie(settings: PlayerLinkSettings, packageId: string, now = new Date()): string {
  const payload = `${packageId}.${seconds(now) + PLAYER_SESSION_HOURS * 3600}`;
  return `${payload}.${sign(settings.secret, `scorm-content|${payload}`)}`;
}

/** Whether a content cookie lets its holder read this package's files now. */
export function contentCookieAllows(settings: PlayerLinkSettings, value: string | undefined, packageId: string, now = new Date()): boolean {
  const match = value ? CONTENT.exec(value) : null;
  if (!match) return false;
  const [, id, exp, signature] = match as unknown as [string, string, string, string];
  return id === packageId && Number(exp) > seconds(now) && verify(settings.secret, `scorm-content|${id}.${exp}`, signature);
}
