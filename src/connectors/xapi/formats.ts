import { normalizedMbox } from './agents';
import { parseTimestamp, type ActivityDefinition, type InteractionComponent, type LanguageMap, type Statement } from './validation';

/**
 * How stored statements are given back and compared: the `format` parameter of GET statements
 * (Communication 2.1.3), statement comparison for an id sent again (Data 2.3.1), and the LRS's
 * canonical Activity definition (Data 2.4.4.1.s4).
 */

export type StatementFormat = 'exact' | 'ids' | 'canonical';

/** Where the LRS keeps canonical definitions; without one, canonical uses what the statement holds. */
export interface CanonicalSource {
  activity?(id: string): ActivityDefinition | undefined;
  verb?(id: string): LanguageMap | undefined;
}

const IFI_KEYS = ['mbox', 'mbox_sha1sum', 'openid', 'account'] as const;
const COMPONENT_LISTS = ['choices', 'scale', 'source', 'target', 'steps'] as const;

/**
 * `statement` as the format asks (Communication 2.1.3):
 * - exact: as stored.
 * - ids: Agents and identified Groups reduced to objectType and their identifier, anonymous Groups
 *   to their members reduced that way, Activities to objectType and id, Verbs to their id.
 * - canonical: every Activity definition (the canonical one from `canonical` when given) and Verb
 *   display with one language per language map, chosen by `languages` (Accept-Language, most
 *   preferred first; see bestLanguage); Agents and Groups as in exact.
 * Never changes `statement`.
 */
export function formatStatement(statement: Statement, format: StatementFormat, languages: readonly string[] = [], canonical: CanonicalSource = {}): Statement {
  if (format === 'ids') return mapParts(statement, { actor: idsActor, verb: (v) => ({ id: v.id }), activity: idsActivity });
  if (format === 'canonical') {
    return mapParts(statement, {
      actor: (a) => a,
      verb: (v) => {
        const display = canonical.verb?.(v.id) ?? v.display;
        return display ? { ...v, display: oneLanguage(display, languages) } : v;
      },
      activity: (a) => {
        const definition = canonical.activity?.(a.id) ?? a.definition;
        return definition ? { ...a, definition: definitionInOneLanguage(definition, languages) } : a;
      },
    });
  }
  return statement;
}

interface PartMappers {
  actor(actor: any): any;
  verb(verb: any): any;
  activity(activity: any): any;
}

/** A copy of the statement with every actor, verb and activity (SubStatement included) passed through `map`. */
function mapParts(s: Statement, map: PartMappers): Statement {
  const out: Statement = { ...s, actor: map.actor(s.actor), verb: map.verb(s.verb), object: mapObject(s.object, map) };
  if (s.authority) out.authority = map.actor(s.authority);
  if (s.context) out.context = mapContext(s.context, map);
  return out;
}

function mapObject(o: any, map: PartMappers): any {
  switch (o?.objectType ?? 'Activity') {
    case 'Activity':
      return map.activity(o);
    case 'Agent':
    case 'Group':
      return map.actor(o);
    case 'SubStatement':
      return mapParts(o, map);
    default:
      return o;
  }
}

function mapContext(c: any, map: PartMappers): any {
  const out = { ...c };
  if (c.instructor) out.instructor = map.actor(c.instructor);
  if (c.team) out.team = map.actor(c.team);
  if (c.contextActivities) {
    out.contextActivities = Object.fromEntries(
      Object.entries(c.contextActivities as Record<string, unknown>).map(([kind, v]) => [kind, (Array.isArray(v) ? v : [v]).map(map.activity)]),
    );
  }
  if (Array.isArray(c.contextAgents)) out.contextAgents = c.contextAgents.map((e: any) => ({ ...e, agent: map.actor(e.agent) }));
  if (Array.isArray(c.contextGroups)) out.contextGroups = c.contextGroups.map((e: any) => ({ ...e, group: map.actor(e.group) }));
  return out;
}

