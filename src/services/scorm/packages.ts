import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Db, DbTx } from '../../db/client';
import { Prisma } from '../../db/client';
import { launchableItems, missingFiles, parseManifest, ManifestProblem, type ScormItem, type ScormManifest } from '../../connectors/scorm/manifest';
import { openPackageArchive, type PackageLimits } from '../../connectors/scorm/package-archive';
import { DomainError, InvalidRequest, NotFound } from '../../domain/errors';
import { recordAudit, type Actor } from '../audit/trail';

/** Where packages' files live and what an upload may be. */
export interface PackageStore {
  /** Absolute folder: `<root>/<tenant id>/<package id>/` per package, `<root>/.incoming/` for uploads in progress. */
  root: string;
  limits: PackageLimits;
  maxUploadBytes: number;
}

export interface ItemView {
  identifier: string;
  title: string;
  scormType: 'sco' | 'asset' | null;
  /** Package-relative, as the manifest resolves it (xml:base and parameters applied). */
  launchUrl: string | null;
  isVisible: boolean;
  children: ItemView[];
}

export interface PackageView {
  id: string;
  courseKey: string;
  version: number;
  scormVersion: string;
  title: string;
  fileCount: number;
  totalBytes: number;
  sha256: string;
  importedAt: string;
  defaultOrganization: string | null;
  organizations: { identifier: string; title: string; items: ItemView[] }[];
  settings: PackageSettings;
}

export interface PackageSettings {
  masteryOverride: number | null;
  requiredItems: string[];
  suspendDataLimit: number;
}

export class UploadTooLarge extends DomainError {
  constructor(limit: number) {
    super(413, 'upload_too_large', `The upload is larger than ${limit} bytes (SCORM_MAX_UPLOAD_MB)`, { limitBytes: limit });
  }
}

export function packageFolder(store: PackageStore, tenantId: string, packageId: string): string {
  return path.join(store.root, tenantId, packageId);
}

/**
 * Imports a SCORM zip as the course's next package version. The upload is streamed to a file (never
 * held in memory), checked whole before anything is kept — entries, caps, manifest, dangling
 * references — and unpacked beside the store; only then are the row written and the folder moved
 * into place, in one transaction. A refusal leaves no row and no file behind.
 */
