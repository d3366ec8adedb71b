import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Config } from '../../config';
import type { Db } from '../../db/client';
import type { ActionTokenPurpose } from '../../generated/prisma/enums';

/**
 * How approvers prove who they are without an account:
 * - e-mailed links carry `<token id>.<expiry>.<signature>`: signed (HMAC-SHA256 with the configured
 *   secret), expiring, and single-use through their row in `action_token`;
 * - a sign-in link, once confirmed, sets an HttpOnly session cookie `<session id>.<expiry>.<signature>`
 *   naming a row in `approver_session`, which signing out revokes;
 * - forms on the inbox page carry a CSRF token derived from the session; the sign-in form one derived
 *   from a cookie the sign-in page sets (so nobody can sign a victim in to the attacker's inbox).
 */
export interface ApprovalLinkSettings {
  secret: string;
  linkTtlHours: number;
  sessionHours: number;
  /** How long a learner's link to what they owe works (it may be opened any number of times). */
  learnerLinkTtlDays: number;
}

/** Only `trainhub dev` (the embedded default, on 127.0.0.1) signs with this well-known secret. */
export const DEV_APPROVAL_LINK_SECRET = 'trainhub-development-approval-link-secret-not-for-production';

/**
 * The signing settings from configuration. Without APPROVAL_LINK_SECRET only the development
 * launcher may start (with the well-known development secret); everything else refuses to, so no
 * deployment can run with forgeable links and sessions.
 */
export function approvalLinkSettings(
  config: Pick<Config, 'APPROVAL_LINK_SECRET' | 'APPROVAL_LINK_TTL_HOURS' | 'APPROVER_SESSION_HOURS' | 'LEARNER_LINK_TTL_DAYS'>,
  options: { development?: boolean } = {},
): ApprovalLinkSettings {
  const secret = config.APPROVAL_LINK_SECRET ?? (options.development ? DEV_APPROVAL_LINK_SECRET : undefined);
  if (!secret) throw new Error('Invalid configuration: APPROVAL_LINK_SECRET: must be set (a random string of 32+ characters); only `trainhub dev` runs without it');
  return { secret, linkTtlHours: config.APPROVAL_LINK_TTL_HOURS, sessionHours: config.APPROVER_SESSION_HOURS, learnerLinkTtlDays: config.LEARNER_LINK_TTL_DAYS };
}

const HOUR_MS = 3_600_000;

