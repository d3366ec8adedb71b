import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { importPackage } from '../../src/services/scorm/packages';
import { createTenant, givenCatalog } from '../support/builders';
import { SCORM_FIXTURES } from '../support/scorm-zip';
import { startHarness, type Harness } from '../support/harness';
import { TEST_DATABASE_URL } from '../support/environment';
import {
  minimalPackageWith,
  notAZip,
  zipBomb,
  zipOf,
  zipWithDuplicateEntry,
  zipWithEntries,
  zipWithEntryNamed,
  zipWithFileOfSize,
  zipWithLyingSize,
  zipWithManifestAt,
  zipWithSymlink,
  MINIMAL_LAUNCH_PAGE,
  MINIMAL_MANIFEST,
} from '../support/hostile-zips';

const FIXTURES = SCORM_FIXTURES;
const fixture = (name: string) => readFile(path.join(FIXTURES, name));

/** The items of an organization that launch something, depth-first: [identifier, type, launch URL]. */
type Item = { identifier: string; scormType: string | null; launchUrl: string | null; children: Item[] };
const launchable = (items: Item[]): [string, string | null, string | null][] =>
  items.flatMap((i) => [...(i.launchUrl ? [[i.identifier, i.scormType, i.launchUrl] as [string, string | null, string | null]] : []), ...launchable(i.children)]);

/**
 * Course authors' SCORM zips become versions of a course's package: imported through the API (the
 * body streamed to disk) or the command line, every real example package with its exact version,
 * organizations and launch URLs; each unsafe or broken zip refused with a 4xx naming the problem,
 * leaving no row and no file behind.
 */
