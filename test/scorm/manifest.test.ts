import {
  launchableItems,
  ManifestProblem,
  missingFiles,
  parseManifest,
  type ScormItem,
  type ScormManifest,
} from '../../src/connectors/scorm/manifest';
import { readZipEntry, scormFixture, zipEntryNames } from '../support/scorm-zip';

// ---------------------------------------------------------------------------------------------
// Builders: a whole manifest with only what a test is about written out.

const NAMESPACES_12 = 'xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"';
const NAMESPACES_2004 =
  'xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss"';

interface ManifestSpec {
  /** null leaves <metadata> out. */
  schemaversion?: string | null;
  namespaces?: string;
  /** Extra attributes of <manifest>, <resources>. */
  manifestAttributes?: string;
  resourcesAttributes?: string;
  /** Inner XML of the one organization; ignored when `organizations` is given. */
  items?: string;
  /** The whole <organizations> element. */
  organizations?: string;
  /** Inner XML of <resources>. */
  resources?: string;
  /** XML after </resources>, e.g. a sequencingCollection. */
  trailer?: string;
}

function manifestXml(spec: ManifestSpec = {}): string {
  const schemaversion = spec.schemaversion === undefined ? '1.2' : spec.schemaversion;
  const metadata = schemaversion === null ? '' : `<metadata><schema>ADL SCORM</schema><schemaversion>${schemaversion}</schemaversion></metadata>`;
  const items = spec.items ?? '<item identifier="i1" identifierref="r1"><title>Lesson</title></item>';
  const organizations = spec.organizations ?? `<organizations default="org"><organization identifier="org"><title>Course</title>${items}</organization></organizations>`;
  const resources = spec.resources ?? '<resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="index.html"/>';
  return `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="m" version="1" ${spec.namespaces ?? NAMESPACES_12} ${spec.manifestAttributes ?? ''}>
  ${metadata}
  ${organizations}
  <resources ${spec.resourcesAttributes ?? ''}>${resources}</resources>
  ${spec.trailer ?? ''}
</manifest>`;
}

/** A 2004 manifest (3rd Edition unless told otherwise). */
function manifest2004(spec: ManifestSpec = {}): string {
  return manifestXml({
    schemaversion: '2004 3rd Edition',
    namespaces: NAMESPACES_2004,
    resources: '<resource identifier="r1" type="webcontent" adlcp:scormType="sco" href="index.html"/>',
    ...spec,
  });
}

function defaultOrganization(manifest: ScormManifest) {
  return manifest.organizations.find((o) => o.identifier === manifest.defaultOrganization)!;
}

function launchUrls(manifest: ScormManifest): (string | null)[] {
  return launchableItems(defaultOrganization(manifest)).map((item) => item.launchUrl);
}

/** The single launchable item of a manifest. */
function onlyItem(xml: string): ScormItem {
  const items = launchableItems(defaultOrganization(parseManifest(xml)));
  expect(items).toHaveLength(1);
  return items[0]!;
}

/** What the import would answer for a refused manifest. */
function refusal(xml: string | Buffer): { status: number; code: string; message: string } {
  try {
    parseManifest(xml);
  } catch (error) {
    if (!(error instanceof ManifestProblem)) throw error;
    return { status: error.status, code: error.code, message: error.message };
  }
  throw new Error('the manifest was accepted');
}

// ---------------------------------------------------------------------------------------------

