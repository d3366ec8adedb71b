import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { csvLines, UnreadableCsv } from '../../connectors/hcm/read';
import type { Db, DbTx } from '../../db/client';
import { InvalidRequest } from '../../domain/errors';
import { forbiddenCharacter } from '../../domain/text';
import { certificationWorkflowId } from '../../domain/workflow-ids';
import type { Actor } from '../audit/trail';
import { queueCertificationWakeUps } from '../processes/commands';
import type { CommandDelivery } from '../processes/operations';
import type { CertificateSnapshot } from './issuance';
import { MAX_NUMBER_LENGTH } from './numbering';
import { tenantDay } from './reading';
import { newVerificationCode } from './verification-codes';

/**
 * The certificates people earned before trainhub, imported from the earlier system's CSV export so
 * that each certification's process starts from what people hold. Columns (a header row, in any
 * order, other columns ignored): person (HR external id or e-mail), certification (key), issued and
 * expires (YYYY-MM-DD), number (the certificate's number in the earlier system, kept as it is).
 */
export const IMPORT_MAX_BYTES = 5 * 1024 * 1024;
export const IMPORT_MAX_ROWS = 20_000;
export const IMPORT_COLUMNS = ['person', 'certification', 'issued', 'expires', 'number'] as const;

/** What an import did: each row is imported, found unchanged (already on record), or rejected with its line. */
export interface ImportOutcome {
  imported: number;
  unchanged: number;
  rejected: number;
  /** One per rejected row, in line order; `line` is the row's first line in the file (the header is line 1). */
  errors: { line: number; message: string }[];
  /** Certification processes woken (one per person × certification that got certificates). */
  processesWoken: number;
}

interface Row {
  line: number;
  /** Set when the row's column count is not the header's. */
  columns: { found: number; expected: number } | null;
  person: string;
  certification: string;
  issued: string;
  expires: string;
  number: string;
}

interface Resolved extends Row {
  personId: string;
  certificationId: string;
}

interface PersonRecord {
  id: string;
  external_id: string;
  email: string;
  name: string;
}

const DAY = /^(19|2\d)\d{2}-\d{2}-\d{2}$/;

function isCalendarDay(text: string): boolean {
  return DAY.test(text) && new Date(`${text}T00:00:00Z`).toISOString().slice(0, 10) === text;
}

/**
 * Imports the CSV `text`. Each row is validated on its own: a bad row is reported with its line and
 * left out, the good rows import. Idempotent by the certificate number: a row on record with the same
 * person, certification and dates is unchanged; other content under a number on record is a row
 * error. Imported certificates have basis and source `import`, no PDF, a fresh verification code, a
 * snapshot of holder and certification, and the next cycles of their person × certification, chained
 * in issued order (an older one is superseded by a newer one, also by a newer one already on record).
 * In the same transaction each person × certification whose newest certificate is now an imported one
 * gets its certification status (certified, or expired when that certificate's expiry day has come),
 * and the process of every person × certification concerned is woken (bulk priority).
 */
export async function importCertificateHistory(db: Db, delivery: CommandDelivery, tenantId: string, actor: Actor, text: string, now = Date.now()): Promise<ImportOutcome> {
  const rows = await readRows(text);
  const errors: { line: number; message: string }[] = [];
  const { outcome, commandIds } = await db.$transaction(
    async (tx) => {
      // One import of a tenant at a time: the numbers checked below stay free until it commits.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`certificate-import:${tenantId}`}, 0))`;
      const { today } = await tenantDay(tx, tenantId, now);
      const valid = rows.filter((row) => {
        const problem = rowProblem(row, today);
        if (problem) errors.push({ line: row.line, message: problem });
        return !problem;
      });
      const resolved = await resolveRows(tx, tenantId, valid, errors);
      const { fresh, unchanged } = await sortOutRepeats(tx, tenantId, resolved, errors);
      const written = await writeCertificates(tx, delivery, tenantId, actor, fresh, today, now);
      errors.sort((a, b) => a.line - b.line);
      return {
        outcome: { imported: fresh.length, unchanged, rejected: errors.length, errors, processesWoken: written.commandIds.length },
        commandIds: written.commandIds,
      };
    },
    { timeout: 120_000, maxWait: 10_000 },
  );
  await delivery.deliverNow(commandIds);
  return outcome;
}

