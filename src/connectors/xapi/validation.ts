import { unstorableCharacter } from '../../domain/text';
import { badRequest } from './http';

/**
 * What a valid statement is (xAPI 1.0.3 Data 2.2–2.4 and 4.0; IEEE 9274.1.1 "xAPI 2.0"), checked
 * before anything of a request is stored. Every failure is a 400 whose message starts with the path
 * of the offending property: `statement[2].actor.mbox: must be a mailto: IRI of an email address`.
 * The first problem found is reported; checks run in document order.
 */

export type XapiVersion = '1.0.3' | '2.0.0';

/**
 * A statement as JSON. Its shape depends on objectTypes (an object can be an Activity, an Agent, a
 * StatementRef…), so it stays loosely typed; a statement that passed validateStatements has the
 * shape the specification describes. The interfaces below name the parts for readers.
 */
export type Statement = Record<string, any>;

/** RFC 5646 language tag → text. */
export type LanguageMap = Record<string, string>;

export interface Account {
  homePage: string;
  name: string;
}

export interface Agent {
  objectType?: 'Agent';
  name?: string;
  mbox?: string;
  mbox_sha1sum?: string;
  openid?: string;
  account?: Account;
}

export interface Group {
  objectType: 'Group';
  name?: string;
  member?: Agent[];
  mbox?: string;
  mbox_sha1sum?: string;
  openid?: string;
  account?: Account;
}

export interface InteractionComponent {
  id: string;
  description?: LanguageMap;
}

export interface ActivityDefinition {
  name?: LanguageMap;
  description?: LanguageMap;
  type?: string;
  moreInfo?: string;
  extensions?: Record<string, unknown>;
  interactionType?: string;
  correctResponsesPattern?: string[];
  choices?: InteractionComponent[];
  scale?: InteractionComponent[];
  source?: InteractionComponent[];
  target?: InteractionComponent[];
  steps?: InteractionComponent[];
  /** Stored definitions are plain JSON objects. */
  [property: string]: unknown;
}

export interface Activity {
  objectType?: 'Activity';
  id: string;
  definition?: ActivityDefinition;
}

export const VOIDED_VERB = 'http://adlnet.gov/expapi/verbs/voided';

// ------------------------------------------------------------------------------------------------
// Formats of single values. Exported because request parameters are validated "to the same
// standards required for values of the same types in Statements" (Data 2.2.s4.b4).
// ------------------------------------------------------------------------------------------------

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A UUID in the standard string form (8-4-4-4-12 hex digits, either case). Any version and variant
 * is accepted: Data 4.4 only *recommends* the RFC 4122 variant, and refusing, say, a version 7 id
 * would reject valid statements.
 */
