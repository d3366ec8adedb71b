import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import jsQR from 'jsqr';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFNumber, PDFRawStream, PDFRef } from 'pdf-lib';
import { installedUnicodeFont, renderCertificatePdf, type CertificatePdfInput } from '../../src/services/certifications/pdf';
import { createTenant } from '../support/builders';
import { startHarness, type Harness } from '../support/harness';
import { givenCertification, givenPerson, issue, PUBLIC_URL } from './certificate-fixtures';

/** The streams of a PDF, each with its reference, dictionary and (Flate-)decoded bytes. */
function streamsOf(pdf: PDFDocument): { ref: PDFRef; dict: PDFDict; bytes: Buffer }[] {
  return pdf.context
    .enumerateIndirectObjects()
    .flatMap(([ref, object]) => (object instanceof PDFRawStream ? [{ ref, stream: object }] : []))
    .map(({ ref, stream }) => {
      const filter = stream.dict.get(PDFName.of('Filter'));
      const flate = filter === PDFName.of('FlateDecode') || (filter instanceof PDFArray && filter.asArray().includes(PDFName.of('FlateDecode')));
      return { ref, dict: stream.dict, bytes: flate ? inflateSync(stream.contents) : Buffer.from(stream.contents) };
    });
}

/** The dictionaries of a PDF (fonts, font descriptors …), wherever they are stored (object streams too). */
function dictsOf(pdf: PDFDocument, type: string): PDFDict[] {
  return pdf.context.enumerateIndirectObjects().flatMap(([, object]) => (object instanceof PDFDict && object.get(PDFName.of('Type')) === PDFName.of(type) ? [object] : []));
}

/** The text the standard fonts draw (pdf-lib writes it as hex strings of WinAnsi codes), one string per Tj of the page. */
function textOf(pdf: PDFDocument): string[] {
  const contents = pdf.getPage(0).node.Contents();
  const refs = contents instanceof PDFArray ? contents.asArray() : [pdf.getPage(0).node.get(PDFName.of('Contents'))];
  return streamsOf(pdf)
    .filter(({ ref }) => refs.includes(ref))
    .flatMap(({ bytes }) => [...bytes.toString('latin1').matchAll(/<([0-9A-Fa-f]*)>\s*Tj/g)].map((m) => Buffer.from(m[1]!, 'hex').toString('latin1')));
}

const num = (dict: PDFDict, key: string) => (dict.get(PDFName.of(key)) as PDFNumber).asNumber();

/**
 * The QR code as an image: pdf-lib stores a PNG as its raw pixels, Flate-compressed (colour in the
 * image, alpha — when the PNG has any — in its SMask). Rebuilt as RGBA, it is what a phone's camera reads.
 */
function qrCodeIn(pdf: PDFDocument): string | null {
  const all = streamsOf(pdf).filter(({ dict }) => dict.get(PDFName.of('Subtype')) === PDFName.of('Image'));
  const masks = all.flatMap(({ dict }) => (dict.has(PDFName.of('SMask')) ? [dict.get(PDFName.of('SMask'))] : []));
  const images = all.filter(({ ref }) => !masks.includes(ref));
  expect(images).toHaveLength(1);
  const { dict, bytes } = images[0]!;
  const [width, height] = [num(dict, 'Width'), num(dict, 'Height')];
  expect(num(dict, 'BitsPerComponent')).toBe(8);
  const channels = dict.get(PDFName.of('ColorSpace')) === PDFName.of('DeviceGray') ? 1 : 3;
  expect(bytes.length).toBe(width * height * channels);
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i += 1) {
    for (let c = 0; c < 3; c += 1) rgba[i * 4 + c] = bytes[i * channels + (channels === 1 ? 0 : c)]!;
    rgba[i * 4 + 3] = 255;
  }
  return jsQR(rgba, width, height)?.data ?? null;
}

const INPUT: CertificatePdfInput = {
  issuerName: "St. Mary's Hospital",
  holderName: 'Ada Lovelace',
  certificationTitle: 'Basic Life Support',
  number: 'BLS-2026-000001',
  issuedOn: new Date('2026-03-14'),
  expiresOn: new Date('2028-03-14'),
  verificationCode: '7XQ2M-9KD4T-ABCDE-FGHJK-MNPQR',
  verifyUrl: `${PUBLIC_URL}/verify/7XQ2M-9KD4T-ABCDE-FGHJK-MNPQR`,
};

/**
 * The certificate PDF: A4 landscape with issuer, holder, certification, number, dates, verification
 * code and URL, and a QR code of the verify page that a camera decodes to exactly that URL. The same
 * issue gives the same bytes; the stored fingerprint is the SHA-256 of what is served.
 */
