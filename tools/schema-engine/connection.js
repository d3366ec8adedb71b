'use strict';
// PostgreSQL plumbing for the schema-engine stand-in: connection-string parsing,
// the driver-adapter factory handed to the Wasm engine, the one-shot database
// commands, and the mapping of driver errors to Prisma's user-facing P-codes.
// Numbers in comments ("pitfall N") refer to /work/shared/PRISMA.md.

const crypto = require('node:crypto');
const pg = require('pg');
const { parse: parseConnectionString } = require('pg-connection-string');
const { PrismaPg } = require('@prisma/adapter-pg');
const { DriverAdapterError } = require('@prisma/driver-adapter-utils');

// Query parameters that mean something to Prisma's own URL parser but nothing
// (or something else) to node-postgres. They are dropped from the pg config.
const PRISMA_ONLY_PARAMS = [
  'schema', 'connection_limit', 'pool_timeout', 'connect_timeout', 'socket_timeout',
  'pgbouncer', 'statement_cache_size', 'sslaccept', 'sslidentity', 'sslpassword',
  'max_connection_lifetime', 'max_idle_connection_lifetime', 'single_use_connections', 'sslmode', 'uselibpqcompat',
];

/** An error that carries a Prisma user-facing error code (P1001, P1003, ...). */
class UserFacingError extends Error {
  constructor(code, message, meta) {
    super(message);
    this.errorCode = code;
    this.meta = meta;
  }
}

function quoteIdent(name) {
  return `"${String(name).replace(/"/g, '""')}"`;
}

/**
 * Parses a `postgres://` / `postgresql://` URL into discrete node-postgres options.
 * Discrete options matter: pg lets `connectionString` override `database`, which
 * silently pointed the shadow database at the main one (pitfall 5).
 * Returns { config, schema, database, host, port, user }.
 */
function parseDatabaseUrl(url) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserFacingError('P1013', 'The provided database string is invalid. The URL could not be parsed.');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new UserFacingError(
      'P1013',
      `The provided database string is invalid. This stand-in only supports PostgreSQL URLs (postgres:// or postgresql://), got \`${parsed.protocol}\`.`,
    );
  }

  // libpq semantics for sslmode, as in Prisma: `require` encrypts without verifying
  // the certificate unless `sslaccept=strict` (pg's own default treats it as
  // verify-full and prints a deprecation warning).
  const raw = parseConnectionString(url, /[?&]uselibpqcompat=/i.test(url) ? {} : { useLibpqCompat: true });
  if (raw.sslaccept === 'strict' && raw.ssl && typeof raw.ssl === 'object') raw.ssl.rejectUnauthorized = true;
  const config = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!PRISMA_ONLY_PARAMS.includes(key) && value !== null && value !== undefined && value !== '') config[key] = value;
  }
  if (config.port !== undefined) config.port = Number(config.port);
  // Prisma's connect_timeout is in seconds (default 5); pg's is in milliseconds.
  const connectTimeout = raw.connect_timeout === undefined ? 5 : Number(raw.connect_timeout);
  if (connectTimeout > 0) config.connectionTimeoutMillis = connectTimeout * 1000;
  // "char"/name catalog columns must come back as text (pitfall 4).
  config.Client = CatalogTextClient;
  // One connection, like the native engine. Session state must not be spread over
  // a pool: applyMigrations takes pg_advisory_lock(72707369) and never releases
  // it, so a later lock call from this same process that landed on a second pooled
  // connection would wait forever for the first.
  config.max = 1;

  // `?schema=name`: every pooled connection gets it as search_path (pitfall 9),
  // and the adapter is told about it so the engine qualifies its catalog queries.
  const schema = typeof raw.schema === 'string' && raw.schema !== '' ? raw.schema : undefined;
  if (schema) {
    const setting = `-c search_path=${quoteIdent(schema).replace(/[\s\\]/g, '\\$&')}`;
    config.options = config.options ? `${config.options} ${setting}` : setting;
  }

  return {
    config,
    schema,
    database: config.database || 'postgres',
    host: config.host || 'localhost',
    port: config.port || 5432,
    user: config.user,
  };
}

/**
 * adapter-pg rejects result columns whose type it does not know, among them the
 * pg_catalog `"char"` type (OID 18) that the engine's describer reads, e.g.
 * pg_class.relkind (prisma/orm#27403; older adapter versions also choked on `name`,
 * OID 19). Their text values are plain strings anyway, so report them as text.
 * pg.Pool#query calls client.query(text, values, callback), the adapter's
 * transactions use the promise form: both are handled.
 */