export const isUuid = (value: string): boolean => UUID.test(value);

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
/** Characters RFC 3987 never allows unescaped in an IRI: whitespace, controls and "<>"{}|\^`. */
const NOT_IN_AN_IRI = /[\s\u0000-\u001f\u007f-\u009f<>"{}|\\^`]/u;
const BROKEN_PERCENT = /%(?![0-9A-Fa-f]{2})/;

/**
 * An absolute IRI, checked with care but not against the whole RFC 3987 grammar (Data 2.2.s4.b6
 * allows best effort): a scheme (a letter, then letters, digits, "+", "-" or "."), a colon and a
 * non-empty rest; no character an IRI may never hold unescaped; every "%" starts a %HH escape; at
 * most one "#"; and http(s) IRIs name a host. Non-ASCII letters are welcome (that is what makes it
 * an IRI rather than a URI). Relative references and IRI fragments are not IRIs (Data 2.4.4.1).
 * IRLs (moreInfo, homePage, fileUrl) are checked the same way: whether one resolves is not knowable.
 */
export function isIri(value: string): boolean {
  const scheme = SCHEME.exec(value);
  if (!scheme) return false;
  const rest = value.slice(scheme[0].length);
  if (rest === '' || NOT_IN_AN_IRI.test(value) || BROKEN_PERCENT.test(value)) return false;
  if (value.indexOf('#') !== value.lastIndexOf('#')) return false;
  if (/^https?:$/i.test(scheme[0])) {
    if (!rest.startsWith('//')) return false;
    const authority = rest.slice(2).split(/[/?#]/, 1)[0]!;
    const host = authority.slice(authority.lastIndexOf('@') + 1).replace(/:\d*$/, '');
    if (host === '') return false;
  }
  return true;
}

/**
 * RFC 5646 well-formedness (section 2.1), written out from its ABNF:
 *   language ["-" script] ["-" region] *("-" variant) *("-" extension) ["-" privateuse]
 * with language = 2-3 letters (+ up to three 3-letter extlangs) | 4 letters | 5-8 letters,
 * script = 4 letters, region = 2 letters | 3 digits, variant = 5-8 alphanumerics | digit + 3,
 * extension = a singleton other than x followed by 2-8 character subtags, privateuse = x + 1-8
 * character subtags; or a private-use tag alone; or one of the grandfathered tags. On top of the
 * grammar, a singleton or a variant may not appear twice (section 2.2.6 and 2.2.5), so
 * "ar-a-aaa-b-bbb-a-ccc" is refused like "de-419-DE" (two regions) and "a-DE".
 */
const LANGUAGE_TAG = new RegExp(
  '^(?:' +
    '(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})' + // language (with extlangs)
    '(?:-[A-Za-z]{4})?' + // script
    '(?:-(?:[A-Za-z]{2}|[0-9]{3}))?' + // region
    '((?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*)' + // variants
    '((?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*)' + // extensions
    '(?:-[Xx](?:-[A-Za-z0-9]{1,8})+)?' + // private use
    '|[Xx](?:-[A-Za-z0-9]{1,8})+' +
    ')$',
);
const GRANDFATHERED = new Set(
  [
    'en-GB-oed', 'i-ami', 'i-bnn', 'i-default', 'i-enochian', 'i-hak', 'i-klingon', 'i-lux', 'i-mingo', 'i-navajo', 'i-pwn',
    'i-tao', 'i-tay', 'i-tsu', 'sgn-BE-FR', 'sgn-BE-NL', 'sgn-CH-DE', 'art-lojban', 'cel-gaulish', 'no-bok', 'no-nyn',
    'zh-guoyu', 'zh-hakka', 'zh-min', 'zh-min-nan', 'zh-xiang',
  ].map((tag) => tag.toLowerCase()),
);

export function isLanguageTag(value: string): boolean {
  if (GRANDFATHERED.has(value.toLowerCase())) return true;
  const match = LANGUAGE_TAG.exec(value);
  if (!match) return false;
  const distinct = (subtags: string[]) => new Set(subtags).size === subtags.length;
  const variants = (match[1] ?? '').toLowerCase().split('-').filter(Boolean);
  const singletons = (match[2] ?? '').toLowerCase().split('-').filter((subtag) => subtag.length === 1);
  return distinct(variants) && distinct(singletons);
}

const DURATION = /^P(?!$)(?:\d+(?:[.,]\d+)?Y)?(?:\d+(?:[.,]\d+)?M)?(?:\d+(?:[.,]\d+)?D)?(?:T(?=\d)(?:\d+(?:[.,]\d+)?H)?(?:\d+(?:[.,]\d+)?M)?(?:\d+(?:[.,]\d+)?S)?)?$/;
const WEEKS = /^P\d+(?:[.,]\d+)?W$/;

/**
 * An ISO 8601:2004 duration in the format of 4.4.3.2 (Data 4.6): PnYnMnDTnHnMnS with at least one
 * component and a T only before time components, or PnW alone ("P4W1D" is not valid). Only the
 * last component may carry a decimal fraction. The alternative format (P0003-01-29T…) MUST NOT be
 * used and is refused.
 */
export function isDuration(value: string): boolean {
  if (WEEKS.test(value)) return true;
  if (!DURATION.test(value)) return false;
  const components = value.match(/\d+(?:[.,]\d+)?[YMDHS]/g) ?? [];
  return components.slice(0, -1).every((component) => !/[.,]/.test(component));
}

// Timestamps. xAPI 1.0.3 (Data 4.5): ISO 8601 combined date and time, extended or basic format,
// RFC 3339 recommended, time zone recommended. xAPI 2.0: RFC 3339, which always has an offset.
const RFC_3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$/;
const ISO_8601_EXTENDED = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;
const ISO_8601_BASIC = /^(\d{4})(\d{2})(\d{2})[Tt](\d{2})(\d{2})(?:(\d{2})(?:[.,](\d+))?)?([Zz]|[+-]\d{2}(?:\d{2})?)?$/;

/**
 * The instant a Timestamp names, or null when it is not one in the format the version requires.
 * Calendar fields are range-checked (month 1-12, the month's days, hour 0-23, minute 0-59, second
 * 0-60). "-00:00" (and "-00", "-0000") means "offset unknown" in RFC 3339 and is refused. A 1.0.3
 * timestamp without a time zone is taken as UTC. Precision beyond milliseconds is dropped from the
 * instant (the statement keeps the text it was sent with).
 */
export function parseTimestamp(value: string, version: XapiVersion): Date | null {
  const match = version === '2.0.0' ? RFC_3339.exec(value) : (ISO_8601_EXTENDED.exec(value) ?? ISO_8601_BASIC.exec(value));
  if (!match) return null;
  const [, year, month, day, hour, minute, second = '00', fraction = '', zone = 'Z'] = match as unknown as string[];
  const y = Number(year), mo = Number(month), d = Number(day), h = Number(hour), mi = Number(minute), s = Number(second);
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || s > 60) return null;
  let offsetMinutes = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2)), om = Number(digits.slice(2) || '0');
    if (oh > 23 || om > 59) return null;
    if (zone.startsWith('-') && oh === 0 && om === 0) return null;
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  }
  const instant = new Date(0);
  instant.setUTCFullYear(y, mo - 1, d);
  instant.setUTCHours(h, mi, s, Number((fraction + '00').slice(0, 3)));
  return new Date(instant.getTime() - offsetMinutes * 60_000);
}

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const MAILTO = /^mailto:([^@\s]+)@([^@\s]+)$/i;
const MAIL_LOCAL_PART = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~.-]+$/u;
const MAIL_DOMAIN = /^(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?)(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?)*$|^\[[^\]\s]+\]$/u;

