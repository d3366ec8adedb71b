import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Config } from '../../config';

/**
 * Encryption at rest of the secrets trainhub must send on to other systems (an HCM connector's
 * password or OAuth2 client secret): unlike API keys, they cannot be kept as hashes.
 *
 * AES-256-GCM under the deployment's key (SECRETS_KEY, 32 random bytes in base64). A sealed secret is
 *   [key id: 1 byte][IV: 12 bytes][ciphertext][GCM tag: 16 bytes]
 * and is bound to what it belongs to (the additional authenticated data, e.g. the connector), so a
 * value copied onto another row does not open. The key id lets keys rotate: a new key gets a new id
 * (SECRETS_KEY_ID) and the old ones stay listed in SECRETS_PREVIOUS_KEYS until every secret has been
 * sealed again under the new one (`needsResealing` tells which).
 *
 * Plain secrets are never logged, returned by the API or written anywhere but to the system they are for.
 */
export interface SecretsKeyring {
  /** The id new secrets are sealed under. */
  readonly currentKeyId: number;
  /** Key id → 32-byte key; holds the current key and those that still open older secrets. */
  readonly keys: ReadonlyMap<number, Buffer>;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** Id 0 is the well-known development key (never a deployment's), so a secret sealed by `trainhub dev` never opens elsewhere. */
export const DEV_SECRETS_KEY_ID = 0;
const DEV_SECRETS_KEY = createHash('sha256').update('trainhub-development-secrets-key-not-for-production').digest();

export class SecretUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretUnavailable';
  }
}

/** The keyring `trainhub dev` and the tests use: a key derived from a well-known text, good for nothing else. */
export function developmentKeyring(): SecretsKeyring {
  return { currentKeyId: DEV_SECRETS_KEY_ID, keys: new Map([[DEV_SECRETS_KEY_ID, DEV_SECRETS_KEY]]) };
}

/**
 * The keyring from configuration. Without SECRETS_KEY only the development keyring exists, and only
 * `trainhub dev` may use it (as with APPROVAL_LINK_SECRET): every other command fails at start-up.
 */
export function secretsKeyring(
  config: Pick<Config, 'SECRETS_KEY' | 'SECRETS_KEY_ID' | 'SECRETS_PREVIOUS_KEYS'>,
  options: { development?: boolean } = {},
): SecretsKeyring {
  if (!config.SECRETS_KEY) {
    if (options.development) return developmentKeyring();
    throw new Error('Invalid configuration: SECRETS_KEY: must be set (32 random bytes in base64, e.g. `openssl rand -base64 32`); only `trainhub dev` runs without it');
  }
  const keys = new Map<number, Buffer>();
  for (const entry of (config.SECRETS_PREVIOUS_KEYS ?? '').split(',').map((e) => e.trim()).filter(Boolean)) {
    const [id, key] = entry.split(':', 2);
    keys.set(keyIdOf(id, 'SECRETS_PREVIOUS_KEYS'), keyOf(key, 'SECRETS_PREVIOUS_KEYS'));
  }
  keys.set(config.SECRETS_KEY_ID, keyOf(config.SECRETS_KEY, 'SECRETS_KEY'));
  return { currentKeyId: config.SECRETS_KEY_ID, keys };
}

/** Seals `plain` under the current key, bound to `context` (e.g. `hcm-connector:<id>`). */
export function sealSecret(keyring: SecretsKeyring, plain: string, context: string): Buffer {
  const key = keyring.keys.get(keyring.currentKeyId);
  if (!key) throw new Error(`The secrets keyring lacks its current key ${keyring.currentKeyId}`);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([keyring.currentKeyId]), iv, body, cipher.getAuthTag()]);
}

/** Opens a sealed secret; a missing key, another context or any tampering is SecretUnavailable (naming no secret). */
export function openSecret(keyring: SecretsKeyring, sealed: Uint8Array, context: string): string {
  const bytes = Buffer.from(sealed);
  if (bytes.length < 1 + IV_BYTES + TAG_BYTES) throw new SecretUnavailable('The stored secret is malformed');
  const keyId = bytes[0]!;
  const key = keyring.keys.get(keyId);
  if (!key) throw new SecretUnavailable(`The stored secret is sealed under key ${keyId}, which this deployment does not hold (SECRETS_KEY / SECRETS_PREVIOUS_KEYS)`);
  const iv = bytes.subarray(1, 1 + IV_BYTES);
  const tag = bytes.subarray(bytes.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(bytes.subarray(1 + IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretUnavailable(`The stored secret does not open with key ${keyId} (another key of that id, or not this record's)`);
  }
}

/** A secret sealed under an older key: seal it again under the current one (rotation finishes itself). */
export function needsResealing(keyring: SecretsKeyring, sealed: Uint8Array): boolean {
  return sealed.length > 0 && sealed[0] !== keyring.currentKeyId;
}

function keyIdOf(text: string | undefined, variable: string): number {
  const id = Number(text);
  if (!Number.isInteger(id) || id < 1 || id > 255) throw new Error(`Invalid configuration: ${variable}: key ids are whole numbers from 1 to 255 ("<id>:<base64 key>,…")`);
  return id;
}

function keyOf(text: string | undefined, variable: string): Buffer {
  const key = Buffer.from(text ?? '', 'base64');
  if (key.length !== KEY_BYTES) throw new Error(`Invalid configuration: ${variable}: a key must be ${KEY_BYTES} bytes in base64 (e.g. \`openssl rand -base64 32\`)`);
  return key;
}
