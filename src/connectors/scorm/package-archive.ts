import { constants } from 'node:fs';
import { lstat, mkdir, open, realpath, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { Transform, Writable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { DomainError } from '../../domain/errors';

/**
 * Reading and safely extracting an uploaded SCORM package (a zip already streamed to disk).
 * Everything that can be judged from the central directory is judged before a byte is written;
 * extraction then checks the actual bytes again, because headers can lie.
 */

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

/** The manifest SCORM's Content Aggregation Model requires at the package root, spelled exactly so. */
export const MANIFEST_PATH = 'imsmanifest.xml';

/**
 * The compression ratio is only judged for entries larger than this once inflated: small text files
 * (a blank JSON, a CSS reset, padding in a font) legitimately compress 300:1 and cannot hurt anyone.
 */
export const RATIO_APPLIES_ABOVE_BYTES = 1 * MiB;

export interface PackageLimits {
  /** Entries in the central directory, folders included. */
  maxEntries: number;
  /** Bytes of one file once inflated. */
  maxFileBytes: number;
  /** Bytes of all files once inflated. */
  maxTotalBytes: number;
  /** Inflated bytes per compressed byte of one entry (only above RATIO_APPLIES_ABOVE_BYTES). */
  maxCompressionRatio: number;
  /** Bytes of imsmanifest.xml, which is parsed in memory. */
  maxManifestBytes: number;
}

export const DEFAULT_PACKAGE_LIMITS: PackageLimits = Object.freeze({
  // Authoring tools ship their player with the course: Storyline and Rise packages hold a few hundred
  // to a few thousand files. 20,000 leaves room for that while bounding the work one upload can ask for.
  maxEntries: 20_000,
  // A long HD lecture video is a few hundred MB; 1 GiB per file admits it.
  maxFileBytes: 1 * GiB,
  // Room for several such videos; beyond this a course belongs on a streaming service, not in a zip.
  maxTotalBytes: 4 * GiB,
  // Deflate tops out near 1032:1 (long runs of one byte); HTML, JS and XML compress 3-15:1 and even sparse
  // images or data rarely pass 100:1. Over 200:1 on a file above 1 MiB is an inflation attack, not content.
  maxCompressionRatio: 200,
  // Manifests of large multi-SCO courses with metadata inline reach 1-2 MB; it is read whole to be parsed.
  maxManifestBytes: 8 * MiB,
});

export type PackageProblemCode =
  | 'package_not_a_zip'
  | 'package_corrupt'
  | 'package_entry_escapes'
  | 'package_entry_name_invalid'
  | 'package_symlink'
  | 'package_duplicate_entry'
  | 'package_too_many_entries'
  | 'package_file_too_large'
  | 'package_too_large'
  | 'package_zip_bomb'
  | 'package_encrypted'
  | 'package_unsupported_compression'
  | 'package_manifest_missing'
  | 'package_manifest_too_large';

/**
 * An uploaded package trainhub refuses. 400 when the body is not a zip at all (the request's shape),
 * 422 when it is a zip whose content is unacceptable. `details.entry` names the entry when there is one.
 */
export class PackageProblem extends DomainError {
  declare readonly code: PackageProblemCode;

  constructor(code: PackageProblemCode, message: string, details?: { entry?: string } & Record<string, unknown>) {
    super(code === 'package_not_a_zip' ? 400 : 422, code, message, details);
  }
}

export interface PackageEntry {
  /** The entry's name in the zip: a relative, '/'-separated path inside the package. */
  path: string;
  /** Declared inflated size in bytes. */
  size: number;
  compressedSize: number;
}

export interface PackageArchive {
  /** Files only (folder entries are dropped: folders are created as files need them), in zip order. */
  readonly entries: readonly PackageEntry[];
  /** Whether `path` is a file of the package (exact, case-sensitive). */
  has(path: string): boolean;
  /** The root imsmanifest.xml, whole (it is capped at maxManifestBytes). */
  readManifest(): Promise<Buffer>;
  /**
   * Writes every file under `dir` (created when absent). Refuses to overwrite anything already there;
   * on any failure removes what it wrote and rethrows (a PackageProblem, or the I/O error as it was).
   */
  extractTo(dir: string, onProgress?: (done: { files: number; bytes: number }) => void): Promise<{ files: number; bytes: number }>;
  close(): Promise<void>;
}

/** Opens the zip at `zipPath` and judges its central directory; throws a PackageProblem for what it refuses. */
export async function openPackageArchive(zipPath: string, limits: PackageLimits = DEFAULT_PACKAGE_LIMITS): Promise<PackageArchive> {
  let zip: ZipFile;
  try {
    // strictFileNames keeps backslashes in names so they are refused rather than silently turned into '/'.
    zip = await yauzl.openPromise(zipPath, { lazyEntries: true, autoClose: false, decodeStrings: true, validateEntrySizes: true, strictFileNames: true });
  } catch (error) {
    throw asPackageProblem(error);
  }
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw new PackageProblem('package_too_many_entries', `The package has ${zip.entryCount} entries; at most ${limits.maxEntries} are accepted`, { entries: zip.entryCount, limit: limits.maxEntries });
    }
    const files = await readCentralDirectory(zip, limits);
    return new ZipPackageArchive(zip, files, limits);
  } catch (error) {
    zip.once('error', () => undefined); // a failure to close the file must not mask why it was refused
    zip.close();
    throw error;
  }
}

