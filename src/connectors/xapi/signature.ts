import { constants, verify, X509Certificate } from 'node:crypto';
import { sameStatement } from './formats';
import { badRequest } from './http';
import type { AttachmentPart } from './multipart';

/**
 * Signed statements (xAPI 1.0.3 Data 2.6; the same rules in IEEE 9274.1.1): a statement carries a JSON Web
 * Signature (RFC 7515) of itself as an attachment, and the LRS refuses a malformed one with 400
 * (2.6.s5.b1).
 *
 * The JWS is read with node:crypto rather than a JOSE library: only the compact serialization and the
 * three RSASSA-PKCS1-v1_5 algorithms are allowed, which is a split, two base64url decodes and one
 * `crypto.verify`; and jose 6 is ESM-only, which this CommonJS build and its jest runtime cannot load.
 */

export const SIGNATURE_USAGE_TYPE = 'http://adlnet.gov/expapi/attachments/signature';

/** Data 2.6.s4.b4: RS256, RS384 or RS512, and nothing else (not HS256, not "none"). */
const DIGEST_BY_ALGORITHM: Readonly<Record<string, string>> = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512' };
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

interface CompactJws {
  header: Record<string, unknown>;
  payload: unknown;
  /** The ASCII bytes the signature covers: BASE64URL(header) "." BASE64URL(payload). */
  signingInput: Buffer;
  signature: Buffer;
}

/**
 * Verifies every signed statement of a batch (Data 2.6.s5.b3): an attachment with the signature usageType
 * must have contentType application/octet-stream and a part holding a compact JWS; the JWS must use RS256,
 * RS384 or RS512; its payload must be the statement as sent, compared by the statement comparison rules
 * (attachments are not part of a statement, so the signature attachment itself cannot differ); and when
 * the JWS header has an x5c chain, the signature must verify with the first certificate's key and each
 * certificate must be issued by the next. Any failure is 400 naming the attachment and the problem.
 */
export async function verifySignedStatements(statements: Record<string, any>[], parts: AttachmentPart[]): Promise<void> {
  const partByHash = new Map(parts.map((part) => [part.sha2.toLowerCase(), part]));
  statements.forEach((statement, i) => {
    const attachments: unknown[] = Array.isArray(statement.attachments) ? statement.attachments : [];
    attachments.forEach((attachment, j) => {
      if (!isSignature(attachment)) return;
      const path = `statements[${i}].attachments[${j}]`;
      const fail = (problem: string) => badRequest(`${path} is a signature (Data 2.6), but ${problem}`, { path });
      const contentType = typeof attachment.contentType === 'string' ? attachment.contentType.split(';')[0]!.trim().toLowerCase() : null;
      if (contentType !== 'application/octet-stream') throw fail(`its contentType is ${JSON.stringify(attachment.contentType)}, not application/octet-stream`);
      const part = typeof attachment.sha2 === 'string' ? partByHash.get(attachment.sha2.toLowerCase()) : undefined;
      if (!part) throw fail(`no part of the request carries its JWS (sha2 ${JSON.stringify(attachment.sha2)})`);
      const jws = readCompactJws(part.content, fail);
      if (!sameStatement(jws.payload as Record<string, any>, withoutSignatures(statement))) throw fail('the JWS payload is not the statement it is attached to');
      if (jws.header.x5c !== undefined) verifyWithCertificateChain(jws, fail);
    });
  });
}

function isSignature(attachment: unknown): attachment is Record<string, any> {
  return typeof attachment === 'object' && attachment !== null && (attachment as Record<string, unknown>).usageType === SIGNATURE_USAGE_TYPE;
}

/** The statement as it was before its signatures were attached (Data 2.6.s4.b3). */
function withoutSignatures(statement: Record<string, any>): Record<string, any> {
  const { attachments, ...rest } = statement;
  const others = (attachments as unknown[]).filter((attachment) => !isSignature(attachment));
  return others.length > 0 ? { ...rest, attachments: others } : rest;
}

