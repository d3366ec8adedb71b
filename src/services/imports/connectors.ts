import { randomUUID } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { Readable, Transform } from 'node:stream';
import type { Config } from '../../config';
import type { Db, DbTx } from '../../db/client';
import { canonicalJson } from '../../domain/canonical-json';
import { DomainError, InvalidRequest, NotFound } from '../../domain/errors';
import { hcmConnectorWorkflowId, hcmPullScheduleId } from '../../domain/workflow-ids';
import type { HcmAuth, ImportMode } from '../../generated/prisma/enums';
import { connectorChangedSignal, type HcmConnectorRef, type HcmPullResult } from '../../workflows/hcm-pull';
import { recordAudit, type Actor } from '../audit/trail';
import type { CommandDelivery } from '../processes/operations';
import { queueProcessCommands, type ProcessCommand } from '../processes/commands';
import { resolveProfile } from './profiles';
import { receiveImport } from './runs';
import { developmentKeyring, needsResealing, openSecret, sealSecret, secretsKeyring, type SecretsKeyring } from './secrets';

/**
 * HCM connectors: a tenant's report URL (Workday RaaS style) that a Temporal Schedule pulls at an
 * interval, each pull handed to an import run (`receiveImport`: the same content again is the same run).
 *
 * Where a connector may point: https:// anywhere but this machine and link-local addresses (the cloud
 * metadata service lives there); plain http:// only to this machine (localhost, 127.0.0.0/8, ::1), and
 * that only where the deployment allows it (HCM_ALLOW_LOOPBACK_URLS, on in `trainhub dev` and tests) —
 * credentials never cross a network in clear, and a tenant cannot make trainhub read its own host's
 * services. Redirects are followed (at most 5) under the same rules; credentials go only to the
 * origin they were given for. A name that resolves to a private address is not checked: the
 * deployment's egress rules are the place for that.
 *
 * Secrets (the Basic password, the OAuth2 client secret) are sealed with the deployment's key
 * (./secrets.ts), bound to the connector; they are never returned (`hasSecret`), logged or audited.
 * Since they cannot be read back, a change of where a secret is sent (the report URL's origin for
 * Basic, the token URL for OAuth2) must send the secret again: an API key cannot redirect a stored
 * secret to a server of its choosing.
 */
export interface ConnectorSettings {
  keyring: SecretsKeyring;
  /** Plain http:// to this machine (development and tests). */
  allowLoopbackUrls: boolean;
  /** A pull that receives nothing for this long (headers or body) fails. */
  idleTimeoutMs: number;
  /** The largest report a pull takes (IMPORT_MAX_UPLOAD_MB); receiveImport's default when left out. */
  maxImportBytes?: number;
}

export const DEFAULT_PULL_IDLE_TIMEOUT_MS = 60_000;

/** The settings from configuration; SECRETS_KEY is required but for `trainhub dev` (see secretsKeyring). */
export function connectorSettings(
  config: Pick<Config, 'SECRETS_KEY' | 'SECRETS_KEY_ID' | 'SECRETS_PREVIOUS_KEYS' | 'HCM_ALLOW_LOOPBACK_URLS' | 'IMPORT_MAX_UPLOAD_MB'>,
  options: { development?: boolean } = {},
): ConnectorSettings {
  return {
    keyring: secretsKeyring(config, options),
    allowLoopbackUrls: config.HCM_ALLOW_LOOPBACK_URLS || (options.development ?? false),
    idleTimeoutMs: DEFAULT_PULL_IDLE_TIMEOUT_MS,
    maxImportBytes: config.IMPORT_MAX_UPLOAD_MB * 1024 * 1024,
  };
}

/** `trainhub dev` and the tests: the development key, reports from localhost allowed. */
export function developmentConnectorSettings(): ConnectorSettings {
  return { keyring: developmentKeyring(), allowLoopbackUrls: true, idleTimeoutMs: DEFAULT_PULL_IDLE_TIMEOUT_MS };
}