export async function importPackage(
  db: Db,
  store: PackageStore,
  tenantId: string,
  actor: Actor,
  courseKey: string,
  upload: Readable,
  onProgress?: (stage: 'received' | 'unpacked', done: { files?: number; bytes: number }) => void,
): Promise<PackageView> {
  const course = await db.course.findUnique({ where: { tenantId_key: { tenantId, key: courseKey } }, select: { id: true, key: true } });
  if (!course) throw new NotFound('course', courseKey);
  const incoming = path.join(store.root, '.incoming');
  await mkdir(incoming, { recursive: true });
  const packageId = randomUUID();
  const zipPath = path.join(incoming, `${packageId}.zip`);
  const unpacked = path.join(incoming, packageId);
  const folder = packageFolder(store, tenantId, packageId);
  let moved = false;
  try {
    const { sha256, bytes } = await receive(upload, zipPath, store.maxUploadBytes, (n) => onProgress?.('received', { bytes: n }));
    if (bytes === 0) throw new InvalidRequest('The request body is empty: send the SCORM package as the body (Content-Type: application/zip)');
    const archive = await openPackageArchive(zipPath, store.limits);
    let manifest: ScormManifest;
    let extracted: { files: number; bytes: number };
    try {
      manifest = parseManifest(await archive.readManifest());
      const missing = missingFiles(manifest, (p) => archive.has(p));
      if (missing.length > 0) throw ManifestProblem.missingLaunchFiles(missing);
      extracted = await archive.extractTo(unpacked, (done) => onProgress?.('unpacked', done));
    } finally {
      await archive.close();
    }
    const row = await db.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM course WHERE id = ${course.id}::uuid FOR UPDATE`;
      const previous = await tx.scormPackage.aggregate({ where: { tenantId, courseId: course.id }, _max: { version: true } });
      const created = await tx.scormPackage.create({
        data: {
          id: packageId,
          tenantId,
          courseId: course.id,
          version: (previous._max.version ?? 0) + 1,
          scormVersion: manifest.version,
          title: manifest.title,
          manifest: manifest as unknown as Prisma.InputJsonValue,
          fileCount: extracted.files,
          totalBytes: BigInt(extracted.bytes),
          sha256,
          requiredItems: [],
        },
      });
      await recordAudit(tx, tenantId, actor, {
        action: 'scorm_package.imported',
        entityType: 'scorm_package',
        entityId: created.id,
        data: { course: course.key, version: created.version, scormVersion: manifest.version, sha256, files: extracted.files },
      });
      await mkdir(path.dirname(folder), { recursive: true });
      await rename(unpacked, folder);
      moved = true;
      return created;
    });
    return packageView(row, course.key);
  } catch (error) {
    if (moved) await rm(folder, { recursive: true, force: true });
    throw error;
  } finally {
    await rm(zipPath, { force: true });
    await rm(unpacked, { recursive: true, force: true });
  }
}

/** Streams the upload to a file, hashing as it goes; beyond the cap it stops reading and refuses. */
async function receive(upload: Readable, file: string, maxBytes: number, onBytes: (bytes: number) => void): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  let lastReported = 0;
  await pipeline(
    upload,
    async function* (chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        bytes += chunk.length;
        if (bytes > maxBytes) throw new UploadTooLarge(maxBytes);
        hash.update(chunk);
        if (bytes - lastReported >= 8 * 1024 * 1024) {
          lastReported = bytes;
          onBytes(bytes);
        }
        yield chunk;
      }
    },
    createWriteStream(file, { flags: 'wx' }),
  );
  onBytes(bytes);
  return { sha256: hash.digest('hex'), bytes };
}

export type PackageRow = Prisma.ScormPackageGetPayload<object>;

export function packageView(row: PackageRow, courseKey: string): PackageView {
  const manifest = row.manifest as unknown as ScormManifest;
  const item = (i: ScormItem): ItemView => ({
    identifier: i.identifier,
    title: i.title,
    scormType: i.scormType,
    launchUrl: i.launchUrl,
    isVisible: i.isVisible,
    children: i.children.map(item),
  });
  return {
    id: row.id,
    courseKey,
    version: row.version,
    scormVersion: row.scormVersion,
    title: row.title,
    fileCount: row.fileCount,
    totalBytes: Number(row.totalBytes),
    sha256: row.sha256,
    importedAt: row.importedAt.toISOString(),
    defaultOrganization: manifest.defaultOrganization,
    organizations: manifest.organizations.map((o) => ({ identifier: o.identifier, title: o.title, items: o.items.map(item) })),
    settings: settingsOf(row),
  };
}

export function settingsOf(row: Pick<PackageRow, 'masteryOverride' | 'requiredItems' | 'suspendDataLimit'>): PackageSettings {
  return { masteryOverride: row.masteryOverride === null ? null : Number(row.masteryOverride), requiredItems: row.requiredItems, suspendDataLimit: row.suspendDataLimit };
}

async function courseOf(db: DbTx, tenantId: string, courseKey: string): Promise<{ id: string; key: string }> {
  const course = await db.course.findUnique({ where: { tenantId_key: { tenantId, key: courseKey } }, select: { id: true, key: true } });
  if (!course) throw new NotFound('course', courseKey);
  return course;
}

const manifests = new Map<string, ScormManifest>();
const CACHED_MANIFESTS = 500;

/** A package version's manifest, which never changes once imported: read once per process (the newest 500 are kept). */
export async function packageManifest(db: DbTx, packageId: string): Promise<ScormManifest> {
  const cached = manifests.get(packageId);
  if (cached) return cached;
  const row = await db.scormPackage.findUniqueOrThrow({ where: { id: packageId }, select: { manifest: true } });
  const manifest = row.manifest as unknown as ScormManifest;
  if (manifests.size >= CACHED_MANIFESTS) manifests.delete(manifests.keys().next().value!);
  manifests.set(packageId, manifest);
  return manifest;
}

/** The course's package versions, newest first. */
export async function listPackages(db: Db, tenantId: string, courseKey: string): Promise<PackageView[]> {
  const course = await courseOf(db, tenantId, courseKey);
  const rows = await db.scormPackage.findMany({ where: { tenantId, courseId: course.id }, orderBy: { version: 'desc' } });
  return rows.map((row) => packageView(row, course.key));
}

export async function getPackage(db: Db, tenantId: string, courseKey: string, version: number): Promise<PackageView> {
  const course = await courseOf(db, tenantId, courseKey);
  const row = await db.scormPackage.findUnique({ where: { tenantId_courseId_version: { tenantId, courseId: course.id, version } } });
  if (!row) throw new NotFound('scorm_package', `${courseKey} version ${version}`);
  return packageView(row, course.key);
}

/**
 * How a package's runtime data counts: a mastery score that derives passed/failed from the score,
 * the SCOs a completed attempt needs, and how long suspend data may be. Applies to commits from now on.
 */
export async function updatePackageSettings(db: Db, tenantId: string, actor: Actor, courseKey: string, version: number, changes: Partial<PackageSettings>): Promise<PackageView> {
  const course = await courseOf(db, tenantId, courseKey);
  return db.$transaction(async (tx) => {
    const row = await tx.scormPackage.findUnique({ where: { tenantId_courseId_version: { tenantId, courseId: course.id, version } } });
    if (!row) throw new NotFound('scorm_package', `${courseKey} version ${version}`);
    if (changes.requiredItems) {
      const scos = new Set(scoIdentifiers(row.manifest as unknown as ScormManifest));
      const unknown = changes.requiredItems.filter((id) => !scos.has(id));
      if (unknown.length > 0) throw new InvalidRequest(`Invalid request body: requiredItems: not SCOs of this package: ${unknown.join(', ')}`, [{ field: 'body.requiredItems', message: `Not SCOs of this package: ${unknown.join(', ')}` }]);
    }
    const updated = await tx.scormPackage.update({
      where: { id: row.id },
      data: {
        ...(changes.masteryOverride !== undefined ? { masteryOverride: changes.masteryOverride } : {}),
        ...(changes.requiredItems ? { requiredItems: [...new Set(changes.requiredItems)] } : {}),
        ...(changes.suspendDataLimit !== undefined ? { suspendDataLimit: changes.suspendDataLimit } : {}),
      },
    });
    await recordAudit(tx, tenantId, actor, { action: 'scorm_package.settings_changed', entityType: 'scorm_package', entityId: row.id, data: { before: { ...settingsOf(row) }, after: { ...settingsOf(updated) } } });
    return packageView(updated, course.key);
  });
}

/**
 * What a completed attempt needs: the SCOs the tenant marked, else every SCO of the default
 * organization, else (a package of assets only) every item that launches something.
 */
export function requiredItemsOf(pkg: Pick<PackageRow, 'requiredItems'>, manifest: ScormManifest): string[] {
  if (pkg.requiredItems.length > 0) return pkg.requiredItems;
  const scos = scoIdentifiers(manifest);
  if (scos.length > 0) return scos;
  const organization = defaultOrganization(manifest);
  return organization ? launchableItems(organization).map((i) => i.identifier) : [];
}

export function defaultOrganization(manifest: ScormManifest) {
  return manifest.organizations.find((o) => o.identifier === manifest.defaultOrganization) ?? manifest.organizations[0];
}

/** Every SCO item of the default organization (what an attempt's outcome is made of). */
export function scoIdentifiers(manifest: ScormManifest): string[] {
  const organization = defaultOrganization(manifest);
  const out: string[] = [];
  const walk = (items: ScormItem[]) => {
    for (const i of items) {
      if (i.scormType === 'sco') out.push(i.identifier);
      walk(i.children);
    }
  };
  walk(organization?.items ?? []);
  return out;
}

/** The item of the default organization with this identifier, if any. */
export function findItem(manifest: ScormManifest, identifier: string): ScormItem | undefined {
  const organization = defaultOrganization(manifest);
  const find = (items: ScormItem[]): ScormItem | undefined => {
    for (const i of items) {
      const found = i.identifier === identifier ? i : find(i.children);
      if (found) return found;
    }
    return undefined;
  };
  return find(organization?.items ?? []);
}