describe('the real Golf packages', () => {
  const multiScoLaunchUrls = [
    'Playing/Playing.html',
    'Playing/Par.html',
    'Playing/Scoring.html',
    'Playing/OtherScoring.html',
    'Playing/RulesOfGolf.html',
    'shared/assessmenttemplate.html?questions=Playing',
    'Etiquette/Course.html',
    'Etiquette/Distracting.html',
    'Etiquette/Play.html',
    'shared/assessmenttemplate.html?questions=Etiquette',
    'Handicapping/Overview.html',
    'Handicapping/CalculatingHandicap.html',
    'Handicapping/CalculatingScore.html',
    'Handicapping/Example.html',
    'shared/assessmenttemplate.html?questions=Handicapping',
    'HavingFun/HowToHaveFun.html',
    'HavingFun/MakeFriends.html',
    'shared/assessmenttemplate.html?questions=HavingFun',
  ];
  const cases = [
    {
      zip: 'golf-scorm12.zip',
      version: '1.2',
      identifier: 'com.scorm.golfsamples.contentpackaging.singlesco.12',
      title: 'Golf Explained - CP Single SCO',
      scos: 1,
      assets: 0,
      launchUrls: ['shared/launchpage.html'],
    },
    {
      zip: 'golf-2004-3rd-single-sco.zip',
      version: '2004 3rd Edition',
      identifier: 'com.scorm.golfsamples.contentpackaging.singlesco.20043rd',
      title: 'Golf Explained - CP Single SCO',
      scos: 1,
      assets: 0,
      launchUrls: ['shared/launchpage.html'],
    },
    {
      zip: 'golf-2004-3rd-multi-sco.zip',
      version: '2004 3rd Edition',
      identifier: 'com.scorm.golfsamples.contentpackaging.multioscosinglefile.20043rd',
      title: 'Golf Explained - CP One File Per SCO',
      scos: 0,
      assets: 18,
      launchUrls: multiScoLaunchUrls,
    },
    {
      zip: 'golf-2004-3rd-runtime-basic.zip',
      version: '2004 3rd Edition',
      identifier: 'com.scorm.golfsamples.runtime.basicruntime.20043rd',
      title: 'Golf Explained - Run-time Basic Calls',
      scos: 1,
      assets: 0,
      launchUrls: ['shared/launchpage.html'],
    },
    {
      zip: 'golf-2004-4th-features.zip',
      version: '2004 4th Edition',
      identifier: 'com.scorm.golfsamples.sequencing.posttestrollup4thEd.20044th',
      title: 'Golf Explained - 4th Edition Features',
      scos: 5,
      assets: 0,
      launchUrls: ['playing', 'etiquette', 'handicapping', 'havingfun', 'assessment'].map((content) => `shared/launchpage.html?content=${content}`),
    },
  ];

  test.each(cases)('$zip is SCORM $version with its default organization and every launch URL', async (expected) => {
    const manifest = parseManifest(await readZipEntry(scormFixture(expected.zip), 'imsmanifest.xml'));

    expect(manifest.version).toBe(expected.version);
    expect(manifest.identifier).toBe(expected.identifier);
    expect(manifest.title).toBe(expected.title);
    expect(manifest.defaultOrganization).toBe('golf_sample_default_org');
    expect(manifest.organizations).toHaveLength(1);
    expect(defaultOrganization(manifest).title).toBe(expected.title);
    const items = launchableItems(defaultOrganization(manifest));
    expect(items.filter((item) => item.scormType === 'sco')).toHaveLength(expected.scos);
    expect(items.filter((item) => item.scormType === 'asset')).toHaveLength(expected.assets);
    expect(items.map((item) => item.launchUrl)).toEqual(expected.launchUrls);
  });

  test.each(cases)('$zip contains every file it launches', async ({ zip }) => {
    const manifest = parseManifest(await readZipEntry(scormFixture(zip), 'imsmanifest.xml'));
    const entries = await zipEntryNames(scormFixture(zip));

    expect(missingFiles(manifest, (path) => entries.has(path))).toEqual([]);
  });

  test('the multi-SCO package groups its pages under four aggregation items that launch nothing', async () => {
    const manifest = parseManifest(await readZipEntry(scormFixture('golf-2004-3rd-multi-sco.zip'), 'imsmanifest.xml'));
    const sections = defaultOrganization(manifest).items;

    expect(sections.map((s) => [s.identifier, s.title, s.launchUrl, s.children.length])).toEqual([
      ['playing_item', 'Playing the Game', null, 6],
      ['etiquette_item', 'Etiquette', null, 4],
      ['handicapping_item', 'Handicapping', null, 5],
      ['havingfun_item', 'Having Fun', null, 3],
    ]);
    expect(sections[0]!.children[5]).toMatchObject({ identifier: 'playing_quiz_item', title: 'Playing Golf Quiz', parameters: '?questions=Playing', resourceIdentifier: 'playing_quiz_resource' });
    // 18 pages and the shared asset they all depend on, which has no href.
    expect(manifest.resources).toHaveLength(19);
    expect(manifest.resources.at(-1)).toEqual({ identifier: 'common_files', scormType: 'asset', href: null, external: false, files: expect.arrayContaining(['shared/scormfunctions.js']), dependencies: [] });
    expect(manifest.resources[0]).toEqual({
      identifier: 'playing_playing_resource',
      scormType: 'asset',
      href: 'Playing/Playing.html',
      external: false,
      files: ['Playing/Playing.html', 'Playing/playing.jpg'],
      dependencies: ['common_files'],
    });
  });

  test('the 4th Edition package weighs its SCOs by completionThreshold progressWeight and names their primary objectives', async () => {
    const manifest = parseManifest(await readZipEntry(scormFixture('golf-2004-4th-features.zip'), 'imsmanifest.xml'));
    const items = launchableItems(defaultOrganization(manifest));

    expect(items.map((item) => [item.identifier, item.completionThreshold, item.primaryObjective])).toEqual([
      ['playing_item', { completedByMeasure: false, minProgressMeasure: 1, progressWeight: 0.5 }, { objectiveId: 'playing_completed', satisfiedByMeasure: false, minNormalizedMeasure: 1 }],
      ['etuqiette_item', { completedByMeasure: false, minProgressMeasure: 1, progressWeight: 0.3 }, { objectiveId: 'ettiquette_completed', satisfiedByMeasure: false, minNormalizedMeasure: 1 }],
      ['handicapping_item', { completedByMeasure: false, minProgressMeasure: 1, progressWeight: 0.4 }, { objectiveId: 'handicapping_completed', satisfiedByMeasure: false, minNormalizedMeasure: 1 }],
      ['havingfun_item', { completedByMeasure: false, minProgressMeasure: 1, progressWeight: 0.3 }, { objectiveId: 'havingfun_completed', satisfiedByMeasure: false, minNormalizedMeasure: 1 }],
      // The quiz's primaryObjective has no objectiveID.
      ['assessment_item', { completedByMeasure: false, minProgressMeasure: 1, progressWeight: 0.1 }, { objectiveId: null, satisfiedByMeasure: false, minNormalizedMeasure: 1 }],
    ]);
  });
});

