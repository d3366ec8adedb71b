import type { Db, DbTx } from '../../db/client';
import { Conflict, DomainError, NotFound, StillInUse, UnknownReference } from '../../domain/errors';
import { isoDate } from '../../domain/dates';
import type { Actor } from '../audit/trail';
import { auditChange, byKeyOrId, decodeCursor, inCatalogTransaction, invalidCursor, isUuid, sameView, toPage, type Page, type PageRequest } from '../catalog/common';
import { resolvePeople, type PersonReference } from '../onboarding/person-references';
import { trainingView, versionProgress, versionTrainings, type TrainingFilter, type TrainingView, type VersionProgress, type VersionTrainingLine } from './progress';

/**
 * Controlled documents as trainhub keeps them: document types mapped to roles, documents mapped to
 * the training a version requires, and the versions themselves. Types and documents are created or
 * replaced by key; a version is created or edited while it is a draft, after which its content is
 * what the document system approved and no longer changes.
 */

export type Impact = 'retraining' | 'minor';
export type VersionStatus = 'draft' | 'approved' | 'effective' | 'superseded' | 'withdrawn';

type RoleRef = { id: string; key: string; name: string };
type TypeRef = { id: string; key: string; name: string };
type TitledRef = { id: string; key: string; title: string };

export type TrainingInput = { kind: 'acknowledgement' } | { kind: 'course'; courseKey: string } | { kind: 'program'; programKey: string };

export type DocumentTypeView = {
  id: string;
  key: string;
  name: string;
  /** The roles whose holders a document of this type touches, in key order. */
  roles: RoleRef[];
  defaultImpact: Impact;
  createdAt: string;
};

export interface DocumentTypeInput {
  name: string;
  /** Role keys; the type's roles are replaced by these. */
  roles: string[];
  defaultImpact: Impact;
}

export type DocumentView = {
  id: string;
  key: string;
  title: string;
  documentType: TypeRef;
  training: TrainingView;
  dueOffsetDays: number;
  creditAuthors: boolean;
  closeSuperseded: boolean;
  createdAt: string;
};

export interface DocumentInput {
  title: string;
  /** Document type key. */
  documentType: string;
  training: TrainingInput;
  dueOffsetDays: number;
  creditAuthors: boolean;
  closeSuperseded: boolean;
}

/** A version as it is recorded (and audited). */
export type DocumentVersionRecord = {
  id: string;
  document: TitledRef;
  version: string;
  title: string;
  status: VersionStatus;
  impact: Impact | null;
  approvedAt: string | null;
  /** YYYY-MM-DD */
  effectiveDate: string;
  contentHash: string;
  /** The people credited as its authors and approvers. */
  authors: { id: string; externalId: string; name: string }[];
  createdAt: string;
};

/** A version as the API shows it: the record and where the training it requires stands. */
export type DocumentVersionView = DocumentVersionRecord & { progress: VersionProgress };

export interface DocumentVersionInput {
  title: string;
  /** YYYY-MM-DD */
  effectiveDate: string;
  /** SHA-256 of the content, hex. */
  contentHash: string;
  authors: PersonReference[];
}

/** The result of a PUT: whether it created the record, and the record as saved. */
export interface Saved<T> {
  created: boolean;
  view: T;
}

// ---------------------------------------------------------------------------------------------
// Document types

const typeParts = { roles: { include: { role: { select: { id: true, key: true, name: true } } } } } as const;

type TypeRow = {
  id: string;
  key: string;
  name: string;
  defaultImpact: string;
  createdAt: Date;
  roles: { role: RoleRef }[];
};

function typeView(row: TypeRow): DocumentTypeView {
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    roles: row.roles.map(({ role }) => ({ id: role.id, key: role.key, name: role.name })).sort((a, b) => (a.key < b.key ? -1 : 1)),
    defaultImpact: row.defaultImpact as Impact,
    createdAt: row.createdAt.toISOString(),
  };
}

/** The tenant's document types in key order. */
export async function listDocumentTypes(db: DbTx, tenantId: string, page: PageRequest): Promise<Page<DocumentTypeView>> {
  const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor, 1)[0];
  const rows = await db.documentType.findMany({
    where: { tenantId, ...(after === undefined ? {} : { key: { gt: after } }) },
    include: typeParts,
    orderBy: { key: 'asc' },
    take: page.limit + 1,
  });
  return toPage(rows.map(typeView), page.limit, (type) => [type.key]);
}

