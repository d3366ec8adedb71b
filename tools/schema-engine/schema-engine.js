#!/usr/bin/env node
'use strict';
// Stand-in for Prisma's native `schema-engine` binary, for machines that cannot
// download it. Point the stock Prisma CLI at it with PRISMA_SCHEMA_ENGINE_BINARY
// (tools/prisma.sh does). It takes the native binary's command line (see USAGE)
// and forwards the work to Prisma's Wasm schema engine over @prisma/adapter-pg.
// Every workaround is explained where it is applied; /work/shared/PRISMA.md lists
// why each one exists. PostgreSQL only. Relies on internal contracts of the
// pinned Prisma versions: re-run test/tools/schema-engine.test.ts on any bump.
// SCHEMA_ENGINE_STAND_IN_DEBUG=1 logs each request's duration to stderr (shown by
// the CLI with DEBUG=prisma:schemaEngine:stderr).

const USAGE = `Usage:
  schema-engine.js --version
  schema-engine.js [--datamodels <path>]... --datasource <json> cli <command>
      one-shot command: can-connect-to-database | create-database | drop-database
  schema-engine.js [--datamodels <path>]... [--datasource <json>]
      newline-delimited JSON-RPC 2.0 on stdin/stdout
`;

const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');

// stdout belongs to the JSON-RPC stream, and stderr lines are parsed as JSON by
// the CLI: route every stray console call and Node warning there as a JSON log line.
for (const name of ['log', 'info', 'debug', 'warn', 'error']) {
  console[name] = (...args) => logLine(name === 'error' ? 'ERROR' : 'INFO', args.map(String).join(' '));
}
process.removeAllListeners('warning');
process.on('warning', (warning) => logLine('WARN', `${warning.name}: ${warning.message}`));

function logLine(level, message, extra = {}) {
  writeLog({ level, fields: { message, ...extra }, target: 'schema_engine_stand_in' });
}

function writeLog(entry) {
  process.stderr.write(`${JSON.stringify({ timestamp: new Date().toISOString(), ...entry })}\n`);
}

function parseArgs(argv) {
  const args = { datamodels: [], datasource: null, cliCommand: null, version: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--version' || arg === '-V') args.version = true;
    else if (arg === '--datamodels') args.datamodels.push(argv[++i]);
    else if (arg === '--datasource') args.datasource = JSON.parse(argv[++i]);
    else if (arg === 'cli') args.cliCommand = argv[++i];
    else if (arg === '--help' || arg === '-h') args.help = true;
    // --enabled-preview-features / --extension-types carry a value we do not use.
    else if (arg === '--enabled-preview-features' || arg === '--extension-types') i++;
    else throw new Error(`Unknown argument: ${arg}`);
  }
  return args;
}

/**
 * `cli <command>`: exit 0 on success; on failure exit 1 with a JSON log line on
 * stderr whose `fields.error_code` is the P-code. The CLI skips the first stderr
 * line and JSON-parses every other one, so nothing else may be written there.
 */
async function runCliCommand(command, datasource, hash) {
  const connection = require('./connection');
  writeLog({ level: 'INFO', fields: { message: 'Starting schema engine CLI', git_hash: hash }, target: 'schema_engine_cli' });
  const commands = {
    'can-connect-to-database': connection.canConnectToDatabase,
    'create-database': connection.createDatabase,
    'drop-database': connection.dropDatabase,
  };
  try {
    if (!commands[command]) throw new Error(`Unknown cli command: ${command}`);
    if (!datasource || !datasource.url) throw new Error('The `cli` commands need --datasource with a `url`.');
    await commands[command](datasource.url);
    return 0;
  } catch (err) {
    const fields = { is_panic: false, message: String(err && err.message) };
    if (err && err.errorCode) fields.error_code = err.errorCode;
    writeLog({ level: 'ERROR', fields, target: 'schema_engine::logger' });
    return 1;
  }
}

/** The JSON-RPC server. One engine per process; requests are answered in order. */
function runRpcServer({ datamodels, datasource }) {
  const { createEngine, EnginePanic } = require('./wasm-engine');
  const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

  // Requests *we* send to the CLI (only `print`), keyed by id.
  let nextOutgoingId = 1;
  const pendingOutgoing = new Map();
  const print = (content) =>
    new Promise((resolve) => {
      const id = `stand-in-print-${nextOutgoingId++}`;
      pendingOutgoing.set(id, resolve);
      send({ jsonrpc: '2.0', id, method: 'print', params: { content } });
    });

  const enginePromise = createEngine({
    datamodels: datamodels.map((file) => [file, fs.readFileSync(path.resolve(file), 'utf8')]),
    datasource,
    log: (entry) => writeLog(entry),
    print,
  });
  enginePromise.catch(() => {}); // reported per request below

  async function handle(request) {
    const { id, method, params } = request;
    const started = Date.now();
    try {
      const engine = await enginePromise;
      if (!engine.has(method)) {
        return send({ jsonrpc: '2.0', id, error: { code: -32601, message: `Method not found: ${method}` } });
      }
      const result = await engine.call(method, params);
      send({ jsonrpc: '2.0', id, result: result === undefined ? null : result });
    } catch (err) {
      const data = { is_panic: err instanceof EnginePanic, message: String((err && err.message) || err) };
      // Known engine errors carry their P-code as `code`; ours as `errorCode`.
      const code = err && (err.errorCode || (/^P\d{4}$/.test(err.code) ? err.code : undefined));
      if (code) data.error_code = code;
      if (err && err.meta) data.meta = err.meta;
      // The CLI shows `data.message`, except for panics, where it shows `message`.
      const message = data.is_panic ? data.message : 'An error happened. Check the data field for details.';
      send({ jsonrpc: '2.0', id, error: { code: 4466, message, data } });
    } finally {
      if (process.env.SCHEMA_ENGINE_STAND_IN_DEBUG) logLine('INFO', `${method} took ${Date.now() - started} ms`);
    }
  }

  let queue = Promise.resolve();
  const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  input.on('line', (line) => {
    if (line.trim() === '') return;
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      return send({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
    }
    if (message.method === undefined) {
      // A response from the CLI to one of our `print` requests.
      const resolve = pendingOutgoing.get(message.id);
      pendingOutgoing.delete(message.id);
      if (resolve) resolve();
      return;
    }
    queue = queue.then(() => handle(message));
  });
  // The CLI ends stdin when it is done; pg pools would keep Node alive, so exit.
  input.on('close', () => queue.then(() => process.exit(0)));
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const { wasmEngineHash } = require('./wasm-engine');
  if (args.version) {
    process.stdout.write(`schema-engine-cli ${wasmEngineHash()}\n`);
    return;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (args.cliCommand) {
    process.exitCode = await runCliCommand(args.cliCommand, args.datasource, wasmEngineHash());
    return;
  }
  runRpcServer(args);
}

process.on('unhandledRejection', (err) => logLine('ERROR', `Unhandled rejection: ${(err && err.stack) || err}`));

main().catch((err) => {
  writeLog({ level: 'ERROR', fields: { is_panic: false, message: String((err && err.stack) || err) }, target: 'schema_engine::logger' });
  process.exit(1);
});
