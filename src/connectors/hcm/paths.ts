/**
 * Where a value sits in a JSON record, as a profile writes it: keys separated by `.`, each optionally
 * followed by selectors:
 *   `names[0]`                 the first element (`[-1]` the last)
 *   `assignments[*]`           every element (the path then yields several values)
 *   `emails[EmailType=W1]`     the first element whose `EmailType` is `W1` (compared as text)
 * e.g. `workRelationships[PrimaryFlag=true].assignments`, `empInfo.jobInfoNav.results`,
 * `Additional_Jobs_group[*].Job_Code`.
 */

export type Selector = { kind: 'index'; index: number } | { kind: 'all' } | { kind: 'where'; key: string; value: string };

export interface PathSegment {
  key: string;
  selectors: Selector[];
}

export type ParsedPath = { ok: true; segments: PathSegment[] } | { ok: false; message: string };

export function parsePath(text: string): ParsedPath {
  const segments: PathSegment[] = [];
  let pos = 0;
  while (pos <= text.length) {
    let key = '';
    while (pos < text.length && text[pos] !== '.' && text[pos] !== '[') key += text[pos++];
    if (key.trim() === '') return { ok: false, message: `"${text}" has an empty key at character ${pos + 1}` };
    const selectors: Selector[] = [];
    while (text[pos] === '[') {
      const end = text.indexOf(']', pos);
      if (end < 0) return { ok: false, message: `"${text}" has a "[" without "]"` };
      const inner = text.slice(pos + 1, end);
      pos = end + 1;
      if (inner === '*') selectors.push({ kind: 'all' });
      else if (/^-?\d+$/.test(inner)) selectors.push({ kind: 'index', index: Number(inner) });
      else {
        const eq = inner.indexOf('=');
        if (eq <= 0) return { ok: false, message: `"${text}": "[${inner}]" is not a selector ([0], [-1], [*] or [Key=Value])` };
        selectors.push({ kind: 'where', key: inner.slice(0, eq).trim(), value: inner.slice(eq + 1).trim() });
      }
    }
    segments.push({ key, selectors });
    if (pos === text.length) break;
    if (text[pos] !== '.') return { ok: false, message: `"${text}": expected "." or "[" at character ${pos + 1}` };
    pos += 1;
    if (pos === text.length) return { ok: false, message: `"${text}" ends with "."` };
  }
  return { ok: true, segments };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Scalars compare as text, so `[PrimaryFlag=true]` and `[Id=42]` match booleans and numbers. */
function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function select(value: unknown, selector: Selector): unknown[] {
  switch (selector.kind) {
    case 'index': {
      if (!Array.isArray(value)) return [];
      const element = value[selector.index < 0 ? value.length + selector.index : selector.index];
      return element === undefined ? [] : [element];
    }
    case 'all':
      return Array.isArray(value) ? value : [value];
    case 'where': {
      const matches = (element: unknown) => isObject(element) && scalarText(element[selector.key]) === selector.value;
      if (Array.isArray(value)) {
        const found = value.find(matches);
        return found === undefined ? [] : [found];
      }
      return matches(value) ? [value] : [];
    }
  }
}

/** Every value the path reaches from `root` (none when a key is missing; several after `[*]`). */
export function resolvePath(root: unknown, segments: readonly PathSegment[]): unknown[] {
  if (segments.length === 1 && segments[0]!.selectors.length === 0) {
    // The common case, a plain key.
    if (!isObject(root)) return [];
    const value = root[segments[0]!.key];
    return value === undefined || !Object.hasOwn(root, segments[0]!.key) ? [] : [value];
  }
  let current: unknown[] = [root];
  for (const segment of segments) {
    const next: unknown[] = [];
    for (const value of current) {
      if (!isObject(value) || !Object.hasOwn(value, segment.key)) continue;
      let reached: unknown[] = [value[segment.key]];
      for (const selector of segment.selectors) reached = reached.flatMap((item) => select(item, selector));
      for (const item of reached) if (item !== undefined) next.push(item);
    }
    current = next;
    if (current.length === 0) break;
  }
  return current;
}