export const CLIENT_AUTHENTICATIONS = ['client_secret_basic', 'client_secret_post'] as const;

export type ConnectorAuthInput =
  | { type: 'none' }
  | { type: 'basic'; username: string; password?: string | undefined }
  | {
      type: 'oauth2_client_credentials';
      tokenUrl: string;
      clientId: string;
      clientSecret?: string | undefined;
      scope?: string | null | undefined;
      /** How the client authenticates at the token endpoint (RFC 6749 §2.3.1): HTTP Basic (default) or in the form. */
      clientAuthentication?: (typeof CLIENT_AUTHENTICATIONS)[number] | undefined;
    };

export interface ConnectorInput {
  url: string;
  profileName: string;
  mode: ImportMode;
  auth: ConnectorAuthInput;
  intervalMinutes: number;
  paused: boolean;
}

export type ConnectorAuthView =
  | { type: 'none' }
  | { type: 'basic'; username: string; hasSecret: boolean }
  | { type: 'oauth2_client_credentials'; tokenUrl: string; clientId: string; scope: string | null; clientAuthentication: (typeof CLIENT_AUTHENTICATIONS)[number]; hasSecret: boolean };

export interface ConnectorView {
  id: string;
  name: string;
  url: string;
  profileName: string;
  mode: ImportMode;
  auth: ConnectorAuthView;
  intervalMinutes: number;
  paused: boolean;
  /** The Temporal Schedule that pulls it. */
  scheduleId: string;
  /** When the last pull finished or failed, and what it ended with. */
  lastPullAt: string | null;
  lastRunId: string | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What is kept in `auth_config` (never a secret). */
interface AuthConfig {
  username?: string;
  tokenUrl?: string;
  clientId?: string;
  scope?: string | null;
  clientAuthentication?: (typeof CLIENT_AUTHENTICATIONS)[number];
}

interface ConnectorRow {
  id: string;
  tenantId: string;
  name: string;
  url: string;
  profileName: string;
  mode: ImportMode;
  auth: HcmAuth;
  authConfig: unknown;
  secret: Uint8Array | null;
  intervalMinutes: number;
  paused: boolean;
  scheduleId: string;
  lastPullAt: Date | null;
  lastRunId: string | null;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

// ─── Where a connector may point ───────────────────────────────────────────────────────────────

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');
loopback.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');

const neverReachable = new BlockList();
neverReachable.addSubnet('169.254.0.0', 16, 'ipv4');
neverReachable.addSubnet('fe80::', 10, 'ipv6');
neverReachable.addSubnet('::ffff:169.254.0.0', 112, 'ipv6');
neverReachable.addSubnet('0.0.0.0', 8, 'ipv4');
neverReachable.addAddress('::', 'ipv6');

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const family = isIP(host);
  return family !== 0 && loopback.check(host, family === 4 ? 'ipv4' : 'ipv6');
}

/** Why `raw` may not be a connector's URL (or the target of its redirect), or null when it may. */
export function urlProblem(raw: string, allowLoopback: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'Must be an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'Must be an https:// URL';
  if (url.username || url.password) return 'Must not carry credentials; give them in auth';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const family = isIP(host);
  if (family !== 0 && neverReachable.check(host, family === 4 ? 'ipv4' : 'ipv6')) return 'Must not point at a link-local or unspecified address';
  if (isLoopbackHost(url.hostname)) {
    return allowLoopback ? null : 'Must not point at this machine (localhost)';
  }
  if (url.protocol !== 'https:') return 'Must be an https:// URL (plain http:// only to this machine, in development and tests)';
  return null;
}

/**
 * The same rule for the addresses a name resolves to, checked right before each request: a name
 * pointing at this machine or a link-local address is refused as the address itself would be.
 * (Another answer by the time the request connects — DNS rebinding — is for egress rules to stop.)
 */
async function addressProblem(raw: string, allowLoopback: boolean): Promise<string | null> {
  const host = new URL(raw).hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) return null;
  let addresses: { address: string; family: number }[];
  try {
    addresses = await lookup(host, { all: true });
  } catch {
    return null; // the request itself reports the name that does not resolve
  }
  for (const { address, family } of addresses) {
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (neverReachable.check(address, type)) return `${host} resolves to a link-local or unspecified address`;
    if (!allowLoopback && loopback.check(address, type)) return `${host} resolves to this machine`;
  }
  return null;
}

