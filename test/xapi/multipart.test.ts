import { createHash } from 'node:crypto';
import { XapiError } from '../../src/connectors/xapi/http';
import { matchAttachments, readStatementsRequest, writeMultipart, type AttachmentPart } from '../../src/connectors/xapi/multipart';

/*
 * Statements with attachments as the xAPI specification transmits them: multipart/mixed bodies written out
 * byte for byte (CRLF line ends, RFC 2046 boundaries), read, matched to the statements' attachment
 * objects, and written back for a GET with attachments=true.
 */

const ESSAY = Buffer.from('here is a simple attachment');
const ESSAY_SHA256 = '495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a';
const CERTIFICATE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0x0d, 0x0a, 0x2d, 0x2d, 0x0d, 0x0a, 0xfe]);
const sha = (algorithm: string, content: Buffer) => createHash(algorithm).update(content).digest('hex');

function attachment(sha2: string, extra: Record<string, unknown> = {}) {
  return { usageType: 'http://example.com/attachment-usage/test', display: { 'en-US': 'A test attachment' }, contentType: 'text/plain', length: 27, sha2, ...extra };
}

function statement(attachments: unknown[], extra: Record<string, unknown> = {}) {
  return {
    actor: { objectType: 'Agent', mbox: 'mailto:jane.doe@example.com' },
    verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { 'en-US': 'completed' } },
    object: { objectType: 'Activity', id: 'https://trainhub.example/courses/food-safety' },
    attachments,
    ...extra,
  };
}

interface Part {
  headers: string[];
  content: string | Buffer;
}

/** A multipart body exactly as RFC 2046 lays it out: boundary lines, CRLF, optional preamble and epilogue. */
function multipart(boundary: string, parts: Part[], { preamble = '', epilogue = '' } = {}): Buffer {
  const chunks: Buffer[] = [Buffer.from(preamble === '' ? '' : `${preamble}\r\n`)];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n${part.headers.map((h) => `${h}\r\n`).join('')}\r\n`), Buffer.from(part.content), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--${epilogue}`));
  return Buffer.concat(chunks);
}

const jsonPart = (json: unknown, type = 'application/json'): Part => ({ headers: [`Content-Type: ${type}`], content: JSON.stringify(json) });
const dataPart = (content: Buffer, sha2: string, type = 'text/plain'): Part => ({
  headers: [`Content-Type: ${type}`, 'Content-Transfer-Encoding: binary', `X-Experience-API-Hash: ${sha2}`],
  content,
});

function rejection(run: () => unknown): XapiError {
  try {
    run();
  } catch (error) {
    if (error instanceof XapiError) return error;
    throw error;
  }
  throw new Error('expected a 400');
}

const BOUNDARY = '-------314159265358979323846';
const MIXED = `multipart/mixed; boundary=${BOUNDARY}`;

describe('Communication 1.5: the content types of a statements request', () => {
  test('Communication 1.5.1 an application/json body (charset included) is the statements JSON and carries no parts', () => {
    const body = Buffer.from(JSON.stringify([statement([attachment(ESSAY_SHA256, { fileUrl: 'https://files.example/essay.txt' })])]));
    expect(readStatementsRequest('application/json; charset=UTF-8', body)).toEqual({ statementsJson: JSON.parse(body.toString()), parts: [] });
  });

  test('XAPI-00127 a request that is neither application/json nor multipart/mixed is 400, as is one without Content-Type', () => {
    const body = multipart(BOUNDARY, [jsonPart(statement([])), dataPart(ESSAY, ESSAY_SHA256)]);
    expect(rejection(() => readStatementsRequest(`multipart/form-data; boundary=${BOUNDARY}`, body)).message).toBe('Statements are sent as application/json or multipart/mixed, not multipart/form-data');
    expect(rejection(() => readStatementsRequest(undefined, body)).status).toBe(400);
    expect(rejection(() => readStatementsRequest('text/plain', Buffer.from('{}'))).status).toBe(400);
  });

  test('a body that is not JSON, is empty, or declares a charset other than UTF-8 is 400', () => {
    expect(rejection(() => readStatementsRequest('application/json', Buffer.from('{"actor":'))).message).toMatch(/^The request body is not valid JSON/);
    expect(rejection(() => readStatementsRequest('application/json', Buffer.alloc(0))).message).toMatch(/is empty/);
    expect(rejection(() => readStatementsRequest('application/json; charset=iso-8859-1', Buffer.from('{}'))).message).toBe('The request body is JSON, which is UTF-8, not iso-8859-1');
  });
});