function idsActor(a: any): any {
  const out: Record<string, unknown> = a.objectType ? { objectType: a.objectType } : {};
  for (const key of IFI_KEYS) if (a[key] !== undefined) out[key] = a[key];
  // An anonymous group is identified only by its members ("the minimum information needed to identify each member").
  if (a.objectType === 'Group' && Object.keys(out).length === 1 && Array.isArray(a.member)) out.member = a.member.map(idsActor);
  return out;
}

function idsActivity(a: any): any {
  return a.objectType ? { objectType: a.objectType, id: a.id } : { id: a.id };
}

function definitionInOneLanguage(d: ActivityDefinition, languages: readonly string[]): ActivityDefinition {
  const out: ActivityDefinition = { ...d };
  if (d.name) out.name = oneLanguage(d.name, languages);
  if (d.description) out.description = oneLanguage(d.description, languages);
  for (const list of COMPONENT_LISTS) {
    const components = d[list];
    if (components) out[list] = components.map((c) => (c.description ? { ...c, description: oneLanguage(c.description, languages) } : c));
  }
  return out;
}

function oneLanguage(map: LanguageMap, languages: readonly string[]): LanguageMap {
  const tag = bestLanguage(Object.keys(map), languages);
  return tag === undefined ? {} : { [tag]: map[tag]! };
}

/**
 * The tag of `tags` to show a reader who accepts `languages` (most preferred first), as RFC 2616
 * 14.4 says: a range matches a tag equal to it or starting with it and "-" ("en" matches "en-GB"),
 * case-insensitively, "*" matches any tag, and a tag counts with the longest range that matches it;
 * the tag whose range is most preferred wins (the first such tag on a tie). When no range matches
 * any tag, each range is shortened from the end ("de-DE" → "de", the lookup of RFC 4647), and
 * failing that the first tag of the map is shown rather than nothing. Undefined only without tags.
 */
export function bestLanguage(tags: readonly string[], languages: readonly string[]): string | undefined {
  const ranges = languages.map((l) => l.toLowerCase());
  let best: { tag: string; rank: number } | undefined;
  for (const tag of tags) {
    const t = tag.toLowerCase();
    let match: { rank: number; length: number } | undefined;
    ranges.forEach((range, rank) => {
      const length = range === '*' ? 0 : t === range || t.startsWith(`${range}-`) ? range.length : -1;
      if (length >= 0 && (match === undefined || length > match.length)) match = { rank, length };
    });
    if (match && (best === undefined || match.rank < best.rank)) best = { tag, rank: match.rank };
  }
  if (best) return best.tag;
  const lower = tags.map((t) => t.toLowerCase());
  for (let range of ranges) {
    while (range.includes('-')) {
      range = range.slice(0, range.lastIndexOf('-'));
      const i = lower.indexOf(range);
      if (i >= 0) return tags[i];
    }
  }
  return tags[0];
}

/** An Accept-Language header as ranges, most preferred first (by q, then by order); q=0 ranges are left out. */
export function parseAcceptLanguage(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((part, order) => {
      const [range = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p)).find(Boolean);
      return { range: range.trim(), q: q ? Number(q[1]) : 1, order };
    })
    .filter((r) => r.range !== '' && r.q > 0)
    .sort((a, b) => b.q - a.q || a.order - b.order)
    .map((r) => r.range);
}

// ------------------------------------------------------------------------------------------------
// Statement comparison (Data 2.3.1 "Statement Comparison Requirements")
// ------------------------------------------------------------------------------------------------

/**
 * Whether `a` and `b` (a statement on record and one sent again with its id) are the same
 * statement. Differences the immutability exceptions (Data 2.3.1) could cause are ignored:
 * - id, authority, stored and version (assigned by the LRS); timestamp when either lacks one
 *   (the LRS fills it in), otherwise timestamps compare as instants, whatever their time zone;
 * - Activity definitions and Verb display (not part of the statement);
 * - the order of a Group's members; property order; a single contextActivities object versus an
 *   array of one; the default objectTypes (Agent, Activity) written out or left implicit;
 * - case where it does not matter: the mailto: scheme and email domain, SHA-1 and UUID hex digits,
 *   language tags.
 * Everything else must match exactly, Result duration as a string (Data 2.3.1.b8) though without
 * the digits below a hundredth of a second (Data 4.6.s1.b5).
 */
