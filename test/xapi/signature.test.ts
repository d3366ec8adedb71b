import { createHash, createHmac, generateKeyPairSync, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { XapiError } from '../../src/connectors/xapi/http';
import { matchAttachments, readStatementsRequest, type AttachmentPart } from '../../src/connectors/xapi/multipart';
import { SIGNATURE_USAGE_TYPE, verifySignedStatements } from '../../src/connectors/xapi/signature';

/*
 * Signed statements (xAPI 1.0.3 Data 2.6): a statement carries a JWS of itself as an attachment.
 *
 * The certificates below were made once with OpenSSL 3.0 (a CA, and a signer certificate it issued, both
 * RSA 2048) and the three *_BY_OPENSSL signatures were made by `openssl dgst -sha256|-sha384|-sha512 -sign`
 * over the JWS signing input of SIGNED with the header {"alg":..., "x5c":[signer, CA]}: a signer that is
 * not this code. The signer's private key was not kept; JWS made in the tests use keys generated here.
 */
const SIGNER_CERTIFICATE = `-----BEGIN CERTIFICATE-----
MIICzTCCAbUCFDPLRGkyn1mKiTr+dTosQjYVXYmSMA0GCSqGSIb3DQEBCwUAMCAx
HjAcBgNVBAMMFXRyYWluaHViIHhBUEkgdGVzdCBDQTAgFw0yNjExMjkwNDEzMDNa
GA8yMTI2MTEwNTA0MTMwM1owJDEiMCAGA1UEAwwZdHJhaW5odWIgeEFQSSB0ZXN0
IHNpZ25lcjCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAN0gjUdxbLMP
rFgRrr1+X1hoAeyCsCWoNKEFnY31Qve8dYQbDQveTTVrAK1kkyYuFPihFDt5z2jm
BoDvXeNZKtgVAEDYjOmMdEaJpLGzJ9hiV1Kp8EprHfhQ/zBpzYyT/NRPHb4qq6ol
QYTfNoCE9mu1gV3LVgsIQKUJQAoX0Wl1oZaiqdPcE4V+9ZD6PKb23yU64jC9cLT9
Y2r5LOP6sLQwCKd9IQGm5I91xNKhE/flwfQzDgRcTNvtsh0U+O9fEOCnLMWu0y5v
doHg0sINZwm9ciHN14CpmNkDC8r5kDiqIhc8pS8LjXjoygx7CyxfoLP3/ViYqfzC
Ox4v337FNTUCAwEAATANBgkqhkiG9w0BAQsFAAOCAQEAimEHkSKuviTP3oYay712
cuw1kGXizwQhGqhcBMCo8abpcVFj7E2mvnEfmgEx8J/pmXiQhv21FsaWS4Otuqn0
A7pYQJDJUoopQpj6bMgmJ2KJwmP2K72R5q8+c1McPg9R9MoW6i8BLDKidzpdVW9M
fHqJrKN2cv2nZuPi520lPxuqzIs6jHvVKC3IlFnzQM6ZltztwfreIUT6I3Nl9ikm
KwvMow+PyG2fURtVUM4+RwWkv6+npHaPzuTGnrMSov5Q19kRQhtpzp01yYk9EpLb
hpJxyK7mZtnoIWfzp1KELTs+wYxxar09eLHPYieTFT9t4J1YXtqCoH5DPfi9Ru8g
Xg==
-----END CERTIFICATE-----`;
const CA_CERTIFICATE = `-----BEGIN CERTIFICATE-----
MIIDMzCCAhugAwIBAgIUDX67vEFJKLjYd+Eush2dLP98uKIwDQYJKoZIhvcNAQEL
BQAwIDEeMBwGA1UEAwwVdHJhaW5odWIgeEFQSSB0ZXN0IENBMCAXDTI2MTEyOTA0
MTMwM1oYDzIxMjYxMTA1MDQxMzAzWjAgMR4wHAYDVQQDDBV0cmFpbmh1YiB4QVBJ
IHRlc3QgQ0EwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQCiVPmh0DYF
8OGmwMKKlElkfFtUrRVgX95GcVcY78s3wBrIgEI9syknEdMXA+h3wXR1Flz4+EKd
Tz5F5jVHxvzH+IKSfrXI7dE7DQMLi0MFFSckfApW0Gjfu1IHSb5THOCJgNgcNa/3
iLLmxcgRcAtrbhL3IGO4cEL0VDeJTLMcddjfHW7SNhHZZ70sFlm0RR7qm3iqSPkU
IQ2iawsZSeItnqmdxUqJyUdx3Z2U7KMfVjlIo7yaodiKj48VO2B7zC/aF+n7uqbG
7DKdqRVn9jDSMkCcdsBvd090WXB4HHSX4AYZvZen5zQ3vaHQuJYGJxDgRKwAsVWZ
01bH+zQGNLgFAgMBAAGjYzBhMB0GA1UdDgQWBBQT8xJGFQ49o1fftG6HaFjzq1bu
FTAfBgNVHSMEGDAWgBQT8xJGFQ49o1fftG6HaFjzq1buFTAPBgNVHRMBAf8EBTAD
AQH/MA4GA1UdDwEB/wQEAwICBDANBgkqhkiG9w0BAQsFAAOCAQEAAPV/5xtEFJWK
zrVN8oQklyY5ATuTbZtDrwMP2dSV06zodyg96INr1lKTe3Uk8R2PCB9j+Ir2EhoM
TZZCUz6B91CPswuNloGL+LiFOkD6Fvlywg2SiiUdzypDqgRBBhtqXaUfwb5LaYco
A+w19/JgmA/nUokUuWXMBQjRpPfRlpQZ8o9VhaerzOnESwREDuDNEZlvW+9a7PkQ
VL3c8Skn4B9VxTSSdA6wEeccOBlqoalvEFZKj+PuO3mqCkBzK9aOXxZFIJ8T6C6R
/EPiZ4hBwC3w10PGWq0NSO6sZFrKcFMVZ4mOa2HkM1gLbwImju6EL/bhxLzTpSSA
sIHtLWyNjA==
-----END CERTIFICATE-----`;
const RS256_BY_OPENSSL =
  'GUKlZbzDOupUOEUWbUVoyOSTgu7snePi5xjyaHvQttaAHfaAwJr-_H3sDninoc9nqdExAuvHOHaoXgX_tYHuO2Abv5YMrKpyGHCzfsD_DTWmwb1fc86Gb54FxnN_Lg48n-RI2YIVuU5FpyNCxDEA8mmDRFisddnjIgO2Izh-vNWcrnL36pv4UYXWOCaGum3EV3suUkMLM-ySqCDeqxlGehR8Yrlq8ZPBOR0onW2wpmOQUr-s9fqjmhO21PoZKnTxEbogpF51XQjjmnEcC1J1DaNOcdHm3JGzKu3k0_r3u-ZQxGVM2Ddi-PJS8UAeROev-NROiLcTHEuA2HE7nGxi0Q';
const RS384_BY_OPENSSL =
  'rtkgnkPWd5q93nWkTu-JFAFZg88DV0BnG28xHBcpDu9zy3yrwM7KIkArIvhEvLL3yL-in-1sfngIt_NRUGTOzypN7IN4jaooZO-b69bM_t4bd4hJEs9N0Z4q3a79FFu90KwUE33QwJMlAGTyxOKZrMPsdfArGNomCnOYd-aJdv8uMerGntSIjjUZu7WIN--o7VG1QUupTYnI3bB7bBYR8pBM-PIFLgtz_U6UqvzVmKVkIEOMQ2hYTyDEIuAcaVxTBEil8oJ06nNsOcfuymqElbk4NNBgNTwzZs8D34e1I72HvazaWXoHNYX_kLYDGErqM0wkIDvi5ZhKCaNwohbUsw';
const RS512_BY_OPENSSL =
  'yvGpJFcAlj-uRcOdNQrXDMVERRxXtwm7cT17uoBexaDrJZ0CgFKmPt1dw5qrKIi2mt5BjiXqrMxayyzyUgUVutmCnQzWxLAHQFoS1B66Zwrm6N1Xe5MonDvOV_AZbUq_OkvcWqFhdlbcwMy1CTqOkiV497RYMD2UCXEvDXvaeJZZ-wq1h0MFPCRzL3m8b5iuNbh2tNu6a_SlOuQK0W17oLqM-RZsol2nWN_uMEE55g_MWQ9WiAEOPReXVTFerJY6cW9V_s9GwDIQtqR1L7KW5Zs9rG6jGD_NIanCwuDJdNtJ8FqPt6wH5h34xrcvO26x_2zcVB417wtbN9qjRyTYDQ';

/** The statement the OpenSSL signatures sign, serialized exactly as signed. */
const SIGNED = {
  id: '0f1e2d3c-4b5a-4697-a8b9-cadbecfd0e1f',
  actor: { objectType: 'Agent', name: 'Quality Manager', mbox: 'mailto:quality@example.com' },
  verb: { id: 'http://adlnet.gov/expapi/verbs/passed', display: { 'en-US': 'passed' } },
  object: { objectType: 'Activity', id: 'https://trainhub.example/courses/food-safety' },
  result: { success: true, score: { scaled: 0.92 } },
  timestamp: '2026-11-29T09:30:00.000Z',
};

const der = (pem: string) => new X509Certificate(pem).raw.toString('base64');
const CHAIN = [der(SIGNER_CERTIFICATE), der(CA_CERTIFICATE)];
const b64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const signingInput = (header: object, payload: unknown) => `${b64url(header)}.${b64url(payload)}`;
const DIGEST = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512' } as const;

/** A compact JWS signed here, with a key generated for the test. */
function jwsSignedWith(key: KeyObject, header: { alg: keyof typeof DIGEST } & Record<string, unknown>, payload: unknown): string {
  const input = signingInput(header, payload);
  return `${input}.${sign(DIGEST[header.alg], Buffer.from(input), key).toString('base64url')}`;
}

const { privateKey: ownKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

/** The statement as a client sends it: the JWS as an attachment, its bytes as a part. */
function signed(statement: Record<string, unknown>, jws: string, attachmentChanges: Record<string, unknown> = {}) {
  const content = Buffer.from(jws);
  const sha2 = createHash('sha256').update(content).digest('hex');
  const signature = { usageType: SIGNATURE_USAGE_TYPE, display: { 'en-US': 'Signature' }, contentType: 'application/octet-stream', length: content.length, sha2, ...attachmentChanges };
  const part: AttachmentPart = { sha2, contentType: 'application/octet-stream', content };
  return { statement: { ...statement, attachments: [...((statement.attachments as unknown[]) ?? []), signature] }, part };
}

async function rejection(run: () => Promise<unknown>): Promise<XapiError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof XapiError) return error;
    throw error;
  }
  throw new Error('expected a 400');
}