describe('Communication 1.5.2: reading a multipart/mixed statements request', () => {
  test("the specification's own example parses: a quoted boundary of every allowed character class, headers without a space after the colon", () => {
    const example = statement([attachment(ESSAY_SHA256, { contentType: 'text/plain; charset=ascii' })]);
    const body = Buffer.from(
      `--abcABC0123'()+_,-./:=?\r\nContent-Type:application/json\r\n\r\n${JSON.stringify(example)}\r\n` +
        `--abcABC0123'()+_,-./:=?\r\nContent-Type:text/plain\r\nContent-Transfer-Encoding:binary\r\nX-Experience-API-Hash:${ESSAY_SHA256}\r\n\r\n` +
        `here is a simple attachment\r\n--abcABC0123'()+_,-./:=?--`,
    );

    const read = readStatementsRequest(`multipart/mixed; boundary="abcABC0123'()+_,-./:=?"`, body);

    expect(read).toEqual({ statementsJson: example, parts: [{ sha2: ESSAY_SHA256, contentType: 'text/plain', content: ESSAY }] });
    expect(() => matchAttachments([example], read.parts)).not.toThrow();
  });

  test('RFC 2046: a preamble, a CRLF before the first boundary and an epilogue are ignored', () => {
    const batch = [statement([attachment(ESSAY_SHA256)])];
    const body = multipart(BOUNDARY, [jsonPart(batch), dataPart(ESSAY, ESSAY_SHA256)], { preamble: 'This is the preamble, read by no one.', epilogue: '\r\nThis is the epilogue.\r\n' });
    expect(readStatementsRequest(MIXED, body).parts).toEqual([{ sha2: ESSAY_SHA256, contentType: 'text/plain', content: ESSAY }]);
    // As the ADL test suite's signer writes it: CRLF, then the first boundary, and no line end after the last.
    const leadingCrlf = Buffer.concat([Buffer.from('\r\n'), multipart(BOUNDARY, [jsonPart(batch), dataPart(ESSAY, ESSAY_SHA256)])]);
    expect(readStatementsRequest(MIXED, leadingCrlf).statementsJson).toEqual(batch);
  });

  test('header names are case-insensitive, folded header lines are unfolded, transport padding after a boundary is allowed', () => {
    const batch = [statement([attachment(ESSAY_SHA256)])];
    const body = Buffer.from(
      `--${BOUNDARY}  \r\ncontent-type: application/json;\r\n charset=UTF-8\r\n\r\n${JSON.stringify(batch)}\r\n` +
        `--${BOUNDARY}\r\nCONTENT-TYPE: text/plain\r\ncontent-transfer-encoding: BINARY\r\nx-experience-api-hash: ${ESSAY_SHA256}\r\n\r\n` +
        `here is a simple attachment\r\n--${BOUNDARY}--\r\n`,
    );
    expect(readStatementsRequest(`Multipart/Mixed; Boundary="${BOUNDARY}"`, body)).toEqual({ statementsJson: batch, parts: [{ sha2: ESSAY_SHA256, contentType: 'text/plain', content: ESSAY }] });
  });

  test('binary content is kept byte for byte, CR, LF and "--" inside it included', () => {
    const hash = sha('sha256', CERTIFICATE);
    const body = multipart(BOUNDARY, [jsonPart(statement([attachment(hash, { contentType: 'image/png', length: CERTIFICATE.length })])), dataPart(CERTIFICATE, hash, 'image/png')]);
    const [part] = readStatementsRequest(MIXED, body).parts;
    expect(part!.content.equals(CERTIFICATE)).toBe(true);
    expect(part!.contentType).toBe('image/png');
  });

  test('Communication 1.5.2.s3.b8 a multipart request whose statements have no attachments is accepted with no parts', () => {
    expect(readStatementsRequest(MIXED, multipart(BOUNDARY, [jsonPart(statement([]))]))).toEqual({ statementsJson: statement([]), parts: [] });
  });

  test('a part without Content-Type (only a SHOULD) is described by the contentType its attachment declares', () => {
    const body = multipart(BOUNDARY, [jsonPart(statement([attachment(ESSAY_SHA256, { contentType: 'text/markdown' })])), { headers: ['Content-Transfer-Encoding: binary', `X-Experience-API-Hash: ${ESSAY_SHA256}`], content: ESSAY }]);
    expect(readStatementsRequest(MIXED, body).parts[0]!.contentType).toBe('text/markdown');
  });

  test('XAPI-00131 a multipart/mixed Content-Type without a boundary parameter is 400', () => {
    const body = multipart(BOUNDARY, [jsonPart(statement([]))]);
    expect(rejection(() => readStatementsRequest('multipart/mixed;', body)).message).toBe('A multipart/mixed Content-Type needs a boundary parameter');
  });

  test('XAPI-00130 a body whose first part has no boundary line before it is 400', () => {
    const body = Buffer.from(`Content-Type: application/json\r\n\r\n${JSON.stringify(statement([attachment(ESSAY_SHA256)]))}\r\n` + `--${BOUNDARY}\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\nX-Experience-API-Hash: ${ESSAY_SHA256}\r\n\r\nhere is a simple attachment\r\n--${BOUNDARY}--\r\n`);
    // What precedes the first boundary is preamble, so the attachment becomes the first part.
    expect(rejection(() => readStatementsRequest(MIXED, body)).message).toBe('The first part must hold the statements with Content-Type application/json, not "text/plain"');
    expect(rejection(() => readStatementsRequest(MIXED, Buffer.from('{"actor":{}}'))).message).toBe(`The body has no boundary line --${BOUNDARY}`);
  });

  test('XAPI-00130 an attachment without a boundary line before its headers runs into the statements JSON: 400', () => {
    const body = Buffer.from(`--${BOUNDARY}\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(statement([attachment(ESSAY_SHA256)]))}\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\nX-Experience-API-Hash: ${ESSAY_SHA256}\r\n\r\nhere is a simple attachment\r\n--${BOUNDARY}--\r\n`);
    expect(rejection(() => readStatementsRequest(MIXED, body)).message).toMatch(/^The first part is not valid JSON/);
  });

  test('RFC 2046 a body without its closing boundary, or whose boundary line runs on, is 400', () => {
    const unclosed = Buffer.from(`--${BOUNDARY}\r\nContent-Type: application/json\r\n\r\n{}\r\n`);
    expect(rejection(() => readStatementsRequest(MIXED, unclosed)).message).toBe(`The multipart body does not end with the closing boundary --${BOUNDARY}--`);
    const runOn = Buffer.from(`--${BOUNDARY}\r\nContent-Type: application/json\r\n\r\n{}\r\n--${BOUNDARY}X\r\n\r\n--${BOUNDARY}--`);
    expect(rejection(() => readStatementsRequest(MIXED, runOn)).message).toBe(`A boundary line --${BOUNDARY} runs on instead of ending its line`);
  });

  test('XAPI-00134 a first part that is not application/json is 400, also when it has no Content-Type', () => {
    const batch = statement([attachment(ESSAY_SHA256)]);
    expect(rejection(() => readStatementsRequest(MIXED, multipart(BOUNDARY, [jsonPart(batch, 'text/plain'), dataPart(ESSAY, ESSAY_SHA256)]))).message).toBe(
      'The first part must hold the statements with Content-Type application/json, not "text/plain"',
    );
    expect(rejection(() => readStatementsRequest(MIXED, multipart(BOUNDARY, [{ headers: [], content: JSON.stringify(batch) }, dataPart(ESSAY, ESSAY_SHA256)]))).message).toBe(
      'The first part must hold the statements with Content-Type application/json, not no Content-Type',
    );
  });

  test('XAPI-00133 statements split over two application/json parts are 400 (the second part is no attachment)', () => {
    const body = multipart(BOUNDARY, [jsonPart(statement([attachment(ESSAY_SHA256)])), jsonPart(statement([])), dataPart(ESSAY, ESSAY_SHA256)]);
    expect(rejection(() => readStatementsRequest(MIXED, body)).message).toBe('Part 2 has no X-Experience-API-Hash header (every part after the statements needs one)');
  });

  test('XAPI-00132 an attachment part without X-Experience-API-Hash, or with one that is no SHA-2 digest, is 400', () => {
    const without = multipart(BOUNDARY, [jsonPart(statement([attachment(ESSAY_SHA256)])), { headers: ['Content-Type: text/plain', 'Content-Transfer-Encoding: binary'], content: ESSAY }]);
    expect(rejection(() => readStatementsRequest(MIXED, without)).message).toBe('Part 2 has no X-Experience-API-Hash header (every part after the statements needs one)');
    const notSha2 = multipart(BOUNDARY, [jsonPart(statement([attachment(ESSAY_SHA256)])), dataPart(ESSAY, sha('sha1', ESSAY))]);
    expect(rejection(() => readStatementsRequest(MIXED, notSha2)).message).toBe(`Part 2's X-Experience-API-Hash "${sha('sha1', ESSAY)}" is not a SHA-2 hex digest`);
  });

  test('XAPI-00135 an attachment part whose Content-Transfer-Encoding is not binary, or missing, is 400', () => {
    const base64 = multipart(BOUNDARY, [jsonPart(statement([attachment(ESSAY_SHA256)])), { headers: ['Content-Type: text/plain', 'Content-Transfer-Encoding: base64', `X-Experience-API-Hash: ${ESSAY_SHA256}`], content: ESSAY.toString('base64') }]);
    expect(rejection(() => readStatementsRequest(MIXED, base64)).message).toBe('Part 2 needs Content-Transfer-Encoding: binary, not "base64"');
    const missing = multipart(BOUNDARY, [jsonPart(statement([attachment(ESSAY_SHA256)])), { headers: ['Content-Type: text/plain', `X-Experience-API-Hash: ${ESSAY_SHA256}`], content: ESSAY }]);
    expect(rejection(() => readStatementsRequest(MIXED, missing)).message).toBe('Part 2 needs Content-Transfer-Encoding: binary, not none');
  });

  test('a part with a malformed or repeated header, or a Content-Length its content does not have, is 400', () => {
    const batch = statement([attachment(ESSAY_SHA256)]);
    const malformed = multipart(BOUNDARY, [jsonPart(batch), { headers: ['Content-Type text/plain', 'Content-Transfer-Encoding: binary', `X-Experience-API-Hash: ${ESSAY_SHA256}`], content: ESSAY }]);
    expect(rejection(() => readStatementsRequest(MIXED, malformed)).message).toBe('Part 2 has a malformed header line: "Content-Type text/plain"');
    const repeated = multipart(BOUNDARY, [jsonPart(batch), { headers: ['Content-Transfer-Encoding: binary', `X-Experience-API-Hash: ${ESSAY_SHA256}`, `x-experience-api-hash: ${ESSAY_SHA256}`], content: ESSAY }]);
    expect(rejection(() => readStatementsRequest(MIXED, repeated)).message).toBe('Part 2 repeats its x-experience-api-hash header');
    const length = multipart(BOUNDARY, [jsonPart(batch), { headers: [...dataPart(ESSAY, ESSAY_SHA256).headers, 'Content-Length: 26'], content: ESSAY }]);
    expect(rejection(() => readStatementsRequest(MIXED, length)).message).toBe('Part 2 declares Content-Length 26 but carries 27 bytes');
  });
});