// ─── Reading and writing connectors ────────────────────────────────────────────────────────────

export async function listConnectors(db: DbTx, tenantId: string): Promise<ConnectorView[]> {
  const rows = await db.hcmConnector.findMany({ where: { tenantId }, orderBy: { name: 'asc' } });
  return rows.map(viewOf);
}

export async function getConnector(db: DbTx, tenantId: string, name: string): Promise<ConnectorView> {
  return viewOf(await findConnector(db, tenantId, name));
}

/**
 * Creates or replaces the connector `name` (created: 201, else 200) and, in the same transaction,
 * queues the command that brings its Temporal Schedule in line (`hcmConnectorSync`). A secret given
 * is sealed; one left out keeps the stored secret while the authentication type and where the secret
 * goes stay the same, and is required otherwise.
 */
export async function putConnector(
  db: Db,
  delivery: CommandDelivery,
  settings: ConnectorSettings,
  tenantId: string,
  actor: Actor,
  name: string,
  input: ConnectorInput,
): Promise<{ connector: ConnectorView; created: boolean }> {
  checkUrls(input, settings);
  const { result, commandIds } = await db.$transaction(async (tx) => {
    await lockConnector(tx, tenantId, name);
    // The profile must exist (the tenant's or a built-in): 422 unknown_profile otherwise.
    await resolveProfile(tx, tenantId, input.profileName);
    const existing = await tx.hcmConnector.findUnique({ where: { tenantId_name: { tenantId, name } } });
    const id = existing?.id ?? randomUUID();
    const { authConfig, secret, secretChanged } = authToStore(settings, tenantId, id, input, existing);
    const data = {
      url: input.url,
      profileName: input.profileName,
      mode: input.mode,
      auth: input.auth.type,
      authConfig: authConfig as object,
      secret: secret === null ? null : new Uint8Array(secret),
      intervalMinutes: input.intervalMinutes,
      paused: input.paused,
      scheduleId: hcmPullScheduleId(tenantId, name),
    };
    const unchanged = existing !== null && !secretChanged && sameSettings(existing, data);
    const row = existing
      ? unchanged
        ? existing
        : await tx.hcmConnector.update({ where: { id }, data })
      : await tx.hcmConnector.create({ data: { id, tenantId, name, ...data } });
    if (!unchanged) {
      await recordAudit(tx, tenantId, actor, {
        action: existing ? 'hcm_connector.updated' : 'hcm_connector.created',
        entityType: 'hcm_connector',
        entityId: id,
        data: { ...auditable(row), secretChanged },
      });
    }
    // Even an unchanged PUT brings the Schedule in line (a repair, should it have been lost).
    const commandIds = await queueProcessCommands(tx, delivery.taskQueue, [syncSchedule(tenantId, name, false)]);
    return { result: { connector: viewOf(row), created: !existing }, commandIds };
  });
  await delivery.deliverNow(commandIds);
  return result;
}

/** Removes the connector; its Schedule is deleted by the same kind of command. Runs it made stay (without the link). */
export async function deleteConnector(db: Db, delivery: CommandDelivery, tenantId: string, actor: Actor, name: string): Promise<void> {
  const commandIds = await db.$transaction(async (tx) => {
    await lockConnector(tx, tenantId, name);
    const row = await findConnector(tx, tenantId, name);
    await tx.hcmConnector.delete({ where: { id: row.id } });
    await recordAudit(tx, tenantId, actor, { action: 'hcm_connector.deleted', entityType: 'hcm_connector', entityId: row.id, data: auditable(row) });
    return queueProcessCommands(tx, delivery.taskQueue, [syncSchedule(tenantId, name, false)]);
  });
  await delivery.deliverNow(commandIds);
}