/** "mailto:" and an email address (an addr-spec: local part @ domain, the domain as labels or a literal). */
export function isMailtoIri(value: string): boolean {
  const match = MAILTO.exec(value);
  return match !== null && MAIL_LOCAL_PART.test(match[1]!) && MAIL_DOMAIN.test(match[2]!);
}

const SHA1 = /^[0-9a-f]{40}$/i;
const SHA2 = /^(?:[0-9a-f]{56}|[0-9a-f]{64}|[0-9a-f]{96}|[0-9a-f]{128})$/i;
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
/** type "/" subtype, then "; name=value" parameters with token or quoted-string values (RFC 2045/6838). */
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}(?:\\s*;\\s*${TOKEN}=(?:${TOKEN}|"(?:[^"\\\\]|\\\\.)*"))*\\s*$`);
const VERSION_1_0 = /^1\.0(?:\.\d+(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)?$/;

// ------------------------------------------------------------------------------------------------
// Statements
// ------------------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

const STATEMENT_KEYS = keys('id', 'actor', 'verb', 'object', 'result', 'context', 'timestamp', 'stored', 'authority', 'version', 'attachments');
const SUB_STATEMENT_KEYS = keys('objectType', 'actor', 'verb', 'object', 'result', 'context', 'timestamp', 'attachments');
const IFI_KEYS = ['mbox', 'mbox_sha1sum', 'openid', 'account'] as const;
const AGENT_KEYS = keys('objectType', 'name', ...IFI_KEYS);
const GROUP_KEYS = keys('objectType', 'name', 'member', ...IFI_KEYS);
const ACCOUNT_KEYS = keys('homePage', 'name');
const VERB_KEYS = keys('id', 'display');
const ACTIVITY_KEYS = keys('objectType', 'id', 'definition');
const STATEMENT_REF_KEYS = keys('objectType', 'id');
const COMPONENT_LISTS = ['choices', 'scale', 'source', 'target', 'steps'] as const;
const DEFINITION_KEYS = keys('name', 'description', 'type', 'moreInfo', 'extensions', 'interactionType', 'correctResponsesPattern', ...COMPONENT_LISTS);
const COMPONENT_KEYS = keys('id', 'description');
/** Data 2.4.4.1 "Interaction Components": the component lists each interactionType supports. */
const LISTS_OF: Record<string, readonly string[]> = {
  'true-false': [],
  choice: ['choices'],
  'fill-in': [],
  'long-fill-in': [],
  matching: ['source', 'target'],
  performance: ['steps'],
  sequencing: ['choices'],
  likert: ['scale'],
  numeric: [],
  other: [],
};
const RESULT_KEYS = keys('score', 'success', 'completion', 'response', 'duration', 'extensions');
const SCORE_KEYS = keys('scaled', 'raw', 'min', 'max');
const CONTEXT_KEYS = keys('registration', 'instructor', 'team', 'contextActivities', 'revision', 'platform', 'language', 'statement', 'extensions');
const CONTEXT_KEYS_2_0 = keys(...CONTEXT_KEYS, 'contextAgents', 'contextGroups');
const CONTEXT_ACTIVITY_KEYS = keys('parent', 'grouping', 'category', 'other');
const CONTEXT_AGENT_KEYS = keys('objectType', 'agent', 'relevantTypes');
const CONTEXT_GROUP_KEYS = keys('objectType', 'group', 'relevantTypes');
const ATTACHMENT_KEYS = keys('usageType', 'display', 'description', 'contentType', 'length', 'sha2', 'fileUrl');

/**
 * A POST/PUT body (parsed JSON): one statement object or an array of them (an empty array is a
 * valid, empty batch). Returns the statements as an array, each with every contextActivities value
 * as an array (Data 2.4.6.2: single Activity objects are accepted and returned as arrays of one).
 * Also refuses a batch that names the same id twice (Communication 2.1.2.s2.b6).
 */
export function validateStatements(body: unknown, version: XapiVersion): Statement[] {
  if (!Array.isArray(body)) {
    validateStatement(body, version, 'statement');
    return [withContextActivityArrays(body as Statement)];
  }
  const firstWithId = new Map<string, number>();
  return body.map((statement, index) => {
    const path = `statement[${index}]`;
    validateStatement(statement, version, path);
    const id = (statement as Json).id;
    if (typeof id === 'string') {
      const earlier = firstWithId.get(id.toLowerCase());
      if (earlier !== undefined) reject(`${path}.id`, `repeats the id of statement[${earlier}]; a batch cannot hold one id twice`);
      firstWithId.set(id.toLowerCase(), index);
    }
    return withContextActivityArrays(statement as Statement);
  });
}

/** One statement as sent, checked against every rule of its version; `path` names it in messages. */
export function validateStatement(statement: unknown, version: XapiVersion, path: string): void {
  statementBody(object(statement, path, 'a Statement object'), version, path, false);
  storable(statement, path, 0);
}

/** How deep JSON may nest inside a statement (PostgreSQL's parser, like any recursive one, has a limit). */
const MAX_JSON_DEPTH = 64;

/**
 * JSON that is valid but cannot be kept as sent, wherever it is (extension values are otherwise never
 * judged): a NUL character or an unpaired UTF-16 surrogate in a string or key (JSONB holds neither),
 * a number JavaScript reads as infinite (1e400), nesting deeper than MAX_JSON_DEPTH.
 */
function storable(value: unknown, path: string, depth: number): void {
  if (typeof value === 'string') {
    const character = unstorableCharacter(value);
    if (character) reject(path, `contains ${character === 'U+0000' ? 'a NUL character (U+0000)' : `an unpaired UTF-16 surrogate (${character})`}, which cannot be stored`);
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value)) reject(path, 'is a number out of the range a statement can hold');
  } else if (value !== null && typeof value === 'object') {
    if (depth >= MAX_JSON_DEPTH) reject(path, `nests deeper than ${MAX_JSON_DEPTH} levels`);
    if (Array.isArray(value)) value.forEach((item, i) => storable(item, `${path}[${i}]`, depth + 1));
    else {
      for (const [key, item] of Object.entries(value)) {
        storable(key, path, depth + 1);
        storable(item, `${path}.${key}`, depth + 1);
      }
    }
  }
}