/** Every file of the package by its exact path, after each entry and the set of them passed judgement. */
async function readCentralDirectory(zip: ZipFile, limits: PackageLimits): Promise<Map<string, Entry>> {
  const files = new Map<string, Entry>();
  /** NFC form → path: two names that differ only in Unicode normalisation are one file on macOS. */
  const normalised = new Map<string, string>();
  const folders = new Map<string, string>();
  let totalBytes = 0;
  let index = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      index += 1;
      const name = entry.fileName;
      const nameProblem = judgeName(name);
      if (nameProblem) throw nameProblem;
      if (isSymlink(entry)) throw new PackageProblem('package_symlink', `Entry ${quote(name)} is a symbolic link; packages may hold only files and folders`, { entry: name });
      if (entry.isEncrypted()) throw new PackageProblem('package_encrypted', `Entry ${quote(name)} is encrypted; packages must not be password-protected`, { entry: name });
      if (name.endsWith('/')) {
        const folder = name.slice(0, -1);
        folders.set(folder.normalize('NFC'), folder);
        continue;
      }
      judgeFile(name, entry, limits);
      const key = name.normalize('NFC');
      const earlier = normalised.get(key);
      if (earlier !== undefined) {
        const message = earlier === name
          ? `Entry ${quote(name)} appears twice`
          : `Entry ${quote(name)} repeats ${quote(earlier)}: the same name in another Unicode normal form (NFC/NFD)`;
        throw new PackageProblem('package_duplicate_entry', message, { entry: name });
      }
      normalised.set(key, name);
      files.set(name, entry);
      totalBytes += entry.uncompressedSize;
      if (totalBytes > limits.maxTotalBytes) {
        throw new PackageProblem('package_too_large', `The package inflates to more than ${limits.maxTotalBytes} bytes (reached at entry ${quote(name)})`, { entry: name, limit: limits.maxTotalBytes });
      }
    }
  } catch (error) {
    throw asPackageProblem(error, index + 1);
  }
  judgeFoldersAgainstFiles(normalised, folders);
  judgeOverlap(zip, files);
  judgeManifest(files, limits);
  return files;
}

/** Longest file or folder name (in bytes) that Linux and macOS file systems accept. */
const NAME_MAX = 255;

/** A name must stay inside the package on every platform, mean one path only, and be writable. */
function judgeName(name: string): PackageProblem | null {
  const escapes = (why: string) => new PackageProblem('package_entry_escapes', `Entry ${quote(name)} ${why}`, { entry: name });
  const invalid = (why: string) => new PackageProblem('package_entry_name_invalid', `Entry ${quote(name)} ${why}`, { entry: name });
  if (name.includes('\\')) return escapes('contains a backslash, a folder separator on Windows');
  if (name.startsWith('/')) return escapes('is an absolute path');
  if (/^[a-zA-Z]:/.test(name)) return escapes('starts with a drive letter');
  const segments = (name.endsWith('/') ? name.slice(0, -1) : name).split('/');
  if (segments.includes('..')) return escapes("climbs out of its folder with '..'");
  if (name.includes('\u0000')) return invalid('contains a NUL character');
  if (/[\u0001-\u001f\u007f]/.test(name)) return invalid('contains a control character');
  if (segments.some((segment) => segment === '' || segment === '.')) return invalid("has an empty or '.' path segment");
  if (segments.some((segment) => Buffer.byteLength(segment) > NAME_MAX)) return invalid(`has a file or folder name longer than ${NAME_MAX} bytes`);
  return null;
}

