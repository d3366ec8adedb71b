import { createHash, randomUUID } from 'node:crypto';
import type { Db, DbTx } from '../../db/client';
import { connectPlain, Prisma } from '../../db/client';
import { Conflict, DomainError, InvalidRequest, NotFound, UnsupportedMediaType } from '../../domain/errors';
import { importRunWorkflowId } from '../../domain/workflow-ids';
import type { ImportKind, ImportMode, ImportRunState } from '../../generated/prisma/enums';
import { recordAudit, type Actor } from '../audit/trail';
import { isUuid } from '../catalog/common';
import { queueProcessCommands, startImportRunProcess, tellImportRunProcess } from '../processes/commands';
import type { CommandDelivery } from '../processes/operations';
import { toCsv } from '../renewals/audit-trail';
import { profileFormat, profileKind, resolveProfile } from './profiles';
import { DISPLAY_LINE } from './staging';

/**
 * Import runs: a file as received (kept in the database in pieces of 1 MiB, so any worker reads it
 * back as a stream), and the process that stages, compares and applies it. The same file (tenant,
 * kind, SHA-256 of its bytes) received again is the same run: one workflow id per file.
 */

/** Pieces the file is kept in (import_chunk). */
export const CHUNK_BYTES = 1024 * 1024;
/** The largest file a run takes unless the deployment says otherwise (IMPORT_MAX_UPLOAD_MB). */
export const DEFAULT_MAX_IMPORT_BYTES = 200 * 1024 * 1024;
/** A run whose upload is still arriving carries this in place of its hash (no file has two runs meanwhile). */
const RECEIVING = 'receiving:';

export class ImportTooLarge extends DomainError {
  constructor(limit: number) {
    const mib = limit / 1024 / 1024;
    super(413, 'upload_too_large', `The file is larger than the ${Number.isInteger(mib) ? `${mib} MiB` : `${limit} bytes`} an import may be (IMPORT_MAX_UPLOAD_MB); nothing was kept`, { limitBytes: limit });
  }
}

export interface ImportRequest {
  tenantId: string;
  /** people or transcript; the profile's kind when left out (a different one is refused). */
  kind?: ImportKind;
  profileName: string;
  mode: ImportMode;
  fileName?: string;
  /** api, cli, or the connector that pulled the file. */
  source: string;
  connectorId?: string;
  content: NodeJS.ReadableStream;
  /** What the sender says the file is; refused (415) when the profile reads the other format. */
  format?: 'csv' | 'json';
  /** The cap on the file's size (DEFAULT_MAX_IMPORT_BYTES when left out). */
  maxBytes?: number;
  /** Told after each stored piece, with the bytes received so far (a progress bar). */
  onBytes?: (bytes: number) => void;
}

/** What a run counts (keys appear as the run reaches the step that counts them). */
export interface ImportCounts {
  /** Records read from the file (good and bad). */
  rows?: number;
  /** Rows refused (each with its line in errors.csv). */
  rejected?: number;
  /** People new to trainhub (hires). */
  created?: number;
  /** Terminated people active again (a hire of someone known). */
  rehired?: number;
  /** People whose roles, department, location, manager, e-mail or name changed (transfers). */
  updated?: number;
  onLeave?: number;
  returned?: number;
  /** Terminations, those of people absent from a snapshot included. */
  terminated?: number;
  /** Of them: people a snapshot lacks. */
  absent?: number;
  /** Valid rows that change nothing. */
  unchanged?: number;
  /** Changes that wait for a day after today. */
  futureDated?: number;
  /** Transcript runs: completions to record. */
  completions?: number;
  /** Changes the existing rules refused when applied (each in errors.csv). */
  refused?: number;
}

export interface ImportRunView {
  id: string;
  kind: ImportKind;
  mode: ImportMode;
  profile: { name: string; version: number | null };
  source: string;
  fileName: string | null;
  sizeBytes: number;
  contentHash: string;
  state: ImportRunState;
  counts: ImportCounts;
  progress: { applied: number; toApply: number };
  error: string | null;
  workflowId: string;
  /** Set when the accidental-deletion guard held the run: what it found, and who confirmed. */
  confirmation: {
    terminations: number;
    activePeople: number;
    /** The guard holds a snapshot terminating more than this share of the source's active people … */
    maxSharePercent: number;
    /** … and more than this many people. */
    minPeople: number;
    confirmedAt: string | null;
    confirmedBy: string | null;
  } | null;
  createdAt: string;
  updatedAt: string;
  links: { self: string; errors: string };
}