/**
 * Asks for a pull now: the Schedule (created first if need be) is triggered, under its no-overlap
 * policy — a pull already running makes this one a no-op. The outcome shows on the connector.
 */
export async function requestPull(db: Db, delivery: CommandDelivery, tenantId: string, actor: Actor, name: string): Promise<ConnectorView> {
  const { row, commandIds } = await db.$transaction(async (tx) => {
    const row = await findConnector(tx, tenantId, name);
    await recordAudit(tx, tenantId, actor, { action: 'hcm_connector.pull_requested', entityType: 'hcm_connector', entityId: row.id, data: { name } });
    return { row, commandIds: await queueProcessCommands(tx, delivery.taskQueue, [syncSchedule(tenantId, name, true)]) };
  });
  await delivery.deliverNow(commandIds);
  return viewOf(row);
}

/** The command that brings the connector's Schedule in line with its record (and triggers it when `pull`). */
export function syncSchedule(tenantId: string, name: string, pull: boolean): ProcessCommand {
  const input: HcmConnectorRef = { tenantId, name };
  return {
    tenantId,
    workflowId: hcmConnectorWorkflowId(tenantId, name),
    workflowType: 'hcmConnectorSync',
    action: 'signal_with_start',
    args: [input],
    signal: { name: connectorChangedSignal.name, args: [{ pull }] },
  };
}

/** What the Schedule of a connector should be, read from its record; null when it is gone. */
export async function scheduleOf(db: DbTx, tenantId: string, name: string): Promise<{ scheduleId: string; intervalMinutes: number; paused: boolean } | null> {
  const row = await db.hcmConnector.findUnique({ where: { tenantId_name: { tenantId, name } }, select: { scheduleId: true, intervalMinutes: true, paused: true } });
  return row;
}

// ─── Pulling ───────────────────────────────────────────────────────────────────────────────────

/** A pull that did not deliver a file. `retryable`: a later attempt may fare better (5xx, 408, 429, network, timeout). */
export class PullFailed extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'PullFailed';
  }
}

export interface PullHooks {
  /** Called as the body streams in (bytes so far): the activity heartbeats. */
  onProgress?(bytes: number): void;
  /** The activity was cancelled. */
  signal?: AbortSignal;
  /** Who the run is recorded as started by, e.g. the pull's workflow. */
  actor?: Actor;
}

/**
 * Pulls the connector's report and hands it, as it streams in, to an import run (source
 * `connector:<name>`). Every outcome is written on the connector: `lastPullAt`, and `lastRunId` or
 * `lastError`. A failure is thrown again (PullFailed says whether retrying makes sense).
 */
export async function pullConnector(db: Db, delivery: CommandDelivery, settings: ConnectorSettings, ref: HcmConnectorRef, hooks: PullHooks = {}): Promise<HcmPullResult> {
  const row = await db.hcmConnector.findUnique({ where: { tenantId_name: { tenantId: ref.tenantId, name: ref.name } } });
  if (!row) return { outcome: 'gone' };
  let response: Awaited<ReturnType<typeof fetchReport>> | null = null;
  try {
    const secret = await secretOf(db, settings, row);
    response = await fetchReport(row, secret, settings, hooks);
    const { run, duplicate } = await receiveImport(db, delivery, hooks.actor ?? { type: 'system', id: `connector:${row.name}` }, {
      tenantId: row.tenantId,
      profileName: row.profileName,
      mode: row.mode,
      fileName: fileNameOf(response.url),
      source: `connector:${row.name}`,
      connectorId: row.id,
      content: response.body,
      ...(settings.maxImportBytes ? { maxBytes: settings.maxImportBytes } : {}),
    });
    await db.hcmConnector.updateMany({ where: { id: row.id }, data: { lastPullAt: new Date(), lastRunId: run.id, lastError: null } });
    return { outcome: duplicate ? 'duplicate' : 'imported', runId: run.id };
  } catch (error) {
    // What the connector shows: the pull's own reasons and the rules' (4xx), never the database's or a library's words.
    const message = error instanceof PullFailed || error instanceof DomainError ? error.message : 'The pull failed on our side (the worker’s log has the cause); it is retried';
    await db.hcmConnector.updateMany({ where: { id: row.id }, data: { lastPullAt: new Date(), lastError: message.slice(0, 2000) } });
    throw error;
  } finally {
    response?.close();
  }
}

