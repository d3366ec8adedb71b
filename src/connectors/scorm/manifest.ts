import { Parser } from 'xml2js';
import { DomainError } from '../../domain/errors';

/** SCORM versions trainhub plays, as detected from the manifest's schemaversion and namespaces. */
export type ScormVersion = '1.2' | '2004 2nd Edition' | '2004 3rd Edition' | '2004 4th Edition';

/** A package's imsmanifest.xml, in the terms the player and the import need. Paths are relative to the package root. */
export interface ScormManifest {
  identifier: string;
  version: ScormVersion;
  /** The default organization's title (else the manifest identifier). */
  title: string;
  /** Identifier of the default organization (the `default` attribute, else the first one); null when there is none. */
  defaultOrganization: string | null;
  organizations: ScormOrganization[];
  resources: ScormResource[];
}

export interface ScormOrganization {
  identifier: string;
  title: string;
  items: ScormItem[];
}

export interface ScormItem {
  identifier: string;
  title: string;
  /** `isvisible` (default true). */
  isVisible: boolean;
  /** The item's `parameters` attribute as written, or null. */
  parameters: string | null;
  /** The resource the item launches (identifierref), or null for a pure aggregation item. */
  resourceIdentifier: string | null;
  /** `sco` or `asset` of that resource; null when the item launches nothing. */
  scormType: 'sco' | 'asset' | null;
  /** Package-relative launch URL: xml:base resolved, resource href joined with parameters per IMS CP; null when nothing launches. */
  launchUrl: string | null;
  /** SCORM 1.2 `adlcp:masteryscore` (0–100). */
  masteryScore: number | null;
  /** SCORM 1.2 `adlcp:maxtimeallowed` (as written, e.g. 0000:30:00). */
  maxTimeAllowed: string | null;
  /** SCORM 1.2 `adlcp:timelimitaction` / 2004 `adlcp:timeLimitAction`. */
  timeLimitAction: string | null;
  /** SCORM 1.2 `adlcp:datafromlms` / 2004 `adlcp:dataFromLMS` (becomes cmi.launch_data). */
  dataFromLms: string | null;
  /** SCORM 2004 `adlcp:completionThreshold`: either the element's text (2nd/3rd edition) or its attributes (4th). */
  completionThreshold: { completedByMeasure: boolean; minProgressMeasure: number; progressWeight: number } | null;
  /** SCORM 2004 primary objective (imsss:sequencing/imsss:objectives/imsss:primaryObjective). */
  primaryObjective: { objectiveId: string | null; satisfiedByMeasure: boolean; minNormalizedMeasure: number } | null;
  children: ScormItem[];
}

export interface ScormResource {
  identifier: string;
  /** `adlcp:scormtype` / `adlcp:scormType` (missing = asset). */
  scormType: 'sco' | 'asset';
  /** Package-relative href with xml:base resolved (query and fragment kept), or null. */
  href: string | null;
  /** The href is an absolute http(s) URL outside the package: nothing to check in the zip, the player loads it as is. */
  external: boolean;
  /** Package-relative paths of its <file> elements, xml:base resolved. */
  files: string[];
  /** identifierrefs of its <dependency> elements. */
  dependencies: string[];
}

export type ManifestProblemCode =
  | 'manifest_unparseable'
  | 'manifest_xml_entities_refused'
  | 'manifest_invalid'
  | 'manifest_unknown_version'
  | 'manifest_dangling_reference'
  | 'manifest_path_escapes';

/** An imsmanifest.xml trainhub refuses to import, with a message naming the element and value at fault. */
export class ManifestProblem extends DomainError {
  declare readonly code: ManifestProblemCode;

  constructor(code: ManifestProblemCode, message: string, details?: Record<string, unknown>) {
    super(422, code, message, details);
  }

  /** The refusal of a package whose launch files (see `missingFiles`) are not in the zip. */
  static missingLaunchFiles(paths: readonly string[]): ManifestProblem {
    return new ManifestProblem('manifest_dangling_reference', `${MANIFEST} launches files the package does not contain: ${paths.join(', ')}`, { paths });
  }
}

const MANIFEST = 'imsmanifest.xml';

