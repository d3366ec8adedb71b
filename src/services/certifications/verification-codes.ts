import { randomBytes } from 'node:crypto';

/**
 * Verification codes name a certificate's public verify page, so they must be unguessable: 125
 * random bits in Crockford's base32 (digits and capitals without I, L, O and U, which read like
 * 1, 1, 0 and V), in five groups of five: "7XQ2M-9KD4T-…". Safe in a URL path, easy to read out.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const GROUPS = 5;
const GROUP_LENGTH = 5;
const LENGTH = GROUPS * GROUP_LENGTH;

export function newVerificationCode(): string {
  const bytes = randomBytes(16); // 128 bits; the first 125 are used
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  let code = '';
  for (let i = 0; i < LENGTH; i += 1) code += ALPHABET[Number((bits >> BigInt(128 - 5 * (i + 1))) & 31n)];
  return group(code);
}

function group(code: string): string {
  return code.match(new RegExp(`.{${GROUP_LENGTH}}`, 'g'))!.join('-');
}

/**
 * A code as a person may type it (lower case, without or with other separators, O for 0, I or L
 * for 1) in its canonical form, or null when it cannot be a code.
 */
export function canonicalVerificationCode(input: string): string | null {
  if (input.length > 60) return null;
  const plain = input
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (plain.length !== LENGTH || [...plain].some((c) => !ALPHABET.includes(c))) return null;
  return group(plain);
}