export function sameStatement(a: Statement, b: Statement): boolean {
  const [x, y] = [comparable(a), comparable(b)];
  if (a.timestamp === undefined || b.timestamp === undefined) {
    delete x.timestamp;
    delete y.timestamp;
  }
  return deepEqual(x, y);
}

function comparable(s: Statement): Record<string, unknown> {
  const { id: _id, authority: _authority, stored: _stored, version: _version, ...rest } = s;
  return comparableBody(rest);
}

function comparableBody(s: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = { ...s, actor: comparableActor(s.actor), verb: { id: s.verb?.id } };
  out.object = comparableObject(s.object);
  if (typeof s.timestamp === 'string') out.timestamp = instant(s.timestamp);
  if (s.context) out.context = comparableContext(s.context);
  if (s.result?.duration !== undefined) out.result = { ...s.result, duration: String(s.result.duration).replace(/([.,]\d{2})\d+S$/, '$1S') };
  if (Array.isArray(s.attachments)) {
    out.attachments = s.attachments.map((att: any) => ({
      ...att,
      display: lowerCaseTags(att.display),
      ...(att.description ? { description: lowerCaseTags(att.description) } : {}),
      sha2: typeof att.sha2 === 'string' ? att.sha2.toLowerCase() : att.sha2,
    }));
  }
  return out;
}

function comparableObject(o: any): any {
  switch (o?.objectType ?? 'Activity') {
    case 'Activity':
      return { objectType: 'Activity', id: o.id };
    case 'Agent':
    case 'Group':
      return comparableActor(o);
    case 'StatementRef':
      return { ...o, id: lowerCase(o.id) };
    case 'SubStatement':
      return comparableBody(o);
    default:
      return o;
  }
}

function comparableActor(a: any): any {
  if (!a || typeof a !== 'object') return a;
  const out: Record<string, any> = { ...a, objectType: a.objectType ?? 'Agent' };
  if (typeof a.mbox === 'string' && a.mbox.includes('@')) out.mbox = normalizedMbox(a.mbox);
  if (typeof a.mbox_sha1sum === 'string') out.mbox_sha1sum = a.mbox_sha1sum.toLowerCase();
  if (Array.isArray(a.member)) {
    out.member = a.member
      .map(comparableActor)
      .map((m: unknown) => [canonicalJson(m), m] as const)
      .sort(([x]: readonly [string, unknown], [y]: readonly [string, unknown]) => (x < y ? -1 : x > y ? 1 : 0))
      .map(([, m]: readonly [string, unknown]) => m);
  }
  return out;
}

function comparableContext(c: any): any {
  const out: Record<string, any> = { ...c };
  if (c.registration !== undefined) out.registration = lowerCase(c.registration);
  if (c.instructor) out.instructor = comparableActor(c.instructor);
  if (c.team) out.team = comparableActor(c.team);
  if (c.statement) out.statement = { ...c.statement, id: lowerCase(c.statement.id) };
  if (typeof c.language === 'string') out.language = c.language.toLowerCase();
  if (c.contextActivities) {
    out.contextActivities = Object.fromEntries(
      Object.entries(c.contextActivities as Record<string, unknown>).map(([kind, v]) => [kind, (Array.isArray(v) ? v : [v]).map(comparableObject)]),
    );
  }
  if (Array.isArray(c.contextAgents)) out.contextAgents = c.contextAgents.map((e: any) => ({ ...e, agent: comparableActor(e.agent) }));
  if (Array.isArray(c.contextGroups)) out.contextGroups = c.contextGroups.map((e: any) => ({ ...e, group: comparableActor(e.group) }));
  return out;
}

