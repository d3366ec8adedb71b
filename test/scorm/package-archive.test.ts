import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { pipeline } from 'node:stream/promises';
import {
  DEFAULT_PACKAGE_LIMITS,
  openPackageArchive,
  PackageProblem,
  type PackageLimits,
  type PackageProblemCode,
} from '../../src/connectors/scorm/package-archive';
import {
  MINIMAL_LAUNCH_PAGE,
  MINIMAL_MANIFEST,
  minimalPackageWith,
  notAZip,
  writePackageWithLargeFile,
  zipBomb,
  zipWithDuplicateEntry,
  zipWithEncryptedEntry,
  zipWithEntries,
  zipWithEntryNamed,
  zipWithFileAlsoAFolder,
  zipWithFileOfSize,
  zipWithLyingSize,
  zipWithManifestAt,
  zipWithOverlappingEntries,
  zipWithSymlink,
  zipWithWrongCrc,
} from '../support/hostile-zips';
import { SCORM_FIXTURES } from '../support/scorm-zip';

const FIXTURES = SCORM_FIXTURES;
const MiB = 1024 ** 2;

let work: string;
beforeEach(() => {
  work = mkdtempSync(path.join(tmpdir(), 'package-archive-'));
});
afterEach(() => {
  rmSync(work, { recursive: true, force: true });
});

function zipFile(bytes: Buffer): string {
  const zipPath = path.join(work, 'upload.zip');
  writeFileSync(zipPath, bytes);
  return zipPath;
}