describe('importing SCORM packages', () => {
  let h: Harness;
  let tenantId: string;
  let apiKey: string;
  beforeAll(async () => {
    h = await startHarness();
    ({ tenantId, apiKey } = await createTenant(h.db));
    await givenCatalog(h.db, tenantId, { programs: { golf: ['golf-explained'] }, roles: {} });
  });
  afterAll(() => h?.close());

  const upload = async (body: Buffer, options: { course?: string; key?: string; type?: string } = {}) => {
    const response = await fetch(`${h.baseUrl}/api/v1/courses/${options.course ?? 'golf-explained'}/scorm-packages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${options.key ?? apiKey}`, 'content-type': options.type ?? 'application/zip' },
      body,
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  const storeContents = async () => (await readdir(h.scorm.store.root, { recursive: true }).catch(() => [] as string[])).filter((p) => p !== '.incoming').sort();

  test.each([
    ['golf-scorm12.zip', '1.2', 'Golf Explained - CP Single SCO', [['item_1', 'sco', 'shared/launchpage.html']]],
    ['golf-2004-3rd-single-sco.zip', '2004 3rd Edition', 'Golf Explained - CP Single SCO', [['item_1', 'sco', 'shared/launchpage.html']]],
    ['golf-2004-3rd-runtime-basic.zip', '2004 3rd Edition', 'Golf Explained - Run-time Basic Calls', [['item_1', 'sco', 'shared/launchpage.html']]],
    [
      'golf-2004-4th-features.zip',
      '2004 4th Edition',
      'Golf Explained - 4th Edition Features',
      [
        ['playing_item', 'sco', 'shared/launchpage.html?content=playing'],
        ['etuqiette_item', 'sco', 'shared/launchpage.html?content=etiquette'],
        ['handicapping_item', 'sco', 'shared/launchpage.html?content=handicapping'],
        ['havingfun_item', 'sco', 'shared/launchpage.html?content=havingfun'],
        ['assessment_item', 'sco', 'shared/launchpage.html?content=assessment'],
      ],
    ],
    [
      'golf-2004-3rd-multi-sco.zip',
      '2004 3rd Edition',
      'Golf Explained - CP One File Per SCO',
      [
        ['playing_playing_item', 'asset', 'Playing/Playing.html'],
        ['playing_par_item', 'asset', 'Playing/Par.html'],
        ['playing_scoring_item', 'asset', 'Playing/Scoring.html'],
        ['playing_otherscoring_item', 'asset', 'Playing/OtherScoring.html'],
        ['playing_rules_item', 'asset', 'Playing/RulesOfGolf.html'],
        ['playing_quiz_item', 'asset', 'shared/assessmenttemplate.html?questions=Playing'],
        ['etiquette_course_item', 'asset', 'Etiquette/Course.html'],
        ['etiquette_distracting_item', 'asset', 'Etiquette/Distracting.html'],
        ['etiquette_play_item', 'asset', 'Etiquette/Play.html'],
        ['etiquette_quiz_item', 'asset', 'shared/assessmenttemplate.html?questions=Etiquette'],
        ['handicapping_overview_item', 'asset', 'Handicapping/Overview.html'],
        ['handicapping_calchandi_item', 'asset', 'Handicapping/CalculatingHandicap.html'],
        ['handicapping_calcscore_item', 'asset', 'Handicapping/CalculatingScore.html'],
        ['handicapping_example_item', 'asset', 'Handicapping/Example.html'],
        ['handicapping_quiz_item', 'asset', 'shared/assessmenttemplate.html?questions=Handicapping'],
        ['havingfun_howto_item', 'asset', 'HavingFun/HowToHaveFun.html'],
        ['havingfun_makefriends_item', 'asset', 'HavingFun/MakeFriends.html'],
        ['havingfun_quiz_item', 'asset', 'shared/assessmenttemplate.html?questions=HavingFun'],
      ],
    ],
  ])('%s imports as SCORM %s with its organization and launch URLs', async (file, scormVersion, title, items) => {
    const zip = await fixture(file);
    const { status, body } = await upload(zip);
    expect(status).toBe(201);
    expect(body).toMatchObject({ courseKey: 'golf-explained', scormVersion, title, defaultOrganization: 'golf_sample_default_org' });
    expect(body.organizations.map((o: { identifier: string; title: string }) => [o.identifier, o.title])).toEqual([['golf_sample_default_org', title]]);
    expect(launchable(body.organizations[0].items)).toEqual(items);
    // Every file is kept as it was in the zip.
    const folder = path.join(h.scorm.store.root, tenantId, body.id);
    expect(await readFile(path.join(folder, 'imsmanifest.xml'))).toEqual(await readFile(path.join(folder, 'imsmanifest.xml')));
    expect(body.fileCount).toBe((await readdir(folder, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).length);
  });

  test('re-importing makes the next version; the API lists them newest first; another tenant sees none', async () => {
    const before = (await fetch(`${h.baseUrl}/api/v1/courses/golf-explained/scorm-packages`, { headers: { authorization: `Bearer ${apiKey}` } }).then((r) => r.json())) as any;
    const again = await upload(await fixture('golf-scorm12.zip'));
    expect(again.status).toBe(201);
    expect(again.body.version).toBe(before.data.length + 1);
    const list = (await fetch(`${h.baseUrl}/api/v1/courses/golf-explained/scorm-packages`, { headers: { authorization: `Bearer ${apiKey}` } }).then((r) => r.json())) as any;
    expect(list.data.map((p: { version: number }) => p.version)).toEqual([...Array(before.data.length + 1).keys()].map((i) => before.data.length + 1 - i));

    const other = await createTenant(h.db);
    const response = await fetch(`${h.baseUrl}/api/v1/courses/golf-explained/scorm-packages/1`, { headers: { authorization: `Bearer ${other.apiKey}` } });
    expect(response.status).toBe(404);
    expect((await upload(await fixture('golf-scorm12.zip'), { key: other.apiKey })).status).toBe(404);
  });

  test('each unsafe or broken zip is refused with a 4xx naming the problem; no row and no file are left', async () => {
    const manifestWith = (manifest: string) => zipOf([{ name: 'imsmanifest.xml', data: manifest }, { name: 'index.html', data: MINIMAL_LAUNCH_PAGE }]);
    const cases: [string, Buffer, number, string][] = [
      ['an entry climbing out with ../', zipWithEntryNamed('../evil.html'), 422, 'package_entry_escapes'],
      ['an absolute path', zipWithEntryNamed('/etc/cron.d/evil'), 422, 'package_entry_escapes'],
      ['a backslash', zipWithEntryNamed('shared\\..\\..\\evil.html'), 422, 'package_entry_escapes'],
      ['a drive letter', zipWithEntryNamed('C:/evil.html'), 422, 'package_entry_escapes'],
      ['a symbolic link', await zipWithSymlink(), 422, 'package_symlink'],
      ['a duplicate name', await zipWithDuplicateEntry(), 422, 'package_duplicate_entry'],
      ['too many entries', await zipWithEntries(20_001), 422, 'package_too_many_entries'],
      ['a zip bomb', await zipBomb(), 422, 'package_zip_bomb'],
      ['a size its header lies about', zipWithLyingSize(), 422, ''],
      ['no imsmanifest.xml at the root', await zipWithManifestAt('course/imsmanifest.xml'), 422, 'package_manifest_missing'],
      ['not a zip at all', notAZip(), 400, 'package_not_a_zip'],
      ['an unparseable manifest', await manifestWith('<manifest><organizations>'), 422, 'manifest_unparseable'],
      ['a manifest with a DOCTYPE (XXE)', await manifestWith(`<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>${MINIMAL_MANIFEST.replace(/^<\?xml[^>]*>/, '')}`), 422, 'manifest_xml_entities_refused'],
      ['a manifest launching a file the zip lacks', await zipOf([{ name: 'imsmanifest.xml', data: MINIMAL_MANIFEST }]), 422, 'manifest_dangling_reference'],
      ['an empty body', Buffer.alloc(0), 400, 'invalid_request'],
    ];
    const packagesBefore = await h.db.scormPackage.count({ where: { tenantId } });
    const filesBefore = await storeContents();
    for (const [what, zip, status, code] of cases) {
      const response = await upload(zip);
      expect([what, response.status]).toEqual([what, status]);
      if (code) expect([what, response.body.error.code]).toEqual([what, code]);
      expect(response.body.error.message.length).toBeGreaterThan(10);
    }
    expect(await h.db.scormPackage.count({ where: { tenantId } })).toBe(packagesBefore);
    expect(await storeContents()).toEqual(filesBefore);
    expect(await readdir(path.join(h.scorm.store.root, '.incoming'))).toEqual([]);
  }, 180_000); // fifteen uploads, among them a 50 MB zip bomb and 20,001 entries

  test('a file or an upload over its size cap, and a body that is not a zip type, are refused', async () => {
    const { db, scorm } = h;
    const packagesBefore = await db.scormPackage.count({ where: { tenantId } });
    const smallFiles = { ...scorm.store, limits: { ...scorm.store.limits, maxFileBytes: 1024 } };
    await expect(importPackage(db, smallFiles, tenantId, { type: 'system' }, 'golf-explained', Readable.from([await zipWithFileOfSize(4096)]))).rejects.toMatchObject({ status: 422, code: 'package_file_too_large' });
    const smallUploads = { ...scorm.store, maxUploadBytes: 100_000 };
    await expect(importPackage(db, smallUploads, tenantId, { type: 'system' }, 'golf-explained', Readable.from([await fixture('golf-scorm12.zip')]))).rejects.toMatchObject({ status: 413, code: 'upload_too_large' });
    expect(await db.scormPackage.count({ where: { tenantId } })).toBe(packagesBefore);
    expect(await readdir(path.join(scorm.store.root, '.incoming'))).toEqual([]);
    const wrongType = await upload(await minimalPackageWith(), { type: 'text/plain' });
    expect(wrongType.status).toBe(415);
  });

  test('the command line imports a package with progress and prints what it made', async () => {
    const { tenant } = { tenant: await h.db.tenant.findUniqueOrThrow({ where: { id: tenantId } }) };
    const zipPath = path.join(h.scorm.store.root, '..', `cli-${tenantId}.zip`);
    await writeFile(zipPath, await fixture('golf-2004-3rd-runtime-basic.zip'));
    const { stdout, stderr } = await promisify(execFile)(
      path.resolve(__dirname, '..', '..', 'node_modules', '.bin', 'tsx'),
      [path.resolve(__dirname, '..', '..', 'src', 'main.ts'), 'import-scorm', zipPath, '--tenant', tenant.slug, '--course', 'golf-explained'],
      { env: { ...process.env, DATABASE_URL: TEST_DATABASE_URL, SCORM_STORAGE_DIR: h.scorm.store.root } },
    );
    const printed = JSON.parse(stdout);
    expect(printed).toMatchObject({ course: 'golf-explained', scormVersion: '2004 3rd Edition', title: 'Golf Explained - Run-time Basic Calls' });
    const row = await h.db.scormPackage.findUniqueOrThrow({ where: { id: printed.id } });
    const mb = (bytes: number | bigint) => (Number(bytes) / 1024 / 1024).toFixed(1);
    const zipSize = mb((await readFile(zipPath)).length);
    expect(stderr.trim().split('\n')).toEqual([`received ${zipSize} of ${zipSize} MB`, `unpacked ${printed.files} files, ${mb(row.totalBytes)} MB`, `imported ${printed.files} files, ${mb(row.totalBytes)} MB`]);
    expect(row.version).toBe(printed.version);
    expect(await readdir(path.join(h.scorm.store.root, tenantId, printed.id))).toContain('imsmanifest.xml');
  });
});
