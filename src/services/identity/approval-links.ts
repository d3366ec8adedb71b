import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Config } from '../../config';
import type { Db } from '../../db/client';
import type { ActionTokenPurpose } from '../../generated/prisma/enums';

/**
 * How approvers prove who they are without an account:
 * - e-mailed links carry `<token id>.<expiry>.<signature>`: signed (HMAC-SHA256 with the configured
 *   secret), expiring, and single-use through their row in `action_token`;
 * - a sign-in link, once confirmed, sets an HttpOnly session cookie `<tenant>.<person>.<expiry>.<signature>`;
 * - forms on the inbox page carry a CSRF token derived from the session.
 */
export interface ApprovalLinkSettings {
  secret: string;
  linkTtlHours: number;
  sessionHours: number;
}

/** Development and tests only: production refuses to start without APPROVAL_LINK_SECRET. */
export const DEV_APPROVAL_LINK_SECRET = 'trainhub-development-approval-link-secret-not-for-production';

export const DEFAULT_APPROVAL_LINK_SETTINGS: ApprovalLinkSettings = { secret: DEV_APPROVAL_LINK_SECRET, linkTtlHours: 72, sessionHours: 12 };

export function approvalLinkSettings(config: Pick<Config, 'APPROVAL_LINK_SECRET' | 'APPROVAL_LINK_TTL_HOURS' | 'APPROVER_SESSION_HOURS'>): ApprovalLinkSettings {
  return {
    secret: config.APPROVAL_LINK_SECRET ?? DEV_APPROVAL_LINK_SECRET,
    linkTtlHours: config.APPROVAL_LINK_TTL_HOURS,
    sessionHours: config.APPROVER_SESSION_HOURS,
  };
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
  const row = await db.actionToken.upsert({
    where: { tenantId_key: { tenantId: input.tenantId, key: input.key } },
    create: {
      tenantId: input.tenantId,
      key: input.key,
      purpose: input.purpose,
      personId: input.personId,
      stepId: input.stepId ?? null,
      expiresAt: new Date(Math.floor((now.getTime() + settings.linkTtlHours * HOUR_MS) / 1000) * 1000),
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
  tenantId: string;
  personId: string;
  expiresAt: Date;
}

export function createSessionValue(settings: ApprovalLinkSettings, tenantId: string, personId: string, now = new Date()): { value: string; expiresAt: Date } {
  const exp = Math.floor((now.getTime() + settings.sessionHours * HOUR_MS) / 1000);
  const payload = `${tenantId}.${personId}.${exp}`;
  return { value: `${payload}.${sign(settings.secret, `session|${payload}`)}`, expiresAt: new Date(exp * 1000) };
}

const SESSION_PATTERN = /^([0-9a-f-]{36})\.([0-9a-f-]{36})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

export function readSessionValue(settings: ApprovalLinkSettings, value: string | undefined, now = new Date()): ApproverSession | null {
  const match = value ? SESSION_PATTERN.exec(value) : null;
  if (!match) return null;
  const [, tenantId, personId, exp, signature] = match as unknown as [string, string, string, string, string];
  if (!signatureMatches(settings.secret, `session|${tenantId}.${personId}.${exp}`, signature)) return null;
  const expiresAt = new Date(Number(exp) * 1000);
  return expiresAt.getTime() > now.getTime() ? { tenantId, personId, expiresAt } : null;
}

/** A form token bound to the session: a page elsewhere cannot post on the approver's behalf. */
export function csrfToken(settings: ApprovalLinkSettings, sessionValue: string): string {
  return sign(settings.secret, `csrf|${sessionValue}`);
}

export function csrfTokenMatches(settings: ApprovalLinkSettings, sessionValue: string, token: unknown): boolean {
  return typeof token === 'string' && signatureMatches(settings.secret, `csrf|${sessionValue}`, token);
}