/**
 * Unix modes travel in the high 16 bits of the external attributes. Checked whatever the "made by" platform
 * says: 7-Zip on Windows records Unix modes there too, and refusing a link costs nothing.
 */
function isSymlink(entry: Entry): boolean {
  const S_IFMT = 0o170000;
  const S_IFLNK = 0o120000;
  return ((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK;
}

function judgeFile(name: string, entry: Entry, limits: PackageLimits): void {
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
    throw new PackageProblem('package_unsupported_compression', `Entry ${quote(name)} uses compression method ${entry.compressionMethod}; only stored and deflated entries are supported`, { entry: name, method: entry.compressionMethod });
  }
  if (entry.uncompressedSize > limits.maxFileBytes) {
    throw new PackageProblem('package_file_too_large', `Entry ${quote(name)} inflates to ${entry.uncompressedSize} bytes; at most ${limits.maxFileBytes} are accepted per file`, { entry: name, size: entry.uncompressedSize, limit: limits.maxFileBytes });
  }
  if (entry.uncompressedSize > RATIO_APPLIES_ABOVE_BYTES) {
    const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
    if (ratio > limits.maxCompressionRatio) {
      throw new PackageProblem('package_zip_bomb', `Entry ${quote(name)} inflates ${Math.round(ratio)}-fold (${entry.compressedSize} → ${entry.uncompressedSize} bytes); over ${limits.maxCompressionRatio}-fold marks a zip bomb`, { entry: name, ratio, limit: limits.maxCompressionRatio });
    }
  }
}

/** A file that is also a folder ("a" and "a/b") cannot be extracted; which one a URL means would be a guess. */
function judgeFoldersAgainstFiles(files: ReadonlyMap<string, string>, folders: ReadonlyMap<string, string>): void {
  const clash = (file: string, other: string) =>
    new PackageProblem('package_duplicate_entry', `Entry ${quote(file)} is a file and also the folder of ${quote(other)}`, { entry: file });
  for (const [key, name] of files) {
    const folder = folders.get(key);
    if (folder !== undefined) throw clash(name, `${folder}/`);
    for (let cut = key.lastIndexOf('/'); cut > 0; cut = key.lastIndexOf('/', cut - 1)) {
      const ancestor = files.get(key.slice(0, cut));
      if (ancestor !== undefined) throw clash(ancestor, name);
    }
  }
}

/**
 * Entries whose data overlap share compressed bytes: the trick of "non-recursive" zip bombs, where each
 * entry's ratio looks tame but thousands inflate the same kernel. Each entry spans at least its 30-byte
 * local header plus its compressed data, and must end inside the file.
 */
function judgeOverlap(zip: ZipFile, files: ReadonlyMap<string, Entry>): void {
  const spans = [...files].map(([name, entry]) => ({ name, start: entry.relativeOffsetOfLocalHeader, end: entry.relativeOffsetOfLocalHeader + 30 + entry.compressedSize }));
  spans.sort((a, b) => a.start - b.start);
  spans.forEach((span, i) => {
    const next = spans[i + 1];
    if (span.end > zip.fileSize) throw new PackageProblem('package_corrupt', `Entry ${quote(span.name)} claims data beyond the end of the zip`, { entry: span.name });
    if (next && span.end > next.start) throw new PackageProblem('package_zip_bomb', `Entries ${quote(span.name)} and ${quote(next.name)} share compressed data, the mark of an overlapping zip bomb`, { entry: next.name });
  });
}

/**
 * The manifest must be at the root and named exactly `imsmanifest.xml` (the files are served from a
 * case-sensitive file system, so a differently cased manifest is refused, naming what was found).
 */
function judgeManifest(files: ReadonlyMap<string, Entry>, limits: PackageLimits): void {
  const manifest = files.get(MANIFEST_PATH);
  if (manifest) {
    if (manifest.uncompressedSize > limits.maxManifestBytes) {
      throw new PackageProblem('package_manifest_too_large', `${quote(MANIFEST_PATH)} is ${manifest.uncompressedSize} bytes; at most ${limits.maxManifestBytes} are accepted`, { entry: MANIFEST_PATH, size: manifest.uncompressedSize, limit: limits.maxManifestBytes });
    }
    return;
  }
  const lookalike = [...files.keys()].find((name) => name.split('/').pop()!.toLowerCase() === MANIFEST_PATH);
  const hint =
    lookalike === undefined ? ''
    : lookalike.includes('/') ? ` (found ${quote(lookalike)}: zip the course folder's contents, not the folder itself)`
    : ` (found ${quote(lookalike)}: the name must be lower case)`;
  throw new PackageProblem('package_manifest_missing', `The package has no ${MANIFEST_PATH} at its root${hint}`, lookalike === undefined ? undefined : { entry: lookalike });
}

class ZipPackageArchive implements PackageArchive {
  readonly entries: readonly PackageEntry[];

  constructor(
    private readonly zip: ZipFile,
    private readonly files: ReadonlyMap<string, Entry>,
    private readonly limits: PackageLimits,
  ) {
    this.entries = Object.freeze([...files].map(([name, entry]) => Object.freeze({ path: name, size: entry.uncompressedSize, compressedSize: entry.compressedSize })));
  }

  has(path: string): boolean {
    return this.files.has(path);
  }

  async readManifest(): Promise<Buffer> {
    this.mustBeOpen();
    const chunks: Buffer[] = [];
    const collect = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    });
    try {
      await this.copyEntry(MANIFEST_PATH, this.limits.maxManifestBytes, collect);
    } catch (error) {
      throw asEntryProblem(error, MANIFEST_PATH);
    }
    return Buffer.concat(chunks);
  }

  async extractTo(dir: string, onProgress?: (done: { files: number; bytes: number }) => void): Promise<{ files: number; bytes: number }> {
    this.mustBeOpen();
    const written = new Extraction();
    const done = { files: 0, bytes: 0 };
    const budget = { left: this.limits.maxTotalBytes };
    try {
      const root = await written.ensureRoot(path.resolve(dir));
      for (const [name, entry] of this.files) {
        const target = path.resolve(root, ...name.split('/'));
        if (!isInside(root, target)) throw new PackageProblem('package_entry_escapes', `Entry ${quote(name)} would be written outside the package folder`, { entry: name });
        await written.ensureFolder(root, path.dirname(target));
        try {
          await written.writeFile(target, (file) => this.copyEntry(name, this.limits.maxFileBytes, file, budget));
        } catch (error) {
          throw asEntryProblem(error, name);
        }
        done.files += 1;
        done.bytes += entry.uncompressedSize;
        onProgress?.({ ...done });
      }
      return done;
    } catch (error) {
      await written.undo();
      throw error;
    }
  }

  async close(): Promise<void> {
    if (!this.zip.isOpen) return;
    await new Promise<void>((resolve, reject) => {
      this.zip.once('close', resolve);
      this.zip.once('error', reject);
      this.zip.close();
    });
  }

  private mustBeOpen(): void {
    if (!this.zip.isOpen) throw new Error('The package archive is closed');
  }

  /** Streams an entry's inflated bytes into `sink`, checked as they pass (see EntryGuard). */
  private async copyEntry(name: string, cap: number, sink: Writable, budget?: { left: number }): Promise<void> {
    const entry = this.files.get(name)!;
    const source = await this.zip.openReadStreamPromise(entry);
    await pipeline(source, new EntryGuard(name, entry, cap, budget), sink);
  }
}