/** An Agent or Group anywhere an actor may stand (actor, instructor, a request's agent parameter). */
export function validateActor(value: unknown, path: string): void {
  actor(value, path);
}

function statementBody(s: Json, version: XapiVersion, path: string, isSubStatement: boolean): void {
  if (isSubStatement) {
    for (const key of ['id', 'stored', 'version', 'authority']) {
      if (key in s) reject(`${path}.${key}`, 'a SubStatement must not have this property (Data 2.4.4.3)');
    }
  }
  only(s, path, isSubStatement ? SUB_STATEMENT_KEYS : STATEMENT_KEYS, isSubStatement ? 'a SubStatement' : 'a Statement');
  if (s.id !== undefined) uuid(s.id, `${path}.id`);
  for (const key of ['actor', 'verb', 'object']) if (s[key] === undefined) reject(`${path}.${key}`, 'is required');
  actor(s.actor, `${path}.actor`);
  const verbId = verb(s.verb, `${path}.verb`);
  const objectType = statementObject(s.object, version, `${path}.object`, isSubStatement);
  if (!isSubStatement && verbId === VOIDED_VERB && objectType !== 'StatementRef') {
    reject(`${path}.object`, `a voiding statement (verb ${VOIDED_VERB}) must have a StatementRef object (Data 2.3.2)`);
  }
  if (s.result !== undefined) result(s.result, `${path}.result`);
  if (s.context !== undefined) context(s.context, version, `${path}.context`, objectType === 'Activity');
  if (s.timestamp !== undefined) timestamp(s.timestamp, version, `${path}.timestamp`);
  if (s.stored !== undefined) timestamp(s.stored, version, `${path}.stored`);
  if (s.authority !== undefined) authority(s.authority, `${path}.authority`);
  if (s.version !== undefined) statementVersion(s.version, version, `${path}.version`);
  if (s.attachments !== undefined) attachments(s.attachments, `${path}.attachments`);
}

type ObjectType = 'Activity' | 'Agent' | 'Group' | 'StatementRef' | 'SubStatement';

function statementObject(value: unknown, version: XapiVersion, path: string, insideSubStatement: boolean): ObjectType {
  const o = object(value, path);
  const type = o.objectType;
  if (type === undefined && [...IFI_KEYS, 'member'].some((key) => key in o)) {
    reject(`${path}.objectType`, 'is required when the object is an Agent or a Group (Data 2.4.4.2)');
  }
  switch (type ?? 'Activity') {
    case 'Activity':
      activity(o, path);
      return 'Activity';
    case 'Agent':
      agent(o, path);
      return 'Agent';
    case 'Group':
      group(o, path);
      return 'Group';
    case 'StatementRef':
      statementRef(o, path);
      return 'StatementRef';
    case 'SubStatement':
      if (insideSubStatement) reject(`${path}.objectType`, 'a SubStatement cannot contain another SubStatement');
      statementBody(o, version, path, true);
      return 'SubStatement';
    default:
      return reject(`${path}.objectType`, 'must be "Activity", "Agent", "Group", "StatementRef" or "SubStatement"');
  }
}