const RETYPED_OIDS = new Set([18, 19]);
const TEXT_OID = 25;

function retypeFields(result) {
  for (const single of Array.isArray(result) ? result : [result]) {
    for (const field of (single && single.fields) || []) {
      if (RETYPED_OIDS.has(field.dataTypeID)) field.dataTypeID = TEXT_OID;
    }
  }
  return result;
}

class CatalogTextClient extends pg.Client {
  query(config, values, callback) {
    // Submittables (cursors, streams) manage their own results.
    if (config && typeof config.submit === 'function') return super.query(config, values, callback);
    if (typeof values === 'function') {
      callback = values;
      values = undefined;
    }
    if (typeof callback === 'function') {
      return super.query(config, values, (err, result) => callback(err, err ? result : retypeFields(result)));
    }
    return super.query(config, values).then(retypeFields);
  }
}

/** Opens a single short-lived client, runs `fn(client)`, always closes it. */
async function withClient(config, fn) {
  const client = new pg.Client(config);
  client.on('error', () => {}); // a dropped connection surfaces through the pending query instead
  try {
    await client.connect();
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Like withClient, but for server-level commands (CREATE/DROP DATABASE) that must
 * not run inside the target database: try `postgres`, then `template1`, like the
 * native engine.
 */
async function withAdminClient(conn, fn) {
  let lastError;
  for (const database of ['postgres', 'template1']) {
    try {
      return await withClient({ ...conn.config, database }, fn);
    } catch (err) {
      lastError = err;
      if (err.code !== '3D000') throw err; // only "database does not exist" moves on
    }
  }
  throw lastError;
}

/**
 * adapter-pg splits scripts on every `;`, which breaks semicolons inside string
 * literals, comments and dollar-quoted function bodies. Send the script as one
 * simple-protocol query instead, the way the native engine does (one implicit
 * transaction for a multi-statement script).
 */
function sendScriptsWhole(adapter) {
  adapter.executeScript = async (script) => {
    try {
      await adapter.underlyingDriver().query(script);
    } catch (err) {
      adapter.onError(err); // rethrows as a DriverAdapterError the engine understands
    }
  };
  return adapter;
}

/**
 * The migration-aware adapter factory given to the Wasm engine. `connect` is the
 * main database; `connectToShadowDb` is used while replaying migrations.
 */
function createAdapterFactory({ url, shadowDatabaseUrl }) {
  const main = parseDatabaseUrl(url);
  const adapterOptions = (conn) => (conn.schema ? { schema: conn.schema } : undefined);
  const mainFactory = new PrismaPg(main.config, adapterOptions(main));

  async function connectTemporaryShadow() {
    // Replaces adapter-pg's connectToShadowDb, which (a) built the shadow pool from
    // the connection string, i.e. the main DB, and (b) dropped the shadow DB before
    // closing its own pool ("being accessed by other users"). Pitfall 5.
    const name = `prisma_migrate_shadow_db_${crypto.randomUUID()}`;
    await withAdminClient(main, (c) => c.query(`CREATE DATABASE ${quoteIdent(name)}`));
    const shadow = { ...main, config: { ...main.config, database: name }, database: name };
    const dropShadow = () => withAdminClient(main, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`));
    let adapter;
    try {
      if (shadow.schema) await withClient(shadow.config, (c) => c.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(shadow.schema)}`));
      adapter = sendScriptsWhole(await new PrismaPg(shadow.config, adapterOptions(shadow)).connect());
    } catch (err) {
      await dropShadow().catch(() => {});
      throw err;
    }
    const closePool = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await closePool(); // close first ...
      await dropShadow().catch(reportable); // ... then drop
    };
    return adapter;
  }

  async function connectFixedShadow() {
    const shadow = parseDatabaseUrl(shadowDatabaseUrl);
    if (shadow.host === main.host && shadow.port === main.port && shadow.database === main.database) {
      throw new Error('The shadow database you configured appears to be the same as the main database. Please specify another shadow database.');
    }
    // The Wasm engine replays migrations into a configured shadow database without
    // emptying it first (pitfall 8). It is a throw-away database by definition: drop
    // every non-system schema, then recreate the one the URL points at.
    const target = shadow.schema || 'public';
    await withClient(shadow.config, async (c) => {
      const { rows } = await c.query(
        `SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'`,
      );
      for (const { nspname } of rows) await c.query(`DROP SCHEMA ${quoteIdent(nspname)} CASCADE`);
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(target)}`);
    });
    return sendScriptsWhole(await new PrismaPg(shadow.config, adapterOptions(shadow)).connect());
  }

  return {
    provider: mainFactory.provider,
    adapterName: mainFactory.adapterName,
    connect: async () => sendScriptsWhole(await mainFactory.connect()),
    connectToShadowDb: () => (shadowDatabaseUrl ? connectFixedShadow() : connectTemporaryShadow()).catch(reportable),
  };
}

/**
 * Errors thrown from our own adapter code reach the engine as an opaque "External
 * error id#0" unless they are DriverAdapterErrors: wrap them (e.g. "permission
 * denied to create database" when the role lacks CREATEDB, pitfall 10).
 */
function reportable(err) {
  if (err instanceof DriverAdapterError) throw err;
  const pgError = err && typeof err.code === 'string' && typeof err.severity === 'string';
  throw new DriverAdapterError({
    kind: 'postgres',
    code: pgError ? err.code : 'N/A',
    severity: pgError ? err.severity : 'ERROR',
    message: String((err && err.message) || err),
    detail: pgError ? err.detail : undefined,
    column: pgError ? err.column : undefined,
    hint: pgError ? err.hint : undefined,
  });
}

// ---- one-shot commands (`schema-engine cli <command>`) -------------------------

async function canConnectToDatabase(url) {
  const conn = parseDatabaseUrl(url);
  try {
    await withClient(conn.config, (c) => c.query('SELECT 1'));
  } catch (err) {
    throw toUserFacingError(err, conn);
  }
}

/** Creates the database named in `url` (and its `?schema=`); returns its name. */
async function createDatabase(url) {
  const conn = parseDatabaseUrl(url);
  try {
    await withAdminClient(conn, (c) => c.query(`CREATE DATABASE ${quoteIdent(conn.database)}`));
    if (conn.schema) await withClient(conn.config, (c) => c.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(conn.schema)}`));
  } catch (err) {
    throw toUserFacingError(err, conn);
  }
  return conn.database;
}