export async function getDocumentType(db: DbTx, tenantId: string, ref: string): Promise<DocumentTypeView> {
  return typeView(await findType(db, tenantId, ref));
}

/**
 * Creates the document type `key` or replaces its name, roles and default impact. Unknown role keys
 * are 422 unknown_role naming every one of them. A replacement that changes nothing audits nothing.
 */
export async function putDocumentType(db: Db, tenantId: string, actor: Actor, key: string, input: DocumentTypeInput): Promise<Saved<DocumentTypeView>> {
  return inCatalogTransaction(db, tenantId, async (tx) => {
    const roleIds = await resolveKeys(tx, tenantId, 'role', input.roles);
    const existing = await tx.documentType.findUnique({ where: { tenantId_key: { tenantId, key } }, include: typeParts });
    const before = existing ? typeView(existing) : null;
    let id: string;
    if (before) {
      const unchanged =
        before.name === input.name &&
        before.defaultImpact === input.defaultImpact &&
        sameView(before.roles.map((r) => r.id).sort(), [...new Set(roleIds)].sort());
      if (unchanged) return { created: false, view: before };
      id = before.id;
      await tx.documentType.update({ where: { id }, data: { name: input.name, defaultImpact: input.defaultImpact } });
      await tx.documentTypeRole.deleteMany({ where: { documentTypeId: id } });
    } else {
      id = (await tx.documentType.create({ data: { tenantId, key, name: input.name, defaultImpact: input.defaultImpact }, select: { id: true } })).id;
    }
    await tx.documentTypeRole.createMany({ data: [...new Set(roleIds)].map((roleId) => ({ tenantId, documentTypeId: id, roleId })) });
    const after = typeView(await findType(tx, tenantId, id));
    await auditChange(tx, tenantId, actor, { entityType: 'document_type', entityId: id, action: before ? 'updated' : 'created', before, after });
    return { created: before === null, view: after };
  });
}

/** Deletes a document type no document uses; otherwise 409 document_type_in_use. */
export async function deleteDocumentType(db: Db, tenantId: string, actor: Actor, ref: string): Promise<DocumentTypeView> {
  return inCatalogTransaction(db, tenantId, async (tx) => {
    const before = typeView(await findType(tx, tenantId, ref));
    const documents = await tx.document.count({ where: { tenantId, documentTypeId: before.id } });
    if (documents > 0) throw new StillInUse('document_type', before.key, { documents });
    await tx.documentType.delete({ where: { id: before.id } });
    await auditChange(tx, tenantId, actor, { entityType: 'document_type', entityId: before.id, action: 'deleted', before, after: null });
    return before;
  });
}

async function findType(db: DbTx, tenantId: string, ref: string): Promise<TypeRow> {
  const type = await db.documentType.findFirst({ where: byKeyOrId(tenantId, ref), include: typeParts });
  if (!type) throw new NotFound('document type', ref);
  return type;
}

// ---------------------------------------------------------------------------------------------
// Documents

const documentParts = {
  documentType: { select: { id: true, key: true, name: true } },
  course: { select: { id: true, key: true, title: true } },
  program: { select: { id: true, key: true, title: true } },
} as const;

/**
 * A document with its type, course and program, read in a transaction: there Prisma would load the
 * three relations of an `include` at once on the transaction's one connection, so they are read in turn.
 */
async function documentInTransaction(tx: DbTx, where: { tenantId: string; id: string } | { tenantId: string; key: string }): Promise<DocumentRow | null> {
  const row = await tx.document.findFirst({ where, include: { documentType: documentParts.documentType } });
  if (!row) return null;
  const course = row.courseId === null ? null : await tx.course.findUnique({ where: { id: row.courseId }, select: documentParts.course.select });
  const program = row.programId === null ? null : await tx.program.findUnique({ where: { id: row.programId }, select: documentParts.program.select });
  return { ...row, course, program };
}

type DocumentRow = {
  id: string;
  key: string;
  title: string;
  training: string;
  dueOffsetDays: number;
  creditAuthors: boolean;
  closeSuperseded: boolean;
  createdAt: Date;
  documentType: TypeRef;
  course: TitledRef | null;
  program: TitledRef | null;
};