/** The connector's secret, opened; one sealed under an older key is sealed again under the current one. */
async function secretOf(db: Db, settings: ConnectorSettings, row: ConnectorRow): Promise<string | null> {
  if (row.auth === 'none') return null;
  if (!row.secret) throw new PullFailed('The connector has no stored secret; PUT it again with its password or client secret', false);
  const context = secretContext(row.tenantId, row.id);
  let plain: string;
  try {
    plain = openSecret(settings.keyring, row.secret, context);
  } catch (error) {
    throw new PullFailed(error instanceof Error ? error.message : 'The stored secret does not open', false);
  }
  if (needsResealing(settings.keyring, row.secret)) {
    await db.hcmConnector.updateMany({ where: { id: row.id, secret: { equals: new Uint8Array(row.secret) } }, data: { secret: new Uint8Array(sealSecret(settings.keyring, plain, context)) } });
  }
  return plain;
}

const MAX_REDIRECTS = 5;

/** GETs the report with its credentials; the body is a stream that fails when it stalls longer than the idle timeout. */
async function fetchReport(row: ConnectorRow, secret: string | null, settings: ConnectorSettings, hooks: PullHooks): Promise<{ url: string; body: NodeJS.ReadableStream; close(): void }> {
  const config = (row.authConfig ?? {}) as AuthConfig;
  const origin = new URL(row.url).origin;
  let authorization: string | null = null;
  if (row.auth === 'basic') authorization = `Basic ${Buffer.from(`${config.username ?? ''}:${secret ?? ''}`, 'utf8').toString('base64')}`;
  if (row.auth === 'oauth2_client_credentials') authorization = `Bearer ${await accessToken(config, secret ?? '', settings, hooks)}`;

  const idle = idleTimer(settings.idleTimeoutMs, hooks.signal);
  let url = row.url;
  try {
    for (let redirects = 0; ; redirects++) {
      // Checked at each pull too: the deployment's rules may have changed since the connector was written.
      const refused = urlProblem(url, settings.allowLoopbackUrls) ?? (await addressProblem(url, settings.allowLoopbackUrls));
      if (refused) throw new PullFailed(`A connector may not go to ${withoutQuery(url)}: ${refused}`, false);
      const headers: Record<string, string> = { accept: 'application/json, text/csv, */*' };
      // Credentials go only to the origin they were given for.
      if (authorization && new URL(url).origin === origin) headers.authorization = authorization;
      const response = await fetch(url, { headers, redirect: 'manual', signal: idle.signal }).catch((error: unknown) => {
        throw networkFailure(error, idle, url);
      });
      if (response.status >= 300 && response.status < 400 && response.headers.get('location')) {
        await response.body?.cancel();
        if (redirects >= MAX_REDIRECTS) throw new PullFailed(`More than ${MAX_REDIRECTS} redirects from ${withoutQuery(row.url)}`, false);
        const next = new URL(response.headers.get('location')!, url).toString();
        const problem = urlProblem(next, settings.allowLoopbackUrls);
        if (problem) throw new PullFailed(`The report redirects to ${withoutQuery(next)}, where a connector may not go: ${problem}`, false);
        url = next;
        continue;
      }
      if (!response.ok || !response.body) {
        await response.body?.cancel();
        if (response.status === 401 && row.auth === 'oauth2_client_credentials') forgetToken(config, secret ?? '');
        throw httpFailure(response.status, response.statusText, url);
      }
      idle.touch();
      let bytes = 0;
      const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>).pipe(
        new Transform({
          transform(chunk: Buffer, _encoding, done) {
            idle.touch();
            bytes += chunk.length;
            hooks.onProgress?.(bytes);
            done(null, chunk);
          },
          flush(done) {
            idle.stop();
            done();
          },
        }),
      );
      // A stalled or cancelled download fails the stream (and so the run's reception) with a clear reason.
      idle.signal.addEventListener('abort', () => body.destroy(idle.reason()), { once: true });
      // Whatever the reader did, nothing is left open or ticking once the pull is over.
      const close = () => {
        idle.stop();
        if (!body.destroyed) body.destroy();
      };
      return { url, body, close };
    }
  } catch (error) {
    idle.stop();
    throw error;
  }
}

