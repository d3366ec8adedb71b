import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../db/client';
import type { Scope } from '../../domain/scopes';

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

export async function authenticateApiKey(db: Db, key: string): Promise<ApiPrincipal | null> {
  const match = KEY_PATTERN.exec(key);
  if (!match) return null;
  const client = await db.apiClient.findUnique({ where: { keyPrefix: match[1]! } });
  if (!client || client.revokedAt) return null;
  const expected = Buffer.from(client.keyHash, 'hex');
  const actual = Buffer.from(hashKey(key), 'hex');
  if (!timingSafeEqual(expected, actual)) return null;
  return { clientId: client.id, tenantId: client.tenantId, name: client.name, scopes: client.scopes };
}