function documentView(row: DocumentRow): DocumentView {
  return {
    id: row.id,
    key: row.key,
    title: row.title,
    documentType: { id: row.documentType.id, key: row.documentType.key, name: row.documentType.name },
    training: trainingView(row.training, row.course, row.program),
    dueOffsetDays: row.dueOffsetDays,
    creditAuthors: row.creditAuthors,
    closeSuperseded: row.closeSuperseded,
    createdAt: row.createdAt.toISOString(),
  };
}

/** The tenant's documents in key order. */
export async function listDocuments(db: DbTx, tenantId: string, page: PageRequest): Promise<Page<DocumentView>> {
  const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor, 1)[0];
  const rows = await db.document.findMany({
    where: { tenantId, ...(after === undefined ? {} : { key: { gt: after } }) },
    include: documentParts,
    orderBy: { key: 'asc' },
    take: page.limit + 1,
  });
  return toPage(rows.map(documentView), page.limit, (document) => [document.key]);
}

export async function getDocument(db: DbTx, tenantId: string, ref: string): Promise<DocumentView> {
  return documentView(await findDocument(db, tenantId, ref));
}

/**
 * Creates the document `key` or replaces its title, type, training and settings. An unknown document
 * type, course or program is 422 unknown_document_type / unknown_course / unknown_program. What
 * versions already owe stays as it is; the next computation of a gap reads the document as saved.
 */
export async function putDocument(db: Db, tenantId: string, actor: Actor, key: string, input: DocumentInput): Promise<Saved<DocumentView>> {
  return inCatalogTransaction(db, tenantId, async (tx) => {
    const type = await tx.documentType.findUnique({ where: { tenantId_key: { tenantId, key: input.documentType } }, select: { id: true } });
    if (!type) throw new UnknownReference('document_type', input.documentType);
    const training = input.training;
    const courseId = training.kind === 'course' ? (await resolveKeys(tx, tenantId, 'course', [training.courseKey]))[0]! : null;
    const programId = training.kind === 'program' ? (await resolveKeys(tx, tenantId, 'program', [training.programKey]))[0]! : null;
    const fields = {
      title: input.title,
      documentTypeId: type.id,
      training: training.kind,
      courseId,
      programId,
      dueOffsetDays: input.dueOffsetDays,
      creditAuthors: input.creditAuthors,
      closeSuperseded: input.closeSuperseded,
    };
    const existing = await documentInTransaction(tx, { tenantId, key });
    const before = existing ? documentView(existing) : null;
    let id: string;
    if (existing) {
      const unchanged = sameView(
        [existing.title, existing.documentType.id, existing.training, existing.course?.id ?? null, existing.program?.id ?? null, existing.dueOffsetDays, existing.creditAuthors, existing.closeSuperseded],
        [fields.title, fields.documentTypeId, fields.training, fields.courseId, fields.programId, fields.dueOffsetDays, fields.creditAuthors, fields.closeSuperseded],
      );
      if (unchanged) return { created: false, view: before! };
      id = existing.id;
      await tx.document.update({ where: { id }, data: fields });
    } else {
      id = (await tx.document.create({ data: { tenantId, key, ...fields }, select: { id: true } })).id;
    }
    const after = documentView((await documentInTransaction(tx, { tenantId, id }))!);
    await auditChange(tx, tenantId, actor, { entityType: 'document', entityId: id, action: before ? 'updated' : 'created', before, after });
    return { created: before === null, view: after };
  });
}

/** A document's id and key (by key or id), or 404. */
async function findDocumentKey(db: DbTx, tenantId: string, ref: string): Promise<{ id: string; key: string }> {
  const document = await db.document.findFirst({ where: byKeyOrId(tenantId, ref), select: { id: true, key: true } });
  if (!document) throw new NotFound('document', ref);
  return document;
}

async function findDocument(db: DbTx, tenantId: string, ref: string): Promise<DocumentRow> {
  const document = await db.document.findFirst({ where: byKeyOrId(tenantId, ref), include: documentParts });
  if (!document) throw new NotFound('document', ref);
  return document;
}

// ---------------------------------------------------------------------------------------------
// Versions

type VersionRow = {
  id: string;
  version: string;
  title: string;
  status: string;
  impact: string | null;
  approvedAt: Date | null;
  effectiveDate: Date;
  contentHash: string;
  authorIds: string[];
  createdAt: Date;
  document: TitledRef;
};

const versionParts = { document: { select: { id: true, key: true, title: true } } } as const;