/**
 * Reads a package's imsmanifest.xml. Elements and attributes are matched on their local names, case
 * aside (authoring tools write `adlcp:`, `ADLCP:`, other prefixes or none, and 1.2 spells `scormtype`
 * where 2004 spells `scormType`). Everything the player and the import rely on is checked here, so a
 * manifest that parses is one whose items, resources and paths can be trusted; what is wrong is refused
 * as a ManifestProblem naming it.
 */
export function parseManifest(xml: Buffer | string): ScormManifest {
  const text = typeof xml === 'string' ? xml.replace(/^\uFEFF/, '') : decode(xml);
  refuseDeclarations(text);
  const { root, namespaces } = parseXml(text);
  if (root.name !== 'manifest') throw new ManifestProblem('manifest_invalid', `The root element of ${MANIFEST} is <${root.rawName}>, not <manifest>`, { element: root.rawName });
  const identifier = requiredIdentifier(root, 'manifest');
  const version = detectVersion(root, namespaces);
  const resources = readResources(root);
  const reader = new ItemReader(version, new Map(resources.map((r) => [r.identifier, r])), sequencingCollection(root));
  const { organizations, defaultOrganization, defaultTitle } = readOrganizations(root, reader);
  return { identifier, version, title: defaultTitle ?? identifier, defaultOrganization, organizations, resources };
}

/** The organization's items that launch something, depth-first in document order: the player's table of contents and next/previous (hidden items included: `isVisible` is for the caller to honour). */
export function launchableItems(organization: ScormOrganization): ScormItem[] {
  const found: ScormItem[] = [];
  const visit = (items: readonly ScormItem[]) => {
    for (const item of items) {
      if (item.launchUrl !== null) found.push(item);
      visit(item.children);
    }
  };
  visit(organization.items);
  return found;
}

/**
 * Package paths that items of any organization launch and the package does not contain (query and
 * fragment dropped, percent-decoded; external http(s) URLs skipped), each once, in document order.
 * Only launch files count: real packages list their <file> elements sloppily (missing, stale or
 * differently cased entries that the content never loads), and refusing those would refuse courses
 * that play; a launch file that is absent means the course cannot start at all.
 */