describe('the SCORM version', () => {
  test.each([
    ['1.2', '1.2'],
    ['CAM 1.3', '2004 2nd Edition'],
    ['2004 3rd Edition', '2004 3rd Edition'],
    ['2004 4th Edition', '2004 4th Edition'],
    ['  SCORM   2004 4th   edition ', '2004 4th Edition'],
  ])('schemaversion "%s" is %s', (schemaversion, version) => {
    expect(parseManifest(manifest2004({ schemaversion })).version).toBe(version);
  });

  test('without schemaversion, the SCORM 1.2 adlcp namespace means 1.2', () => {
    expect(parseManifest(manifestXml({ schemaversion: null })).version).toBe('1.2');
  });

  test('without schemaversion, 2004 namespaces mean 3rd Edition, since the editions share them', () => {
    expect(parseManifest(manifest2004({ schemaversion: null })).version).toBe('2004 3rd Edition');
  });

  test('free text in schemaversion (SCORM 1.2 has no vocabulary for it) falls back to the namespaces', () => {
    expect(parseManifest(manifestXml({ schemaversion: 'Exported by SomeTool' })).version).toBe('1.2');
  });

  test.each(['1.1', '1.0', '2004 5th Edition'])('schemaversion "%s" is refused as a version trainhub does not play', (schemaversion) => {
    expect(refusal(manifestXml({ schemaversion }))).toEqual({
      status: 422,
      code: 'manifest_unknown_version',
      message: `imsmanifest.xml declares schemaversion "${schemaversion}", which is not a SCORM version trainhub plays (1.2, 2004 2nd, 3rd or 4th Edition)`,
    });
  });

  test('a manifest with neither schemaversion nor SCORM namespaces is refused', () => {
    const xml = manifestXml({ schemaversion: null, namespaces: 'xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"', resources: '<resource identifier="r1" href="index.html"/>' });

    expect(refusal(xml)).toEqual({
      status: 422,
      code: 'manifest_unknown_version',
      message: 'imsmanifest.xml has no schemaversion and declares no SCORM namespace, so its SCORM version cannot be told',
    });
  });
});

describe('elements and attributes are matched on their local names', () => {
  test('a manifest without any prefix (scormtype unqualified) reads the same', () => {
    const xml = `<manifest identifier="m"><metadata><schemaversion>1.2</schemaversion></metadata>
      <organizations default="o"><organization identifier="o"><title>Plain</title>
        <item identifier="i" identifierref="r"><title>Lesson</title><masteryscore>70</masteryscore></item>
      </organization></organizations>
      <resources><resource identifier="r" scormtype="sco" href="a.html"/></resources></manifest>`;

    expect(onlyItem(xml)).toMatchObject({ scormType: 'sco', launchUrl: 'a.html', masteryScore: 70 });
  });

  test('other prefixes, upper-case ones and a prefixed IMS CP namespace read the same', () => {
    const xml = `<imscp:manifest identifier="m" xmlns:imscp="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:ADLCP="http://www.adlnet.org/xsd/adlcp_rootv1p2">
      <imscp:organizations default="o"><imscp:organization identifier="o"><imscp:title>Prefixed</imscp:title>
        <imscp:item identifier="i" identifierref="r"><imscp:title>Lesson</imscp:title><ADLCP:masteryscore>80</ADLCP:masteryscore></imscp:item>
      </imscp:organization></imscp:organizations>
      <imscp:resources><imscp:resource identifier="r" ADLCP:scormtype="sco" href="a.html"/></imscp:resources></imscp:manifest>`;

    const manifest = parseManifest(xml);
    expect(manifest).toMatchObject({ version: '1.2', title: 'Prefixed' });
    expect(onlyItem(xml)).toMatchObject({ scormType: 'sco', launchUrl: 'a.html', masteryScore: 80 });
  });

  test('the 2004 spellings (scormType, dataFromLMS, timeLimitAction) under a different adlcp prefix', () => {
    const xml = manifest2004({
      namespaces: 'xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:cp="http://www.adlnet.org/xsd/adlcp_v1p3"',
      items: '<item identifier="i1" identifierref="r1"><title>T</title><cp:dataFromLMS>mode=review</cp:dataFromLMS><cp:timeLimitAction>exit,message</cp:timeLimitAction></item>',
      resources: '<resource identifier="r1" cp:scormType="SCO" href="index.html"/>',
    });

    expect(onlyItem(xml)).toMatchObject({ scormType: 'sco', dataFromLms: 'mode=review', timeLimitAction: 'exit,message' });
  });

  test('a resource without scormtype is an asset', () => {
    expect(onlyItem(manifestXml({ resources: '<resource identifier="r1" type="webcontent" href="page.html"/>' })).scormType).toBe('asset');
  });
});