describe('Data 2.4.11 and Communication 1.5.2.s3: matching attachment objects to parts', () => {
  test('Communication 1.5.2.s2.b2.b5 two statements of a batch whose attachments share one hash are served by one part', () => {
    const batch = [statement([attachment(ESSAY_SHA256)]), statement([attachment(ESSAY_SHA256, { display: { 'en-US': 'The same essay, again' } })])];
    const { statementsJson, parts } = readStatementsRequest(MIXED, multipart(BOUNDARY, [jsonPart(batch), dataPart(ESSAY, ESSAY_SHA256)]));
    expect(parts).toHaveLength(1);
    expect(() => matchAttachments(statementsJson as Record<string, any>[], parts)).not.toThrow();
  });

  test('XAPI-00129 an attachment without fileUrl whose part is missing is 400, naming the attachment', () => {
    const second = sha('sha256', CERTIFICATE);
    const batch = [statement([attachment(ESSAY_SHA256)]), statement([attachment(second, { contentType: 'image/png' })])];
    const { parts } = readStatementsRequest(MIXED, multipart(BOUNDARY, [jsonPart(batch), dataPart(ESSAY, ESSAY_SHA256)]));
    const error = rejection(() => matchAttachments(batch, parts));
    expect(error.message).toBe(`statements[1].attachments[0] has no fileUrl and no part carries its data (sha2 "${second}")`);
    expect(error.details).toEqual({ path: 'statements[1].attachments[0]' });
    // An application/json request carries no parts at all.
    expect(rejection(() => matchAttachments([statement([attachment(ESSAY_SHA256)])], [])).message).toMatch(/^statements\[0\]\.attachments\[0\] has no fileUrl/);
  });

  test('XAPI-00128 a part that belongs to no attachment is 400', () => {
    const extra = sha('sha256', CERTIFICATE);
    const batch = [statement([attachment(ESSAY_SHA256)])];
    const { parts } = readStatementsRequest(MIXED, multipart(BOUNDARY, [jsonPart(batch), dataPart(ESSAY, ESSAY_SHA256), dataPart(CERTIFICATE, extra, 'image/png')]));
    expect(rejection(() => matchAttachments(batch, parts)).message).toBe(`Part 3 (X-Experience-API-Hash ${extra}) belongs to no attachment of the statements`);
  });

  test('Communication 1.5.2.s1.b4 a part whose content does not hash to its X-Experience-API-Hash is 400', () => {
    const claimed = 'b018994f8bbe0f08992a65c48c8c8c56f09e9baceaa6227ed85c90ae52b73c89';
    const batch = [statement([attachment(claimed)])];
    const { parts } = readStatementsRequest(MIXED, multipart(BOUNDARY, [jsonPart(batch), dataPart(ESSAY, claimed)]));
    expect(rejection(() => matchAttachments(batch, parts)).message).toBe(`Part 2's content does not hash to its X-Experience-API-Hash ${claimed}`);
  });

  test('XAPI-00132 a part whose hash matches no sha2 of the statements is 400 (the attachment lacks its part, the part its attachment)', () => {
    const batch = [statement([attachment(ESSAY_SHA256)])];
    const other = sha('sha256', CERTIFICATE);
    const { parts } = readStatementsRequest(MIXED, multipart(BOUNDARY, [jsonPart(batch), dataPart(CERTIFICATE, other)]));
    expect(rejection(() => matchAttachments(batch, parts)).message).toBe(`statements[0].attachments[0] has no fileUrl and no part carries its data (sha2 "${ESSAY_SHA256}")`);
  });

  test('Communication 1.5.2.s3.b9 an attachment with only a fileUrl needs no part; a part may still carry its data', () => {
    const fileUrlOnly = [statement([attachment(ESSAY_SHA256, { fileUrl: 'https://files.example/essay.txt' })])];
    expect(() => matchAttachments(fileUrlOnly, [])).not.toThrow();
    expect(() => matchAttachments(fileUrlOnly, [{ sha2: ESSAY_SHA256, contentType: 'text/plain', content: ESSAY }])).not.toThrow();
  });

  test('Communication 1.5.2.s4.b4 SHA-384 and SHA-512 digests are checked with their own algorithm, hex in either case', () => {
    const sha384 = sha('sha384', CERTIFICATE);
    const sha512 = sha('sha512', ESSAY).toUpperCase();
    const batch = [statement([attachment(sha384, { contentType: 'image/png' }), attachment(sha512.toLowerCase())])];
    const { parts } = readStatementsRequest(MIXED, multipart(BOUNDARY, [jsonPart(batch), dataPart(CERTIFICATE, sha384, 'image/png'), dataPart(ESSAY, sha512)]));
    expect(parts.map((p) => p.sha2)).toEqual([sha384, sha512]);
    expect(() => matchAttachments(batch, parts)).not.toThrow();
    const swapped = [{ ...parts[0]!, content: ESSAY }, parts[1]!];
    expect(rejection(() => matchAttachments(batch, swapped)).message).toBe(`Part 2's content does not hash to its X-Experience-API-Hash ${sha384}`);
  });

  test('Data 2.4.11 the attachments of a SubStatement object need their parts as well', () => {
    const sub = { objectType: 'SubStatement', actor: { mbox: 'mailto:jane.doe@example.com' }, verb: { id: 'http://adlnet.gov/expapi/verbs/attempted' }, object: { id: 'https://trainhub.example/courses/food-safety' }, attachments: [attachment(ESSAY_SHA256)] };
    const batch = [statement([], { object: sub })];
    expect(rejection(() => matchAttachments(batch, [])).message).toMatch(/^statements\[0\]\.object\.attachments\[0\] has no fileUrl/);
    expect(() => matchAttachments(batch, [{ sha2: ESSAY_SHA256, contentType: 'text/plain', content: ESSAY }])).not.toThrow();
  });
});