/** The version `version` of a document (by key or id) in this tenant, or 404. */
export async function findDocumentVersion(db: DbTx, tenantId: string, documentRef: string, version: string): Promise<VersionRow> {
  const row = await db.documentVersion.findFirst({
    where: { tenantId, version, document: byKeyOrId(tenantId, documentRef) },
    include: versionParts,
  });
  if (!row) {
    await findDocumentKey(db, tenantId, documentRef);
    throw new NotFound('document version', `${documentRef} ${version}`);
  }
  return row;
}

/** The records of `rows`, with their authors looked up in one query. */
async function versionRecords(db: DbTx, tenantId: string, rows: readonly VersionRow[]): Promise<DocumentVersionRecord[]> {
  const ids = [...new Set(rows.flatMap((row) => row.authorIds))];
  const people = ids.length === 0 ? [] : await db.person.findMany({ where: { tenantId, id: { in: ids } }, select: { id: true, externalId: true, name: true } });
  const byId = new Map(people.map((person) => [person.id, person]));
  return rows.map((row) => ({
    id: row.id,
    document: { id: row.document.id, key: row.document.key, title: row.document.title },
    version: row.version,
    title: row.title,
    status: row.status as VersionStatus,
    impact: row.impact as Impact | null,
    approvedAt: row.approvedAt?.toISOString() ?? null,
    effectiveDate: isoDate(row.effectiveDate),
    contentHash: row.contentHash,
    authors: row.authorIds.flatMap((id) => {
      const person = byId.get(id);
      return person ? [{ id: person.id, externalId: person.externalId, name: person.name }] : [];
    }),
    createdAt: row.createdAt.toISOString(),
  }));
}

async function versionViews(db: DbTx, tenantId: string, rows: readonly VersionRow[], today: Date): Promise<DocumentVersionView[]> {
  // One after the other: `db` may be a transaction, whose one connection takes one query at a time.
  const records = await versionRecords(db, tenantId, rows);
  const progress = await versionProgress(db, tenantId, rows.map((row) => row.id), today);
  return records.map((record) => ({ ...record, progress: progress.get(record.id)! }));
}

/** A document's versions, newest first (latest effective date, then latest recorded), each with its progress. */
export async function listDocumentVersions(db: DbTx, tenantId: string, documentRef: string, page: PageRequest, today = new Date()): Promise<Page<DocumentVersionView>> {
  const document = await findDocumentKey(db, tenantId, documentRef);
  const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor, 3);
  const [afterDate, afterAt, afterId] = after ? [new Date(`${after[0]}T00:00:00Z`), new Date(after[1]!), after[2]!] : [];
  if (after && (Number.isNaN(afterDate!.getTime()) || Number.isNaN(afterAt!.getTime()) || !isUuid(afterId!))) invalidCursor();
  const rows = await db.documentVersion.findMany({
    where: {
      tenantId,
      documentId: document.id,
      ...(after
        ? {
            OR: [
              { effectiveDate: { lt: afterDate } },
              { effectiveDate: afterDate, createdAt: { lt: afterAt } },
              { effectiveDate: afterDate, createdAt: afterAt, id: { lt: afterId } },
            ],
          }
        : {}),
    },
    include: versionParts,
    orderBy: [{ effectiveDate: 'desc' }, { createdAt: 'desc' }, { id: 'desc' }],
    take: page.limit + 1,
  });
  return toPage(await versionViews(db, tenantId, rows, today), page.limit, (version) => [version.effectiveDate, version.createdAt, version.id]);
}

/** One version with its progress: affected, trained, outstanding, overdue. */
export async function getDocumentVersion(db: DbTx, tenantId: string, documentRef: string, version: string, today = new Date()): Promise<DocumentVersionView> {
  const row = await findDocumentVersion(db, tenantId, documentRef, version);
  return (await versionViews(db, tenantId, [row], today))[0]!;
}

/** Who a version asks training of, and why (see versionTrainings); 404 for an unknown document or version. */
export async function listVersionTrainings(
  db: DbTx,
  tenantId: string,
  documentRef: string,
  version: string,
  filter: { status?: TrainingFilter },
  page: PageRequest,
  today = new Date(),
): Promise<Page<VersionTrainingLine>> {
  const { id } = await findDocumentVersion(db, tenantId, documentRef, version);
  return versionTrainings(db, tenantId, id, filter, page, today);
}

/**
 * Records the draft `version` of a document, or edits it while it is a draft. Authors are named by
 * id, external id or e-mail (422 unknown_person naming every one not found, ambiguous_person);
 * once the version has been approved (or is effective, superseded, withdrawn) a change of its
 * title, effective date, content hash or authors is 409 version_not_draft — the same content again
 * is answered with the version as it stands.
 */
