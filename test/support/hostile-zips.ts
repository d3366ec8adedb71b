import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32, deflateRawSync } from 'node:zlib';
import { ZipFile } from 'yazl';

/**
 * Builders of SCORM packages for tests: a minimal valid one, and hostile ones for each refusal of
 * capability 2. Each returns the zip's bytes (to POST or write to a file).
 *
 * Most are built with yazl. yazl refuses to write names that escape ('../x', '/x', 'C:/x') and turns
 * backslashes into '/', which is right for a zip writer and exactly what an attacker does not do; for
 * those, and for headers that lie, `rawZip` writes the bytes itself: stored or deflated entries, no
 * data descriptors, no zip64 — just enough of the format to craft hostile input.
 */

/** A valid SCORM 1.2 manifest with one SCO launching index.html. */
export const MINIMAL_MANIFEST = `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="com.example.minimal" version="1"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org">
    <organization identifier="org">
      <title>Minimal course</title>
      <item identifier="item" identifierref="sco"><title>Only lesson</title></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="sco" type="webcontent" adlcp:scormtype="sco" href="index.html">
      <file href="index.html"/>
    </resource>
  </resources>
</manifest>
`;

export const MINIMAL_LAUNCH_PAGE = '<!doctype html><title>Only lesson</title><p>Hello</p>\n';

/** The files of the minimal package, to which a hostile builder adds its entry. */
export function minimalPackageFiles(): [string, Buffer][] {
  return [
    ['imsmanifest.xml', Buffer.from(MINIMAL_MANIFEST)],
    ['index.html', Buffer.from(MINIMAL_LAUNCH_PAGE)],
  ];
}

export interface ZipFileSpec {
  name: string;
  data: Buffer | string;
  /** Deflate (default) or store. */
  compress?: boolean;
  /** Unix mode, e.g. 0o120777 for a symbolic link. */
  mode?: number;
}