/** The rows of the CSV with the line each starts on; a file that is not CSV, or lacks a column, is 400. */
async function readRows(text: string): Promise<Row[]> {
  const records: { record: string[]; line: number }[] = [];
  try {
    for await (const { record, line } of csvLines(Readable.from([Buffer.from(text)]))) records.push({ record: record.map((cell) => cell.trim()), line });
  } catch (error) {
    if (error instanceof UnreadableCsv) {
      throw new InvalidRequest(`The body is not CSV (line ${error.line}): ${error.reason}; nothing was imported`, [{ line: error.line, message: error.reason }]);
    }
    throw error;
  }
  const [header, ...data] = records;
  if (!header) throw new InvalidRequest(`The CSV is empty: it needs a header row with the columns ${IMPORT_COLUMNS.join(', ')}`);
  const names = header.record.map((name) => name.toLowerCase());
  const missing = IMPORT_COLUMNS.filter((column) => !names.includes(column));
  const repeated = IMPORT_COLUMNS.filter((column) => names.indexOf(column) !== names.lastIndexOf(column));
  if (missing.length > 0 || repeated.length > 0) {
    const problems = [...missing.map((c) => `column "${c}" is missing`), ...repeated.map((c) => `column "${c}" appears more than once`)];
    throw new InvalidRequest(`The CSV header (line 1) needs the columns ${IMPORT_COLUMNS.join(', ')}: ${problems.join('; ')}; nothing was imported`, problems.map((message) => ({ line: 1, message })));
  }
  if (data.length > IMPORT_MAX_ROWS) throw new InvalidRequest(`An import takes at most ${IMPORT_MAX_ROWS} rows (this one has ${data.length}); split the file`);
  const at = Object.fromEntries(IMPORT_COLUMNS.map((column) => [column, names.indexOf(column)])) as Record<(typeof IMPORT_COLUMNS)[number], number>;
  return data.map(({ record, line }) => {
    const cell = (column: (typeof IMPORT_COLUMNS)[number]) => record[at[column]] ?? '';
    return {
      line,
      columns: record.length === names.length ? null : { found: record.length, expected: names.length },
      person: cell('person'),
      certification: cell('certification'),
      issued: cell('issued'),
      expires: cell('expires'),
      number: cell('number'),
    };
  });
}

/** What is wrong with a row taken on its own, or null. */
function rowProblem(row: Row, today: string): string | null {
  if (row.columns) return `the row has ${row.columns.found} columns; the header has ${row.columns.expected}`;
  const problems: string[] = [];
  for (const column of IMPORT_COLUMNS) {
    const value = row[column];
    if (value === '') problems.push(`${column} is empty`);
    else if (forbiddenCharacter(value)) problems.push(`${column} contains a control character (${forbiddenCharacter(value)})`);
  }
  if (problems.length > 0) return problems.join('; ');
  if (row.person.length > 320) problems.push('person is longer than 320 characters');
  if (row.certification.length > 100) problems.push('certification is longer than 100 characters');
  if (row.number.length > MAX_NUMBER_LENGTH) problems.push(`number is longer than ${MAX_NUMBER_LENGTH} characters`);
  const issuedOk = isCalendarDay(row.issued);
  const expiresOk = isCalendarDay(row.expires);
  if (!issuedOk) problems.push(`issued "${row.issued}" is not a date (YYYY-MM-DD, 1900-2999)`);
  else if (row.issued > today) problems.push(`issued ${row.issued} is in the future`);
  if (!expiresOk) problems.push(`expires "${row.expires}" is not a date (YYYY-MM-DD, 1900-2999)`);
  else if (issuedOk && row.expires <= row.issued) problems.push(`expires ${row.expires} is not after issued ${row.issued}`);
  return problems.length > 0 ? problems.join('; ') : null;
}