export async function putDocumentVersion(
  db: Db,
  tenantId: string,
  actor: Actor,
  documentKey: string,
  version: string,
  input: DocumentVersionInput,
  today = new Date(),
): Promise<Saved<DocumentVersionView>> {
  return inCatalogTransaction(db, tenantId, async (tx) => {
    const document = await findDocumentKey(tx, tenantId, documentKey);
    const authorIds = await resolveAuthors(tx, tenantId, input.authors);
    const fields = {
      title: input.title,
      effectiveDate: new Date(`${input.effectiveDate}T00:00:00Z`),
      contentHash: input.contentHash.toLowerCase(),
      authorIds,
    };
    const where = { documentId_version: { documentId: document.id, version } };
    // Another path (an approval event) may record the version meanwhile: the insert yields to it.
    const inserted = await tx.documentVersion.createMany({ data: [{ tenantId, documentId: document.id, version, ...fields }], skipDuplicates: true });
    if (inserted.count === 1) {
      const row = await tx.documentVersion.findUniqueOrThrow({ where, include: versionParts });
      const [after] = await versionRecords(tx, tenantId, [row]);
      await auditChange(tx, tenantId, actor, { entityType: 'document_version', entityId: row.id, action: 'created', before: null, after: after! });
      return { created: true, view: (await versionViews(tx, tenantId, [row], today))[0]! };
    }
    const existing = await tx.documentVersion.findUniqueOrThrow({ where, include: versionParts });
    const unchanged =
      existing.title === fields.title &&
      isoDate(existing.effectiveDate) === input.effectiveDate &&
      existing.contentHash === fields.contentHash &&
      sameView([...existing.authorIds].sort(), [...authorIds].sort());
    if (unchanged) return { created: false, view: (await versionViews(tx, tenantId, [existing], today))[0]! };
    const notDraft = () =>
      new Conflict('version_not_draft', `Version ${version} of ${document.key} is ${existing.status}: its content can no longer change`, {
        document: document.key,
        version,
        status: existing.status,
      });
    if (existing.status !== 'draft') throw notDraft();
    // Conditional on still being a draft: an approval that commits first wins.
    const updated = await tx.documentVersion.updateMany({ where: { id: existing.id, status: 'draft' }, data: fields });
    if (updated.count === 0) throw notDraft();
    const row = await tx.documentVersion.findUniqueOrThrow({ where, include: versionParts });
    const [before, after] = await versionRecords(tx, tenantId, [existing, row]);
    await auditChange(tx, tenantId, actor, { entityType: 'document_version', entityId: row.id, action: 'updated', before: before!, after: after! });
    return { created: false, view: (await versionViews(tx, tenantId, [row], today))[0]! };
  });
}

/** The people named as authors (ids in the order named, each once); every reference that names nobody is reported. */
async function resolveAuthors(db: DbTx, tenantId: string, references: readonly PersonReference[]): Promise<string[]> {
  if (references.length === 0) return [];
  const resolved = await resolvePeople(db, tenantId, references);
  const unknown = references.filter((_, i) => resolved[i] instanceof UnknownReference);
  if (unknown.length > 0) throw new UnknownReference('person', unknown);
  const ambiguous = resolved.find((r): r is DomainError => r instanceof DomainError);
  if (ambiguous) throw ambiguous;
  return [...new Set(resolved as string[])];
}

/** The ids of the roles, courses or programs named by key, in the order named; 422 unknown_<entity> lists every key not found. */
async function resolveKeys(db: DbTx, tenantId: string, entity: 'role' | 'course' | 'program', keys: readonly string[]): Promise<string[]> {
  if (keys.length === 0) return [];
  const where = { tenantId, key: { in: [...keys] } };
  const select = { id: true, key: true } as const;
  const rows =
    entity === 'role'
      ? await db.role.findMany({ where, select })
      : entity === 'course'
        ? await db.course.findMany({ where, select })
        : await db.program.findMany({ where, select });
  const ids = new Map(rows.map((row) => [row.key, row.id]));
  const missing = [...new Set(keys.filter((key) => !ids.has(key)))];
  if (missing.length > 0) throw new UnknownReference(entity, entity === 'role' ? missing : missing[0]);
  return keys.map((key) => ids.get(key)!);
}