const WHERE = 'statements[0].attachments[0] is a signature (Data 2.6), but';

describe('Data 2.6: signed statements', () => {
  test('Data 2.6.s4.b1 an RS256 JWS made by OpenSSL, with the x5c chain of its signer and CA, is accepted', async () => {
    const { statement, part } = signed(SIGNED, `${signingInput({ alg: 'RS256', x5c: CHAIN }, SIGNED)}.${RS256_BY_OPENSSL}`);
    await expect(verifySignedStatements([statement], [part])).resolves.toBeUndefined();
  });

  test('Data 2.6.s4.b4 RS384 and RS512 are accepted as well', async () => {
    for (const [alg, signature] of [['RS384', RS384_BY_OPENSSL], ['RS512', RS512_BY_OPENSSL]] as const) {
      const { statement, part } = signed(SIGNED, `${signingInput({ alg, x5c: CHAIN }, SIGNED)}.${signature}`);
      await expect(verifySignedStatements([statement], [part])).resolves.toBeUndefined();
    }
  });

  test('Data 2.6.s5.b3 a JWS without x5c is checked for form and payload; there is no key to verify it with', async () => {
    const { statement, part } = signed(SIGNED, jwsSignedWith(ownKey, { alg: 'RS512' }, SIGNED));
    await expect(verifySignedStatements([statement], [part])).resolves.toBeUndefined();
  });

  test('Data 2.6.s5.b3.b2 the payload is compared as a statement: member order and the attachments it was signed without do not matter', async () => {
    const reordered = { timestamp: SIGNED.timestamp, result: SIGNED.result, object: SIGNED.object, verb: SIGNED.verb, actor: SIGNED.actor, id: SIGNED.id };
    const evidence = { usageType: 'http://example.com/attachment-usage/certificate', display: { 'en-US': 'Certificate' }, contentType: 'application/pdf', length: 3, sha2: createHash('sha256').update('pdf').digest('hex') };
    const { statement, part } = signed({ ...reordered, attachments: [evidence] }, jwsSignedWith(ownKey, { alg: 'RS256' }, { ...SIGNED, attachments: [evidence] }));
    await expect(verifySignedStatements([statement], [part])).resolves.toBeUndefined();
  });

  test('Data 2.6.s5.b3.b2 a statement that differs from the payload it carries is 400', async () => {
    const jws = `${signingInput({ alg: 'RS256', x5c: CHAIN }, SIGNED)}.${RS256_BY_OPENSSL}`;
    const { statement, part } = signed({ ...SIGNED, result: { success: false, score: { scaled: 0.42 } } }, jws);
    const error = await rejection(() => verifySignedStatements([statement], [part]));
    expect(error.status).toBe(400);
    expect(error.message).toBe(`${WHERE} the JWS payload is not the statement it is attached to`);
    expect(error.details).toEqual({ path: 'statements[0].attachments[0]' });
  });

  test('Data 2.6.s4.b4 HS256 (an HMAC, as the ADL suite signs its bad case) and "none" are 400', async () => {
    const hsInput = signingInput({ alg: 'HS256' }, SIGNED);
    const hs256 = `${hsInput}.${createHmac('sha256', 'a shared secret').update(hsInput).digest('base64url')}`;
    let { statement, part } = signed(SIGNED, hs256);
    expect((await rejection(() => verifySignedStatements([statement], [part]))).message).toBe(`${WHERE} its JWS algorithm is "HS256"; only RS256, RS384 and RS512 are allowed (Data 2.6.s4.b4)`);
    ({ statement, part } = signed(SIGNED, `${signingInput({ alg: 'none' }, SIGNED)}.`));
    expect((await rejection(() => verifySignedStatements([statement], [part]))).message).toBe(`${WHERE} its JWS algorithm is "none"; only RS256, RS384 and RS512 are allowed (Data 2.6.s4.b4)`);
  });

  test('Data 2.6.s4.b3 a JWS whose payload is not a JSON serialization of a statement is 400', async () => {
    // The ADL suite's "bad JSON serialization": the first double quote of the statement becomes a single one.
    const broken = JSON.stringify(SIGNED).replace('"', "'");
    const { statement, part } = signed(SIGNED, jwsSignedWith(ownKey, { alg: 'RS256' }, broken));
    expect((await rejection(() => verifySignedStatements([statement], [part]))).message).toBe(`${WHERE} its JWS payload is not a valid JSON serialization of a statement (Data 2.6.s4.b3)`);
  });

  test('Data 2.6.s5.b1 a part that is no compact JWS is 400: two segments, a JSON serialization, a header that is not JSON, no signature', async () => {
    const cases: [string, string][] = [
      [signingInput({ alg: 'RS256' }, SIGNED), 'its part is not a compact JWS (three base64url segments joined by dots)'],
      [JSON.stringify({ payload: b64url(SIGNED), signatures: [{ protected: b64url({ alg: 'RS256' }), signature: 'AAAA' }] }), 'its JWS uses the JSON serialization; use the compact serialization'],
      [`${b64url('not json')}.${b64url(SIGNED)}.AAAA`, 'its JWS header is not a JSON object'],
      [`${signingInput({ alg: 'RS256' }, SIGNED)}.`, 'its JWS has no signature'],
      [`${signingInput({ alg: 'RS256' }, SIGNED)}.not+base64url`, 'its part is not a compact JWS (three base64url segments joined by dots)'],
    ];
    for (const [jws, problem] of cases) {
      const { statement, part } = signed(SIGNED, jws);
      expect((await rejection(() => verifySignedStatements([statement], [part]))).message).toBe(`${WHERE} ${problem}`);
    }
  });

  test('RFC 7515 §4.1.11 a JWS naming critical header extensions is 400 (this LRS understands none)', async () => {
    const { statement, part } = signed(SIGNED, jwsSignedWith(ownKey, { alg: 'RS256', b64: false, crit: ['b64'] }, SIGNED));
    expect((await rejection(() => verifySignedStatements([statement], [part]))).message).toBe(`${WHERE} its JWS header names critical extensions this LRS does not support`);
  });

  test('Data 2.6.s4.b1 a signature attachment whose contentType is not application/octet-stream is 400', async () => {
    const { statement, part } = signed(SIGNED, jwsSignedWith(ownKey, { alg: 'RS256' }, SIGNED), { contentType: 'text/plain; charset=ascii' });
    expect((await rejection(() => verifySignedStatements([statement], [part]))).message).toBe(`${WHERE} its contentType is "text/plain; charset=ascii", not application/octet-stream`);
  });

  test('XAPI-00115 a signature attachment without a part carrying its JWS is 400, even with a fileUrl', async () => {
    const { statement } = signed(SIGNED, jwsSignedWith(ownKey, { alg: 'RS256' }, SIGNED), { fileUrl: 'https://files.example/signature.jws' });
    const sha2 = (statement.attachments[0] as { sha2: string }).sha2;
    expect((await rejection(() => verifySignedStatements([statement], []))).message).toBe(`${WHERE} no part of the request carries its JWS (sha2 "${sha2}")`);
  });

  test('Data 2.6.s5.b3.b3 an x5c certificate whose key did not make the signature is 400', async () => {
    const { statement, part } = signed(SIGNED, jwsSignedWith(ownKey, { alg: 'RS256', x5c: CHAIN }, SIGNED));
    expect((await rejection(() => verifySignedStatements([statement], [part]))).message).toBe(`${WHERE} its JWS signature does not verify with the key of its x5c certificate`);
  });

  test('Data 2.6.s5.b3.b3 an OpenSSL signature checked with another algorithm than it was made with is 400', async () => {
    const { statement, part } = signed(SIGNED, `${signingInput({ alg: 'RS384', x5c: CHAIN }, SIGNED)}.${RS256_BY_OPENSSL}`);
    expect((await rejection(() => verifySignedStatements([statement], [part]))).message).toBe(`${WHERE} its JWS signature does not verify with the key of its x5c certificate`);
  });

  test('RFC 7515 §4.1.6 an x5c chain in which a certificate was not issued by the next, or an entry that is no certificate, is 400', async () => {
    const reversed = [CHAIN[1]!, CHAIN[0]!];
    let { statement, part } = signed(SIGNED, jwsSignedWith(ownKey, { alg: 'RS256', x5c: reversed }, SIGNED));
    expect((await rejection(() => verifySignedStatements([statement], [part]))).message).toBe(`${WHERE} x5c[0] was not issued by x5c[1]`);
    ({ statement, part } = signed(SIGNED, jwsSignedWith(ownKey, { alg: 'RS256', x5c: [Buffer.from('not a certificate').toString('base64')] }, SIGNED)));
    expect((await rejection(() => verifySignedStatements([statement], [part]))).message).toBe(`${WHERE} x5c[0] is not an X.509 certificate`);
    ({ statement, part } = signed(SIGNED, jwsSignedWith(ownKey, { alg: 'RS256', x5c: CHAIN[0] }, SIGNED)));
    expect((await rejection(() => verifySignedStatements([statement], [part]))).message).toBe(`${WHERE} its JWS header x5c is not a non-empty array of certificates`);
  });

  test('statements without a signature attachment are left alone, whatever their other attachments', async () => {
    const other = { usageType: 'http://example.com/attachment-usage/test', display: { 'en-US': 'Essay' }, contentType: 'application/octet-stream', length: 1, sha2: 'ab'.repeat(32) };
    await expect(verifySignedStatements([{ ...SIGNED, attachments: [other] }, SIGNED], [])).resolves.toBeUndefined();
  });

  test('Data 2.6 end to end: a signed statement posted as the ADL suite posts it reads, matches and verifies; the same body altered is 400', async () => {
    const jws = `${signingInput({ alg: 'RS256', x5c: CHAIN }, SIGNED)}.${RS256_BY_OPENSSL}`;
    const { statement } = signed(SIGNED, jws);
    const sha2 = (statement.attachments[0] as { sha2: string }).sha2;
    const boundary = '-------------1234567890';
    const body = (json: unknown) =>
      Buffer.from(
        `\r\n--${boundary}\r\nContent-Type:application/json\r\n\r\n${JSON.stringify(json)}` +
          `\r\n--${boundary}\r\nContent-Type:application/octet-stream\r\nContent-Transfer-Encoding:binary\r\nX-Experience-API-Hash:${sha2}\r\n\r\n${jws}\r\n--${boundary}--`,
      );

    const read = readStatementsRequest(`multipart/mixed; boundary=${boundary}`, body(statement));
    const statements = [read.statementsJson as Record<string, any>];
    matchAttachments(statements, read.parts);
    await expect(verifySignedStatements(statements, read.parts)).resolves.toBeUndefined();

    const altered = readStatementsRequest(`multipart/mixed; boundary=${boundary}`, body({ ...statement, verb: { id: 'http://adlnet.gov/expapi/verbs/failed' } }));
    expect((await rejection(() => verifySignedStatements([altered.statementsJson as Record<string, any>], altered.parts))).message).toBe(`${WHERE} the JWS payload is not the statement it is attached to`);
  });
});