/** The person (by external id, or e-mail when it holds an @) and certification (by key) of each row; rows naming nobody are errors. */
async function resolveRows(tx: DbTx, tenantId: string, rows: readonly Row[], errors: { line: number; message: string }[]): Promise<(Resolved & { holder: PersonRecord })[]> {
  if (rows.length === 0) return [];
  const byEmail = (value: string) => value.includes('@');
  const externalIds = [...new Set(rows.filter((r) => !byEmail(r.person)).map((r) => r.person))];
  const emails = [...new Set(rows.filter((r) => byEmail(r.person)).map((r) => r.person.toLowerCase()))];
  const keys = [...new Set(rows.map((r) => r.certification))];
  // One statement at a time: a transaction has one connection.
  const people = await tx.$queryRaw<(PersonRecord & { email_key: string })[]>`
    SELECT id, external_id, email, name, lower(email) AS email_key FROM person
     WHERE tenant_id = ${tenantId}::uuid AND (external_id = ANY(${externalIds}::text[]) OR lower(email) = ANY(${emails}::text[]))`;
  const certifications = await tx.certification.findMany({ where: { tenantId, key: { in: keys } }, select: { id: true, key: true } });
  const certificationId = new Map(certifications.map((c) => [c.key, c.id]));
  const matches = (reference: string) =>
    byEmail(reference) ? people.filter((p) => p.email_key === reference.toLowerCase()) : people.filter((p) => p.external_id === reference);
  const resolved: (Resolved & { holder: PersonRecord })[] = [];
  for (const row of rows) {
    const problems: string[] = [];
    const found = matches(row.person);
    if (found.length === 0) problems.push(`no person has the ${byEmail(row.person) ? 'e-mail' : 'external id'} "${row.person}"`);
    if (found.length > 1) problems.push(`more than one person has the e-mail "${row.person}"; use the external id`);
    const certification = certificationId.get(row.certification);
    if (!certification) problems.push(`no certification has the key "${row.certification}"`);
    if (problems.length > 0) errors.push({ line: row.line, message: problems.join('; ') });
    else resolved.push({ ...row, personId: found[0]!.id, certificationId: certification!, holder: found[0]! });
  }
  return resolved;
}

/**
 * Rows whose number is on record (or earlier in the file) with the same content are unchanged; with
 * other content, errors. Returns the rows to write.
 */
async function sortOutRepeats<R extends Resolved>(tx: DbTx, tenantId: string, rows: readonly R[], errors: { line: number; message: string }[]): Promise<{ fresh: R[]; unchanged: number }> {
  const onRecord = await tx.$queryRaw<{ number: string; person_id: string; certification_id: string; issued_on: string; expires_on: string; source: string }[]>`
    SELECT number, person_id, certification_id, to_char(issued_on, 'YYYY-MM-DD') AS issued_on, to_char(expires_on, 'YYYY-MM-DD') AS expires_on, source
      FROM certificate WHERE tenant_id = ${tenantId}::uuid AND number = ANY(${[...new Set(rows.map((r) => r.number))]}::text[])`;
  const recorded = new Map(onRecord.map((c) => [c.number, c]));
  const inFile = new Map<string, R>();
  const fresh: R[] = [];
  let unchanged = 0;
  const same = (row: R, other: { personId: string; certificationId: string; issued: string; expires: string }) =>
    row.personId === other.personId && row.certificationId === other.certificationId && row.issued === other.issued && row.expires === other.expires;
  for (const row of rows) {
    const existing = recorded.get(row.number);
    const earlier = inFile.get(row.number);
    if (existing) {
      const asRow = { personId: existing.person_id, certificationId: existing.certification_id, issued: existing.issued_on, expires: existing.expires_on };
      if (existing.source === 'import' && same(row, asRow)) unchanged += 1;
      else if (existing.source !== 'import') errors.push({ line: row.line, message: `number ${row.number} is a certificate trainhub issued` });
      else errors.push({ line: row.line, message: `number ${row.number} is on record with other content (person, certification or dates); a certificate's record does not change` });
    } else if (earlier) {
      if (same(row, earlier)) unchanged += 1;
      else errors.push({ line: row.line, message: `number ${row.number} appears on line ${earlier.line} with other content` });
    } else {
      inFile.set(row.number, row);
      fresh.push(row);
    }
  }
  return { fresh, unchanged };
}

interface ChainMember {
  id: string;
  issuedOn: string;
  /** Imported now: its index in the rows; on record: null. */
  row: number | null;
  cycle: number;
  inForce: boolean;
}