export function missingFiles(manifest: ScormManifest, hasFile: (packagePath: string) => boolean): string[] {
  const missing = new Set<string>();
  for (const organization of manifest.organizations) {
    for (const item of launchableItems(organization)) {
      const url = item.launchUrl!;
      if (EXTERNAL.test(url)) continue;
      const path = url.replace(/[?#].*$/s, '').split('/').map(percentDecoded).join('/');
      if (!hasFile(path)) missing.add(path);
    }
  }
  return [...missing];
}

// ---------------------------------------------------------------------------------------------
// XML: decoding, refusing declarations, parsing into local-named elements

/** An XML element reduced to what the manifest needs: local name (lower-cased), attributes by local name, trimmed text, child elements in order. */
interface Element {
  name: string;
  rawName: string;
  attributes: Map<string, string>;
  text: string;
  children: Element[];
}

/** What xml2js produces with explicitChildren + preserveChildrenOrder + explicitCharkey. */
interface RawElement {
  '#name': string;
  $?: Record<string, string>;
  _?: unknown;
  $$?: RawElement[];
}

/** Manifests nest items a handful of levels deep; anything near this is hostile, and bounded depth keeps the reading recursion safe. */
const MAX_DEPTH = 100;

/** The bytes as text: a BOM decides, else the XML declaration's encoding, else UTF-8 (invalid bytes become U+FFFD, as browsers do, rather than refusing a title). */
function decode(bytes: Buffer): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  const declared = /^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([^"']+)["']/.exec(bytes.subarray(0, 256).toString('latin1'))?.[1];
  try {
    return new TextDecoder(declared ?? 'utf-8').decode(bytes);
  } catch {
    throw new ManifestProblem('manifest_unparseable', `${MANIFEST} declares the encoding "${declared}", which trainhub cannot read`, { encoding: declared });
  }
}

/**
 * Refuses any DTD before a parser sees it: a DOCTYPE or ENTITY declaration is how XXE and entity
 * expansion ("billion laughs") attacks start, and no SCORM manifest needs one. xml2js (sax) expands
 * neither external nor declared entities, so this is defence in depth; it looks at the whole text,
 * comments included, because telling a real declaration from a mention of one takes a parser.
 */
function refuseDeclarations(text: string): void {
  const declaration = /<!(DOCTYPE|ENTITY)/i.exec(text);
  if (declaration) {
    const kind = declaration[1]!.toUpperCase();
    throw new ManifestProblem('manifest_xml_entities_refused', `${MANIFEST} contains a <!${kind}> declaration; DTDs and entity declarations are refused`, { declaration: kind });
  }
}

function parseXml(text: string): { root: Element; namespaces: Set<string> } {
  const parser = new Parser({ explicitChildren: true, preserveChildrenOrder: true, explicitCharkey: true, explicitRoot: true, async: false, strict: true });
  // With async off, xml2js calls back before parseString returns.
  let outcome: { error: Error | null; document: Record<string, RawElement> | null } | undefined;
  parser.parseString(text, (error: Error | null, document: Record<string, RawElement> | null) => {
    outcome ??= { error, document };
  });
  if (!outcome || outcome.error) {
    throw new ManifestProblem('manifest_unparseable', `${MANIFEST} is not well-formed XML: ${describeXmlError(outcome?.error)}`);
  }
  const raw = outcome.document && Object.values(outcome.document)[0];
  if (!raw) throw new ManifestProblem('manifest_unparseable', `${MANIFEST} is empty`);
  const namespaces = new Set<string>();
  return { root: toElement(raw, namespaces, 0), namespaces };
}

/** sax's "Unexpected close tag\nLine: 0\nColumn: 10\nChar: >" as "Unexpected close tag (line 1, column 10)". */
function describeXmlError(error: Error | null | undefined): string {
  if (!error) return 'the parser gave no result';
  const [what] = error.message.split('\n');
  const where = /Line: (\d+)\s+Column: (\d+)/.exec(error.message);
  return where ? `${what} (line ${Number(where[1]) + 1}, column ${where[2]})` : what!;
}

function toElement(raw: RawElement, namespaces: Set<string>, depth: number): Element {
  if (depth > MAX_DEPTH) throw new ManifestProblem('manifest_invalid', `${MANIFEST} nests elements more than ${MAX_DEPTH} levels deep`);
  const attributes = new Map<string, string>();
  for (const [name, value] of Object.entries(raw.$ ?? {})) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) namespaces.add(value);
    else if (!attributes.has(localName(name))) attributes.set(localName(name), value);
  }
  return {
    name: localName(raw['#name']),
    rawName: raw['#name'],
    attributes,
    text: typeof raw._ === 'string' ? raw._.trim() : '',
    children: (raw.$$ ?? []).map((child) => toElement(child, namespaces, depth + 1)),
  };
}

function localName(qualified: string): string {
  return qualified.slice(qualified.indexOf(':') + 1).toLowerCase();
}

/** The first child element of that local name (written as the spec spells it; compared case-insensitively). */
function child(element: Element | undefined, name: string): Element | undefined {
  return element?.children.find((c) => c.name === name.toLowerCase());
}

function children(element: Element | undefined, name: string): Element[] {
  return element?.children.filter((c) => c.name === name.toLowerCase()) ?? [];
}

/** An attribute's value by local name, trimmed; undefined when absent or blank. */
function attribute(element: Element, name: string): string | undefined {
  return element.attributes.get(name.toLowerCase())?.trim() || undefined;
}

function requiredIdentifier(element: Element, what: string): string {
  const identifier = attribute(element, 'identifier');
  if (!identifier) throw new ManifestProblem('manifest_invalid', `A <${element.rawName}> in ${MANIFEST} has no identifier`, { element: what });
  return identifier;
}

// ---------------------------------------------------------------------------------------------
// Version

/** schemaversion values as the SCORM CAM books define them (compared lower-cased, spaces collapsed, an "ADL SCORM"/"SCORM" prefix dropped). */
const SCHEMA_VERSIONS: Record<string, ScormVersion> = {
  '1.2': '1.2',
  'cam 1.3': '2004 2nd Edition',
  '1.3': '2004 2nd Edition',
  '2004 2nd edition': '2004 2nd Edition',
  '2004 3rd edition': '2004 3rd Edition',
  '2004 4th edition': '2004 4th Edition',
};

/** A schemaversion that claims a version (a dotted number, or a 2004 edition) rather than being free text: when it is not one we play, it is refused, not guessed. */
const CLAIMS_A_VERSION = /^(?:cam )?\d+(?:\.\d+)+$|^2004 \S+ edition$/;

const NAMESPACES_12 = /adlcp_rootv1p2|imscp_rootv1p1p2/i;
const NAMESPACES_2004 = /adlcp_v1p3|adlseq_v1p3|adlnav_v1p3|imsss/i;

/**
 * The version from `<metadata><schemaversion>`; when that is missing or free text (SCORM 1.2 has no
 * controlled vocabulary for it), from the namespaces the document declares. The 2004 editions share
 * every namespace, so a 2004 manifest without a usable schemaversion is read as 3rd Edition: it is the
 * edition most tools export as "SCORM 2004", its data model is the one 4th Edition extends (scorm-again's
 * Scorm2004API serves both), and unlike 4th it keeps the 2nd/3rd meaning of a completionThreshold written
 * as element text, so such a manifest is read as its author meant (4th-style attributes are read as such
 * in any edition: see completionThreshold).
 */
function detectVersion(manifest: Element, namespaces: ReadonlySet<string>): ScormVersion {
  const written = child(child(manifest, 'metadata'), 'schemaversion')?.text;
  const normalised = (written ?? '').replace(/\s+/g, ' ').toLowerCase().replace(/^(?:adl )?scorm /, '');
  const known = SCHEMA_VERSIONS[normalised];
  if (known) return known;
  if (CLAIMS_A_VERSION.test(normalised)) {
    throw new ManifestProblem('manifest_unknown_version', `${MANIFEST} declares schemaversion "${written}", which is not a SCORM version trainhub plays (1.2, 2004 2nd, 3rd or 4th Edition)`, { schemaversion: written });
  }
  const declared = [...namespaces];
  const is12 = declared.some((ns) => NAMESPACES_12.test(ns));
  const is2004 = declared.some((ns) => NAMESPACES_2004.test(ns));
  if (is12 !== is2004) return is12 ? '1.2' : '2004 3rd Edition';
  const why = written === undefined ? 'has no schemaversion' : `has the schemaversion "${written}"`;
  const namespacesSay = is12 ? 'declares both SCORM 1.2 and SCORM 2004 namespaces' : 'declares no SCORM namespace';
  throw new ManifestProblem('manifest_unknown_version', `${MANIFEST} ${why} and ${namespacesSay}, so its SCORM version cannot be told`, { schemaversion: written ?? null, namespaces: declared });
}

// ---------------------------------------------------------------------------------------------
// Resources and paths

function readResources(manifest: Element): ScormResource[] {
  const resourcesElement = child(manifest, 'resources');
  const bases = [attribute(manifest, 'base'), resourcesElement && attribute(resourcesElement, 'base')];
  const elements = children(resourcesElement, 'resource');
  const seen = new Set<string>();
  const resources = elements.map((element) => {
    const identifier = requiredIdentifier(element, 'resource');
    if (seen.has(identifier)) throw new ManifestProblem('manifest_invalid', `Two resources in ${MANIFEST} have the identifier "${identifier}"`, { resource: identifier });
    seen.add(identifier);
    const chain = [...bases, attribute(element, 'base')];
    const href = attribute(element, 'href');
    const launch = href === undefined ? null : resolveReference(chain, href, `Resource "${identifier}" href`);
    const files = children(element, 'file').flatMap((file) => {
      const fileHref = attribute(file, 'href');
      return fileHref === undefined ? [] : [resolveReference(chain, fileHref, `Resource "${identifier}" file`).url];
    });
    const dependencies = children(element, 'dependency').flatMap((dependency) => attribute(dependency, 'identifierref') ?? []);
    // Anything but "sco" (missing, "asset", a stray value) is content that does not talk to the API: an asset.
    const scormType: ScormResource['scormType'] = attribute(element, 'scormType')?.toLowerCase() === 'sco' ? 'sco' : 'asset';
    return { identifier, scormType, href: launch?.url ?? null, external: launch?.external ?? false, files, dependencies };
  });
  for (const resource of resources) {
    const dangling = resource.dependencies.find((dependency) => !seen.has(dependency));
    if (dangling !== undefined) {
      throw new ManifestProblem('manifest_dangling_reference', `Resource "${resource.identifier}" depends on "${dangling}", which is not a resource of ${MANIFEST}`, { resource: resource.identifier, dependency: dangling });
    }
  }
  return resources;
}

const EXTERNAL = /^https?:/i;
const SCHEME = /^([a-z][a-z0-9+.-]*):/i;

/**
 * Resolves an href against the xml:base values above it (manifest, resources, resource), as IMS CP
 * combines them: manifest base + resources base + resource base + href. Each base names a folder (a
 * missing trailing slash is supplied: real packages omit it, and a base naming a file would make no
 * sense). The result is a normalised package path (`.`/`..` and empty segments resolved, query and
 * fragment kept as written) or, when the href or a base is an absolute http(s) URL, that URL. A path
 * that leaves the package root, is absolute, has a backslash (written or %-encoded), a drive letter or
 * another scheme is refused: the files are served from a folder, and nothing may point out of it.
 */
function resolveReference(bases: readonly (string | undefined)[], href: string, subject: string): { url: string; external: boolean } {
  let externalBase: URL | null = null;
  let folder: string[] = [];
  for (const base of bases) {
    if (base === undefined) continue;
    const where = `${subject} (xml:base "${base}")`;
    if (/[?#]/.test(base)) throw new ManifestProblem('manifest_invalid', `${where}: an xml:base must name a folder, not carry a query or fragment`, { base });
    const asFolder = base.endsWith('/') ? base : `${base}/`;
    if (kindOf(base, where) === 'external') [externalBase, folder] = [new URL(asFolder), []];
    else if (externalBase) externalBase = new URL(asFolder, externalBase);
    else folder = walk(folder, asFolder, where);
  }
  if (kindOf(href, `${subject} "${href}"`) === 'external') return { url: href, external: true };
  if (externalBase) return { url: new URL(href, externalBase).href, external: true };
  const split = href.search(/[?#]/);
  const [path, suffix] = split < 0 ? [href, ''] : [href.slice(0, split), href.slice(split)];
  return { url: walk(folder, path, `${subject} "${href}"`).join('/') + suffix, external: false };
}

function kindOf(reference: string, subject: string): 'external' | 'relative' {
  const refuse = (why: string) => new ManifestProblem('manifest_path_escapes', `${subject} ${why}; package paths must stay inside the package`, { reference });
  if (/^[^?#]*\\/.test(reference)) throw refuse('contains a backslash');
  if (/^[a-z]:/i.test(reference)) throw refuse('names a drive letter');
  const scheme = SCHEME.exec(reference)?.[1];
  if (scheme !== undefined) {
    if (EXTERNAL.test(reference)) return 'external';
    throw refuse(`uses the scheme "${scheme}:" (only http and https may point outside the package)`);
  }
  if (reference.startsWith('/')) throw refuse('is an absolute path');
  return 'relative';
}

/** Appends a relative path's segments to a folder's, resolving `.` and `..` (also %-encoded ones, which browsers resolve too). */
function walk(folder: readonly string[], path: string, subject: string): string[] {
  const segments = [...folder];
  for (const segment of path.split('/')) {
    const decoded = percentDecoded(segment);
    if (segment === '' || decoded === '.') continue;
    if (decoded === '..') {
      if (segments.length === 0) throw new ManifestProblem('manifest_path_escapes', `${subject} leads outside the package (".." above its root)`, { reference: path });
      segments.pop();
    } else if (/[\\/\0]/.test(decoded)) {
      throw new ManifestProblem('manifest_path_escapes', `${subject} hides a separator or NUL in "${segment}"; package paths must stay inside the package`, { reference: path });
    } else {
      segments.push(segment);
    }
  }
  return segments;
}

/** %-decoded, or as written when it is not valid %-encoding (a literal "100%.html"). */
function percentDecoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * An item's `parameters` joined to its resource's href, as the SCORM CAM says: leading `?` and `&` are
 * dropped; a fragment (`#…`) is used only when the href has none; the rest joins the href's query with
 * `&`, or starts one with `?`. The query goes before the href's own fragment, where a URL keeps it.
 */
function withParameters(href: string, parameters: string | null): string {
  const added = parameters?.trim().replace(/^[?&]+/, '');
  if (!added) return href;
  const [target, fragment] = splitOnce(href, '#');
  const [path, query] = splitOnce(target, '?');
  const [addedQuery, addedFragment] = splitOnce(added, '#');
  const joinedQuery = [query, addedQuery].filter(Boolean).join('&');
  const finalFragment = fragment ?? addedFragment;
  return path + (joinedQuery ? `?${joinedQuery}` : '') + (finalFragment !== undefined ? `#${finalFragment}` : '');
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

// ---------------------------------------------------------------------------------------------
// Organizations and items

function readOrganizations(manifest: Element, reader: ItemReader) {
  const organizationsElement = child(manifest, 'organizations');
  const seen = new Set<string>();
  const organizations: ScormOrganization[] = [];
  const writtenTitles = new Map<string, string | undefined>();
  for (const element of children(organizationsElement, 'organization')) {
    const identifier = requiredIdentifier(element, 'organization');
    if (seen.has(identifier)) throw new ManifestProblem('manifest_invalid', `Two organizations in ${MANIFEST} have the identifier "${identifier}"`, { organization: identifier });
    seen.add(identifier);
    const title = child(element, 'title')?.text || undefined;
    writtenTitles.set(identifier, title);
    organizations.push({ identifier, title: title ?? identifier, items: children(element, 'item').map((item) => reader.read(item)) });
  }
  const named = organizationsElement && attribute(organizationsElement, 'default');
  if (named !== undefined && !seen.has(named)) {
    throw new ManifestProblem('manifest_dangling_reference', `The default organization "${named}" is not an organization of ${MANIFEST}`, { organization: named });
  }
  const chosen = named === undefined ? organizations[0] : organizations.find((o) => o.identifier === named);
  if (!chosen) throw new ManifestProblem('manifest_invalid', `${MANIFEST} has no <organization>, so there is nothing to launch`);
  if (launchableItems(chosen).length === 0) {
    throw new ManifestProblem('manifest_invalid', `The default organization "${chosen.identifier}" has no item that launches a resource`, { organization: chosen.identifier });
  }
  return { organizations, defaultOrganization: chosen.identifier, defaultTitle: writtenTitles.get(chosen.identifier) };
}

/** `<imsss:sequencingCollection>`'s sequencing elements by ID, which items' sequencing may reference with IDRef. */
function sequencingCollection(manifest: Element): Map<string, Element> {
  const collection = new Map<string, Element>();
  for (const sequencing of children(child(manifest, 'sequencingCollection'), 'sequencing')) {
    const id = attribute(sequencing, 'ID');
    if (id !== undefined) collection.set(id, sequencing);
  }
  return collection;
}

class ItemReader {
  private readonly seen = new Set<string>();

  constructor(
    private readonly version: ScormVersion,
    private readonly resources: ReadonlyMap<string, ScormResource>,
    private readonly collection: ReadonlyMap<string, Element>,
  ) {}

  read(element: Element): ScormItem {
    const identifier = requiredIdentifier(element, 'item');
    if (this.seen.has(identifier)) throw new ManifestProblem('manifest_invalid', `Two items in ${MANIFEST} have the identifier "${identifier}"`, { item: identifier });
    this.seen.add(identifier);
    const subject = `Item "${identifier}"`;
    const resource = this.resourceOf(element, identifier);
    const parameters = attribute(element, 'parameters') === undefined ? null : element.attributes.get('parameters')!;
    const text = (name: string) => child(element, name)?.text || null;
    const masteryScore = text('masteryscore');
    return {
      identifier,
      title: child(element, 'title')?.text || identifier,
      isVisible: booleanAttribute(element, 'isvisible', true, subject),
      parameters,
      resourceIdentifier: resource?.identifier ?? null,
      scormType: resource?.scormType ?? null,
      launchUrl: resource ? withParameters(resource.href!, parameters) : null,
      masteryScore: masteryScore === null ? null : decimal(masteryScore, `${subject} masteryscore`, 0, 100),
      maxTimeAllowed: text('maxtimeallowed'),
      timeLimitAction: text('timeLimitAction'),
      dataFromLms: text('dataFromLMS'),
      completionThreshold: this.completionThreshold(child(element, 'completionThreshold'), subject),
      primaryObjective: this.primaryObjective(child(element, 'sequencing'), identifier),
      children: children(element, 'item').map((item) => this.read(item)),
    };
  }

  private resourceOf(element: Element, item: string): ScormResource | null {
    const reference = attribute(element, 'identifierref');
    if (reference === undefined) return null;
    const resource = this.resources.get(reference);
    if (!resource) throw new ManifestProblem('manifest_dangling_reference', `Item "${item}" refers to resource "${reference}", which is not a resource of ${MANIFEST}`, { item, resource: reference });
    if (resource.href === null) throw new ManifestProblem('manifest_invalid', `Item "${item}" launches resource "${reference}", which has no href`, { item, resource: reference });
    return resource;
  }

  /**
   * 4th Edition reads the attributes (completedByMeasure false, minProgressMeasure 1.0, progressWeight
   * 1.0 by default) and ignores the text; 2nd/3rd Edition's element text is the minimum progress
   * measure and implies completion by measure. The attribute form is also read in a 2nd/3rd Edition
   * manifest when the element carries one of them, since that is what its author wrote.
   */
  private completionThreshold(element: Element | undefined, subject: string): ScormItem['completionThreshold'] {
    if (!element) return null;
    const where = `${subject} completionThreshold`;
    const attributeForm = ['completedbymeasure', 'minprogressmeasure', 'progressweight'].some((name) => element.attributes.has(name));
    if (this.version === '2004 4th Edition' || attributeForm) {
      const number = (name: string, fallback: number) => {
        const value = attribute(element, name);
        return value === undefined ? fallback : decimal(value, `${where} ${name}`, 0, 1);
      };
      return {
        completedByMeasure: booleanAttribute(element, 'completedByMeasure', false, where),
        minProgressMeasure: number('minProgressMeasure', 1),
        progressWeight: number('progressWeight', 1),
      };
    }
    if (element.text === '') return null;
    return { completedByMeasure: true, minProgressMeasure: decimal(element.text, where, 0, 1), progressWeight: 1 };
  }

  /**
   * The primary objective in the item's own sequencing or, when it has none there, in the
   * sequencingCollection entry its IDRef names (IMS SS: local definitions win over referenced ones).
   */
  private primaryObjective(sequencing: Element | undefined, item: string): ScormItem['primaryObjective'] {
    if (!sequencing) return null;
    const subject = `Item "${item}"`;
    const reference = attribute(sequencing, 'IDRef');
    const shared = reference === undefined ? undefined : this.collection.get(reference);
    if (reference !== undefined && !shared) {
      throw new ManifestProblem('manifest_dangling_reference', `${subject} uses the sequencing "${reference}", which is not in the sequencingCollection of ${MANIFEST}`, { item, sequencing: reference });
    }
    const objective = [sequencing, shared].map((s) => child(child(s, 'objectives'), 'primaryObjective')).find(Boolean);
    if (!objective) return null;
    const where = `${subject} primaryObjective`;
    const measure = child(objective, 'minNormalizedMeasure')?.text;
    return {
      objectiveId: attribute(objective, 'objectiveID') ?? null,
      satisfiedByMeasure: booleanAttribute(objective, 'satisfiedByMeasure', false, where),
      minNormalizedMeasure: measure ? decimal(measure, `${where} minNormalizedMeasure`, -1, 1) : 1,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Values

/** xs:decimal within [min, max]; anything else names the value and the range. */
function decimal(written: string, subject: string, min: number, max: number): number {
  if (!/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/.test(written)) throw new ManifestProblem('manifest_invalid', `${subject} "${written}" is not a number`, { value: written });
  const value = Number(written);
  if (value < min || value > max) throw new ManifestProblem('manifest_invalid', `${subject} ${written} is outside ${min} to ${max}`, { value, min, max });
  return value;
}

/** xs:boolean (true/false/1/0); absent means the default. */
function booleanAttribute(element: Element, name: string, fallback: boolean, subject: string): boolean {
  const written = attribute(element, name);
  if (written === undefined) return fallback;
  const value = { true: true, '1': true, false: false, '0': false }[written.toLowerCase()];
  if (value === undefined) throw new ManifestProblem('manifest_invalid', `${subject} ${name} "${written}" is not true or false`, { value: written });
  return value;
}