// ---- Agents and Groups (Data 2.4.2) ----

function actor(value: unknown, path: string): void {
  const a = object(value, path, 'an Agent or Group object');
  if (a.objectType === undefined || a.objectType === 'Agent') agent(a, path);
  else if (a.objectType === 'Group') group(a, path);
  else reject(`${path}.objectType`, 'must be "Agent" or "Group"');
}

function agent(a: Json, path: string): void {
  only(a, path, AGENT_KEYS, 'an Agent');
  if (a.objectType !== undefined && a.objectType !== 'Agent') reject(`${path}.objectType`, 'must be "Agent"');
  if (a.name !== undefined) string(a.name, `${path}.name`);
  const identifiers = inverseFunctionalIdentifiers(a, path);
  if (identifiers.length !== 1) {
    reject(path, `an Agent must have exactly one inverse functional identifier (mbox, mbox_sha1sum, openid or account)${identifiers.length > 1 ? `, not ${identifiers.join(' and ')}` : ''}`);
  }
}

/** Returns whether the group is identified and how many members it lists. */
function group(g: Json, path: string): { identified: boolean; members: number } {
  only(g, path, GROUP_KEYS, 'a Group');
  if (g.objectType !== 'Group') reject(`${path}.objectType`, 'must be "Group"');
  if (g.name !== undefined) string(g.name, `${path}.name`);
  const identifiers = inverseFunctionalIdentifiers(g, path);
  if (identifiers.length > 1) reject(path, `an identified Group must have exactly one inverse functional identifier, not ${identifiers.join(' and ')}`);
  if (g.member !== undefined) {
    array(g.member, `${path}.member`).forEach((member, index) => {
      const memberPath = `${path}.member[${index}]`;
      const m = object(member, memberPath, 'an Agent object');
      if (m.objectType === 'Group') reject(`${memberPath}.objectType`, 'a Group cannot have a Group as a member');
      agent(m, memberPath);
    });
  }
  const members = Array.isArray(g.member) ? g.member.length : 0;
  if (identifiers.length === 0) {
    if (g.member === undefined) reject(`${path}.member`, 'an anonymous Group (one without an identifier) must list its members');
    if (members === 0) reject(`${path}.member`, 'an anonymous Group must have at least one member');
  }
  return { identified: identifiers.length === 1, members };
}

function inverseFunctionalIdentifiers(a: Json, path: string): string[] {
  const present = IFI_KEYS.filter((key) => a[key] !== undefined);
  if (a.mbox !== undefined && !isMailtoIri(string(a.mbox, `${path}.mbox`))) reject(`${path}.mbox`, 'must be a mailto: IRI of an email address');
  if (a.mbox_sha1sum !== undefined && !SHA1.test(string(a.mbox_sha1sum, `${path}.mbox_sha1sum`))) reject(`${path}.mbox_sha1sum`, 'must be the 40 hex digits of a SHA-1 hash');
  if (a.openid !== undefined) iri(a.openid, `${path}.openid`, 'a URI');
  if (a.account !== undefined) {
    const account = object(a.account, `${path}.account`);
    only(account, `${path}.account`, ACCOUNT_KEYS, 'an account');
    if (account.homePage === undefined) reject(`${path}.account.homePage`, 'is required');
    iri(account.homePage, `${path}.account.homePage`, 'an IRL');
    if (account.name === undefined) reject(`${path}.account.name`, 'is required');
    if (string(account.name, `${path}.account.name`) === '') reject(`${path}.account.name`, 'must not be empty');
  }
  return present;
}

/** Data 2.4.9: an Agent, or (3-legged OAuth) an anonymous Group of exactly two Agents. */
function authority(value: unknown, path: string): void {
  const a = object(value, path, 'an Agent or Group object');
  if (a.objectType !== 'Group') return actor(a, path);
  const { identified, members } = group(a, path);
  if (identified || members !== 2) reject(path, 'an authority that is a Group must be an anonymous Group of exactly two Agents (Data 2.4.9)');
}

// ---- Verb (Data 2.4.3) ----

function verb(value: unknown, path: string): string {
  const v = object(value, path);
  only(v, path, VERB_KEYS, 'a Verb');
  if (v.id === undefined) reject(`${path}.id`, 'is required');
  const id = iri(v.id, `${path}.id`);
  if (v.display !== undefined) languageMap(v.display, `${path}.display`);
  return id;
}

// ---- Objects (Data 2.4.4) ----

function activity(a: Json, path: string): void {
  only(a, path, ACTIVITY_KEYS, 'an Activity');
  if (a.objectType !== undefined && a.objectType !== 'Activity') reject(`${path}.objectType`, 'must be "Activity"');
  if (a.id === undefined) reject(`${path}.id`, 'is required');
  iri(a.id, `${path}.id`);
  if (a.definition !== undefined) definition(a.definition, `${path}.definition`);
}

