import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../db/client';
import { NotFound } from '../../domain/errors';
import { recordAudit, type Actor } from '../audit/trail';

export const LRS_SCOPES = ['read', 'write'] as const;
export type LrsScope = (typeof LRS_SCOPES)[number];

/** Who is calling the LRS: the client its Basic credentials name. */
export interface LrsPrincipal {
  clientId: string;
  tenantId: string;
  name: string;
  key: string;
  scopes: LrsScope[];
}

const hash = (secret: string) => createHash('sha256').update(secret).digest('hex');

export interface LrsClientView {
  id: string;
  name: string;
  key: string;
  scopes: LrsScope[];
  createdAt: string;
  revokedAt: string | null;
}

/** A new client: key and secret are returned once; only the secret's hash is kept. */
export async function createLrsClient(db: Db, tenantId: string, actor: Actor, input: { name: string; scopes: readonly LrsScope[] }): Promise<LrsClientView & { secret: string }> {
  const key = `lrs_${randomBytes(12).toString('base64url')}`;
  const secret = randomBytes(24).toString('base64url');
  const row = await db.lrsClient.create({ data: { tenantId, name: input.name, key, secretHash: hash(secret), scopes: [...new Set(input.scopes)] } });
  await recordAudit(db, tenantId, actor, { action: 'lrs_client.created', entityType: 'lrs_client', entityId: row.id, data: { name: input.name, scopes: row.scopes } });
  return { ...view(row), secret };
}

export async function listLrsClients(db: Db, tenantId: string): Promise<LrsClientView[]> {
  return (await db.lrsClient.findMany({ where: { tenantId }, orderBy: { createdAt: 'asc' } })).map(view);
}

export async function revokeLrsClient(db: Db, tenantId: string, actor: Actor, id: string, now = new Date()): Promise<LrsClientView> {
  const row = await db.lrsClient.findFirst({ where: { id, tenantId } });
  if (!row) throw new NotFound('lrs_client', id);
  const revoked = row.revokedAt ? row : await db.lrsClient.update({ where: { id }, data: { revokedAt: now } });
  if (!row.revokedAt) await recordAudit(db, tenantId, actor, { action: 'lrs_client.revoked', entityType: 'lrs_client', entityId: id });
  return view(revoked);
}

/** The client HTTP Basic credentials name, unless unknown, wrong or revoked. */
export async function authenticateLrsClient(db: Db, key: string, secret: string): Promise<LrsPrincipal | null> {
  const row = await db.lrsClient.findUnique({ where: { key } });
  if (!row || row.revokedAt) return null;
  const expected = Buffer.from(row.secretHash, 'hex');
  const actual = Buffer.from(hash(secret), 'hex');
  if (!timingSafeEqual(expected, actual)) return null;
  return { clientId: row.id, tenantId: row.tenantId, name: row.name, key: row.key, scopes: row.scopes as LrsScope[] };
}

function view(row: { id: string; name: string; key: string; scopes: string[]; createdAt: Date; revokedAt: Date | null }): LrsClientView {
  return { id: row.id, name: row.name, key: row.key, scopes: row.scopes as LrsScope[], createdAt: row.createdAt.toISOString(), revokedAt: row.revokedAt?.toISOString() ?? null };
}
