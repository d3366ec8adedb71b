import { createHash, randomBytes } from 'node:crypto';
import { badRequest } from './http';

/**
 * Statements with attachments: the body of a PUT or POST to the Statement Resource, and the multipart
 * answer of a GET with `attachments=true` (xAPI 1.0.3 Data 2.4.11 and Communication 1.5.2; IEEE 9274.1.1
 * keeps the same transmission format). Pure: bytes in, bytes out.
 *
 * The body arrives whole (express.raw), so it is split here as a Buffer rather than streamed. No library
 * is used: busboy only reads multipart/form-data (it needs Content-Disposition names), dicer is
 * unmaintained, and @remix-run/multipart-parser is ESM-only, which this CommonJS build and its jest
 * runtime cannot load. RFC 2046 §5.1.1 is small enough to follow exactly:
 *
 *   body      := preamble? dash-boundary padding CRLF part (CRLF dash-boundary padding CRLF part)*
 *                CRLF dash-boundary "--" epilogue?
 *   part      := headers CRLF content   (the CRLF before a boundary belongs to the boundary)
 *
 * so a part's content is every byte up to the next CRLF "--" boundary, and binary content is never
 * touched.
 */

/** One attachment's raw data as a part carried it (X-Experience-API-Hash as sent, in its case). */
export interface AttachmentPart {
  sha2: string;
  contentType: string;
  content: Buffer;
}

/** The digest each SHA-2 variant's hex length stands for (Communication 1.5.2.s4.b4 names 256/384/512). */
const SHA2_BY_HEX_LENGTH: Readonly<Record<number, string>> = { 56: 'sha224', 64: 'sha256', 96: 'sha384', 128: 'sha512' };
const HEX = /^[0-9a-f]+$/i;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * A POST/PUT statements body: `application/json` gives the parsed JSON and no parts; `multipart/mixed`
 * gives the first part (which must be application/json) parsed, and every further part, each of which
 * must carry an X-Experience-API-Hash that is a SHA-2 hex digest and Content-Transfer-Encoding: binary
 * (Communication 1.5.2.s2.b2). Anything else is 400 naming the problem.
 */
export function readStatementsRequest(contentType: string | undefined, body: Buffer): { statementsJson: unknown; parts: AttachmentPart[] } {
  if (!contentType) throw badRequest('A statements request needs Content-Type application/json or multipart/mixed');
  const media = parseMediaType(contentType);
  if (!media) throw badRequest(`The Content-Type "${contentType}" cannot be read as a media type`);
  if (media.essence === 'application/json') return { statementsJson: parseJson(body, media, 'The request body'), parts: [] };
  if (media.essence !== 'multipart/mixed') throw badRequest(`Statements are sent as application/json or multipart/mixed, not ${media.essence}`);

  const boundary = media.params.get('boundary');
  if (!boundary) throw badRequest('A multipart/mixed Content-Type needs a boundary parameter');
  const [first, ...rest] = splitParts(body, boundary).map(readPart);
  const firstType = first!.headers.get('content-type');
  const firstMedia = firstType === undefined ? null : parseMediaType(firstType);
  if (firstMedia?.essence !== 'application/json') {
    throw badRequest(`The first part must hold the statements with Content-Type application/json, not ${firstType === undefined ? 'no Content-Type' : `"${firstType}"`}`);
  }
  const statementsJson = parseJson(first!.content, firstMedia, 'The first part');
  const declared = declaredContentTypes(statementsJson);
  const parts = rest.map((part): AttachmentPart => {
    const sha2 = part.headers.get('x-experience-api-hash');
    if (sha2 === undefined) throw badRequest(`Part ${part.number} has no X-Experience-API-Hash header (every part after the statements needs one)`);
    if (!isSha2Hex(sha2)) throw badRequest(`Part ${part.number}'s X-Experience-API-Hash "${sha2}" is not a SHA-2 hex digest`);
    const encoding = part.headers.get('content-transfer-encoding');
    if (encoding?.toLowerCase() !== 'binary') {
      throw badRequest(`Part ${part.number} needs Content-Transfer-Encoding: binary, not ${encoding === undefined ? 'none' : `"${encoding}"`}`);
    }
    const length = part.headers.get('content-length');
    if (length !== undefined && length !== String(part.content.length)) {
      throw badRequest(`Part ${part.number} declares Content-Length ${length} but carries ${part.content.length} bytes`);
    }
    // Content-Type on a part is only a SHOULD; without one the attachment's own contentType describes it.
    const contentType = part.headers.get('content-type') ?? declared.get(sha2.toLowerCase()) ?? 'application/octet-stream';
    return { sha2, contentType, content: part.content };
  });
  return { statementsJson, parts };
}