/**
 * Counts an entry's actual bytes against its declared size, the per-file cap and the package's remaining
 * budget, and compares its CRC-32 at the end. yauzl checks the size too; the caps and the CRC are ours.
 */
class EntryGuard extends Transform {
  private bytes = 0;
  private crc = 0;

  constructor(
    private readonly name: string,
    private readonly entry: Entry,
    private readonly cap: number,
    private readonly budget?: { left: number },
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.crc = crc32(chunk, this.crc);
    if (this.bytes > this.cap) return callback(new PackageProblem('package_file_too_large', `Entry ${quote(this.name)} holds more than ${this.cap} bytes`, { entry: this.name, limit: this.cap }));
    if (this.budget) {
      this.budget.left -= chunk.length;
      if (this.budget.left < 0) return callback(new PackageProblem('package_too_large', `The package inflates to more bytes than accepted (exceeded in entry ${quote(this.name)})`, { entry: this.name }));
    }
    if (this.bytes > this.entry.uncompressedSize) return callback(damaged(this.name, `holds more than the ${this.entry.uncompressedSize} bytes it declares`));
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.bytes !== this.entry.uncompressedSize) return callback(damaged(this.name, `holds ${this.bytes} bytes but declares ${this.entry.uncompressedSize}`));
    if (this.crc !== this.entry.crc32) return callback(damaged(this.name, 'fails its CRC-32 check'));
    callback();
  }
}