function definition(value: unknown, path: string): void {
  const d = object(value, path);
  only(d, path, DEFINITION_KEYS, 'an Activity definition');
  if (d.name !== undefined) languageMap(d.name, `${path}.name`);
  if (d.description !== undefined) languageMap(d.description, `${path}.description`);
  if (d.type !== undefined) iri(d.type, `${path}.type`);
  if (d.moreInfo !== undefined) iri(d.moreInfo, `${path}.moreInfo`, 'an IRL');
  if (d.extensions !== undefined) extensions(d.extensions, `${path}.extensions`);
  const interactionType = d.interactionType === undefined ? undefined : string(d.interactionType, `${path}.interactionType`);
  if (interactionType !== undefined && !(interactionType in LISTS_OF)) {
    reject(`${path}.interactionType`, `must be one of ${Object.keys(LISTS_OF).join(', ')}`);
  }
  if (d.correctResponsesPattern !== undefined) {
    if (interactionType === undefined) reject(`${path}.correctResponsesPattern`, 'is used only with an interactionType');
    array(d.correctResponsesPattern, `${path}.correctResponsesPattern`).forEach((p, i) => string(p, `${path}.correctResponsesPattern[${i}]`));
  }
  for (const list of COMPONENT_LISTS) {
    if (d[list] === undefined) continue;
    if (interactionType === undefined) reject(`${path}.${list}`, 'is used only with an interactionType');
    if (!LISTS_OF[interactionType]!.includes(list)) reject(`${path}.${list}`, `is not a component list of interactionType ${interactionType}`);
    interactionComponents(d[list], `${path}.${list}`);
  }
}

function interactionComponents(value: unknown, path: string): void {
  const seen = new Set<string>();
  array(value, path).forEach((component, index) => {
    const at = `${path}[${index}]`;
    const c = object(component, at);
    only(c, at, COMPONENT_KEYS, 'an interaction component');
    if (c.id === undefined) reject(`${at}.id`, 'is required');
    const id = string(c.id, `${at}.id`);
    if (id === '') reject(`${at}.id`, 'must not be empty');
    if (seen.has(id)) reject(`${at}.id`, `"${id}" appears twice; ids within a component list must be distinct`);
    seen.add(id);
    if (c.description !== undefined) languageMap(c.description, `${at}.description`);
  });
}

function statementRef(r: Json, path: string): void {
  only(r, path, STATEMENT_REF_KEYS, 'a StatementRef');
  if (r.objectType !== 'StatementRef') reject(`${path}.objectType`, 'must be "StatementRef"');
  if (r.id === undefined) reject(`${path}.id`, 'is required');
  uuid(r.id, `${path}.id`);
}

// ---- Result (Data 2.4.5) ----

function result(value: unknown, path: string): void {
  const r = object(value, path);
  only(r, path, RESULT_KEYS, 'a Result');
  if (r.score !== undefined) score(r.score, `${path}.score`);
  if (r.success !== undefined) boolean(r.success, `${path}.success`);
  if (r.completion !== undefined) boolean(r.completion, `${path}.completion`);
  if (r.response !== undefined) string(r.response, `${path}.response`);
  if (r.duration !== undefined && !isDuration(string(r.duration, `${path}.duration`))) reject(`${path}.duration`, 'must be an ISO 8601 duration such as PT1H30M or PT45.5S');
  if (r.extensions !== undefined) extensions(r.extensions, `${path}.extensions`);
}

function score(value: unknown, path: string): void {
  const s = object(value, path);
  only(s, path, SCORE_KEYS, 'a Score');
  const [scaled, raw, min, max] = (['scaled', 'raw', 'min', 'max'] as const).map((key) => (s[key] === undefined ? undefined : number(s[key], `${path}.${key}`)));
  if (scaled !== undefined && (scaled < -1 || scaled > 1)) reject(`${path}.scaled`, 'must be between -1 and 1');
  if (min !== undefined && max !== undefined && min >= max) reject(`${path}.min`, 'must be less than max');
  if (raw !== undefined && min !== undefined && raw < min) reject(`${path}.raw`, 'must not be less than min');
  if (raw !== undefined && max !== undefined && raw > max) reject(`${path}.raw`, 'must not be greater than max');
}

// ---- Context (Data 2.4.6; contextAgents and contextGroups are xAPI 2.0) ----