/**
 * Receives a file for an import: streams it into import_chunk while hashing it (beyond the cap it
 * stops reading and refuses), then, in one transaction, either finds the run this very file already
 * has (`duplicate`: the pieces just written are dropped) or makes it a run (the profile as it is
 * now, state received) together with the command that starts its process. Two identical uploads at
 * once make one run: the unique (tenant, kind, hash) decides, the loser answers with the winner's.
 */
export async function receiveImport(db: Db, delivery: CommandDelivery, actor: Actor, request: ImportRequest): Promise<{ run: ImportRunView; duplicate: boolean }> {
  const { tenantId } = request;
  const profile = await resolveProfile(db, tenantId, request.profileName);
  const kind = profileKind(profile.definition);
  if (request.kind && request.kind !== kind) {
    throw new DomainError(422, 'profile_kind_mismatch', `The profile "${profile.name}" reads ${kind} files, not ${request.kind}`, { profile: profile.name, kind });
  }
  const format = profileFormat(profile.definition);
  if (request.format && request.format !== format) {
    throw new UnsupportedMediaType(`The profile "${profile.name}" reads ${format.toUpperCase()}: send the file as ${format === 'csv' ? 'text/csv' : 'application/json'}`);
  }
  const maxBytes = request.maxBytes ?? DEFAULT_MAX_IMPORT_BYTES;
  // Uploads a crash cut off (still receiving a day later) are dropped with the next upload.
  await db.importRun.deleteMany({ where: { tenantId, contentHash: { startsWith: RECEIVING }, createdAt: { lt: new Date(Date.now() - 86_400_000) } } });
  const runId = randomUUID();
  // The run exists from the first byte on (the pieces point at it); until its hash is known it is
  // `receiving:<id>`, which no view shows.
  await db.importRun.create({
    data: {
      id: runId,
      tenantId,
      kind,
      mode: request.mode,
      profileName: profile.name,
      profileVersion: profile.version,
      profile: profile.definition as unknown as Prisma.InputJsonValue,
      contentHash: `${RECEIVING}${runId}`,
      fileName: request.fileName ?? null,
      sizeBytes: 0n,
      source: request.source,
      workflowId: '',
      connectorId: request.connectorId ?? null,
    },
  });
  let received: { run: ImportRunView; duplicate: boolean; commandIds: bigint[] };
  try {
    const { sha256, bytes } = await storeChunks(db, runId, request.content, maxBytes, request.onBytes);
    if (bytes === 0) throw new InvalidRequest('The file is empty: send the file as the request body');
    received = await adoptOrDrop(db, delivery, actor, { tenantId, runId, kind, sha256, bytes });
  } catch (error) {
    await db.importRun.deleteMany({ where: { id: runId, contentHash: `${RECEIVING}${runId}` } }).catch(() => undefined);
    throw error;
  }
  await delivery.deliverNow(received.commandIds);
  return { run: received.run, duplicate: received.duplicate };
}

/**
 * Streams the content into pieces of CHUNK_BYTES (one piece in memory at a time), hashing as it goes.
 * The pieces go as bytes over a plain connection: through Prisma each was sent as hex text, at a
 * third of the speed, and the process's memory grew with the file.
 */