function sign(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

function signatureMatches(secret: string, payload: string, signature: string): boolean {
  const expected = Buffer.from(sign(secret, payload));
  const actual = Buffer.from(signature);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

// ─── Links ──────────────────────────────────────────────────────────────────────────────────────

export interface LinkTokenRow {
  id: string;
  tenantId: string;
  purpose: ActionTokenPurpose;
  personId: string;
  stepId: string | null;
  expiresAt: Date;
  usedAt: Date | null;
}

function formatToken(settings: ApprovalLinkSettings, row: Pick<LinkTokenRow, 'id' | 'purpose' | 'expiresAt'>): string {
  const exp = Math.floor(row.expiresAt.getTime() / 1000);
  return `${row.id}.${exp}.${sign(settings.secret, `link|${row.purpose}|${row.id}|${exp}`)}`;
}

/**
 * Issues the link for one message; issuing again with the same key (a retried activity) returns the
 * same link. `now` is when the link is mailed; it is valid for the configured hours from then.
 */
export async function issueLinkToken(
  db: Db,
  settings: ApprovalLinkSettings,
  input: { tenantId: string; key: string; purpose: ActionTokenPurpose; personId: string; stepId?: string; now?: Date },
): Promise<string> {
  const now = input.now ?? new Date();
  const ttlMs = input.purpose === 'learner' ? settings.learnerLinkTtlDays * 24 * HOUR_MS : settings.linkTtlHours * HOUR_MS;
  const row = await db.actionToken.upsert({
    where: { tenantId_key: { tenantId: input.tenantId, key: input.key } },
    create: {
      tenantId: input.tenantId,
      key: input.key,
      purpose: input.purpose,
      personId: input.personId,
      stepId: input.stepId ?? null,
      expiresAt: new Date(Math.floor((now.getTime() + ttlMs) / 1000) * 1000),
    },
    update: {},
  });
  return formatToken(settings, row);
}

export type LinkProblem = 'invalid' | 'expired' | 'used';

export type LinkCheck = { ok: true; token: LinkTokenRow } | { ok: false; problem: LinkProblem };

const TOKEN_PATTERN = /^([0-9a-f-]{36})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

/** Checks a link without using it up: the signature, the expiry, and that it was not used before. */
export async function checkLinkToken(db: Db, settings: ApprovalLinkSettings, token: unknown, purpose: ActionTokenPurpose, now = new Date()): Promise<LinkCheck> {
  const match = typeof token === 'string' ? TOKEN_PATTERN.exec(token) : null;
  if (!match) return { ok: false, problem: 'invalid' };
  const [, id, exp, signature] = match as unknown as [string, string, string, string];
  if (!signatureMatches(settings.secret, `link|${purpose}|${id}|${exp}`, signature)) return { ok: false, problem: 'invalid' };
  const row = await db.actionToken.findUnique({ where: { id } });
  if (!row || row.purpose !== purpose || Math.floor(row.expiresAt.getTime() / 1000) !== Number(exp)) return { ok: false, problem: 'invalid' };
  if (row.usedAt) return { ok: false, problem: 'used' };
  if (row.expiresAt.getTime() <= now.getTime()) return { ok: false, problem: 'expired' };
  return { ok: true, token: row };
}

/** Uses a link up, once: of two concurrent uses exactly one succeeds. */
export async function consumeLinkToken(db: Db, settings: ApprovalLinkSettings, token: unknown, purpose: ActionTokenPurpose, now = new Date()): Promise<LinkCheck> {
  const check = await checkLinkToken(db, settings, token, purpose, now);
  if (!check.ok) return check;
  const claimed = await db.actionToken.updateMany({
    where: { id: check.token.id, usedAt: null, expiresAt: { gt: now } },
    data: { usedAt: now },
  });
  if (claimed.count !== 1) return { ok: false, problem: 'used' };
  return { ok: true, token: { ...check.token, usedAt: now } };
}

/** Gives a used link back when what it was used for could not be done (e.g. the engine was down). */
export async function releaseLinkToken(db: Db, tokenId: string): Promise<void> {
  await db.actionToken.updateMany({ where: { id: tokenId }, data: { usedAt: null } });
}

// ─── Sessions and CSRF ──────────────────────────────────────────────────────────────────────────

export const SESSION_COOKIE = 'trainhub_approver';

export interface ApproverSession {
  id: string;
  tenantId: string;
  personId: string;
  expiresAt: Date;
}

/** Opens a session for the person and returns the cookie value naming it. */
export async function createSession(db: Db, settings: ApprovalLinkSettings, tenantId: string, personId: string, now = new Date()): Promise<{ value: string; expiresAt: Date }> {
  const expiresAt = new Date(Math.floor((now.getTime() + settings.sessionHours * HOUR_MS) / 1000) * 1000);
  const row = await db.approverSession.create({ data: { tenantId, personId, expiresAt }, select: { id: true } });
  const payload = `${row.id}.${expiresAt.getTime() / 1000}`;
  return { value: `${payload}.${sign(settings.secret, `session|${payload}`)}`, expiresAt };
}

const SESSION_PATTERN = /^([0-9a-f-]{36})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

/** The session a cookie names, if its signature holds and it is neither expired nor revoked (signed out). */
export async function readSession(db: Db, settings: ApprovalLinkSettings, value: string | undefined, now = new Date()): Promise<ApproverSession | null> {
  const match = value ? SESSION_PATTERN.exec(value) : null;
  if (!match) return null;
  const [, id, exp, signature] = match as unknown as [string, string, string, string];
  if (!signatureMatches(settings.secret, `session|${id}.${exp}`, signature)) return null;
  const row = await db.approverSession.findUnique({ where: { id } });
  if (!row || row.revokedAt || row.expiresAt.getTime() <= now.getTime() || row.expiresAt.getTime() / 1000 !== Number(exp)) return null;
  return { id: row.id, tenantId: row.tenantId, personId: row.personId, expiresAt: row.expiresAt };
}

/** Signing out: the session ends for every copy of the cookie. */
export async function revokeSession(db: Db, sessionId: string, now = new Date()): Promise<void> {
  await db.approverSession.updateMany({ where: { id: sessionId, revokedAt: null }, data: { revokedAt: now } });
}

/** The sign-in form's guard against login CSRF: a nonce cookie and a form field derived from it. */
export const SIGN_IN_COOKIE = 'trainhub_sign_in';

export function signInFormToken(settings: ApprovalLinkSettings, nonce: string): string {
  return sign(settings.secret, `sign-in|${nonce}`);
}

export function signInFormTokenMatches(settings: ApprovalLinkSettings, nonce: string | undefined, token: unknown): boolean {
  return typeof nonce === 'string' && nonce.length >= 16 && typeof token === 'string' && signatureMatches(settings.secret, `sign-in|${nonce}`, token);
}

/** A form token bound to the session: a page elsewhere cannot post on the approver's behalf. */
export function csrfToken(settings: ApprovalLinkSettings, sessionValue: string): string {
  return sign(settings.secret, `csrf|${sessionValue}`);
}

export function csrfTokenMatches(settings: ApprovalLinkSettings, sessionValue: string, token: unknown): boolean {
  return typeof token === 'string' && signatureMatches(settings.secret, `csrf|${sessionValue}`, token);
}
