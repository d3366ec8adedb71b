import type { DbTx } from '../../db/client';

/**
 * Certificate numbers from a tenant's pattern, e.g. "{CERT}-{YYYY}-{SEQ:6}" → "FORKLIFT-2026-000042".
 *
 * Tokens: {CERT} the certification's key upper-cased, {YYYY} / {YY} / {MM} the issue year and month,
 * {SEQ} or {SEQ:n} the sequence (zero-padded to n digits). The sequence counts per *scope*: the
 * pattern's text with the sequence token removed, after substitution — so "{CERT}-{YYYY}-{SEQ:6}"
 * counts from 1 for each certification and year, and changing only the padding continues the count.
 */

export const DEFAULT_NUMBER_PATTERN = '{CERT}-{YYYY}-{SEQ:6}';
export const MAX_PATTERN_LENGTH = 100;
/** The longest number a pattern may produce (the certification key and the sequence included). */
export const MAX_NUMBER_LENGTH = 200;
const MAX_SEQUENCE_DIGITS = 12;

const TOKEN = /\{([^{}]*)\}/g;
/** Literal text between tokens: printable, no braces, no characters that make numbers hard to read aloud or put in a URL path. */
const LITERAL = /^[A-Za-z0-9 ._\-\/#:]*$/;

type Part = { kind: 'literal'; text: string } | { kind: 'cert' | 'yyyy' | 'yy' | 'mm' } | { kind: 'seq'; digits: number };

/** The pattern's parts, or what is wrong with it (each problem in words an admin can act on). */
export function parseNumberPattern(pattern: string): { ok: true; parts: Part[] } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  if (pattern.length === 0) problems.push('Must not be empty');
  if (pattern.length > MAX_PATTERN_LENGTH) problems.push(`Must be at most ${MAX_PATTERN_LENGTH} characters`);
  const parts: Part[] = [];
  let at = 0;
  let sequences = 0;
  const literal = (text: string) => {
    if (text.length === 0) return;
    if (!LITERAL.test(text)) problems.push(`"${text}" may hold only letters, digits, spaces and . _ - / # : besides the tokens {CERT}, {YYYY}, {YY}, {MM}, {SEQ:n}`);
    parts.push({ kind: 'literal', text });
  };
  for (const match of pattern.matchAll(TOKEN)) {
    literal(pattern.slice(at, match.index));
    at = match.index + match[0].length;
    const name = match[1]!;
    const seq = /^SEQ(?::(\d{1,2}))?$/.exec(name);
    if (seq) {
      sequences += 1;
      const digits = seq[1] === undefined ? 0 : Number(seq[1]);
      if (digits > MAX_SEQUENCE_DIGITS) problems.push(`{SEQ:n} pads to at most ${MAX_SEQUENCE_DIGITS} digits`);
      parts.push({ kind: 'seq', digits });
    } else if (name === 'CERT') parts.push({ kind: 'cert' });
    else if (name === 'YYYY') parts.push({ kind: 'yyyy' });
    else if (name === 'YY') parts.push({ kind: 'yy' });
    else if (name === 'MM') parts.push({ kind: 'mm' });
    else problems.push(`Unknown token {${name}}; the tokens are {CERT}, {YYYY}, {YY}, {MM} and {SEQ} or {SEQ:n}`);
  }
  literal(pattern.slice(at));
  if (sequences === 0) problems.push('Must contain the sequence token {SEQ} or {SEQ:n} (e.g. {SEQ:6}), or numbers would repeat');
  if (sequences > 1) problems.push('Must contain the sequence token only once');
  return problems.length > 0 ? { ok: false, problems: [...new Set(problems)] } : { ok: true, parts };
}

export interface NumberContext {
  certificationKey: string;
  /** The issue date (a calendar date, UTC midnight). */
  issuedOn: Date;
}

/** The number's text around its sequence: `prefix + sequence + suffix`; `scope` is what the sequence counts within. */
export function expandNumberPattern(pattern: string, context: NumberContext): { prefix: string; suffix: string; digits: number; scope: string } {
  const parsed = parseNumberPattern(pattern);
  if (!parsed.ok) throw new Error(`Invalid certificate number pattern ${JSON.stringify(pattern)}: ${parsed.problems.join('; ')}`);
  const year = String(context.issuedOn.getUTCFullYear()).padStart(4, '0');
  const month = String(context.issuedOn.getUTCMonth() + 1).padStart(2, '0');
  let prefix = '';
  let suffix = '';
  let digits = 0;
  let seen = false;
  for (const part of parsed.parts) {
    let text: string;
    switch (part.kind) {
      case 'literal':
        text = part.text;
        break;
      case 'cert':
        text = context.certificationKey.toUpperCase();
        break;
      case 'yyyy':
        text = year;
        break;
      case 'yy':
        text = year.slice(-2);
        break;
      case 'mm':
        text = month;
        break;
      case 'seq':
        seen = true;
        digits = part.digits;
        continue;
    }
    if (seen) suffix += text;
    else prefix += text;
  }
  return { prefix, suffix, digits, scope: prefix + suffix };
}

/** The number for one value of the sequence. */
export function formatNumber(expanded: { prefix: string; suffix: string; digits: number }, sequence: number): string {
  return `${expanded.prefix}${String(sequence).padStart(expanded.digits, '0')}${expanded.suffix}`;
}

/**
 * Takes the next number of the tenant's pattern: the scope's counter is incremented atomically
 * (the row stays locked until the transaction ends, so concurrent issues in one scope queue up and
 * never share a value). A value whose number is already on record — another scope can produce the
 * same text, or numbers issued under an earlier pattern — is skipped.
 */
export async function nextCertificateNumber(tx: DbTx, tenantId: string, pattern: string, context: NumberContext): Promise<string> {
  const expanded = expandNumberPattern(pattern, context);
  for (let attempt = 0; attempt < 1000; attempt += 1) {
    const [row] = await tx.$queryRaw<{ value: number }[]>`
      INSERT INTO certificate_counter (tenant_id, scope, value) VALUES (${tenantId}::uuid, ${expanded.scope}, 1)
      ON CONFLICT (tenant_id, scope) DO UPDATE SET value = certificate_counter.value + 1
      RETURNING value`;
    const number = formatNumber(expanded, row!.value);
    if (number.length > MAX_NUMBER_LENGTH) throw new Error(`Certificate number ${number.slice(0, 40)}… is longer than ${MAX_NUMBER_LENGTH} characters`);
    const taken = await tx.certificate.findFirst({ where: { tenantId, number }, select: { id: true } });
    if (!taken) return number;
  }
  throw new Error(`No free certificate number in scope ${expanded.scope} after 1000 tries`);
}