describe('launch URLs', () => {
  test.each([
    ['manifest, resources and resource bases all apply, in that order', 'xml:base="course/"', 'xml:base="content/"', 'xml:base="unit1/"', 'index.html', 'course/content/unit1/index.html'],
    ['a base without a trailing slash still names a folder', 'xml:base="course"', '', '', 'index.html', 'course/index.html'],
    ['only a resource base', '', '', 'xml:base="unit1/"', 'pages/start.html', 'unit1/pages/start.html'],
    ['".." and "." resolve within the package', 'xml:base="course/"', 'xml:base="./content/"', 'xml:base="../shared/"', 'x/../index.html', 'course/shared/index.html'],
    ['an absolute http(s) base makes the resource external', '', 'xml:base="https://cdn.example.com/courses/"', 'xml:base="golf/"', 'index.html', 'https://cdn.example.com/courses/golf/index.html'],
  ])('xml:base: %s', (_, manifestBase, resourcesBase, resourceBase, href, expected) => {
    const xml = manifestXml({
      manifestAttributes: manifestBase,
      resourcesAttributes: resourcesBase,
      resources: `<resource identifier="r1" adlcp:scormtype="sco" ${resourceBase} href="${href}"><file href="${href}"/></resource>`,
    });
    const manifest = parseManifest(xml);

    expect(launchUrls(manifest)).toEqual([expected]);
    expect(manifest.resources[0]).toMatchObject({ href: expected, files: [expected], external: expected.startsWith('https:') });
  });

  test('an absolute http(s) href is kept as written and reported as external', () => {
    const manifest = parseManifest(manifestXml({ resources: '<resource identifier="r1" adlcp:scormtype="sco" href="https://content.example.com/golf/start.html?x=1"/>' }));

    expect(manifest.resources[0]).toMatchObject({ href: 'https://content.example.com/golf/start.html?x=1', external: true });
    expect(launchUrls(manifest)).toEqual(['https://content.example.com/golf/start.html?x=1']);
  });

  test('a backslash in the query is data, not a path', () => {
    expect(launchUrls(parseManifest(manifestXml({ resources: '<resource identifier="r1" href="viewer.html?file=docs\\intro.pdf"/>' })))).toEqual(['viewer.html?file=docs\\intro.pdf']);
  });

  test.each([
    ['?questions=Playing', 'quiz.html', 'quiz.html?questions=Playing'],
    ['questions=Playing', 'quiz.html', 'quiz.html?questions=Playing'],
    ['&questions=Playing', 'quiz.html', 'quiz.html?questions=Playing'],
    ['?questions=Playing', 'quiz.html?lang=en', 'quiz.html?lang=en&questions=Playing'],
    ['questions=Playing', 'quiz.html?lang=en', 'quiz.html?lang=en&questions=Playing'],
    ['#page3', 'book.html', 'book.html#page3'],
    ['#page3', 'book.html?lang=en', 'book.html?lang=en#page3'],
    // The href's own fragment wins over one in the parameters, and a query goes before it.
    ['#page3', 'book.html#cover', 'book.html#cover'],
    ['mode=review', 'book.html#cover', 'book.html?mode=review#cover'],
  ])('parameters "%s" on href "%s" launch "%s"', (parameters, href, expected) => {
    const item = onlyItem(
      manifestXml({
        items: `<item identifier="i1" identifierref="r1" parameters="${parameters.replace(/&/g, '&amp;')}"><title>T</title></item>`,
        resources: `<resource identifier="r1" adlcp:scormtype="sco" href="${href}"/>`,
      }),
    );

    expect(item).toMatchObject({ parameters, launchUrl: expected });
  });
});