/**
 * What one extraction created, so a failure can remove exactly that and nothing that was there before.
 * Folders are created one level at a time and checked to be real folders; files are opened exclusively
 * without following links, after the folder they land in resolved (realpath) to inside the root.
 */
class Extraction {
  private readonly files: string[] = [];
  private readonly folders: string[] = [];
  private readonly checked = new Set<string>();

  /** Creates `dir` when absent and returns its resolved path, under which everything is written. */
  async ensureRoot(dir: string): Promise<string> {
    const first = await mkdir(dir, { recursive: true });
    if (first !== undefined) {
      const created: string[] = [];
      for (let folder = dir; folder !== path.dirname(first); folder = path.dirname(folder)) created.unshift(folder);
      this.folders.push(...created);
    }
    const root = await realpath(dir);
    this.checked.add(root);
    return root;
  }

  async ensureFolder(root: string, folder: string): Promise<void> {
    if (this.checked.has(folder)) return;
    await this.ensureFolder(root, path.dirname(folder));
    try {
      await mkdir(folder);
      this.folders.push(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const stat = await lstat(folder);
      if (!stat.isDirectory()) throw Object.assign(new Error(`${folder} exists and is not a folder`), { code: 'ENOTDIR' });
    }
    if (!isInside(root, await realpath(folder))) throw new Error(`${folder} resolves outside ${root}`);
    this.checked.add(folder);
  }

  /** Creates `target` (never over an existing file or link) and lets `fill` stream into it. */
  async writeFile(target: string, fill: (file: Writable) => Promise<void>): Promise<void> {
    const file = await open(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
    this.files.push(target);
    try {
      await fill(file.createWriteStream());
    } finally {
      await file.close().catch(() => undefined);
    }
  }

  /** Best effort: a removal that fails must not hide the error that caused it. */
  async undo(): Promise<void> {
    for (const file of this.files.reverse()) await rm(file, { force: true }).catch(() => undefined);
    for (const folder of this.folders.reverse()) await rmdir(folder).catch(() => undefined);
  }
}

function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}

function damaged(name: string, why: string): PackageProblem {
  return new PackageProblem('package_corrupt', `Entry ${quote(name)} is damaged: it ${why}`, { entry: name });
}

/** A system error (it names the call that failed) is an I/O failure, not the package's fault. */
function isSystemError(error: unknown): boolean {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string';
}

/** Errors while reading one entry's data: ours pass through, I/O errors stay as they are, the rest is damage. */
function asEntryProblem(error: unknown, name: string): unknown {
  if (error instanceof PackageProblem || isSystemError(error) || !(error instanceof Error)) return error;
  return damaged(name, `cannot be read (${error.message})`);
}

/**
 * yauzl's errors while opening the zip or reading its central directory, as PackageProblems. yauzl refuses
 * some names itself (backslashes, absolute paths, '..') with the name in its message; those are judged again
 * by judgeName so that its wording and code are ours. `entryNumber` is the central directory entry being read.
 */
function asPackageProblem(error: unknown, entryNumber?: number): unknown {
  if (error instanceof PackageProblem || isSystemError(error) || !(error instanceof Error)) return error;
  const refusedName = /^(?:invalid characters in fileName|absolute path|invalid relative path): ([\s\S]*)$/.exec(error.message);
  const judged = refusedName && judgeName(refusedName[1]!);
  if (judged) return judged;
  if (/End of central directory record signature not found/.test(error.message)) {
    return new PackageProblem('package_not_a_zip', 'The upload is not a zip file (it is empty, truncated or another format)');
  }
  const where = entryNumber === undefined ? '' : ` at entry #${entryNumber} of its central directory`;
  if (/strong encryption/.test(error.message)) {
    return new PackageProblem('package_encrypted', `The package is encrypted${where}; packages must not be password-protected`);
  }
  return new PackageProblem('package_corrupt', `The zip is damaged${where}: ${error.message}`);
}

/** Names as JSON strings, so control characters and trailing spaces are visible in messages. */
function quote(name: string): string {
  return JSON.stringify(name);
}
