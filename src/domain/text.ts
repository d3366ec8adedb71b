/**
 * What trainhub accepts as text. Control characters (but tab, line feed and carriage return) and
 * unpaired UTF-16 surrogates are refused wherever text comes in: PostgreSQL cannot store NUL, and a
 * lone surrogate would silently become U+FFFD.
 */
const CONTROL = '\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F';
const LONE_SURROGATE = '[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]';
const FORBIDDEN = new RegExp(`[${CONTROL}]|${LONE_SURROGATE}`);
/** What PostgreSQL cannot store at all; data recorded as given (SCORM's CMI) is held only to this. */
const UNSTORABLE = new RegExp(`\\u0000|${LONE_SURROGATE}`);

/** Text with at least one visible character and no control characters (JSON Schema / ECMA-262 syntax). */
export const TEXT_PATTERN = new RegExp(`^[^${CONTROL}]*[^\\s${CONTROL}][^${CONTROL}]*$`);

function firstMatch(pattern: RegExp, text: string): string | null {
  const match = pattern.exec(text);
  return match ? `U+${match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` : null;
}

/** The first character of `text` that no text field may hold, as U+XXXX, or null. */
export function forbiddenCharacter(text: string): string | null {
  return firstMatch(FORBIDDEN, text);
}

/** The first string (value or key) anywhere in `value` holding a forbidden character, with its path. */
export function findForbiddenText(value: unknown, path: string[] = [], forbidden = forbiddenCharacter): { path: string[]; character: string } | null {
  if (typeof value === 'string') {
    const character = forbidden(value);
    return character ? { path, character } : null;
  }
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findForbiddenText(item, [...path, String(i)], forbidden);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const inKey = forbidden(key);
      if (inKey) return { path: [...path, key], character: inKey };
      const found = findForbiddenText(item, [...path, key], forbidden);
      if (found) return found;
    }
  }
  return null;
}

/** The first character of `text` PostgreSQL cannot store (NUL, an unpaired surrogate), as U+XXXX, or null. */
export function unstorableCharacter(text: string): string | null {
  return firstMatch(UNSTORABLE, text);
}

/** Like findForbiddenText, for data kept as given: only NUL and unpaired surrogates are refused. */
export function findUnstorableText(value: unknown): { path: string[]; character: string } | null {
  return findForbiddenText(value, [], unstorableCharacter);
}