describe('organizations and items', () => {
  const twoOrganizations = `<organizations default="by_topic">
      <organization identifier="linear"><title> Linear </title><item identifier="l1" identifierref="r1"><title>All</title></item></organization>
      <organization identifier="by_topic">
        <title>
          By topic
        </title>
        <item identifier="t1"><title>Topic 1</title>
          <item identifier="t1a" identifierref="r1"><title>Intro</title></item>
          <item identifier="t1b" identifierref="r2" isvisible="false"><title>Hidden extra</title></item>
          <item identifier="t1c"><title>Sub-topic</title>
            <item identifier="t1c1" identifierref="r2"/>
          </item>
        </item>
        <item identifier="t2" identifierref="r1"><title>Summary</title></item>
      </organization>
    </organizations>`;
  const resources = '<resource identifier="r1" adlcp:scormtype="sco" href="a.html"/><resource identifier="r2" href="b.html"/>';

  test('the default attribute chooses the organization; all organizations are kept, titles trimmed', () => {
    const manifest = parseManifest(manifestXml({ organizations: twoOrganizations, resources }));

    expect(manifest.defaultOrganization).toBe('by_topic');
    expect(manifest.title).toBe('By topic');
    expect(manifest.organizations.map((o) => [o.identifier, o.title])).toEqual([
      ['linear', 'Linear'],
      ['by_topic', 'By topic'],
    ]);
  });

  test('launchable items come depth-first in document order; visibility, titles and types are kept', () => {
    const manifest = parseManifest(manifestXml({ organizations: twoOrganizations, resources }));

    expect(launchableItems(defaultOrganization(manifest)).map((i) => [i.identifier, i.title, i.isVisible, i.scormType, i.launchUrl])).toEqual([
      ['t1a', 'Intro', true, 'sco', 'a.html'],
      ['t1b', 'Hidden extra', false, 'asset', 'b.html'],
      // An item without a title is called by its identifier.
      ['t1c1', 't1c1', true, 'asset', 'b.html'],
      ['t2', 'Summary', true, 'sco', 'a.html'],
    ]);
    expect(defaultOrganization(manifest).items[0]).toMatchObject({ identifier: 't1', resourceIdentifier: null, scormType: null, launchUrl: null });
  });

  test('without a default attribute the first organization is the default', () => {
    const manifest = parseManifest(manifestXml({ organizations: twoOrganizations.replace(' default="by_topic"', ''), resources }));

    expect(manifest.defaultOrganization).toBe('linear');
    expect(manifest.title).toBe('Linear');
  });

  test('an organization without a title is called by its identifier, and the course by the manifest identifier', () => {
    const manifest = parseManifest(manifestXml({ organizations: '<organizations><organization identifier="o"><item identifier="i1" identifierref="r1"/></organization></organizations>' }));

    expect(manifest.organizations[0]!.title).toBe('o');
    expect(manifest.title).toBe('m');
  });
});

describe('SCORM 1.2 item data', () => {
  test('masteryscore, maxtimeallowed, timelimitaction and datafromlms are read, trimmed', () => {
    const item = onlyItem(
      manifestXml({
        items: `<item identifier="i1" identifierref="r1"><title>Quiz</title>
          <adlcp:masteryscore> 85 </adlcp:masteryscore>
          <adlcp:maxtimeallowed>0000:30:00</adlcp:maxtimeallowed>
          <adlcp:timelimitaction>exit,no message</adlcp:timelimitaction>
          <adlcp:datafromlms>chapter=2&amp;mode=exam</adlcp:datafromlms>
        </item>`,
      }),
    );

    expect(item).toMatchObject({ masteryScore: 85, maxTimeAllowed: '0000:30:00', timeLimitAction: 'exit,no message', dataFromLms: 'chapter=2&mode=exam' });
  });

  test('an item without them has nulls', () => {
    expect(onlyItem(manifestXml())).toMatchObject({
      masteryScore: null,
      maxTimeAllowed: null,
      timeLimitAction: null,
      dataFromLms: null,
      completionThreshold: null,
      primaryObjective: null,
    });
  });
});

