import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Db, DbTx } from '../../db/client';
import { Conflict, DomainError, NotFound } from '../../domain/errors';
import { signingLinkMessage } from '../../mail/acknowledgement-templates';
import { recordAudit } from '../audit/trail';
import { byKeyOrId, decodeCursor, invalidCursor, isUuid, toPage, type Page, type PageRequest } from '../catalog/common';
import {
  checkLinkToken,
  consumeLinkToken,
  issueLinkToken,
  releaseLinkToken,
  type ApprovalLinkSettings,
  type LinkProblem,
  type LinkTokenRow,
} from '../identity/approval-links';
import { queueNotification } from '../notifications/outbox';
import { queueProcessCommands, sendNotificationProcess } from '../processes/commands';
import type { CommandDelivery } from '../processes/operations';
import { toCsv } from '../renewals/audit-trail';

/**
 * "Read and understood": a person's electronic signature of one document version, in the spirit of
 * 21 CFR Part 11 — linked to its record (the version and the SHA-256 of its content at the moment of
 * signing), showing its meaning, and given after re-authentication: the person asks, from the page
 * their training e-mail links to, for a fresh single-use link e-mailed to them, and signs with that.
 */

// ─── Links and what a signature means ──────────────────────────────────────────────────────────

/** The page a learner's training e-mail links to for one version: `token` is their (reusable) learner link token. */
export function acknowledgementPageUrl(publicUrl: string, learnerToken: string, versionId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/documents/acknowledge?token=${encodeURIComponent(learnerToken)}&version=${encodeURIComponent(versionId)}`;
}

/** The page a fresh signing link opens. */
export function signingPageUrl(publicUrl: string, signingToken: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/documents/sign?token=${encodeURIComponent(signingToken)}`;
}

/** The exact statement a signature makes; recorded with it word for word. */
export function acknowledgementMeaning(version: { title: string; version: string }): string {
  return `I have read and understood ${version.title}, version ${version.version}, and will follow it.`;
}

/**
 * The guard of the pages' forms: an HMAC of the link the page was opened with and the version it
 * shows, so a form posted from anywhere else (without the link) is refused.
 */
export function documentFormToken(settings: ApprovalLinkSettings, linkToken: string, versionId: string): string {
  return createHmac('sha256', settings.secret).update(`document-form|${linkToken}|${versionId}`).digest('base64url');
}