/** A well-formed zip written by yazl. Folder entries are names ending in '/' with empty data. */
export async function zipOf(files: readonly ZipFileSpec[]): Promise<Buffer> {
  const zip = new ZipFile();
  for (const file of files) {
    if (file.name.endsWith('/')) zip.addEmptyDirectory(file.name);
    else zip.addBuffer(Buffer.from(file.data), file.name, { compress: file.compress ?? true, ...(file.mode === undefined ? {} : { mode: file.mode }) });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as Readable) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The minimal package plus `extra` files. */
export function minimalPackageWith(extra: readonly ZipFileSpec[] = []): Promise<Buffer> {
  return zipOf([...minimalPackageFiles().map(([name, data]) => ({ name, data })), ...extra]);
}

export interface RawZipEntry {
  /** Written as given, UTF-8; a Buffer is written byte for byte. */
  name: string | Buffer;
  data?: Buffer;
  deflate?: boolean;
  /** Inflated size the headers declare, when it should differ from the data's (a lying header). */
  declaredSize?: number;
  /** CRC-32 the headers declare, when it should differ from the data's. */
  declaredCrc?: number;
  /** Sets the "encrypted" flag; 12 bytes of header precede the data, as traditional encryption does. */
  encrypted?: boolean;
  /** Unix mode in the high bits of the external attributes. */
  mode?: number;
  /** Index of an earlier entry whose local header and data this one points at (overlapping entries). */
  sameDataAs?: number;
}

/** A zip written byte by byte, for input no zip library will produce. */
export function rawZip(entries: readonly RawZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  const written: { offset: number; crc: number; compressedSize: number; size: number; method: number; flags: number }[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.isBuffer(entry.name) ? entry.name : Buffer.from(entry.name, 'utf8');
    let header = entry.sameDataAs === undefined ? undefined : written[entry.sameDataAs];
    if (!header) {
      const data = entry.data ?? Buffer.alloc(0);
      const body = entry.deflate ? deflateRawSync(data) : data;
      const stored = entry.encrypted ? Buffer.concat([randomBytes(12), body]) : body;
      header = {
        offset,
        crc: entry.declaredCrc ?? crc32(data),
        compressedSize: stored.length,
        size: entry.declaredSize ?? data.length,
        method: entry.deflate ? 8 : 0,
        flags: 0x800 | (entry.encrypted ? 0x1 : 0),
      };
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(20, 4);
      local.writeUInt16LE(header.flags, 6);
      local.writeUInt16LE(header.method, 8);
      local.writeUInt16LE(0, 10);
      local.writeUInt16LE(0x21, 12); // 1980-01-01
      local.writeUInt32LE(header.crc, 14);
      local.writeUInt32LE(header.compressedSize, 18);
      local.writeUInt32LE(header.size, 22);
      local.writeUInt16LE(name.length, 26);
      local.writeUInt16LE(0, 28);
      locals.push(local, name, stored);
      offset += local.length + name.length + stored.length;
    }
    written.push(header);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, so the mode in the external attributes counts
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(header.flags, 8);
    central.writeUInt16LE(header.method, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(header.crc, 16);
    central.writeUInt32LE(header.compressedSize, 20);
    central.writeUInt32LE(header.size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((entry.mode ?? 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(header.offset, 42);
    centrals.push(central, name);
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

function minimalRawEntries(): RawZipEntry[] {
  return minimalPackageFiles().map(([name, data]) => ({ name, data, deflate: true }));
}

/** The minimal package plus one file under a hostile `name` ('../evil', '/etc/passwd', 'a\\b', 'C:/x', 'a\u0000b', 'a//b'). */
export function zipWithEntryNamed(name: string | Buffer): Buffer {
  return rawZip([...minimalRawEntries(), { name, data: Buffer.from('pwned\n') }]);
}

/** The minimal package plus a symbolic link `name` → `target`. */
export function zipWithSymlink(name = 'shared/passwd', target = '/etc/passwd'): Promise<Buffer> {
  return minimalPackageWith([{ name, data: target, compress: false, mode: 0o120777 }]);
}

/** The minimal package with `name` written twice, with different content. */
export function zipWithDuplicateEntry(name = 'index.html'): Promise<Buffer> {
  return minimalPackageWith([{ name, data: '<p>the other one</p>' }]);
}

/** The minimal package with `name` both a file and the folder of another file. */
export function zipWithFileAlsoAFolder(name = 'media'): Promise<Buffer> {
  return minimalPackageWith([
    { name, data: 'a file' },
    { name: `${name}/clip.mp4`, data: 'a file in the folder' },
  ]);
}

/** The minimal package padded with small files to `count` entries in all. */
export function zipWithEntries(count: number): Promise<Buffer> {
  const padding = Array.from({ length: count - 2 }, (_, i) => ({ name: `assets/${i}.txt`, data: `${i}` }));
  return minimalPackageWith(padding);
}

/** The minimal package plus `name` of `bytes` random (incompressible) bytes. */
export function zipWithFileOfSize(bytes: number, name = 'media/video.mp4'): Promise<Buffer> {
  return minimalPackageWith([{ name, data: randomBytes(bytes) }]);
}

/** The minimal package plus `bytes` zeros, deflated about 1000-fold. */
export function zipBomb(bytes = 50 * 1024 ** 2, name = 'media/zeros.bin'): Promise<Buffer> {
  return minimalPackageWith([{ name, data: Buffer.alloc(bytes) }]);
}

/**
 * The minimal package plus a deflated entry whose headers declare far fewer bytes than it inflates to
 * (`declaredSize` of `actualBytes` zeros): the declared ratio is tame, so only extraction can tell.
 */
export function zipWithLyingSize(actualBytes = 4 * 1024 ** 2, declaredSize = 4096, name = 'media/lies.bin'): Buffer {
  return rawZip([...minimalRawEntries(), { name, data: Buffer.alloc(actualBytes), deflate: true, declaredSize }]);
}

/** The minimal package plus an entry whose declared CRC-32 does not match its bytes. */
export function zipWithWrongCrc(name = 'shared/script.js'): Buffer {
  const data = Buffer.from('console.log("hello");\n');
  return rawZip([...minimalRawEntries(), { name, data, deflate: true, declaredCrc: (crc32(data) ^ 0xffff) >>> 0 }]);
}

/** The minimal package plus an entry flagged as encrypted. */
export function zipWithEncryptedEntry(name = 'secret.html'): Buffer {
  return rawZip([...minimalRawEntries(), { name, data: Buffer.from('<p>secret</p>'), encrypted: true }]);
}

/** The minimal package plus two entries sharing one compressed body (an overlapping zip bomb). */
export function zipWithOverlappingEntries(): Buffer {
  const entries = minimalRawEntries();
  return rawZip([...entries, { name: 'overlap/a.bin', data: Buffer.alloc(64 * 1024), deflate: true }, { name: 'overlap/b.bin', sameDataAs: entries.length }]);
}

/** A package whose manifest sits somewhere other than `imsmanifest.xml` at the root (or nowhere: null). */
export function zipWithManifestAt(manifestPath: string | null): Promise<Buffer> {
  const files: ZipFileSpec[] = [{ name: 'index.html', data: MINIMAL_LAUNCH_PAGE }];
  if (manifestPath !== null) files.push({ name: manifestPath, data: MINIMAL_MANIFEST });
  return zipOf(files);
}

/** Bytes that are not a zip. */
export function notAZip(bytes = 4096): Buffer {
  return randomBytes(bytes);
}

/**
 * Streams to `zipPath` the minimal package plus `name` of `bytes` stored zeros, never holding the
 * file in memory (for tests of streaming). Stored, so its ratio is 1.
 */
export async function writePackageWithLargeFile(zipPath: string, bytes: number, name = 'media/lecture.mp4'): Promise<void> {
  const zip = new ZipFile();
  for (const [file, data] of minimalPackageFiles()) zip.addBuffer(data, file);
  zip.addReadStream(zeros(bytes), name, { compress: false, size: bytes });
  zip.end();
  await pipeline(zip.outputStream as Readable, createWriteStream(zipPath));
}

function zeros(bytes: number): Readable {
  const chunk = Buffer.alloc(64 * 1024);
  let left = bytes;
  return new Readable({
    read() {
      if (left === 0) return void this.push(null);
      const size = Math.min(left, chunk.length);
      left -= size;
      this.push(size === chunk.length ? chunk : chunk.subarray(0, size));
    },
  });
}