describe('SCORM 2004 completion threshold and primary objective', () => {
  const withItemData = (itemData: string, schemaversion = '2004 3rd Edition') =>
    onlyItem(manifest2004({ schemaversion, items: `<item identifier="i1" identifierref="r1"><title>T</title>${itemData}</item>` }));

  test('2nd/3rd Edition: the element text is the minimum progress measure, completed by measure', () => {
    expect(withItemData('<adlcp:completionThreshold>0.75</adlcp:completionThreshold>').completionThreshold).toEqual({ completedByMeasure: true, minProgressMeasure: 0.75, progressWeight: 1 });
    expect(withItemData('<adlcp:completionThreshold>0.6</adlcp:completionThreshold>', 'CAM 1.3').completionThreshold).toEqual({ completedByMeasure: true, minProgressMeasure: 0.6, progressWeight: 1 });
  });

  test('4th Edition: the attributes, with their defaults', () => {
    expect(withItemData('<adlcp:completionThreshold completedByMeasure="true" minProgressMeasure="0.8" progressWeight="0.25"/>', '2004 4th Edition').completionThreshold).toEqual({
      completedByMeasure: true,
      minProgressMeasure: 0.8,
      progressWeight: 0.25,
    });
    expect(withItemData('<adlcp:completionThreshold/>', '2004 4th Edition').completionThreshold).toEqual({ completedByMeasure: false, minProgressMeasure: 1, progressWeight: 1 });
    // 4th Edition ignores the element text.
    expect(withItemData('<adlcp:completionThreshold>0.5</adlcp:completionThreshold>', '2004 4th Edition').completionThreshold).toEqual({ completedByMeasure: false, minProgressMeasure: 1, progressWeight: 1 });
  });

  test('attributes written in a 3rd Edition manifest are read as attributes', () => {
    expect(withItemData('<adlcp:completionThreshold completedByMeasure="true" minProgressMeasure="0.9"/>').completionThreshold).toEqual({ completedByMeasure: true, minProgressMeasure: 0.9, progressWeight: 1 });
  });

  test('the primary objective: satisfiedByMeasure and minNormalizedMeasure', () => {
    const item = withItemData(`<imsss:sequencing><imsss:objectives>
        <imsss:primaryObjective objectiveID="passed_quiz" satisfiedByMeasure="true"><imsss:minNormalizedMeasure>0.8</imsss:minNormalizedMeasure></imsss:primaryObjective>
        <imsss:objective objectiveID="other"/>
      </imsss:objectives></imsss:sequencing>`);

    expect(item.primaryObjective).toEqual({ objectiveId: 'passed_quiz', satisfiedByMeasure: true, minNormalizedMeasure: 0.8 });
  });

  test('the primary objective defaults: not satisfied by measure, minNormalizedMeasure 1.0', () => {
    expect(withItemData('<imsss:sequencing><imsss:objectives><imsss:primaryObjective objectiveID="p"/></imsss:objectives></imsss:sequencing>').primaryObjective).toEqual({
      objectiveId: 'p',
      satisfiedByMeasure: false,
      minNormalizedMeasure: 1,
    });
  });

  test('a primary objective from the sequencingCollection entry the item references by IDRef', () => {
    const item = onlyItem(
      manifest2004({
        items: '<item identifier="i1" identifierref="r1"><title>T</title><imsss:sequencing IDRef="shared_rules"/></item>',
        trailer: `<imsss:sequencingCollection><imsss:sequencing ID="shared_rules"><imsss:objectives>
            <imsss:primaryObjective objectiveID="mastered" satisfiedByMeasure="true"><imsss:minNormalizedMeasure>-0.5</imsss:minNormalizedMeasure></imsss:primaryObjective>
          </imsss:objectives></imsss:sequencing></imsss:sequencingCollection>`,
      }),
    );

    expect(item.primaryObjective).toEqual({ objectiveId: 'mastered', satisfiedByMeasure: true, minNormalizedMeasure: -0.5 });
  });
});

describe('missingFiles', () => {
  const manifest = parseManifest(
    manifestXml({
      organizations: `<organizations default="o">
          <organization identifier="o"><title>T</title>
            <item identifier="a" identifierref="r1" parameters="?page=1"/>
            <item identifier="b" identifierref="r2"/>
            <item identifier="c" identifierref="r3"/>
          </organization>
          <organization identifier="other"><title>Other</title><item identifier="d" identifierref="r4"/></organization>
        </organizations>`,
      resources: `<resource identifier="r1" adlcp:scormtype="sco" href="start.html?lang=en#top"><file href="listed-but-absent.js"/></resource>
        <resource identifier="r2" href="My%20Pages/intro.html"/>
        <resource identifier="r3" href="https://cdn.example.com/video.html"/>
        <resource identifier="r4" href="other/index.html"/>`,
    }),
  );

  test('names the launch files of every organization that the package lacks, decoded and without query or fragment', () => {
    expect(missingFiles(manifest, () => false)).toEqual(['start.html', 'My Pages/intro.html', 'other/index.html']);
  });

  test('is empty when the launch files are there, even when a listed <file> is not', () => {
    const present = new Set(['start.html', 'My Pages/intro.html', 'other/index.html']);

    expect(missingFiles(manifest, (path) => present.has(path))).toEqual([]);
  });
});