/**
 * Checks the statements' attachments (and those of a SubStatement object) against the parts: every part
 * hashes to its X-Experience-API-Hash; every attachment without a fileUrl has a part with its sha2
 * (Communication 1.5.2.s3.b5), several attachments may share one part; every part belongs to some
 * attachment, with or without fileUrl (XAPI-00128). Hashes compare without regard to hex case. Parts are
 * named as readStatementsRequest returns them, counted as the request's parts (the statements are part 1).
 */
export function matchAttachments(statements: Record<string, any>[], parts: AttachmentPart[]): void {
  parts.forEach((part, index) => {
    const algorithm = isSha2Hex(part.sha2) ? SHA2_BY_HEX_LENGTH[part.sha2.length]! : null;
    if (!algorithm || createHash(algorithm).update(part.content).digest('hex') !== part.sha2.toLowerCase()) {
      throw badRequest(`Part ${index + 2}'s content does not hash to its X-Experience-API-Hash ${part.sha2}`);
    }
  });
  const unreferenced = new Map(parts.map((part, index) => [part.sha2.toLowerCase(), index + 2]));
  const available = new Set(unreferenced.keys());
  for (const { path, attachment } of attachmentsOf(statements)) {
    const sha2 = typeof attachment?.sha2 === 'string' ? attachment.sha2.toLowerCase() : null;
    if (sha2 !== null && available.has(sha2)) unreferenced.delete(sha2);
    else if (attachment?.fileUrl === undefined) {
      throw badRequest(`${path} has no fileUrl and no part carries its data (sha2 ${JSON.stringify(attachment?.sha2)})`, { path });
    }
  }
  const [extra] = unreferenced;
  if (extra) throw badRequest(`Part ${extra[1]} (X-Experience-API-Hash ${extra[0]}) belongs to no attachment of the statements`);
}

/**
 * A GET with `attachments=true`: the multipart/mixed answer whose first part is the JSON and whose further
 * parts carry each attachment's data once (Communication 1.5.2.s3.b1), and the Content-Type to send.
 */
export function writeMultipart(json: unknown, parts: AttachmentPart[]): { contentType: string; body: Buffer } {
  const serialized = JSON.stringify(json);
  if (serialized === undefined) throw new TypeError('writeMultipart needs a JSON value');
  const jsonBytes = Buffer.from(serialized, 'utf8');
  const unique = [...new Map(parts.map((part) => [part.sha2.toLowerCase(), part])).values()];
  const boundary = boundaryAbsentFrom([jsonBytes, ...unique.map((part) => part.content)]);
  const chunks: Buffer[] = [Buffer.from(`--${boundary}\r\nContent-Type: application/json\r\n\r\n`), jsonBytes];
  for (const part of unique) {
    const headers = [
      `Content-Type: ${oneLine(part.contentType)}`,
      'Content-Transfer-Encoding: binary',
      `X-Experience-API-Hash: ${oneLine(part.sha2)}`,
      `Content-Length: ${part.content.length}`,
    ];
    chunks.push(Buffer.from(`\r\n--${boundary}\r\n${headers.join('\r\n')}\r\n\r\n`), part.content);
  }
  chunks.push(Buffer.from(`\r\n--${boundary}--\r\n`));
  return { contentType: `multipart/mixed; boundary=${boundary}`, body: Buffer.concat(chunks) };
}

// ---------------------------------------------------------------------------------------------
// Reading

interface MediaType {
  /** type/subtype, lower case. */
  essence: string;
  /** Parameters by lower-case name, quoted-string values unquoted. */
  params: Map<string, string>;
}

