'use strict';
// Loads Prisma's official Wasm schema engine (@prisma/schema-engine-wasm) and
// exposes the JSON-RPC methods the Prisma CLI calls, with the workarounds that
// make the Wasm build behave like the native `schema-engine` binary.
// Numbers in comments ("pitfall N") refer to /work/shared/PRISMA.md.

const fs = require('node:fs');
const path = require('node:path');
const { bindMigrationAwareSqlAdapterFactory } = require('@prisma/driver-adapter-utils');
const { createAdapterFactory, createDatabase } = require('./connection');

// The package's exports map hides package.json, but exports this glue module.
const WASM_DIR = path.dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));

/** The engine commit hash, e.g. "59be4fda...", read from the package version. */
function wasmEngineHash() {
  const { version } = JSON.parse(fs.readFileSync(path.join(WASM_DIR, 'package.json'), 'utf8'));
  return version.slice(version.lastIndexOf('.') + 1);
}

// Methods forwarded unchanged to the Wasm SchemaEngine.
const FORWARDED = new Set([
  'applyMigrations', 'dbExecute', 'debugPanic', 'devDiagnostic', 'diagnoseMigrationHistory',
  'ensureConnectionValidity', 'introspect', 'introspectSql', 'markMigrationApplied',
  'markMigrationRolledBack', 'reset', 'schemaPush', 'version',
]);

/**
 * The package entry does `import * as wasm from "./x.wasm"`, which Node 20 only
 * supports behind --experimental-wasm-modules (pitfall 3). Do what that import
 * would do by hand: instantiate the .wasm with the ES-module glue as its import
 * object, then hand the instance exports back to the glue.
 */
async function loadWasmModule() {
  const glue = await import(path.join(WASM_DIR, 'schema_engine_bg.js'));
  const bytes = fs.readFileSync(path.join(WASM_DIR, 'schema_engine_bg.wasm'));
  const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': glue });
  glue.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  return glue;
}

/** Raised for a Rust panic inside the Wasm engine; the instance is unusable afterwards. */
class EnginePanic extends Error {}

/**
 * Creates the stand-in engine. `log(line)` receives the engine's tracing events as
 * JSON objects; `print(text)` asks the CLI to print text on its stdout.
 */
async function createEngine({ datamodels, datasource, log, print }) {
  // The Rust panic hook reports its message here before the Wasm traps.
  let panicMessage = null;
  globalThis.PRISMA_WASM_PANIC_REGISTRY = {
    set_message(message) {
      panicMessage = message;
    },
  };

  // Unlike the native binary, the Wasm engine queries the database as soon as it
  // is constructed, so even schema-to-schema diffs need a reachable datasource.
  if (!datasource || !datasource.url) {
    throw new Error(
      'The schema-engine stand-in needs a database for every command, even `migrate diff --from-empty --to-schema`: set `datasource.url` in prisma.config.ts.',
    );
  }
  const wasm = await loadWasmModule();
  const engine = await wasm.SchemaEngine.new(
    { datamodels: datamodels.length > 0 ? datamodels : undefined },
    (line) => log(parseLogLine(line)),
    bindMigrationAwareSqlAdapterFactory(createAdapterFactory(datasource)),
  );
  let panicked = null;

  /** Runs one engine call, turning Wasm traps into EnginePanic. */
  async function guarded(fn) {
    if (panicked) throw new EnginePanic(`The schema engine panicked earlier and cannot be used: ${panicked}`);
    try {
      return await fn();
    } catch (err) {
      if (err instanceof WebAssembly.RuntimeError || panicMessage) {
        panicked = panicMessage || String(err.message);
        throw new EnginePanic(panicked);
      }
      throw err;
    }
  }

  /**
   * evaluateDataLoss / createMigration read a per-instance cache of the schema
   * the migrations produce. devDiagnostic fills it and applyMigrations empties it;
   * without it the Wasm engine cannot reach a shadow DB and fails with "shadow DB
   * must be provided through an external factory". Refill it and retry once
   * (pitfall 6).
   */
  async function withMigrationCache(method, params) {
    try {
      return await guarded(() => engine[method](params));
    } catch (err) {
      if (!/shadow db must be provided through an external factory/i.test(String(err && err.message))) throw err;
      log({ level: 'INFO', fields: { message: `${method}: refilling the migration cache with devDiagnostic` }, target: 'schema_engine_stand_in' });
      await guarded(() => engine.devDiagnostic({ migrationsList: params.migrationsList, filters: params.filters }));
      return guarded(() => engine[method](params));
    }
  }

  // Methods that need more than forwarding.
  const special = {
    evaluateDataLoss: (params) => withMigrationCache('evaluateDataLoss', params),
    createMigration: (params) => withMigrationCache('createMigration', params),
    async diff(params) {
      // The native engine prints the diff itself through a `print` request to the
      // CLI; the Wasm engine returns the text instead (pitfall 7). The CLI adds the
      // final newline.
      const result = await guarded(() => engine.diff(params));
      if (typeof result.stdout === 'string') await print(result.stdout.replace(/\n$/, ''));
      return { exitCode: result.exitCode, stdout: null };
    },
    getDatabaseVersion: () => guarded(() => engine.version()),
    // Not in the Wasm engine (it never creates databases); done directly.
    async createDatabase(params) {
      const source = params && params.datasource;
      const url = source && source.tag === 'ConnectionString' ? source.url : datasource.url;
      return { databaseName: await createDatabase(url) };
    },
  };

  return {
    has: (method) => FORWARDED.has(method) || Object.hasOwn(special, method),
    call(method, params) {
      if (Object.hasOwn(special, method)) return special[method](params);
      return guarded(() => engine[method](params));
    },
  };
}

function parseLogLine(line) {
  try {
    return JSON.parse(line);
  } catch {
    return { level: 'INFO', fields: { message: String(line) }, target: 'schema_engine_wasm' };
  }
}

module.exports = { createEngine, wasmEngineHash, EnginePanic };