describe('refusals', () => {
  test.each([
    ['a DOCTYPE', '<?xml version="1.0"?><!DOCTYPE manifest SYSTEM "http://attacker.example/x.dtd"><manifest identifier="m"/>', 'DOCTYPE'],
    [
      'entity declarations (billion laughs)',
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><manifest identifier="&lol2;"/>',
      'DOCTYPE',
    ],
    ['an external entity (XXE)', '<!doctype manifest [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><manifest identifier="&xxe;"/>', 'DOCTYPE'],
    ['a stray ENTITY declaration', '<manifest identifier="m"><!ENTITY x "y"></manifest>', 'ENTITY'],
  ])('%s is refused before parsing', (_, xml, declaration) => {
    expect(refusal(xml)).toEqual({
      status: 422,
      code: 'manifest_xml_entities_refused',
      message: `imsmanifest.xml contains a <!${declaration}> declaration; DTDs and entity declarations are refused`,
    });
  });

  test('a DOCTYPE hidden in UTF-16 is found too', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<!DOCTYPE manifest><manifest identifier="m"/>', 'utf16le')]);

    expect(refusal(utf16).code).toBe('manifest_xml_entities_refused');
  });

  test.each([
    ['broken XML', '<manifest identifier="m">\n  <organizations>\n</manifest>', 'imsmanifest.xml is not well-formed XML: Unexpected close tag (line 3, column 11)'],
    ['an undeclared entity', '<manifest identifier="&bogus;"/>', 'imsmanifest.xml is not well-formed XML: Invalid character entity (line 1, column 29)'],
    ['text that is not XML', 'PK\u0003\u0004 not a manifest', 'imsmanifest.xml is not well-formed XML: Non-whitespace before first tag. (line 1, column 1)'],
    ['an empty file', '   ', 'imsmanifest.xml is empty'],
  ])('%s is unparseable', (_, xml, message) => {
    expect(refusal(xml)).toEqual({ status: 422, code: 'manifest_unparseable', message });
  });

  test.each([
    ['a root that is not <manifest>', '<imscc:package identifier="p"/>', 'The root element of imsmanifest.xml is <imscc:package>, not <manifest>'],
    ['no organization', manifestXml({ organizations: '<organizations/>' }), 'imsmanifest.xml has no <organization>, so there is nothing to launch'],
    [
      'a default organization with nothing to launch',
      manifestXml({ items: '<item identifier="section"><title>Empty section</title></item>' }),
      'The default organization "org" has no item that launches a resource',
    ],
    [
      'an item launching a resource without href',
      manifestXml({ resources: '<resource identifier="r1" adlcp:scormtype="sco"/>' }),
      'Item "i1" launches resource "r1", which has no href',
    ],
    [
      'two resources with one identifier',
      manifestXml({ resources: '<resource identifier="r1" href="a.html"/><resource identifier="r1" href="b.html"/>' }),
      'Two resources in imsmanifest.xml have the identifier "r1"',
    ],
    [
      'two items with one identifier',
      manifestXml({ items: '<item identifier="i1" identifierref="r1"/><item identifier="x"><item identifier="i1" identifierref="r1"/></item>' }),
      'Two items in imsmanifest.xml have the identifier "i1"',
    ],
    [
      'two organizations with one identifier',
      manifestXml({ organizations: '<organizations><organization identifier="o"><item identifier="a" identifierref="r1"/></organization><organization identifier="o"><item identifier="b" identifierref="r1"/></organization></organizations>' }),
      'Two organizations in imsmanifest.xml have the identifier "o"',
    ],
    ['an item without identifier', manifestXml({ items: '<item identifierref="r1"/>' }), 'A <item> in imsmanifest.xml has no identifier'],
    ['masteryscore above 100', manifestXml({ items: '<item identifier="i1" identifierref="r1"><adlcp:masteryscore>120</adlcp:masteryscore></item>' }), 'Item "i1" masteryscore 120 is outside 0 to 100'],
    ['a negative masteryscore', manifestXml({ items: '<item identifier="i1" identifierref="r1"><adlcp:masteryscore>-5</adlcp:masteryscore></item>' }), 'Item "i1" masteryscore -5 is outside 0 to 100'],
    ['a masteryscore that is no number', manifestXml({ items: '<item identifier="i1" identifierref="r1"><adlcp:masteryscore>eighty</adlcp:masteryscore></item>' }), 'Item "i1" masteryscore "eighty" is not a number'],
    [
      'minProgressMeasure above 1',
      manifest2004({ schemaversion: '2004 4th Edition', items: '<item identifier="i1" identifierref="r1"><adlcp:completionThreshold minProgressMeasure="1.5"/></item>' }),
      'Item "i1" completionThreshold minProgressMeasure 1.5 is outside 0 to 1',
    ],
    [
      'a 3rd Edition completionThreshold below 0',
      manifest2004({ items: '<item identifier="i1" identifierref="r1"><adlcp:completionThreshold>-0.1</adlcp:completionThreshold></item>' }),
      'Item "i1" completionThreshold -0.1 is outside 0 to 1',
    ],
    [
      'minNormalizedMeasure outside -1..1',
      manifest2004({
        items: '<item identifier="i1" identifierref="r1"><imsss:sequencing><imsss:objectives><imsss:primaryObjective objectiveID="p"><imsss:minNormalizedMeasure>2</imsss:minNormalizedMeasure></imsss:primaryObjective></imsss:objectives></imsss:sequencing></item>',
      }),
      'Item "i1" primaryObjective minNormalizedMeasure 2 is outside -1 to 1',
    ],
    [
      'items nested deeper than any course needs',
      manifestXml({ items: '<item identifier="x">'.repeat(150) + '</item>'.repeat(150) }),
      'imsmanifest.xml nests elements more than 100 levels deep',
    ],
    ['isvisible that is not a boolean', manifestXml({ items: '<item identifier="i1" identifierref="r1" isvisible="maybe"/>' }), 'Item "i1" isvisible "maybe" is not true or false'],
  ])('%s is invalid', (_, xml, message) => {
    expect(refusal(xml)).toEqual({ status: 422, code: 'manifest_invalid', message });
  });

  test.each([
    ['an identifierref naming no resource', manifestXml({ items: '<item identifier="i1" identifierref="nowhere"/>' }), 'Item "i1" refers to resource "nowhere", which is not a resource of imsmanifest.xml'],
    [
      'a dependency naming no resource',
      manifestXml({ resources: '<resource identifier="r1" adlcp:scormtype="sco" href="index.html"><dependency identifierref="common"/></resource>' }),
      'Resource "r1" depends on "common", which is not a resource of imsmanifest.xml',
    ],
    [
      'a default organization that does not exist',
      manifestXml({ organizations: '<organizations default="missing"><organization identifier="o"><item identifier="i1" identifierref="r1"/></organization></organizations>' }),
      'The default organization "missing" is not an organization of imsmanifest.xml',
    ],
    [
      'a sequencing IDRef naming no sequencingCollection entry',
      manifest2004({ items: '<item identifier="i1" identifierref="r1"><imsss:sequencing IDRef="nowhere"/></item>' }),
      'Item "i1" uses the sequencing "nowhere", which is not in the sequencingCollection of imsmanifest.xml',
    ],
  ])('%s dangles', (_, xml, message) => {
    expect(refusal(xml)).toEqual({ status: 422, code: 'manifest_dangling_reference', message });
  });

  test.each([
    ['../../etc/passwd', 'Resource "r1" href "../../etc/passwd" leads outside the package (".." above its root)'],
    ['pages/../../secret.html', 'Resource "r1" href "pages/../../secret.html" leads outside the package (".." above its root)'],
    ['%2e%2e/secret.html', 'Resource "r1" href "%2e%2e/secret.html" leads outside the package (".." above its root)'],
    ['/etc/passwd', 'Resource "r1" href "/etc/passwd" is an absolute path; package paths must stay inside the package'],
    ['//evil.example.com/x.html', 'Resource "r1" href "//evil.example.com/x.html" is an absolute path; package paths must stay inside the package'],
    ['pages\\index.html', 'Resource "r1" href "pages\\index.html" contains a backslash; package paths must stay inside the package'],
    ['pages%5c..%5c..%5cx.html', 'Resource "r1" href "pages%5c..%5c..%5cx.html" hides a separator or NUL in "pages%5c..%5c..%5cx.html"; package paths must stay inside the package'],
    ['C:/Windows/win.ini', 'Resource "r1" href "C:/Windows/win.ini" names a drive letter; package paths must stay inside the package'],
    ['file:///etc/passwd', 'Resource "r1" href "file:///etc/passwd" uses the scheme "file:" (only http and https may point outside the package); package paths must stay inside the package'],
    ['javascript:alert(1)', 'Resource "r1" href "javascript:alert(1)" uses the scheme "javascript:" (only http and https may point outside the package); package paths must stay inside the package'],
  ])('href "%s" escapes the package', (href, message) => {
    const xml = manifestXml({ resources: `<resource identifier="r1" adlcp:scormtype="sco" href="${href.replace(/&/g, '&amp;')}"/>` });

    expect(refusal(xml)).toEqual({ status: 422, code: 'manifest_path_escapes', message });
  });

  test('an xml:base leading out of the package escapes it, even when the href alone would not', () => {
    const xml = manifestXml({ resourcesAttributes: 'xml:base="../"', resources: '<resource identifier="r1" adlcp:scormtype="sco" href="index.html"/>' });

    expect(refusal(xml)).toEqual({
      status: 422,
      code: 'manifest_path_escapes',
      message: 'Resource "r1" href (xml:base "../") leads outside the package (".." above its root)',
    });
  });

  test('a <file> leading out of the package escapes it', () => {
    const xml = manifestXml({ resources: '<resource identifier="r1" adlcp:scormtype="sco" href="index.html"><file href="../outside.js"/></resource>' });

    expect(refusal(xml)).toEqual({
      status: 422,
      code: 'manifest_path_escapes',
      message: 'Resource "r1" file "../outside.js" leads outside the package (".." above its root)',
    });
  });

  test('the import refuses dangling launch files with the same kind of problem', () => {
    const problem = ManifestProblem.missingLaunchFiles(['start.html', 'quiz/index.html']);

    expect(problem).toMatchObject({
      status: 422,
      code: 'manifest_dangling_reference',
      message: 'imsmanifest.xml launches files the package does not contain: start.html, quiz/index.html',
      details: { paths: ['start.html', 'quiz/index.html'] },
    });
  });
});
