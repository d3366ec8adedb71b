import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../db/client';
import { Conflict, NotFound } from '../../domain/errors';
import type { Scope } from '../../domain/scopes';
import { recordAudit, type Actor } from '../audit/trail';
import { isUuid } from '../catalog/common';

/** The caller an API key identifies. */
export interface ApiPrincipal {
  clientId: string;
  tenantId: string;
  name: string;
  scopes: string[];
}

// Keys look like th_<prefix>_<secret>: the prefix finds the row, only a hash of the whole key is stored.
const KEY_PATTERN = /^th_([a-z0-9]{12})_([A-Za-z0-9_-]{20,})$/;

function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function generateApiKey(): { key: string; prefix: string } {
  const prefix = randomBytes(9).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, '0').slice(0, 12);
  return { key: `th_${prefix}_${randomBytes(24).toString('base64url')}`, prefix };
}

/** Creates an API client; `key` may be given (the dev seed's well-known key), otherwise one is generated. */
export async function createApiClient(
  db: Db,
  input: { tenantId: string; name: string; scopes: readonly Scope[]; key?: string },
): Promise<{ clientId: string; key: string }> {
  let key = input.key;
  let prefix: string;
  if (key) {
    const match = KEY_PATTERN.exec(key);
    if (!match) throw new Error('An API key must look like th_<12 lowercase letters or digits>_<20+ url-safe characters>');
    prefix = match[1]!;
  } else {
    ({ key, prefix } = generateApiKey());
  }
  const client = await db.apiClient.upsert({
    where: { keyPrefix: prefix },
    create: { tenantId: input.tenantId, name: input.name, scopes: [...input.scopes], keyPrefix: prefix, keyHash: hashKey(key) },
    update: {},
  });
  return { clientId: client.id, key };
}

/**
 * The caller a key identifies, unless it is unknown or revoked (a rotated key until its grace period
 * ends). Records when the key was last used, to the minute (not a write per request).
 */
export async function authenticateApiKey(db: Db, key: string, now = new Date()): Promise<ApiPrincipal | null> {
  const match = KEY_PATTERN.exec(key);
  if (!match) return null;
  const client = await db.apiClient.findUnique({ where: { keyPrefix: match[1]! } });
  if (!client || (client.revokedAt && client.revokedAt <= now)) return null;
  const expected = Buffer.from(client.keyHash, 'hex');
  const actual = Buffer.from(hashKey(key), 'hex');
  if (!timingSafeEqual(expected, actual)) return null;
  if (!client.lastUsedAt || now.getTime() - client.lastUsedAt.getTime() > 60_000) {
    await db.apiClient.updateMany({ where: { id: client.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - 60_000) } }] }, data: { lastUsedAt: now } });
  }
  return { clientId: client.id, tenantId: client.tenantId, name: client.name, scopes: client.scopes };
}

/** An API key as administrators see it (never the key itself, which only its creation shows). */
export interface ApiKeyView {
  id: string;
  name: string;
  keyPrefix: string;
  scopes: string[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  rotatedFromId: string | null;
}

function keyView(row: { id: string; name: string; keyPrefix: string; scopes: string[]; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null; rotatedFromId: string | null }): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    keyPrefix: row.keyPrefix,
    scopes: row.scopes,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    rotatedFromId: row.rotatedFromId,
  };
}

export async function listApiKeys(db: Db, tenantId: string): Promise<ApiKeyView[]> {
  const rows = await db.apiClient.findMany({ where: { tenantId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  return rows.map(keyView);
}

/** A new key for a system; the key is shown once. Audited. */
export async function issueApiKey(db: Db, tenantId: string, actor: Actor, input: { name: string; scopes: readonly Scope[] }): Promise<{ apiKey: ApiKeyView; key: string }> {
  const { clientId, key } = await createApiClient(db, { tenantId, ...input });
  await recordAudit(db, tenantId, actor, { action: 'api_key.created', entityType: 'api_key', entityId: clientId, data: { name: input.name, scopes: [...input.scopes] } });
  return { apiKey: keyView(await db.apiClient.findUniqueOrThrow({ where: { id: clientId } })), key };
}

/** Revokes a key at once (it is refused from the next request on). Audited; revoking twice changes nothing. */
export async function revokeApiKey(db: Db, tenantId: string, actor: Actor, id: string, reason?: string): Promise<ApiKeyView> {
  return db.$transaction(async (tx) => {
    const row = isUuid(id) ? await tx.apiClient.findFirst({ where: { tenantId, id } }) : null;
    if (!row) throw new NotFound('API key', id);
    const now = new Date();
    if (row.revokedAt && row.revokedAt <= now) return keyView(row);
    const revoked = await tx.apiClient.update({ where: { id: row.id }, data: { revokedAt: now } });
    await recordAudit(tx, tenantId, actor, { action: 'api_key.revoked', entityType: 'api_key', entityId: row.id, ...(reason ? { reason } : {}), data: { name: row.name, keyPrefix: row.keyPrefix } });
    return keyView(revoked);
  });
}

/**
 * Rotates a key: a new key with the same name and scopes (shown once), and the old one refused from
 * `graceMinutes` on, so the system can switch over without an outage. Audited.
 */
export async function rotateApiKey(
  db: Db,
  tenantId: string,
  actor: Actor,
  id: string,
  graceMinutes: number,
): Promise<{ apiKey: ApiKeyView; key: string; previous: ApiKeyView }> {
  return db.$transaction(async (tx) => {
    const row = isUuid(id) ? await tx.apiClient.findFirst({ where: { tenantId, id } }) : null;
    if (!row) throw new NotFound('API key', id);
    const now = new Date();
    if (row.revokedAt && row.revokedAt <= now) throw new Conflict('api_key_revoked', 'A revoked key cannot be rotated; issue a new one');
    const { key, prefix } = generateApiKey();
    const created = await tx.apiClient.create({
      data: { tenantId, name: row.name, scopes: row.scopes, keyPrefix: prefix, keyHash: hashKey(key), rotatedFromId: row.id },
    });
    const retiresAt = new Date(now.getTime() + graceMinutes * 60_000);
    const previous = await tx.apiClient.update({ where: { id: row.id }, data: { revokedAt: row.revokedAt && row.revokedAt < retiresAt ? row.revokedAt : retiresAt } });
    await recordAudit(tx, tenantId, actor, {
      action: 'api_key.rotated',
      entityType: 'api_key',
      entityId: row.id,
      data: { name: row.name, newKeyId: created.id, newKeyPrefix: prefix, oldKeyRefusedFrom: previous.revokedAt!.toISOString() },
    });
    return { apiKey: keyView(created), key, previous: keyView(previous) };
  });
}