function httpFailure(status: number, statusText: string, url: string): PullFailed {
  // A retry mends a server's trouble, not a refusal: wrong credentials or a wrong URL wait for a fix (and the next pull).
  const retryable = status >= 500 || status === 408 || status === 425 || status === 429;
  return new PullFailed(`HTTP ${status}${statusText ? ` ${statusText}` : ''} from ${withoutQuery(url)}`, retryable);
}

function networkFailure(error: unknown, idle: IdleTimer, url: string): PullFailed {
  if (idle.signal.aborted) return idle.reason();
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return new PullFailed(`Could not reach ${withoutQuery(url)}: ${cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error))}`, true);
}

interface IdleTimer {
  signal: AbortSignal;
  touch(): void;
  stop(): void;
  reason(): PullFailed;
}

/** Aborts when nothing arrived for `ms` (or the activity is cancelled). */
function idleTimer(ms: number, cancelled?: AbortSignal): IdleTimer {
  const controller = new AbortController();
  let why: PullFailed = new PullFailed(`Nothing arrived for ${ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`} (timeout)`, true);
  let timer: NodeJS.Timeout | null = null;
  const touch = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => controller.abort(why), ms);
  };
  const onCancel = () => {
    why = new PullFailed('The pull was cancelled', true);
    controller.abort(why);
  };
  cancelled?.addEventListener('abort', onCancel, { once: true });
  touch();
  return {
    signal: controller.signal,
    touch,
    stop() {
      if (timer) clearTimeout(timer);
      timer = null;
      cancelled?.removeEventListener('abort', onCancel);
    },
    reason: () => why,
  };
}

// ─── OAuth2 client credentials (RFC 6749 §4.4) ─────────────────────────────────────────────────

/** Tokens by client (token URL, client, secret, scope), kept until a minute before they expire. */
const tokens = new Map<string, { token: string; expiresAt: number }>();

function tokenKey(config: AuthConfig, secret: string): string {
  return JSON.stringify([config.tokenUrl, config.clientId, config.scope ?? null, config.clientAuthentication ?? 'client_secret_basic', secret]);
}

function forgetToken(config: AuthConfig, secret: string): void {
  tokens.delete(tokenKey(config, secret));
}

async function accessToken(config: AuthConfig, secret: string, settings: ConnectorSettings, hooks: PullHooks): Promise<string> {
  const key = tokenKey(config, secret);
  const cached = tokens.get(key);
  if (cached && cached.expiresAt > Date.now()) return cached.token;
  tokens.delete(key);

  const tokenUrl = config.tokenUrl ?? '';
  const problem = urlProblem(tokenUrl, settings.allowLoopbackUrls);
  const refused = problem ?? (await addressProblem(tokenUrl, settings.allowLoopbackUrls));
  if (refused) throw new PullFailed(`The token URL may not be used: ${refused}`, false);
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (config.scope) form.set('scope', config.scope);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if ((config.clientAuthentication ?? 'client_secret_basic') === 'client_secret_basic') {
    // RFC 6749 §2.3.1: client id and secret form-encoded, then Basic.
    headers.authorization = `Basic ${Buffer.from(`${formEncode(config.clientId ?? '')}:${formEncode(secret)}`, 'utf8').toString('base64')}`;
  } else {
    form.set('client_id', config.clientId ?? '');
    form.set('client_secret', secret);
  }
  const idle = idleTimer(settings.idleTimeoutMs, hooks.signal);
  try {
    const response = await fetch(tokenUrl, { method: 'POST', headers, body: form.toString(), redirect: 'manual', signal: idle.signal }).catch((error: unknown) => {
      throw networkFailure(error, idle, tokenUrl);
    });
    const text = await response.text().catch((error: unknown) => {
      throw networkFailure(error, idle, tokenUrl);
    });
    if (!response.ok) {
      // The OAuth2 error code (e.g. invalid_client) says what is wrong without repeating anything secret.
      const code = oauthErrorCode(text);
      const failure = httpFailure(response.status, response.statusText, tokenUrl);
      throw new PullFailed(`The token endpoint refused: ${failure.message}${code ? ` (${code})` : ''}`, failure.retryable);
    }
    let body: { access_token?: unknown; token_type?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new PullFailed(`The token endpoint ${withoutQuery(tokenUrl)} did not answer JSON`, false);
    }
    if (typeof body.access_token !== 'string' || body.access_token.length === 0) throw new PullFailed(`The token endpoint ${withoutQuery(tokenUrl)} returned no access_token`, false);
    if (body.token_type !== undefined && String(body.token_type).toLowerCase() !== 'bearer') {
      throw new PullFailed(`The token endpoint returned a ${String(body.token_type).slice(0, 40)} token; only Bearer tokens are supported`, false);
    }
    const expiresIn = Number(body.expires_in);
    // Kept until a minute before it expires (or half its life, if shorter); without expires_in, not kept.
    if (Number.isFinite(expiresIn) && expiresIn > 0) {
      const margin = Math.min(60, expiresIn / 2);
      tokens.set(key, { token: body.access_token, expiresAt: Date.now() + (expiresIn - margin) * 1000 });
    }
    return body.access_token;
  } finally {
    idle.stop();
  }
}

function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

function oauthErrorCode(text: string): string | null {
  try {
    const code = (JSON.parse(text) as { error?: unknown }).error;
    return typeof code === 'string' && /^[\x20-\x7e]{1,64}$/.test(code) ? code : null;
  } catch {
    return null;
  }
}

// ─── Helpers ───────────────────────────────────────────────────────────────────────────────────

/** What a secret is bound to: this connector of this tenant. */
function secretContext(tenantId: string, connectorId: string): string {
  return `hcm-connector:${tenantId}:${connectorId}`;
}

async function lockConnector(tx: DbTx, tenantId: string, name: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`hcm_connector:${tenantId}:${name}`}, 0))`;
}