/** RFC 9110 §8.3.1 media type with parameters; a value may be a token or a quoted-string. */
function parseMediaType(value: string): MediaType | null {
  const match = /^\s*([^\s/;]+)\/([^\s;]+)\s*/.exec(value);
  if (!match || !TOKEN.test(match[1]!) || !TOKEN.test(match[2]!)) return null;
  const params = new Map<string, string>();
  let rest = value.slice(match[0].length);
  while (rest.length > 0) {
    const param = /^;\s*(?:([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s;"]*))?\s*/.exec(rest);
    if (!param) return null;
    if (param[1] !== undefined) {
      const raw = param[2]!;
      params.set(param[1].toLowerCase(), raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw);
    }
    rest = rest.slice(param[0].length);
  }
  return { essence: `${match[1]}/${match[2]}`.toLowerCase(), params };
}

/** JSON is UTF-8 (RFC 8259 §8.1); a byte order mark is tolerated, another charset is not guessed at. */
function parseJson(bytes: Buffer, media: MediaType, what: string): unknown {
  const charset = media.params.get('charset')?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') throw badRequest(`${what} is JSON, which is UTF-8, not ${charset}`);
  if (bytes.length === 0) throw badRequest(`${what} is empty; it must hold the statements as JSON`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw badRequest(`${what} is not valid UTF-8`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(`${what} is not valid JSON: ${(error as Error).message}`);
  }
}

/** The raw parts between the boundary lines; the preamble and the epilogue are ignored (RFC 2046). */
function splitParts(body: Buffer, boundary: string): Buffer[] {
  const dashBoundary = Buffer.from(`--${boundary}`, 'latin1');
  const delimiter = Buffer.concat([CRLF, dashBoundary]);
  let at: number;
  if (body.subarray(0, dashBoundary.length).equals(dashBoundary)) at = dashBoundary.length;
  else {
    const found = body.indexOf(delimiter);
    if (found < 0) throw badRequest(`The body has no boundary line --${boundary}`);
    at = found + delimiter.length;
  }
  const parts: Buffer[] = [];
  for (;;) {
    if (body[at] === 0x2d && body[at + 1] === 0x2d) {
      if (parts.length === 0) throw badRequest('The multipart body closes before its first part');
      return parts;
    }
    while (body[at] === 0x20 || body[at] === 0x09) at += 1;
    if (body[at] !== 0x0d || body[at + 1] !== 0x0a) throw badRequest(`A boundary line --${boundary} runs on instead of ending its line`);
    const start = at + 2;
    const end = body.indexOf(delimiter, start);
    if (end < 0) throw badRequest(`The multipart body does not end with the closing boundary --${boundary}--`);
    parts.push(body.subarray(start, end));
    at = end + delimiter.length;
  }
}

interface RawPart {
  /** 1-based, as a person counts: the statements are part 1. */
  number: number;
  /** Header values by lower-case name. */
  headers: Map<string, string>;
  content: Buffer;
}

function readPart(raw: Buffer, index: number): RawPart {
  const number = index + 1;
  // A part without header fields begins with the blank line that ends them.
  if (raw.subarray(0, 2).equals(CRLF)) return { number, headers: new Map(), content: raw.subarray(2) };
  const end = raw.indexOf(HEADER_END);
  if (end < 0) throw badRequest(`Part ${number} has no blank line between its headers and its content`);
  return { number, headers: parseHeaders(raw.subarray(0, end).toString('latin1'), number), content: raw.subarray(end + 4) };
}

/** RFC 5322 header fields: names case-insensitive, folded lines unfolded, a repeated field refused. */
function parseHeaders(text: string, number: number): Map<string, string> {
  const headers = new Map<string, string>();
  const lines: string[] = [];
  for (const line of text.split('\r\n')) {
    if (/^[ \t]/.test(line) && lines.length > 0) lines[lines.length - 1] += ` ${line.trim()}`;
    else lines.push(line);
  }
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trimEnd() : '';
    if (!TOKEN.test(name) || /[\r\n]/.test(line)) throw badRequest(`Part ${number} has a malformed header line: ${JSON.stringify(line.slice(0, 80))}`);
    const key = name.toLowerCase();
    if (headers.has(key)) throw badRequest(`Part ${number} repeats its ${name} header`);
    headers.set(key, line.slice(colon + 1).trim());
  }
  return headers;
}

function isSha2Hex(value: string): boolean {
  return HEX.test(value) && SHA2_BY_HEX_LENGTH[value.length] !== undefined;
}

/** Every attachment object of the statements, with the path that names it in a 400. */
function attachmentsOf(statements: Record<string, any>[]): { path: string; attachment: Record<string, any> | undefined }[] {
  const found: { path: string; attachment: Record<string, any> | undefined }[] = [];
  statements.forEach((statement, i) => {
    const lists: [string, unknown][] = [[`statements[${i}].attachments`, statement?.attachments]];
    if (statement?.object?.objectType === 'SubStatement') lists.push([`statements[${i}].object.attachments`, statement.object.attachments]);
    for (const [path, list] of lists) {
      if (Array.isArray(list)) list.forEach((attachment, j) => found.push({ path: `${path}[${j}]`, attachment }));
    }
  });
  return found;
}

/** sha2 (lower case) → the contentType the statements declare for it, as far as the JSON shows. */
function declaredContentTypes(statementsJson: unknown): Map<string, string> {
  const statements = (Array.isArray(statementsJson) ? statementsJson : [statementsJson]).filter((s): s is Record<string, any> => typeof s === 'object' && s !== null);
  const declared = new Map<string, string>();
  for (const { attachment } of attachmentsOf(statements)) {
    if (typeof attachment?.sha2 === 'string' && typeof attachment.contentType === 'string' && !declared.has(attachment.sha2.toLowerCase())) {
      declared.set(attachment.sha2.toLowerCase(), oneLine(attachment.contentType));
    }
  }
  return declared;
}

// ---------------------------------------------------------------------------------------------
// Writing

/** A boundary that occurs in none of the bodies (RFC 2046 §5.1.1); 144 random bits make a retry rare. */
function boundaryAbsentFrom(bodies: Buffer[]): string {
  for (;;) {
    const boundary = `xapi-${randomBytes(18).toString('hex')}`;
    if (!bodies.some((body) => body.includes(boundary))) return boundary;
  }
}

/** A header value never carries a line break into the message. */
function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, ' ');
}