/** The instant as milliseconds; a text that is no timestamp at all compares as itself. */
function instant(timestamp: string): number | string {
  return (parseTimestamp(timestamp, '1.0.3') ?? parseTimestamp(timestamp, '2.0.0'))?.getTime() ?? timestamp;
}

function lowerCase(value: unknown): unknown {
  return typeof value === 'string' ? value.toLowerCase() : value;
}

function lowerCaseTags(map: unknown): unknown {
  if (!map || typeof map !== 'object') return map;
  return Object.fromEntries(Object.entries(map).map(([tag, text]) => [tag.toLowerCase(), text]));
}

/** Structural equality of JSON values: objects by their keys whatever the order, arrays in order. */
function deepEqual(x: unknown, y: unknown): boolean {
  if (x === y) return true;
  if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
  if (Array.isArray(x) !== Array.isArray(y)) return false;
  if (Array.isArray(x)) {
    const ys = y as unknown[];
    return x.length === ys.length && x.every((item, i) => deepEqual(item, ys[i]));
  }
  const xo = x as Record<string, unknown>, yo = y as Record<string, unknown>;
  const xKeys = Object.keys(xo).filter((k) => xo[k] !== undefined);
  const yKeys = Object.keys(yo).filter((k) => yo[k] !== undefined);
  return xKeys.length === yKeys.length && xKeys.every((k) => Object.prototype.hasOwnProperty.call(yo, k) && deepEqual(xo[k], yo[k]));
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

// ------------------------------------------------------------------------------------------------
// Canonical Activity definitions (Data 2.4.4.1.s4)
// ------------------------------------------------------------------------------------------------

/**
 * The LRS's canonical definition of an Activity after a statement from a provider it trusts with
 * the Activity brings `incoming`. Small corrections are taken, significant changes are not
 * (Data 2.4.4.1.s4.b4/b5):
 * - name and description: incoming language entries are added or replace the same language;
 * - type and moreInfo: the incoming value, when it has one;
 * - extensions: incoming keys are added or replace the same key;
 * - interaction properties (interactionType, correctResponsesPattern, component lists): kept once
 *   known, taken from `incoming` while unknown; the descriptions of components with the same id
 *   are merged like name and description.
 * Returns a new object; neither argument is changed.
 */
export function activityDefinitionMerge(current: ActivityDefinition | null | undefined, incoming: ActivityDefinition | null | undefined): ActivityDefinition {
  if (!current) return { ...(incoming ?? {}) };
  if (!incoming) return { ...current };
  const merged: ActivityDefinition = { ...current };
  if (incoming.name) merged.name = { ...current.name, ...incoming.name };
  if (incoming.description) merged.description = { ...current.description, ...incoming.description };
  if (incoming.type !== undefined) merged.type = incoming.type;
  if (incoming.moreInfo !== undefined) merged.moreInfo = incoming.moreInfo;
  if (incoming.extensions) merged.extensions = { ...current.extensions, ...incoming.extensions };
  if (merged.interactionType === undefined && incoming.interactionType !== undefined) merged.interactionType = incoming.interactionType;
  if (merged.interactionType !== incoming.interactionType) return merged;
  if (merged.correctResponsesPattern === undefined && incoming.correctResponsesPattern !== undefined) merged.correctResponsesPattern = incoming.correctResponsesPattern;
  for (const list of COMPONENT_LISTS) {
    const known = current[list];
    const sent = incoming[list];
    if (!sent) continue;
    merged[list] = known ? known.map((component) => withDescriptionsOf(component, sent.find((c) => c.id === component.id))) : sent;
  }
  return merged;
}

function withDescriptionsOf(component: InteractionComponent, incoming: InteractionComponent | undefined): InteractionComponent {
  if (!incoming?.description) return component;
  return { ...component, description: { ...component.description, ...incoming.description } };
}