/** What an import does: open, extract, close. */
async function unpack(zipPath: string, dir: string, limits?: PackageLimits) {
  const archive = await openPackageArchive(zipPath, limits);
  try {
    return await archive.extractTo(dir);
  } finally {
    await archive.close();
  }
}

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/** Every file under `dir`, relative, '/'-separated. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

describe('real SCORM packages', () => {
  // Counts and digests from Info-ZIP (`unzip -Z1`, `unzip -p | sha256sum`), an independent reader.
  const shared = {
    'shared/scormfunctions.js': 'fdca0755a875a47abe67c08a9e2acb1be9b7531c458900973ea3a7416d07cba6',
    'Playing/rules.jpg': '0e641abfcd2dd76898fce731e2b2dbfad32d041ea2ef2b93e6d38bfc5b0ccf40',
  };
  const fixtures: [string, number, Record<string, string>][] = [
    ['golf-scorm12.zip', 44, { 'imsmanifest.xml': '609fd6de69943ece2073d8306c8df8a9773047320ef5c973ccee508c1b2a2321', ...shared }],
    ['golf-2004-3rd-single-sco.zip', 69, { 'imsmanifest.xml': '9f7d14d8e9b80d4e5e58edafaf063575ae82b8aed9b479f5c1df0697a1e26db1', ...shared }],
    ['golf-2004-3rd-multi-sco.zip', 69, { 'imsmanifest.xml': '28aeae9d9c282cf07c141450f43fa63df0adf59fa430fd27c8b3040dafff229a', ...shared }],
    ['golf-2004-3rd-runtime-basic.zip', 69, { 'imsmanifest.xml': 'd1711b000f14d6d733b9de9b39df93754b9da7a7f74c502fec9e50bb659b6d63', 'shared/scormfunctions.js': '3f44fbabfffd1b1f429bec2ce8b88d4d12de314dc5a5afcfe9d9fbd69f0f150d' }],
    ['golf-2004-4th-features.zip', 59, { 'imsmanifest.xml': 'd4e593ae309e1154065949b1860b929c4f22e98e20e200f4a7bdff7bafa29d1b', 'shared/scormfunctions.js': '904fd06f573225cadd4ebe7dcbc730a64948932e74ed11415e91144296ca7eb6' }],
  ];

  test.each(fixtures)('%s opens with its %i files and its manifest, folders dropped', async (fixture, fileCount, digests) => {
    const archive = await openPackageArchive(path.join(FIXTURES, fixture));
    try {
      expect(archive.entries).toHaveLength(fileCount);
      expect(archive.entries.filter((entry) => entry.path.endsWith('/'))).toEqual([]);
      expect(archive.has('imsmanifest.xml')).toBe(true);
      expect(archive.has('IMSMANIFEST.XML')).toBe(false);
      expect(archive.has('shared/')).toBe(false);
      const manifest = await archive.readManifest();
      expect(createHash('sha256').update(manifest).digest('hex')).toBe(digests['imsmanifest.xml']);
      expect(manifest.length).toBe(archive.entries.find((entry) => entry.path === 'imsmanifest.xml')!.size);
    } finally {
      await archive.close();
    }
  });

  test.each(fixtures)('%s extracts byte for byte', async (fixture, fileCount, digests) => {
    const dir = path.join(work, 'package');
    const archive = await openPackageArchive(path.join(FIXTURES, fixture));
    const progress: { files: number; bytes: number }[] = [];
    try {
      const done = await archive.extractTo(dir, (step) => progress.push(step));
      const totalBytes = archive.entries.reduce((sum, entry) => sum + entry.size, 0);
      expect(done).toEqual({ files: fileCount, bytes: totalBytes });
      expect(filesUnder(dir)).toEqual(archive.entries.map((entry) => entry.path).sort());
      for (const [file, digest] of Object.entries(digests)) expect(await sha256(path.join(dir, file))).toBe(digest);
      expect(progress).toHaveLength(fileCount);
      expect(progress.at(-1)).toEqual(done);
    } finally {
      await archive.close();
    }
  });
});

describe('a package that is refused before anything is written', () => {
  const small: PackageLimits = { ...DEFAULT_PACKAGE_LIMITS, maxEntries: 10, maxFileBytes: 64 * 1024, maxTotalBytes: 100 * 1024 };
  interface Refusal { title: string; build: () => Buffer | Promise<Buffer>; code: PackageProblemCode; entry?: string; limits?: PackageLimits }
  const cases: Refusal[] = [
    { title: 'an entry climbing out with ../', build: () => zipWithEntryNamed('../evil.html'), code: 'package_entry_escapes', entry: '../evil.html' },
    { title: 'an entry climbing out from a folder', build: () => zipWithEntryNamed('shared/../../evil.html'), code: 'package_entry_escapes', entry: 'shared/../../evil.html' },
    { title: 'an absolute path', build: () => zipWithEntryNamed('/etc/passwd'), code: 'package_entry_escapes', entry: '/etc/passwd' },
    { title: 'a backslash', build: () => zipWithEntryNamed('a\\b'), code: 'package_entry_escapes', entry: 'a\\b' },
    { title: 'a Windows traversal with backslashes', build: () => zipWithEntryNamed('..\\..\\evil.html'), code: 'package_entry_escapes', entry: '..\\..\\evil.html' },
    { title: 'a drive letter', build: () => zipWithEntryNamed('C:/x'), code: 'package_entry_escapes', entry: 'C:/x' },
    { title: 'a NUL in a name', build: () => zipWithEntryNamed('index.html\u0000.png'), code: 'package_entry_name_invalid', entry: 'index.html\u0000.png' },
    { title: 'an empty path segment', build: () => zipWithEntryNamed('shared//x.js'), code: 'package_entry_name_invalid', entry: 'shared//x.js' },
    { title: 'a "." path segment', build: () => zipWithEntryNamed('./index2.html'), code: 'package_entry_name_invalid', entry: './index2.html' },
    { title: 'a name longer than a file system allows', build: () => zipWithEntryNamed(`media/${'x'.repeat(252)}.mp4`), code: 'package_entry_name_invalid', entry: `media/${'x'.repeat(252)}.mp4` },
    { title: 'a symbolic link', build: () => zipWithSymlink('shared/passwd', '/etc/passwd'), code: 'package_symlink', entry: 'shared/passwd' },
    { title: 'a name written twice', build: () => zipWithDuplicateEntry('index.html'), code: 'package_duplicate_entry', entry: 'index.html' },
    { title: 'a name written twice in two Unicode forms', build: () => minimalPackageWith([{ name: 'caf\u00e9.html', data: 'composed' }, { name: 'cafe\u0301.html', data: 'decomposed' }]), code: 'package_duplicate_entry', entry: 'cafe\u0301.html' },
    { title: 'a file that is also a folder', build: () => zipWithFileAlsoAFolder('media'), code: 'package_duplicate_entry', entry: 'media' },
    { title: 'a file that is also a folder entry', build: () => minimalPackageWith([{ name: 'media', data: 'x' }, { name: 'media/', data: '' }]), code: 'package_duplicate_entry', entry: 'media' },
    { title: 'too many entries', build: () => zipWithEntries(11), code: 'package_too_many_entries', limits: small },
    { title: 'a file over the cap', build: () => zipWithFileOfSize(64 * 1024 + 1, 'media/video.mp4'), code: 'package_file_too_large', entry: 'media/video.mp4', limits: small },
    { title: 'files over the total cap', build: () => minimalPackageWith([0, 1].map((i) => ({ name: `media/${i}.bin`, data: Buffer.alloc(60 * 1024, i + 1), compress: false }))), code: 'package_too_large', entry: 'media/1.bin', limits: small },
    { title: 'a zip bomb (50 MB of zeros, ~1000-fold)', build: () => zipBomb(50 * MiB, 'media/zeros.bin'), code: 'package_zip_bomb', entry: 'media/zeros.bin' },
    { title: 'entries sharing their compressed data', build: () => zipWithOverlappingEntries(), code: 'package_zip_bomb', entry: 'overlap/b.bin' },
    { title: 'an encrypted entry', build: () => zipWithEncryptedEntry('secret.html'), code: 'package_encrypted', entry: 'secret.html' },
    { title: 'no imsmanifest.xml', build: () => zipWithManifestAt(null), code: 'package_manifest_missing' },
    { title: 'a manifest cased differently', build: () => zipWithManifestAt('IMSManifest.xml'), code: 'package_manifest_missing', entry: 'IMSManifest.xml' },
    { title: 'a manifest in a folder', build: () => zipWithManifestAt('golf/imsmanifest.xml'), code: 'package_manifest_missing', entry: 'golf/imsmanifest.xml' },
    { title: 'a manifest over its cap', build: () => minimalPackageWith(), code: 'package_manifest_too_large', entry: 'imsmanifest.xml', limits: { ...DEFAULT_PACKAGE_LIMITS, maxManifestBytes: 100 } },
  ];

  test.each(cases)('$title', async ({ build, code, entry, limits }) => {
    const dir = path.join(work, 'package');
    const refusal = await unpack(zipFile(await build()), dir, limits).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(PackageProblem);
    expect(refusal).toMatchObject({ status: 422, code });
    if (entry !== undefined) {
      expect((refusal as PackageProblem).details).toMatchObject({ entry });
      expect((refusal as PackageProblem).message).toContain(JSON.stringify(entry));
    }
    expect(existsSync(dir)).toBe(false);
  });

  test('random bytes are not a zip (400: the request is not what the endpoint takes)', async () => {
    const dir = path.join(work, 'package');
    await expect(unpack(zipFile(notAZip(4096)), dir)).rejects.toMatchObject({ status: 400, code: 'package_not_a_zip' });
    expect(existsSync(dir)).toBe(false);
  });

  test('an empty file is not a zip', async () => {
    const dir = path.join(work, 'package');
    await expect(unpack(zipFile(Buffer.alloc(0)), dir)).rejects.toMatchObject({ status: 400, code: 'package_not_a_zip' });
    expect(existsSync(dir)).toBe(false);
  });

  test('a zip cut short is damaged', async () => {
    const whole = await minimalPackageWith();
    const dir = path.join(work, 'package');
    const cut = Buffer.concat([whole.subarray(0, 40), whole.subarray(whole.length - 22)]);
    await expect(unpack(zipFile(cut), dir)).rejects.toMatchObject({ status: 422, code: 'package_corrupt' });
    expect(existsSync(dir)).toBe(false);
  });

  test('a small file that compresses far beyond the ratio is fine: the ratio only counts above 1 MiB', async () => {
    const archive = await openPackageArchive(zipFile(await minimalPackageWith([{ name: 'blank.json', data: Buffer.alloc(MiB, 0x20) }])));
    try {
      const blank = archive.entries.find((entry) => entry.path === 'blank.json')!;
      expect(blank.size / blank.compressedSize).toBeGreaterThan(DEFAULT_PACKAGE_LIMITS.maxCompressionRatio);
    } finally {
      await archive.close();
    }
  });
});

describe('a package whose bytes betray its headers', () => {
  test('an entry inflating to more than it declares fails extraction, which removes what it wrote', async () => {
    const dir = path.join(work, 'package');
    const archive = await openPackageArchive(zipFile(zipWithLyingSize(4 * MiB, 4096, 'media/lies.bin')));
    try {
      expect(archive.entries.map((entry) => entry.path)).toEqual(['imsmanifest.xml', 'index.html', 'media/lies.bin']);
      const written: number[] = [];
      const failure = await archive.extractTo(dir, (done) => written.push(done.files)).catch((error: unknown) => error);
      expect(written).toEqual([1, 2]);
      expect(failure).toMatchObject({ status: 422, code: 'package_corrupt', details: { entry: 'media/lies.bin' } });
      expect(existsSync(dir)).toBe(false);
    } finally {
      await archive.close();
    }
  });

  test('an entry failing its CRC-32 fails extraction and leaves nothing', async () => {
    const dir = path.join(work, 'package');
    const failure = await unpack(zipFile(zipWithWrongCrc('shared/script.js')), dir).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'package_corrupt', details: { entry: 'shared/script.js' } });
    expect((failure as Error).message).toContain('CRC-32');
    expect(existsSync(dir)).toBe(false);
  });
});

describe('extraction into a folder', () => {
  test('writes every file and reads back the manifest exactly', async () => {
    const dir = path.join(work, 'deep', 'package');
    const archive = await openPackageArchive(zipFile(await minimalPackageWith([{ name: 'shared/style.css', data: 'p { color: red }' }])));
    try {
      expect((await archive.readManifest()).toString()).toBe(MINIMAL_MANIFEST);
      expect(await archive.extractTo(dir)).toEqual({ files: 3, bytes: MINIMAL_MANIFEST.length + MINIMAL_LAUNCH_PAGE.length + 16 });
      expect(filesUnder(dir)).toEqual(['imsmanifest.xml', 'index.html', 'shared/style.css']);
      expect(readFileSync(path.join(dir, 'index.html'), 'utf8')).toBe(MINIMAL_LAUNCH_PAGE);
    } finally {
      await archive.close();
    }
  });

  test('a name that merely begins with two dots is an ordinary file', async () => {
    const dir = path.join(work, 'package');
    await unpack(zipFile(await minimalPackageWith([{ name: '..data.js', data: 'var data = 1;' }, { name: 'shared/...', data: 'dots' }])), dir);
    expect(filesUnder(dir)).toEqual(['..data.js', 'imsmanifest.xml', 'index.html', 'shared/...']);
  });

  test('never overwrites a file already there, and removes only what it wrote', async () => {
    const dir = path.join(work, 'package');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'index.html'), 'already here');
    const failure = await unpack(zipFile(await minimalPackageWith()), dir).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'EEXIST' });
    expect(filesUnder(dir)).toEqual(['index.html']);
    expect(readFileSync(path.join(dir, 'index.html'), 'utf8')).toBe('already here');
  });

  test('never follows a link already in the folder out of it', async () => {
    const dir = path.join(work, 'package');
    const outside = path.join(work, 'outside');
    mkdirSync(dir);
    mkdirSync(outside);
    symlinkSync(outside, path.join(dir, 'media'));
    const failure = await unpack(zipFile(await minimalPackageWith([{ name: 'media/clip.mp4', data: 'video' }])), dir).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'ENOTDIR' });
    expect(readdirSync(outside)).toEqual([]);
    expect(readdirSync(dir)).toEqual(['media']);
  });

  test('streams: a 96 MB file does not grow the process by anywhere near its size', async () => {
    const size = 96 * MiB;
    const zipPath = path.join(work, 'large.zip');
    await writePackageWithLargeFile(zipPath, size, 'media/lecture.mp4');
    const dir = path.join(work, 'package');
    // Extracted in a process of its own, which measures what JavaScript still references (heap and
    // buffers after a full collection): a test runner's own memory moves with the other tests.
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(__dirname, 'support', 'extract-package.ts'), zipPath, dir], {
      cwd: path.resolve(__dirname, '../..'),
    });
    const extraction = JSON.parse(stdout) as { files: number; bytes: number; before: number; peak: number };
    expect(extraction).toMatchObject({ files: 3, bytes: MINIMAL_MANIFEST.length + MINIMAL_LAUNCH_PAGE.length + size });
    // Holding the file whole (or most of it) in buffers would add at least its 96 MB.
    expect(extraction.peak - extraction.before).toBeLessThan(size / 2);
    const zeros = createHash('sha256');
    for (let i = 0; i < size / MiB; i += 1) zeros.update(Buffer.alloc(MiB));
    expect(await sha256(path.join(dir, 'media/lecture.mp4'))).toBe(zeros.digest('hex'));
  }, 60_000);
});