function context(value: unknown, version: XapiVersion, path: string, objectIsActivity: boolean): void {
  const c = object(value, path);
  if (version === '1.0.3') {
    for (const key of ['contextAgents', 'contextGroups']) if (key in c) reject(`${path}.${key}`, 'is an xAPI 2.0 property; this request speaks xAPI 1.0.3');
  }
  only(c, path, version === '2.0.0' ? CONTEXT_KEYS_2_0 : CONTEXT_KEYS, 'a Context');
  if (c.registration !== undefined) uuid(c.registration, `${path}.registration`);
  if (c.instructor !== undefined) actor(c.instructor, `${path}.instructor`);
  if (c.team !== undefined) {
    const team = object(c.team, `${path}.team`, 'a Group object');
    if (team.objectType !== 'Group') reject(`${path}.team`, 'must be a Group (objectType "Group")');
    group(team, `${path}.team`);
  }
  if (c.contextActivities !== undefined) contextActivities(c.contextActivities, `${path}.contextActivities`);
  for (const key of ['revision', 'platform']) {
    if (c[key] === undefined) continue;
    string(c[key], `${path}.${key}`);
    if (!objectIsActivity) reject(`${path}.${key}`, "is allowed only when the statement's object is an Activity");
  }
  if (c.language !== undefined && !isLanguageTag(string(c.language, `${path}.language`))) reject(`${path}.language`, 'must be an RFC 5646 language tag');
  if (c.statement !== undefined) statementRef(object(c.statement, `${path}.statement`, 'a StatementRef object'), `${path}.statement`);
  if (c.extensions !== undefined) extensions(c.extensions, `${path}.extensions`);
  if (c.contextAgents !== undefined) {
    array(c.contextAgents, `${path}.contextAgents`).forEach((entry, i) => {
      const at = `${path}.contextAgents[${i}]`;
      const e = object(entry, at);
      only(e, at, CONTEXT_AGENT_KEYS, 'a contextAgent');
      if (e.objectType !== 'contextAgent') reject(`${at}.objectType`, 'must be "contextAgent"');
      if (e.agent === undefined) reject(`${at}.agent`, 'is required');
      agent(object(e.agent, `${at}.agent`, 'an Agent object'), `${at}.agent`);
      if (e.relevantTypes !== undefined) relevantTypes(e.relevantTypes, `${at}.relevantTypes`);
    });
  }
  if (c.contextGroups !== undefined) {
    array(c.contextGroups, `${path}.contextGroups`).forEach((entry, i) => {
      const at = `${path}.contextGroups[${i}]`;
      const e = object(entry, at);
      only(e, at, CONTEXT_GROUP_KEYS, 'a contextGroup');
      if (e.objectType !== 'contextGroup') reject(`${at}.objectType`, 'must be "contextGroup"');
      if (e.group === undefined) reject(`${at}.group`, 'is required');
      group(object(e.group, `${at}.group`, 'a Group object'), `${at}.group`);
      if (e.relevantTypes !== undefined) relevantTypes(e.relevantTypes, `${at}.relevantTypes`);
    });
  }
}

function contextActivities(value: unknown, path: string): void {
  const ca = object(value, path);
  only(ca, path, CONTEXT_ACTIVITY_KEYS, 'contextActivities (parent, grouping, category, other)');
  if (Object.keys(ca).length === 0) reject(path, 'must name at least one of parent, grouping, category, other');
  for (const [kind, activities] of Object.entries(ca)) {
    const at = `${path}.${kind}`;
    if (Array.isArray(activities)) activities.forEach((a, i) => activity(object(a, `${at}[${i}]`, 'an Activity object'), `${at}[${i}]`));
    else activity(object(activities, at, 'an Activity object or an array of them'), at);
  }
}

function relevantTypes(value: unknown, path: string): void {
  const types = array(value, path);
  if (types.length === 0) reject(path, 'must list at least one Activity type IRI');
  types.forEach((type, i) => iri(type, `${path}[${i}]`));
}

// ---- Timestamp, stored, version, attachments (Data 2.4.7-2.4.11) ----

function timestamp(value: unknown, version: XapiVersion, path: string): void {
  if (parseTimestamp(string(value, path), version) === null) {
    reject(path, version === '2.0.0'
      ? 'must be an RFC 3339 timestamp with a time zone offset, such as 2024-05-18T05:32:34.804Z'
      : 'must be an ISO 8601 date and time, such as 2024-05-18T05:32:34.804Z');
  }
}

/** Data 2.4.10: 1.0.x under 1.0.3; xAPI 2.0 also accepts 2.0.0. */
function statementVersion(value: unknown, version: XapiVersion, path: string): void {
  const v = string(value, path);
  if (VERSION_1_0.test(v) || (version === '2.0.0' && v === '2.0.0')) return;
  reject(path, version === '2.0.0' ? 'must be 1.0.x or 2.0.0' : 'must start with 1.0.');
}