async function findConnector(db: DbTx, tenantId: string, name: string): Promise<ConnectorRow> {
  const row = await db.hcmConnector.findUnique({ where: { tenantId_name: { tenantId, name } } });
  if (!row) throw new NotFound('hcm_connector', name);
  return row;
}

function checkUrls(input: ConnectorInput, settings: ConnectorSettings): void {
  const problems: { field: string; message: string }[] = [];
  const urlIssue = urlProblem(input.url, settings.allowLoopbackUrls);
  if (urlIssue) problems.push({ field: 'body.url', message: urlIssue });
  if (input.auth.type === 'oauth2_client_credentials') {
    const tokenIssue = urlProblem(input.auth.tokenUrl, settings.allowLoopbackUrls);
    if (tokenIssue) problems.push({ field: 'body.auth.tokenUrl', message: tokenIssue });
  }
  if (problems.length > 0) throw new InvalidRequest(`Invalid request body: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, problems);
}

/** The auth settings and sealed secret to store: a new secret sealed, or the stored one kept where that is safe. */
function authToStore(
  settings: ConnectorSettings,
  tenantId: string,
  id: string,
  input: ConnectorInput,
  existing: ConnectorRow | null,
): { authConfig: AuthConfig; secret: Buffer | null; secretChanged: boolean } {
  const auth = input.auth;
  if (auth.type === 'none') return { authConfig: {}, secret: null, secretChanged: existing?.secret != null };
  const before = (existing?.authConfig ?? {}) as AuthConfig;
  const authConfig: AuthConfig =
    auth.type === 'basic'
      ? { username: auth.username }
      : { tokenUrl: auth.tokenUrl, clientId: auth.clientId, scope: auth.scope ?? null, clientAuthentication: auth.clientAuthentication ?? 'client_secret_basic' };
  const given = auth.type === 'basic' ? auth.password : auth.clientSecret;
  const field = auth.type === 'basic' ? 'body.auth.password' : 'body.auth.clientSecret';
  if (given !== undefined) return { authConfig, secret: sealSecret(settings.keyring, given, secretContext(tenantId, id)), secretChanged: true };
  // Kept only while the secret would go where it went before.
  const sameDestination =
    existing !== null &&
    existing.secret !== null &&
    existing.auth === auth.type &&
    (auth.type === 'basic' ? new URL(existing.url).origin === new URL(input.url).origin : before.tokenUrl === auth.tokenUrl);
  if (!sameDestination) {
    const message = existing
      ? `Required when the authentication type or where the secret is sent (${auth.type === 'basic' ? 'the URL’s origin' : 'the token URL'}) changes`
      : 'Required';
    throw new InvalidRequest(`Invalid request body: ${field}: ${message}`, [{ field, message }]);
  }
  return { authConfig, secret: Buffer.from(existing.secret!), secretChanged: false };
}

function sameSettings(row: ConnectorRow, data: { url: string; profileName: string; mode: ImportMode; auth: HcmAuth; authConfig: object; intervalMinutes: number; paused: boolean }): boolean {
  return (
    row.url === data.url &&
    row.profileName === data.profileName &&
    row.mode === data.mode &&
    row.auth === data.auth &&
    canonicalJson(row.authConfig ?? {}) === canonicalJson(data.authConfig) &&
    row.intervalMinutes === data.intervalMinutes &&
    row.paused === data.paused
  );
}

/** What the audit trail keeps of a connector: everything but the secret. */
function auditable(row: ConnectorRow) {
  const view = viewOf(row);
  return { name: view.name, url: view.url, profileName: view.profileName, mode: view.mode, auth: view.auth, intervalMinutes: view.intervalMinutes, paused: view.paused };
}

function viewOf(row: ConnectorRow): ConnectorView {
  const config = (row.authConfig ?? {}) as AuthConfig;
  const hasSecret = row.secret !== null && row.secret.length > 0;
  const auth: ConnectorAuthView =
    row.auth === 'basic'
      ? { type: 'basic', username: config.username ?? '', hasSecret }
      : row.auth === 'oauth2_client_credentials'
        ? { type: 'oauth2_client_credentials', tokenUrl: config.tokenUrl ?? '', clientId: config.clientId ?? '', scope: config.scope ?? null, clientAuthentication: config.clientAuthentication ?? 'client_secret_basic', hasSecret }
        : { type: 'none' };
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    profileName: row.profileName,
    mode: row.mode,
    auth,
    intervalMinutes: row.intervalMinutes,
    paused: row.paused,
    scheduleId: row.scheduleId,
    lastPullAt: row.lastPullAt?.toISOString() ?? null,
    lastRunId: row.lastRunId,
    lastError: row.lastError,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function withoutQuery(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

function fileNameOf(url: string): string | undefined {
  const last = new URL(url).pathname.split('/').filter(Boolean).pop();
  if (!last) return undefined;
  try {
    return decodeURIComponent(last).slice(0, 200);
  } catch {
    return last.slice(0, 200);
  }
}
