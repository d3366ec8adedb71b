/**
 * What trainhub accepts as text. Control characters (but tab, line feed and carriage return) and
 * unpaired UTF-16 surrogates are refused wherever text comes in: PostgreSQL cannot store NUL, and a
 * lone surrogate would silently become U+FFFD.
 */
const CONTROL = '\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F';
const FORBIDDEN = new RegExp(`[${CONTROL}]|[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]`);

/** Text with at least one visible character and no control characters (JSON Schema / ECMA-262 syntax). */
export const TEXT_PATTERN = new RegExp(`^[^${CONTROL}]*[^\\s${CONTROL}][^${CONTROL}]*$`);

/** The first character of `text` that no text field may hold, as U+XXXX, or null. */
export function forbiddenCharacter(text: string): string | null {
  const match = FORBIDDEN.exec(text);
  return match ? `U+${match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` : null;
}

/** The first string (value or key) anywhere in `value` holding a forbidden character, with its path. */
export function findForbiddenText(value: unknown, path: string[] = []): { path: string[]; character: string } | null {
  if (typeof value === 'string') {
    const character = forbiddenCharacter(value);
    return character ? { path, character } : null;
  }
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findForbiddenText(item, [...path, String(i)]);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const inKey = forbiddenCharacter(key);
      if (inKey) return { path: [...path, key], character: inKey };
      const found = findForbiddenText(item, [...path, key]);
      if (found) return found;
    }
  }
  return null;
}