/** Inserts the certificates, chains them with what each person × certification holds, sets the statuses, audits, and queues the wake-ups. */
async function writeCertificates(
  tx: DbTx,
  delivery: CommandDelivery,
  tenantId: string,
  actor: Actor,
  rows: readonly (Resolved & { holder: PersonRecord })[],
  today: string,
  now: number,
): Promise<{ commandIds: bigint[] }> {
  if (rows.length === 0) return { commandIds: [] };
  const pairKey = (personId: string, certificationId: string) => `${personId}:${certificationId}`;
  const pairs = new Map<string, number[]>();
  rows.forEach((row, index) => {
    const key = pairKey(row.personId, row.certificationId);
    pairs.set(key, [...(pairs.get(key) ?? []), index]);
  });
  const pairList = [...pairs.keys()].map((key) => ({ personId: key.slice(0, 36), certificationId: key.slice(37) }));
  // The lock an issue of the same person × certification takes (issuance.ts): cycles and the chain are decided alone.
  await tx.$executeRaw`
    SELECT pg_advisory_xact_lock(hashtextextended(k, 0))
      FROM unnest(${pairList.map((p) => `certificate:${tenantId}:${p.personId}:${p.certificationId}`).sort()}::text[]) AS k`;
  const recorded = await tx.$queryRaw<{ id: string; person_id: string; certification_id: string; issued_on: string; cycle: number; superseded: boolean; revoked: boolean }[]>`
    SELECT c.id, c.person_id, c.certification_id, to_char(c.issued_on, 'YYYY-MM-DD') AS issued_on, c.cycle,
           c.superseded_at IS NOT NULL AS superseded, c.revoked_at IS NOT NULL AS revoked
      FROM certificate c
      JOIN unnest(${pairList.map((p) => p.personId)}::uuid[], ${pairList.map((p) => p.certificationId)}::uuid[]) AS pair(person_id, certification_id)
        ON c.person_id = pair.person_id AND c.certification_id = pair.certification_id
     WHERE c.tenant_id = ${tenantId}::uuid`;

  const policy = await issuerOf(tx, tenantId);
  const certifications = await tx.certification.findMany({ where: { tenantId, id: { in: [...new Set(rows.map((r) => r.certificationId))] } }, select: { id: true, key: true, title: true } });
  const certificationOf = new Map(certifications.map((c) => [c.id, c]));

  const ids = rows.map(() => randomUUID());
  const cycles: number[] = new Array(rows.length);
  const previous: (string | null)[] = new Array(rows.length).fill(null);
  const supersededNow = new Set<number>();
  const supersedeRecorded: string[] = [];
  const newest: { personId: string; certificationId: string; row: number }[] = [];
  for (const [key, indexes] of pairs) {
    const [personId, certificationId] = [key.slice(0, 36), key.slice(37)];
    const held = recorded.filter((c) => c.person_id === personId && c.certification_id === certificationId);
    let cycle = Math.max(0, ...held.map((c) => c.cycle));
    const ordered = [...indexes].sort((a, b) => byIssue(rows[a]!, rows[b]!));
    const chain: ChainMember[] = [
      ...held.filter((c) => !c.revoked).map((c) => ({ id: c.id, issuedOn: c.issued_on, row: null, cycle: c.cycle, inForce: !c.superseded })),
      ...ordered.map((index) => ({ id: ids[index]!, issuedOn: rows[index]!.issued, row: index, cycle: (cycle += 1), inForce: true })),
    ].sort((a, b) => (a.issuedOn < b.issuedOn ? -1 : a.issuedOn > b.issuedOn ? 1 : a.cycle - b.cycle));
    chain.forEach((member, position) => {
      if (member.row !== null) {
        cycles[member.row] = member.cycle;
        previous[member.row] = position > 0 ? chain[position - 1]!.id : null;
      }
      if (position === chain.length - 1) return;
      // Everything before the newest is superseded by it.
      if (member.row !== null) supersededNow.add(member.row);
      else if (member.inForce) supersedeRecorded.push(member.id);
    });
    const last = chain[chain.length - 1]!;
    if (last.row !== null) newest.push({ personId, certificationId, row: last.row });
  }

  const at = new Date(now).toISOString();
  const column = <T>(pick: (row: Resolved & { holder: PersonRecord }, index: number) => T) => rows.map(pick);
  const snapshot = (row: Resolved & { holder: PersonRecord }): CertificateSnapshot => ({
    holder: { name: row.holder.name, email: row.holder.email, externalId: row.holder.external_id },
    certification: { key: certificationOf.get(row.certificationId)!.key, title: certificationOf.get(row.certificationId)!.title },
    issuerName: policy.issuerName,
  });
  await tx.$executeRaw`
    WITH incoming AS (
      SELECT * FROM unnest(${ids}::uuid[], ${column((r) => r.personId)}::uuid[], ${column((r) => r.certificationId)}::uuid[], ${column((r) => r.number)}::text[],
                           ${column(() => newVerificationCode())}::text[], ${column((r) => r.issued)}::date[], ${column((r) => r.expires)}::date[],
                           ${cycles}::int[], ${previous}::uuid[], ${column((_r, i) => supersededNow.has(i))}::boolean[], ${column((r) => JSON.stringify(snapshot(r)))}::text[],
                           ${column((r) => r.line)}::int[])
               AS i(id, person_id, certification_id, number, verification_code, issued_on, expires_on, cycle, previous_id, superseded, snapshot, line)
    ),
    inserted AS (
      INSERT INTO certificate (id, tenant_id, person_id, certification_id, number, verification_code, issued_on, expires_on, cycle, basis, previous_id, superseded_at, snapshot, source)
      SELECT id, ${tenantId}::uuid, person_id, certification_id, number, verification_code, issued_on, expires_on, cycle, 'import', previous_id,
             CASE WHEN superseded THEN ${at}::timestamptz END, snapshot::jsonb, 'import'
        FROM incoming
      RETURNING id
    )
    INSERT INTO audit_event (id, tenant_id, at, actor_type, actor_id, request_id, action, entity_type, entity_id, data)
    SELECT gen_random_uuid(), ${tenantId}::uuid, ${at}::timestamptz, ${actor.type}::"ActorType", ${actor.id ?? null}, ${actor.requestId ?? null},
           'certificate.imported', 'certificate', i.id::text,
           jsonb_build_object('number', i.number, 'personId', i.person_id, 'certificationId', i.certification_id, 'cycle', i.cycle, 'basis', 'import',
                              'issuedOn', to_char(i.issued_on, 'YYYY-MM-DD'), 'expiresOn', to_char(i.expires_on, 'YYYY-MM-DD'), 'previousId', i.previous_id,
                              'superseded', i.superseded, 'line', i.line)
      FROM incoming i JOIN inserted USING (id)`;
  if (supersedeRecorded.length > 0) {
    await tx.$executeRaw`UPDATE certificate SET superseded_at = ${at}::timestamptz
                           WHERE tenant_id = ${tenantId}::uuid AND id = ANY(${supersedeRecorded}::uuid[]) AND superseded_at IS NULL AND revoked_at IS NULL`;
  }
  // Where an imported certificate is now the newest, the process starts from it.
  if (newest.length > 0) {
    await tx.$executeRaw`
      INSERT INTO certification_status (tenant_id, person_id, certification_id, state, certificate_id, workflow_id, updated_at)
      SELECT ${tenantId}::uuid, n.person_id, n.certification_id, n.state::"CertificationState", n.certificate_id, n.workflow_id, ${at}::timestamptz
        FROM unnest(${newest.map((n) => n.personId)}::uuid[], ${newest.map((n) => n.certificationId)}::uuid[],
                    ${newest.map((n) => (rows[n.row]!.expires <= today ? 'expired' : 'certified'))}::text[], ${newest.map((n) => ids[n.row]!)}::uuid[],
                    ${newest.map((n) => certificationWorkflowId(tenantId, n.certificationId, n.personId))}::text[])
             AS n(person_id, certification_id, state, certificate_id, workflow_id)
      ON CONFLICT (tenant_id, person_id, certification_id)
      DO UPDATE SET state = EXCLUDED.state, certificate_id = EXCLUDED.certificate_id, updated_at = EXCLUDED.updated_at`;
  }
  return { commandIds: await queueCertificationWakeUps(tx, delivery.taskQueue, tenantId, pairList) };
}

/** The issuer's name certificates carry (the tenant's policy, else the tenant's name), read one statement at a time. */
async function issuerOf(tx: DbTx, tenantId: string): Promise<{ issuerName: string }> {
  const policy = await tx.certificatePolicy.findUnique({ where: { tenantId }, select: { issuerName: true } });
  if (policy?.issuerName) return { issuerName: policy.issuerName };
  return { issuerName: (await tx.tenant.findUniqueOrThrow({ where: { id: tenantId }, select: { name: true } })).name };
}

function byIssue(a: Row, b: Row): number {
  return a.issued < b.issued ? -1 : a.issued > b.issued ? 1 : a.expires < b.expires ? -1 : a.expires > b.expires ? 1 : a.number < b.number ? -1 : a.number > b.number ? 1 : 0;
}