async function storeChunks(db: Db, runId: string, content: NodeJS.ReadableStream, maxBytes: number, onBytes?: (bytes: number) => void): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  let seq = 0;
  const piece = Buffer.allocUnsafe(CHUNK_BYTES);
  let filled = 0;
  const client = await connectPlain(db);
  const flush = async () => {
    if (filled === 0) return;
    await client.query('INSERT INTO import_chunk (run_id, seq, data) VALUES ($1, $2, $3)', [runId, seq++, piece.subarray(0, filled)]);
    filled = 0;
    onBytes?.(bytes);
  };
  try {
    for await (const part of content as AsyncIterable<Buffer | string>) {
      const chunk = typeof part === 'string' ? Buffer.from(part) : part;
      bytes += chunk.length;
      if (bytes > maxBytes) throw new ImportTooLarge(maxBytes);
      hash.update(chunk);
      let offset = 0;
      while (offset < chunk.length) {
        const taken = chunk.copy(piece, filled, offset);
        filled += taken;
        offset += taken;
        if (filled === CHUNK_BYTES) await flush();
      }
    }
    await flush();
  } finally {
    await client.end().catch(() => undefined);
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** The received file becomes its run (with the start of its process), or is dropped for the run it already has. */
async function adoptOrDrop(
  db: Db,
  delivery: CommandDelivery,
  actor: Actor,
  file: { tenantId: string; runId: string; kind: ImportKind; sha256: string; bytes: number },
): Promise<{ run: ImportRunView; duplicate: boolean; commandIds: bigint[] }> {
  const { tenantId, runId, kind, sha256 } = file;
  const dropForEarlier = async (tx: DbTx) => {
    const earlier = await tx.importRun.findUnique({ where: { tenantId_kind_contentHash: { tenantId, kind, contentHash: sha256 } } });
    if (!earlier) return null;
    await tx.importRun.delete({ where: { id: runId } });
    return { run: viewOf(earlier), duplicate: true, commandIds: [] };
  };
  try {
    return await db.$transaction(async (tx) => {
      const duplicate = await dropForEarlier(tx);
      if (duplicate) return duplicate;
      const workflowId = importRunWorkflowId(tenantId, kind, sha256);
      const run = await tx.importRun.update({ where: { id: runId }, data: { contentHash: sha256, sizeBytes: BigInt(file.bytes), workflowId } });
      await recordAudit(tx, tenantId, actor, {
        action: 'import_run.received',
        entityType: 'import_run',
        entityId: runId,
        data: { kind, mode: run.mode, profile: run.profileName, profileVersion: run.profileVersion, sha256, bytes: file.bytes, fileName: run.fileName, source: run.source },
      });
      const commandIds = await queueProcessCommands(tx, delivery.taskQueue, [startImportRunProcess(tenantId, runId, kind, sha256)]);
      return { run: viewOf(run), duplicate: false, commandIds };
    });
  } catch (error) {
    // The same file arriving twice at once: the other upload's run took the hash first.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      const duplicate = await db.$transaction(dropForEarlier);
      if (duplicate) return duplicate;
    }
    throw error;
  }
}

// ─── Reading runs ──────────────────────────────────────────────────────────────────────────────

export async function getImportRun(db: DbTx, tenantId: string, id: string): Promise<ImportRunView> {
  return viewOf(await findRun(db, tenantId, id));
}

/** The tenant's runs, newest first. */
export async function listImportRuns(db: DbTx, tenantId: string, options: { limit?: number; state?: ImportRunState } = {}): Promise<ImportRunView[]> {
  const rows = await db.importRun.findMany({
    where: { tenantId, NOT: { contentHash: { startsWith: RECEIVING } }, ...(options.state ? { state: options.state } : {}) },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: options.limit ?? 20,
  });
  return rows.map(viewOf);
}

/**
 * The run's refused rows and the changes that failed when applied, by line: `line,external_id,error`
 * (RFC 4180; cells a spreadsheet would take for a formula are prefixed with '). People a snapshot
 * lacks have no line: theirs is empty. A transcript's person named by e-mail shows the e-mail.
 */
export async function importErrorsCsv(db: DbTx, tenantId: string, id: string): Promise<string> {
  const run = await findRun(db, tenantId, id);
  const rows = await db.$queryRaw<{ line: number | null; external_id: string | null; error: string }[]>(Prisma.sql`
    SELECT line, external_id, error FROM (
      SELECT ${Prisma.raw(DISPLAY_LINE('r.line', 'r.record_id'))} AS line, r.line AS staged, coalesce(r.external_id, r.email) AS external_id, r.error, 0 AS step
        FROM import_row r WHERE r.run_id = ${run.id}::uuid AND r.error IS NOT NULL
      UNION ALL
      SELECT ${Prisma.raw(DISPLAY_LINE('c.line', 'r.record_id'))}, c.line, c.external_id, c.kind::text || ': ' || c.error, 1
        FROM import_change c LEFT JOIN import_row r ON r.run_id = c.run_id AND r.line = c.line
       WHERE c.run_id = ${run.id}::uuid AND c.error IS NOT NULL
    ) e
    ORDER BY line NULLS LAST, staged, step, external_id`);
  return toCsv([['line', 'external_id', 'error'], ...rows.map((r) => [r.line ?? '', r.external_id ?? '', r.error])]);
}