function attachments(value: unknown, path: string): void {
  array(value, path).forEach((attachment, i) => {
    const at = `${path}[${i}]`;
    const a = object(attachment, at, 'an Attachment object');
    only(a, at, ATTACHMENT_KEYS, 'an Attachment');
    for (const key of ['usageType', 'display', 'contentType', 'length', 'sha2']) if (a[key] === undefined) reject(`${at}.${key}`, 'is required');
    iri(a.usageType, `${at}.usageType`);
    languageMap(a.display, `${at}.display`);
    if (a.description !== undefined) languageMap(a.description, `${at}.description`);
    if (!MEDIA_TYPE.test(string(a.contentType, `${at}.contentType`))) reject(`${at}.contentType`, 'must be an Internet media type such as text/plain');
    const length = number(a.length, `${at}.length`);
    if (!Number.isInteger(length) || length < 0) reject(`${at}.length`, 'must be a whole number of octets');
    if (!SHA2.test(string(a.sha2, `${at}.sha2`))) reject(`${at}.sha2`, 'must be a SHA-2 hash in hex (SHA-224, -256, -384 or -512)');
    if (a.fileUrl !== undefined) iri(a.fileUrl, `${at}.fileUrl`, 'an IRL');
  });
}

// ---- Shared shapes ----

/** Data 4.2: a map from RFC 5646 tags to strings, with at least one entry. */
function languageMap(value: unknown, path: string): void {
  const map = object(value, path, 'a language map (an object of language tag → text)');
  const tags = Object.keys(map);
  if (tags.length === 0) reject(path, 'a language map needs at least one entry');
  for (const tag of tags) {
    if (!isLanguageTag(tag)) reject(path, `"${tag}" is not an RFC 5646 language tag`);
    if (map[tag] === null) reject(`${path}["${tag}"]`, 'must not be null');
    if (typeof map[tag] !== 'string') reject(`${path}["${tag}"]`, 'must be a string');
  }
}

/** Data 4.1: keys are IRIs; values are any JSON (null included) and never judged. */
function extensions(value: unknown, path: string): void {
  const map = object(value, path, 'an extensions object (IRI → any value)');
  for (const key of Object.keys(map)) if (!isIri(key)) reject(path, `the key "${key}" is not an IRI`);
}

// ---- Primitive checks ----

function reject(path: string, problem: string): never {
  throw badRequest(`${path}: ${problem}`, { property: path });
}

function object(value: unknown, path: string, what = 'an object'): Json {
  if (value === null) reject(path, 'must not be null');
  if (typeof value !== 'object' || Array.isArray(value)) reject(path, `must be ${what}`);
  return value as Json;
}

function array(value: unknown, path: string): unknown[] {
  if (value === null) reject(path, 'must not be null');
  if (!Array.isArray(value)) reject(path, 'must be an array');
  return value;
}

function string(value: unknown, path: string): string {
  if (value === null) reject(path, 'must not be null');
  if (typeof value !== 'string') reject(path, 'must be a string');
  return value;
}

function number(value: unknown, path: string): number {
  if (value === null) reject(path, 'must not be null');
  if (typeof value !== 'number' || !Number.isFinite(value)) reject(path, 'must be a number (not a string)');
  return value;
}

function boolean(value: unknown, path: string): boolean {
  if (value === null) reject(path, 'must not be null');
  if (typeof value !== 'boolean') reject(path, 'must be true or false (not a string)');
  return value;
}

function uuid(value: unknown, path: string): string {
  if (!isUuid(string(value, path))) reject(path, 'must be a UUID in standard form (8-4-4-4-12 hex digits)');
  return value as string;
}

function iri(value: unknown, path: string, what = 'an IRI'): string {
  if (!isIri(string(value, path))) reject(path, `must be ${what} with a scheme, such as https://example.com/…`);
  return value as string;
}

/**
 * Data 2.2.s4.b1: unknown properties (including a known one in the wrong case) and null values are
 * refused wherever they are; `what` names the object in the message.
 */
function only(o: Json, path: string, allowed: ReadonlySet<string>, what: string): void {
  for (const key of Object.keys(o)) {
    if (!allowed.has(key)) reject(`${path}.${key}`, `is not a property of ${what}`);
    if (o[key] === null) reject(`${path}.${key}`, 'must not be null');
  }
}

function keys(...names: string[]): ReadonlySet<string> {
  return new Set(names);
}

// ---- Normalisation of what was accepted ----

/** contextActivities values as arrays (Data 2.4.6.2.s4.b3), in the statement and its SubStatement; copies only what changes. */
function withContextActivityArrays(statement: Statement): Statement {
  let out = statement;
  const asArrays = (ca: Record<string, unknown>) => Object.fromEntries(Object.entries(ca).map(([kind, v]) => [kind, Array.isArray(v) ? v : [v]]));
  const needsArrays = (ca: unknown) => ca !== undefined && Object.values(ca as object).some((v) => !Array.isArray(v));
  if (needsArrays(out.context?.contextActivities)) {
    out = { ...out, context: { ...out.context, contextActivities: asArrays(out.context.contextActivities) } };
  }
  const sub = out.object;
  if (sub?.objectType === 'SubStatement' && needsArrays(sub.context?.contextActivities)) {
    out = { ...out, object: { ...sub, context: { ...sub.context, contextActivities: asArrays(sub.context.contextActivities) } } };
  }
  return out;
}