describe('the certificate PDF', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  test('shows who holds which certification, its number, dates and how to verify it, and carries the same in its metadata', async () => {
    const { tenantId, apiKey } = await createTenant(h.db);
    await h.db.certificatePolicy.create({ data: { tenantId, issuerName: "St. Mary's Hospital" } });
    const certification = await givenCertification(h.db, tenantId, 'bls', 'Basic Life Support');
    const ada = await givenPerson(h.db, tenantId, 'Ada Lovelace');
    const issued = await issue(h.db, { tenantId, personId: ada.id, certificationId: certification.id });
    const row = await h.db.certificate.findUniqueOrThrow({ where: { id: issued.id } });
    const bytes = row.pdf!;

    const pdf = await PDFDocument.load(bytes, { updateMetadata: false });
    expect(pdf.getPageCount()).toBe(1);
    const { width, height } = pdf.getPage(0).getSize();
    expect([Math.round(width), Math.round(height)]).toEqual([842, 595]);
    const verifyUrl = `${PUBLIC_URL}/verify/${issued.verificationCode}`;
    expect(textOf(pdf)).toEqual(
      expect.arrayContaining([
        "St. Mary's Hospital",
        'Certificate',
        'Ada Lovelace',
        'Basic Life Support',
        'BLS-2026-000001',
        '14 March 2026',
        '14 March 2028',
        issued.verificationCode,
        verifyUrl,
      ]),
    );
    expect(pdf.getTitle()).toBe('Certificate BLS-2026-000001: Basic Life Support');
    expect(pdf.getSubject()).toBe('Basic Life Support, held by Ada Lovelace');
    expect(pdf.getAuthor()).toBe("St. Mary's Hospital");
    expect(pdf.getCreationDate()).toEqual(new Date('2026-03-14'));
    expect(pdf.getModificationDate()).toEqual(new Date('2026-03-14'));

    // The fingerprint is of the bytes as stored and served, through the API and the public download alike.
    expect(row.pdfSha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    const fromApi = await fetch(`${h.baseUrl}/api/v1/certificates/${issued.id}/pdf`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(fromApi.status).toBe(200);
    expect(fromApi.headers.get('content-type')).toBe('application/pdf');
    expect(fromApi.headers.get('content-disposition')).toBe('attachment; filename="certificate-BLS-2026-000001.pdf"');
    const served = Buffer.from(await fromApi.arrayBuffer());
    expect(createHash('sha256').update(served).digest('hex')).toBe(row.pdfSha256);
    const download = await fetch(`${h.baseUrl}/verify/${issued.verificationCode}/certificate.pdf`);
    expect(Buffer.from(await download.arrayBuffer()).equals(served)).toBe(true);
  });

  test('its QR code decodes to exactly <publicUrl>/verify/<code>', async () => {
    const { tenantId } = await createTenant(h.db);
    const certification = await givenCertification(h.db, tenantId);
    const ada = await givenPerson(h.db, tenantId);
    const issued = await issue(h.db, { tenantId, personId: ada.id, certificationId: certification.id });
    const row = await h.db.certificate.findUniqueOrThrow({ where: { id: issued.id } });
    expect(qrCodeIn(await PDFDocument.load(row.pdf!))).toBe(`${PUBLIC_URL}/verify/${issued.verificationCode}`);
  });

  test('the same input gives the same bytes', async () => {
    const [a, b] = [await renderCertificatePdf(INPUT), await renderCertificatePdf(INPUT)];
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const other = await renderCertificatePdf({ ...INPUT, number: 'BLS-2026-000002' });
    expect(Buffer.from(a).equals(Buffer.from(other))).toBe(false);
  });

  test('a name the standard fonts cannot encode does not stop the issue: without a Unicode font, accents are dropped and other letters shown as "?"', async () => {
    const name = 'Łukasz Żółć 王小明';
    const bytes = await renderCertificatePdf({ ...INPUT, holderName: name }, { unicodeFont: null });
    const pdf = await PDFDocument.load(bytes);
    expect(textOf(pdf)).toContain('Lukasz Zólc ???');
    // The metadata (UTF-16) keeps the name exactly.
    expect(pdf.getSubject()).toBe(`Basic Life Support, held by ${name}`);
    expect(qrCodeIn(pdf)).toBe(INPUT.verifyUrl);

    const { tenantId } = await createTenant(h.db);
    const certification = await givenCertification(h.db, tenantId);
    const person = await givenPerson(h.db, tenantId, name);
    const issued = await issue(h.db, { tenantId, personId: person.id, certificationId: certification.id });
    expect(issued.created).toBe(true);
    expect((await h.db.certificate.findUniqueOrThrow({ where: { id: issued.id } })).snapshot).toMatchObject({ holder: { name } });
  });

  (existsSync('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf') ? test : test.skip)('with DejaVu Sans installed, such a name is drawn in it, embedded as a subset', async () => {
    const font = await installedUnicodeFont();
    expect(font?.name).toBe('DejaVuSans');
    const bytes = await renderCertificatePdf({ ...INPUT, holderName: 'Łukasz Иванов' });
    const pdf = await PDFDocument.load(bytes);
    const embedded = dictsOf(pdf, 'FontDescriptor').filter((d) => d.has(PDFName.of('FontFile2')));
    expect(embedded.map((d) => String(d.get(PDFName.of('FontName'))))).toEqual(['/DejaVuSans-Bold']);
    expect(dictsOf(pdf, 'Font').map((d) => String(d.get(PDFName.of('BaseFont')))).sort()).toEqual(['/DejaVuSans-Bold', '/DejaVuSans-Bold', '/Helvetica', '/Helvetica-Bold']);
    // Everything else stays in the standard fonts.
    expect(textOf(pdf)).toEqual(expect.arrayContaining(['Basic Life Support', 'BLS-2026-000001']));
    // And it, too, is the same bytes each time.
    expect(Buffer.from(await renderCertificatePdf({ ...INPUT, holderName: 'Łukasz Иванов' })).equals(Buffer.from(bytes))).toBe(true);
  });
});