async function dropDatabase(url) {
  const conn = parseDatabaseUrl(url);
  try {
    await withAdminClient(conn, (c) => c.query(`DROP DATABASE ${quoteIdent(conn.database)}`));
  } catch (err) {
    throw toUserFacingError(err, conn);
  }
}

// ---- errors --------------------------------------------------------------------

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT']);

/** Maps a pg / socket error to the P-code and wording the native engine uses. */
function toUserFacingError(err, conn) {
  if (err instanceof UserFacingError) return err;
  const at = `${conn.host}:${conn.port}`;
  const message = String((err && err.message) || err);
  switch (err && err.code) {
    case '28P01':
    case '28000':
      return new UserFacingError(
        'P1000',
        `Authentication failed against database server at \`${conn.host}\`, the provided database credentials for \`${conn.user}\` are not valid.\n\nPlease make sure to provide valid database credentials for the database server at \`${conn.host}\`.`,
      );
    case '3D000':
      return new UserFacingError('P1003', `Database \`${conn.database}\` does not exist on the database server at \`${at}\`.`);
    case '42P04':
      return new UserFacingError('P1009', `Database \`${conn.database}\` already exists on the database server at \`${at}\``);
    case '42501':
      return new UserFacingError('P1010', `User \`${conn.user}\` was denied access on the database \`${conn.database}\``);
    default:
      break;
  }
  if ((err && UNREACHABLE.has(err.code)) || /connection timeout|timeout expired/i.test(message)) {
    return new UserFacingError(
      'P1001',
      `Can't reach database server at \`${at}\`\n\nPlease make sure your database server is running at \`${at}\`.`,
    );
  }
  if (/SSL|TLS|certificate/i.test(message)) return new UserFacingError('P1011', `Error opening a TLS connection: ${message}`);
  if (/Connection terminated/i.test(message)) return new UserFacingError('P1017', 'Server has closed the connection.');
  return err instanceof Error ? err : new Error(message);
}

module.exports = {
  UserFacingError,
  parseDatabaseUrl,
  createAdapterFactory,
  canConnectToDatabase,
  createDatabase,
  dropDatabase,
};