// ─── The guard's answer ────────────────────────────────────────────────────────────────────────

/**
 * Confirms a run the guard held: who and when are recorded, and the run's process is told (it then
 * applies the run). Confirming again, or after the run went on, answers the run as it is.
 */
export async function confirmImportRun(db: Db, delivery: CommandDelivery, tenantId: string, actor: Actor, id: string): Promise<ImportRunView> {
  return decide(db, delivery, tenantId, actor, id, 'confirm');
}

/** Cancels a run the guard held: nothing of it is applied. Cancelling again answers the run as it is. */
export async function cancelImportRun(db: Db, delivery: CommandDelivery, tenantId: string, actor: Actor, id: string): Promise<ImportRunView> {
  return decide(db, delivery, tenantId, actor, id, 'cancel');
}

async function decide(db: Db, delivery: CommandDelivery, tenantId: string, actor: Actor, id: string, decision: 'confirm' | 'cancel'): Promise<ImportRunView> {
  const { run, commandIds } = await db.$transaction(async (tx) => {
    const found = await findRun(tx, tenantId, id);
    await tx.$queryRaw`SELECT id FROM import_run WHERE id = ${found.id}::uuid FOR UPDATE`;
    const current = await tx.importRun.findUniqueOrThrow({ where: { id: found.id } });
    const repeated = decision === 'confirm' ? current.confirmedAt !== null && current.state !== 'cancelled' : current.state === 'cancelled';
    if (repeated) return { run: current, commandIds: [] };
    if (current.state !== 'awaiting_confirmation') {
      throw new Conflict('import_not_awaiting_confirmation', `The import run is ${current.state.replace('_', ' ')}; only a run awaiting confirmation can be ${decision === 'confirm' ? 'confirmed' : 'cancelled'}`, {
        state: current.state,
      });
    }
    // Who confirmed is kept on the run (the audit trail has who cancelled, and both).
    const by = actor.id ? `${actor.type}:${actor.id}` : actor.type;
    const updated = await tx.importRun.update({
      where: { id: current.id },
      data: decision === 'confirm' ? { confirmedAt: new Date(), confirmedBy: by } : { state: 'cancelled' },
    });
    await recordAudit(tx, tenantId, actor, {
      action: decision === 'confirm' ? 'import_run.confirmed' : 'import_run.cancelled',
      entityType: 'import_run',
      entityId: current.id,
      data: { counts: current.counts as Prisma.InputJsonValue },
    });
    const ids = await queueProcessCommands(tx, delivery.taskQueue, [tellImportRunProcess(tenantId, current.workflowId)]);
    return { run: updated, commandIds: ids };
  });
  await delivery.deliverNow(commandIds);
  return viewOf(run);
}

// ─── Views ─────────────────────────────────────────────────────────────────────────────────────

type RunRow = Prisma.ImportRunGetPayload<object>;

async function findRun(db: DbTx, tenantId: string, id: string): Promise<RunRow> {
  const row = isUuid(id) ? await db.importRun.findFirst({ where: { tenantId, id } }) : null;
  if (!row || row.contentHash.startsWith(RECEIVING)) throw new NotFound('import run', id);
  return row;
}

/** The guard's findings, kept beside the counts. */
export interface GuardFindings {
  terminations: number;
  activePeople: number;
  maxSharePercent: number;
  minPeople: number;
}

export function viewOf(row: RunRow): ImportRunView {
  const { guard, ...counts } = (row.counts ?? {}) as ImportCounts & { guard?: GuardFindings };
  return {
    id: row.id,
    kind: row.kind,
    mode: row.mode,
    profile: { name: row.profileName, version: row.profileVersion },
    source: row.source,
    fileName: row.fileName,
    sizeBytes: Number(row.sizeBytes),
    contentHash: row.contentHash,
    state: row.state,
    counts,
    progress: { applied: row.applied, toApply: row.toApply },
    error: row.error,
    workflowId: row.workflowId,
    confirmation: guard ? { ...guard, confirmedAt: row.confirmedAt?.toISOString() ?? null, confirmedBy: row.confirmedBy } : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    links: { self: `/api/v1/imports/${row.id}`, errors: `/api/v1/imports/${row.id}/errors.csv` },
  };
}