/** RFC 7515 §7.1 compact serialization; the JSON serialization is refused (Data 2.6.s4.b2). */
function readCompactJws(content: Buffer, fail: (problem: string) => Error): CompactJws {
  const text = content.toString('latin1').trim();
  if (text.startsWith('{')) throw fail('its JWS uses the JSON serialization; use the compact serialization');
  const segments = text.split('.');
  if (segments.length !== 3 || !segments.every((segment) => BASE64URL.test(segment) && segment.length % 4 !== 1)) {
    throw fail('its part is not a compact JWS (three base64url segments joined by dots)');
  }
  const [encodedHeader, encodedPayload, encodedSignature] = segments as [string, string, string];
  const header = parseJsonSegment(encodedHeader);
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw fail('its JWS header is not a JSON object');
  const algorithm = (header as Record<string, unknown>).alg;
  if (typeof algorithm !== 'string' || DIGEST_BY_ALGORITHM[algorithm] === undefined) {
    throw fail(`its JWS algorithm is ${JSON.stringify(algorithm)}; only RS256, RS384 and RS512 are allowed (Data 2.6.s4.b4)`);
  }
  // RFC 7515 §4.1.11: extensions named critical must be understood, and this LRS understands none.
  if ((header as Record<string, unknown>).crit !== undefined) throw fail('its JWS header names critical extensions this LRS does not support');
  if (encodedSignature.length === 0) throw fail('its JWS has no signature');
  const payload = parseJsonSegment(encodedPayload);
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw fail('its JWS payload is not a valid JSON serialization of a statement (Data 2.6.s4.b3)');
  }
  return {
    header: header as Record<string, unknown>,
    payload,
    signingInput: Buffer.from(`${encodedHeader}.${encodedPayload}`, 'ascii'),
    signature: Buffer.from(encodedSignature, 'base64url'),
  };
}

/** A base64url segment holding UTF-8 JSON, or undefined when it holds anything else. */
function parseJsonSegment(segment: string): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(segment, 'base64url')));
  } catch {
    return undefined;
  }
}

/**
 * Data 2.6.s5.b3.b3: with an X.509 chain in the header, the signature is checked against its first
 * certificate (RFC 7515 §4.1.6), and each certificate must have been issued and signed by the next one.
 * No trust anchor or validity period is checked: the specification calls this step a way to catch
 * mistakes, not a security measure, and a statement stays signed after its certificate expires.
 */
function verifyWithCertificateChain(jws: CompactJws, fail: (problem: string) => Error): void {
  const chain = jws.header.x5c;
  if (!Array.isArray(chain) || chain.length === 0) throw fail('its JWS header x5c is not a non-empty array of certificates');
  const certificates = chain.map((entry, k) => {
    if (typeof entry !== 'string' || !BASE64.test(entry)) throw fail(`x5c[${k}] is not a base64 DER certificate`);
    try {
      return new X509Certificate(Buffer.from(entry, 'base64'));
    } catch {
      throw fail(`x5c[${k}] is not an X.509 certificate`);
    }
  });
  for (let k = 0; k + 1 < certificates.length; k += 1) {
    const [certificate, issuer] = [certificates[k]!, certificates[k + 1]!];
    if (!certificate.checkIssued(issuer) || !certificate.verify(issuer.publicKey)) throw fail(`x5c[${k}] was not issued by x5c[${k + 1}]`);
  }
  const key = certificates[0]!.publicKey;
  if (key.asymmetricKeyType !== 'rsa') throw fail(`the x5c certificate holds a ${key.asymmetricKeyType ?? 'non-RSA'} key, which cannot verify ${String(jws.header.alg)}`);
  const digest = DIGEST_BY_ALGORITHM[jws.header.alg as string]!;
  let valid: boolean;
  try {
    valid = verify(digest, jws.signingInput, { key, padding: constants.RSA_PKCS1_PADDING }, jws.signature);
  } catch {
    valid = false;
  }
  if (!valid) throw fail('its JWS signature does not verify with the key of its x5c certificate');
}