describe('Communication 1.5.2.s3.b1: the multipart answer of a GET with attachments=true', () => {
  test('the JSON comes first as application/json, then each attachment once, binary; the answer reads back as a request would', () => {
    const certificateSha = sha('sha256', CERTIFICATE);
    const result = { statements: [statement([attachment(ESSAY_SHA256)]), statement([attachment(ESSAY_SHA256), attachment(certificateSha, { contentType: 'image/png' })])], more: '' };
    const parts: AttachmentPart[] = [
      { sha2: ESSAY_SHA256, contentType: 'text/plain', content: ESSAY },
      { sha2: certificateSha, contentType: 'image/png', content: CERTIFICATE },
      { sha2: ESSAY_SHA256, contentType: 'text/plain', content: ESSAY },
    ];

    const { contentType, body } = writeMultipart(result, parts);

    const boundary = /^multipart\/mixed; boundary=(\S+)$/.exec(contentType)![1]!;
    expect(body.toString('latin1').startsWith(`--${boundary}\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(result)}\r\n--${boundary}\r\n`)).toBe(true);
    expect(body.toString('latin1').endsWith(`\r\n--${boundary}--\r\n`)).toBe(true);
    const read = readStatementsRequest(contentType, body);
    expect(read.statementsJson).toEqual(result);
    expect(read.parts).toEqual([
      { sha2: ESSAY_SHA256, contentType: 'text/plain', content: ESSAY },
      { sha2: certificateSha, contentType: 'image/png', content: CERTIFICATE },
    ]);
    expect(() => matchAttachments(result.statements, read.parts)).not.toThrow();
  });

  test('a boundary is new for every answer and never occurs in what it separates', () => {
    const first = writeMultipart({ statements: [] }, []);
    const second = writeMultipart({ statements: [] }, []);
    expect(first.contentType).not.toBe(second.contentType);
    expect(readStatementsRequest(first.contentType, first.body)).toEqual({ statementsJson: { statements: [] }, parts: [] });
  });
});