export function documentFormTokenMatches(settings: ApprovalLinkSettings, linkToken: unknown, versionId: string, formToken: unknown): boolean {
  if (typeof linkToken !== 'string' || typeof formToken !== 'string') return false;
  const expected = Buffer.from(documentFormToken(settings, linkToken, versionId));
  const actual = Buffer.from(formToken);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

const SIGNING_KEY_PREFIX = 'acknowledgement:';

export type SigningLinkCheck = { ok: true; link: LinkTokenRow; versionId: string } | { ok: false; problem: LinkProblem };

/** Checks a signing link without using it up, and names the version it was issued for. */
export async function checkSigningLink(db: Db, settings: ApprovalLinkSettings, token: unknown, now = new Date()): Promise<SigningLinkCheck> {
  const check = await checkLinkToken(db, settings, token, 'acknowledgement', now);
  if (!check.ok) return check;
  const row = await db.actionToken.findUnique({ where: { id: check.token.id }, select: { key: true } });
  const versionId = row?.key.startsWith(SIGNING_KEY_PREFIX) ? row.key.slice(SIGNING_KEY_PREFIX.length).split(':')[0] : undefined;
  if (!versionId || !isUuid(versionId)) return { ok: false, problem: 'invalid' };
  return { ok: true, link: check.token, versionId };
}

// ─── The version, and where the person stands on it ────────────────────────────────────────────

export interface SignableVersion {
  id: string;
  tenantId: string;
  documentKey: string;
  title: string;
  version: string;
  status: string;
  /** YYYY-MM-DD */
  effectiveDate: string;
  contentHash: string;
  /** The document's training: course, program or acknowledgement. */
  training: string;
  meaning: string;
}

/** A version of the tenant's, as the pages show it; null when the tenant has none with this id. */
export async function findSignableVersion(db: DbTx, tenantId: string, versionId: string): Promise<SignableVersion | null> {
  if (!isUuid(versionId)) return null;
  const row = await db.documentVersion.findFirst({
    where: { tenantId, id: versionId },
    select: { id: true, tenantId: true, title: true, version: true, status: true, effectiveDate: true, contentHash: true, document: { select: { key: true, training: true } } },
  });
  if (!row) return null;
  return {
    id: row.id,
    tenantId: row.tenantId,
    documentKey: row.document.key,
    title: row.title,
    version: row.version,
    status: row.status,
    effectiveDate: row.effectiveDate.toISOString().slice(0, 10),
    contentHash: row.contentHash,
    training: row.document.training,
    meaning: acknowledgementMeaning(row),
  };
}

/** Why a person owes no acknowledgement of a version. */
export type NotOwedReason =
  | 'not_an_acknowledgement'
  | 'no_training'
  | 'training_closed'
  | 'version_not_in_force'
  | 'person_not_active';

export type AcknowledgementStanding =
  | { state: 'owed'; dueDate: string }
  | { state: 'signed'; signedAt: Date; contentHash: string }
  | { state: 'not_owed'; reason: NotOwedReason; trainingStatus?: string };

/** Versions that can be signed: approved or in force (not a draft, not superseded or withdrawn). */
const SIGNABLE_STATUSES = new Set(['approved', 'effective']);

/** Whether the person owes a signature of the version, signed it already, or neither (and why). */
export async function acknowledgementStanding(db: DbTx, version: SignableVersion, personId: string): Promise<AcknowledgementStanding> {
  // One after another: in a transaction the three share one connection.
  const signed = await db.documentAcknowledgement.findUnique({ where: { versionId_personId: { versionId: version.id, personId } }, select: { signedAt: true, contentHash: true, tenantId: true } });
  const training = await db.documentTraining.findUnique({ where: { versionId_personId: { versionId: version.id, personId } }, select: { status: true, dueDate: true, tenantId: true } });
  const person = await db.person.findFirst({ where: { tenantId: version.tenantId, id: personId }, select: { status: true } });
  if (signed && signed.tenantId === version.tenantId) return { state: 'signed', signedAt: signed.signedAt, contentHash: signed.contentHash };
  if (version.training !== 'acknowledgement') return { state: 'not_owed', reason: 'not_an_acknowledgement' };
  if (!training || training.tenantId !== version.tenantId) return { state: 'not_owed', reason: 'no_training' };
  if (training.status !== 'open') return { state: 'not_owed', reason: 'training_closed', trainingStatus: training.status };
  if (!SIGNABLE_STATUSES.has(version.status)) return { state: 'not_owed', reason: 'version_not_in_force' };
  if (!person || person.status === 'terminated') return { state: 'not_owed', reason: 'person_not_active' };
  return { state: 'owed', dueDate: training.dueDate.toISOString().slice(0, 10) };
}

const NOT_OWED_MESSAGES: Record<NotOwedReason, string> = {
  not_an_acknowledgement: 'This document is trained on through a course or program, not signed as read and understood',
  no_training: 'No acknowledgement of this version is assigned to this person',
  training_closed: 'The training on this version is no longer open',
  version_not_in_force: 'This version is not approved or in force, so it cannot be signed',
  person_not_active: 'This person is no longer active',
};

/** The refusal matching a standing that is not `owed`. */
function notOwed(standing: Exclude<AcknowledgementStanding, { state: 'owed' }>): Conflict {
  if (standing.state === 'signed') return new Conflict('already_acknowledged', `This version was already signed on ${standing.signedAt.toISOString()}`);
  const code = standing.reason === 'no_training' ? 'acknowledgement_not_assigned' : 'acknowledgement_not_owed';
  return new Conflict(code, NOT_OWED_MESSAGES[standing.reason], { reason: standing.reason, ...(standing.trainingStatus ? { trainingStatus: standing.trainingStatus } : {}) });
}

// ─── Asking for a signing link ─────────────────────────────────────────────────────────────────

/**
 * The person asked, on the acknowledgement page, for a link to sign with: a fresh single-use link
 * (expiring after the approval-link hours) is e-mailed to them through the outbox. Every request
 * issues a new link; earlier ones keep working until used or expired.
 */
export async function requestSigningLink(
  db: Db,
  delivery: CommandDelivery,
  settings: ApprovalLinkSettings,
  publicUrl: string,
  input: { tenantId: string; personId: string; versionId: string; now?: Date },
): Promise<{ email: string; validHours: number }> {
  const now = input.now ?? new Date();
  const version = await findSignableVersion(db, input.tenantId, input.versionId);
  if (!version) throw new NotFound('document version', input.versionId);
  const standing = await acknowledgementStanding(db, version, input.personId);
  if (standing.state !== 'owed') throw notOwed(standing);
  const person = await db.person.findFirstOrThrow({ where: { tenantId: input.tenantId, id: input.personId }, select: { name: true, email: true } });
  const key = `${SIGNING_KEY_PREFIX}${version.id}:${randomUUID()}`;
  const token = await issueLinkToken(db, settings, { tenantId: input.tenantId, key, purpose: 'acknowledgement', personId: input.personId, now });
  const message = signingLinkMessage({
    name: person.name,
    title: version.title,
    version: version.version,
    meaning: version.meaning,
    signUrl: signingPageUrl(publicUrl, token),
    validHours: settings.linkTtlHours,
  });
  const commandIds = await db.$transaction(async (tx) => {
    const notificationId = await queueNotification(tx, { tenantId: input.tenantId, key, personId: input.personId, toAddress: person.email, ...message });
    return queueProcessCommands(tx, delivery.taskQueue, [sendNotificationProcess(input.tenantId, notificationId)]);
  });
  await delivery.deliverNow(commandIds);
  return { email: person.email, validHours: settings.linkTtlHours };
}

// ─── Signing ───────────────────────────────────────────────────────────────────────────────────

export interface AcknowledgementRecord {
  id: string;
  versionId: string;
  personId: string;
  signedAt: Date;
  contentHash: string;
  meaning: string;
  linkId: string;
  address: string | null;
}

/**
 * Records one signature, in the caller's transaction: the acknowledgement (the version's content hash
 * as it is now, the meaning word for word, the link the person re-authenticated with, their address),
 * the person's training on the version completed, and the audit entry `document.acknowledged`. The
 * training must be open (a row the gap opened); the version must still hash to what the person was
 * shown, when `expectedContentHash` is given. Refusals are Conflicts (409) that name why.
 */
export async function recordAcknowledgement(
  tx: DbTx,
  input: { tenantId: string; versionId: string; personId: string; linkId: string; address: string | null; expectedContentHash?: string; signedAt?: Date; requestId?: string },
): Promise<AcknowledgementRecord> {
  const signedAt = input.signedAt ?? new Date();
  const version = await findSignableVersion(tx, input.tenantId, input.versionId);
  if (!version) throw new NotFound('document version', input.versionId);
  // The training row is locked first: of two signatures at once, the second sees the first's.
  await tx.$queryRaw`SELECT 1 FROM document_training WHERE tenant_id = ${input.tenantId}::uuid AND version_id = ${version.id}::uuid AND person_id = ${input.personId}::uuid FOR UPDATE`;
  const standing = await acknowledgementStanding(tx, version, input.personId);
  if (standing.state !== 'owed') throw notOwed(standing);
  if (input.expectedContentHash !== undefined && input.expectedContentHash !== version.contentHash) {
    throw new Conflict('content_changed', 'The document version changed since the page was opened; open the link again to see it as it is now', {
      shown: input.expectedContentHash,
      current: version.contentHash,
    });
  }
  await tx.documentTraining.updateMany({
    where: { tenantId: input.tenantId, versionId: version.id, personId: input.personId, status: 'open' },
    data: { status: 'completed', completedAt: signedAt },
  });
  const row = await tx.documentAcknowledgement.create({
    data: {
      tenantId: input.tenantId,
      versionId: version.id,
      personId: input.personId,
      signedAt,
      contentHash: version.contentHash,
      meaning: version.meaning,
      linkId: input.linkId,
      address: input.address,
    },
  });
  await recordAudit(
    tx,
    input.tenantId,
    { type: 'person', id: input.personId, ...(input.requestId ? { requestId: input.requestId } : {}) },
    {
      action: 'document.acknowledged',
      entityType: 'document_version',
      entityId: version.id,
      at: signedAt,
      data: { acknowledgementId: row.id, document: version.documentKey, version: version.version, contentHash: row.contentHash, meaning: row.meaning, linkId: row.linkId },
    },
  );
  return { id: row.id, versionId: row.versionId, personId: row.personId, signedAt: row.signedAt, contentHash: row.contentHash, meaning: row.meaning, linkId: row.linkId, address: row.address };
}

export type SignResult = { ok: true; acknowledgement: AcknowledgementRecord } | { ok: false; problem: LinkProblem };

/**
 * Signs with a signing link: the link is used up (exactly once, whoever races), then the signature is
 * recorded in one transaction. A refusal (409) leaves the link used; an unexpected failure gives it
 * back so the person can try again.
 */
export async function signWithLink(
  db: Db,
  settings: ApprovalLinkSettings,
  input: { token: string; expectedContentHash: string; address: string | null; requestId?: string; now?: Date },
): Promise<SignResult> {
  const check = await checkSigningLink(db, settings, input.token, input.now);
  if (!check.ok) return check;
  const used = await consumeLinkToken(db, settings, input.token, 'acknowledgement', input.now);
  if (!used.ok) return used;
  try {
    const acknowledgement = await db.$transaction((tx) =>
      recordAcknowledgement(tx, {
        tenantId: used.token.tenantId,
        versionId: check.versionId,
        personId: used.token.personId,
        linkId: used.token.id,
        address: input.address,
        expectedContentHash: input.expectedContentHash,
        ...(input.now ? { signedAt: input.now } : {}),
        ...(input.requestId ? { requestId: input.requestId } : {}),
      }),
    );
    return { ok: true, acknowledgement };
  } catch (error) {
    if (!(error instanceof DomainError) || error.status >= 500) await releaseLinkToken(db, used.token.id);
    throw error;
  }
}

// ─── Export ────────────────────────────────────────────────────────────────────────────────────

export interface AcknowledgementLine {
  id: string;
  person: { id: string; externalId: string; name: string; email: string };
  signedAt: string;
  version: string;
  contentHash: string;
  meaning: string;
  linkId: string;
  address: string | null;
}

async function versionByReference(db: Db, tenantId: string, documentRef: string, version: string): Promise<{ id: string; version: string }> {
  const document = await db.document.findFirst({ where: byKeyOrId(tenantId, documentRef), select: { id: true } });
  if (!document) throw new NotFound('document', documentRef);
  const row = await db.documentVersion.findFirst({ where: { tenantId, documentId: document.id, version }, select: { id: true, version: true } });
  if (!row) throw new NotFound('document version', `${documentRef} ${version}`);
  return row;
}

const LINE_SELECT = {
  id: true,
  signedAt: true,
  contentHash: true,
  meaning: true,
  linkId: true,
  address: true,
  person: { select: { id: true, externalId: true, name: true, email: true } },
} as const;

function toLine(version: string) {
  return (row: { id: string; signedAt: Date; contentHash: string; meaning: string; linkId: string; address: string | null; person: AcknowledgementLine['person'] }): AcknowledgementLine => ({
    id: row.id,
    person: row.person,
    signedAt: row.signedAt.toISOString(),
    version,
    contentHash: row.contentHash,
    meaning: row.meaning,
    linkId: row.linkId,
    address: row.address,
  });
}

/** One page of a version's signatures, oldest first. The document is named by key or id, the version by its number. */
export async function listAcknowledgements(db: Db, tenantId: string, documentRef: string, version: string, page: PageRequest): Promise<Page<AcknowledgementLine>> {
  const v = await versionByReference(db, tenantId, documentRef, version);
  let after = {};
  if (page.cursor) {
    const [at, id] = decodeCursor(page.cursor, 2) as [string, string];
    const signedAt = new Date(at);
    if (Number.isNaN(signedAt.getTime()) || !isUuid(id)) invalidCursor();
    after = { OR: [{ signedAt: { gt: signedAt } }, { signedAt, id: { gt: id } }] };
  }
  const rows = await db.documentAcknowledgement.findMany({
    where: { tenantId, versionId: v.id, ...after },
    orderBy: [{ signedAt: 'asc' }, { id: 'asc' }],
    take: page.limit + 1,
    select: LINE_SELECT,
  });
  return toPage(rows.map(toLine(v.version)), page.limit, (line) => [line.signedAt, line.id]);
}

/** Every signature of a version, oldest first: what the CSV export holds. */
export async function allAcknowledgements(db: Db, tenantId: string, documentRef: string, version: string): Promise<AcknowledgementLine[]> {
  const v = await versionByReference(db, tenantId, documentRef, version);
  const rows = await db.documentAcknowledgement.findMany({ where: { tenantId, versionId: v.id }, orderBy: [{ signedAt: 'asc' }, { id: 'asc' }], select: LINE_SELECT });
  return rows.map(toLine(v.version));
}

export const ACKNOWLEDGEMENT_CSV_COLUMNS = ['person_external_id', 'name', 'email', 'signed_at', 'version', 'content_hash', 'meaning', 'link_id', 'address'] as const;

/** RFC 4180 (the project's one CSV writer, which also neutralises formula-like cells): a header row, then one row per signature. */
export function acknowledgementsCsv(lines: readonly AcknowledgementLine[]): string {
  return toCsv([
    ACKNOWLEDGEMENT_CSV_COLUMNS,
    ...lines.map((l) => [l.person.externalId, l.person.name, l.person.email, l.signedAt, l.version, l.contentHash, l.meaning, l.linkId, l.address ?? '']),
  ]);
}
